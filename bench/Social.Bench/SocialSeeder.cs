using System.Diagnostics;
using Community.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Community.Social.Bench;

/// <summary>What was seeded and how long each step took.</summary>
public sealed record SocialSeedTimings(
    long Profiles,
    long Connections,
    long Follows,
    long Blocks,
    long Activities,
    TimeSpan Copy,
    TimeSpan Indexes,
    TimeSpan VacuumAnalyze,
    IReadOnlyList<(string Index, TimeSpan Took)> PerIndex
)
{
    public TimeSpan Total => Copy + Indexes + VacuumAnalyze;
}

/// <summary>
/// Fills profiles, connections, follows, blocks and the feed's events and activity by binary COPY: each table's
/// secondary indexes are dropped first and rebuilt afterwards from their own definitions (so what the migrations
/// declare is what gets measured), then VACUUM (ANALYZE).
/// </summary>
public static class SocialSeeder
{
    // The discovery tables are filled by their trigger as the profiles are copied (the service's own write path).
    private static readonly string[] Tables =
    [
        "user_profiles",
        "discovery_entries",
        "discovery_pairs",
        "discovery_regions",
        "connections",
        "follows",
        "blocks",
        "feed_events",
        "activities",
    ];

    // Each person connects to the members this many places further in their region's shuffled list: 6 connections each
    // on average.
    private static readonly int[] RingSteps = [1, 7, 31];

    public static async Task<SocialSeedTimings> SeedAsync(
        NpgsqlDataSource dataSource,
        Population people,
        DateTimeOffset now,
        Action<string> log
    )
    {
        // COPY through the discovery triggers can stall longer than the default 30 s on a busy machine.
        await using var unbounded = new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) { CommandTimeout = 0 }.ConnectionString
        ).Build();
        dataSource = unbounded;
        var indexes = new List<(string Name, string Definition)>();
        await using (
            var command = dataSource.CreateCommand(
                """
                SELECT indexname, indexdef FROM pg_indexes i
                WHERE schemaname = current_schema() AND tablename = ANY(@tables)
                  AND indexname NOT IN (
                    SELECT conname FROM pg_constraint WHERE conrelid = (quote_ident(i.tablename))::regclass)
                ORDER BY indexname
                """
            )
        )
        {
            command.Parameters.AddWithValue("tables", Tables);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes)
        {
            await using var drop = dataSource.CreateCommand($"DROP INDEX \"{name}\"");
            await drop.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var regions = new List<int>[Population.Regions.Length];
        for (var k = 0; k < regions.Length; k++)
            regions[k] = [];

        // Profiles in two streams (the server parses; the client generates).
        var streams = Math.Clamp(Environment.ProcessorCount, 1, 4);
        var regionOf = new int[people.Count];
        await Task.WhenAll(
            Enumerable
                .Range(0, streams)
                .Select(stream =>
                    Task.Run(async () =>
                    {
                        await using var connection = await dataSource.OpenConnectionAsync();
                        await using var importer = await connection.BeginBinaryImportAsync(
                            """
                            COPY user_profiles (user_id, username, full_name, bio, region, city, country, gender,
                                           date_of_birth, interests, languages, is_verified, role, tier,
                                           boosted_until, registered_at, as_of, role_as_of)
                            FROM STDIN (FORMAT BINARY)
                            """
                        );
                        for (var i = stream; i < people.Count; i += streams)
                        {
                            var f = people.Fields(i);
                            regionOf[i] = Array.IndexOf(Population.Regions, f.Region);
                            var registered = now.AddDays(-1 - (i % 700)).UtcDateTime;
                            await importer.StartRowAsync();
                            await importer.WriteAsync(Population.Id(i), NpgsqlDbType.Uuid);
                            await importer.WriteAsync($"user{i:D7}", NpgsqlDbType.Text);
                            await importer.WriteAsync($"Member {i}", NpgsqlDbType.Text);
                            await importer.WriteAsync(
                                "Here to meet people who like " + string.Join(" and ", f.Interests),
                                NpgsqlDbType.Text
                            );
                            await importer.WriteAsync(f.Region, NpgsqlDbType.Text);
                            await importer.WriteAsync(f.Region, NpgsqlDbType.Text);
                            await importer.WriteAsync("AE", NpgsqlDbType.Text);
                            await importer.WriteAsync(f.Gender, NpgsqlDbType.Text);
                            await importer.WriteAsync(
                                today.AddYears(-f.Age).AddDays(-f.BirthdayOffset),
                                NpgsqlDbType.Date
                            );
                            await importer.WriteAsync(f.Interests, NpgsqlDbType.Array | NpgsqlDbType.Text);
                            await importer.WriteAsync(new[] { "en" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                            await importer.WriteAsync(f.Verified, NpgsqlDbType.Boolean);
                            await importer.WriteAsync(Roles.Member, NpgsqlDbType.Text);
                            await importer.WriteAsync(f.Tier, NpgsqlDbType.Text);
                            if (f.BoostDays == 0)
                                await importer.WriteNullAsync();
                            else
                                await importer.WriteAsync(
                                    now.AddDays(f.BoostDays).UtcDateTime,
                                    NpgsqlDbType.TimestampTz
                                );
                            await importer.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                            await importer.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                            await importer.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                        }
                        await importer.CompleteAsync();
                    })
                )
        );
        log($"seed: {people.Count:N0} profiles copied ({clock.Elapsed.TotalSeconds:F0} s)");
        for (var i = 0; i < people.Count; i++)
            regions[regionOf[i]].Add(i);

        // Connections: a ring per region (shuffled), each member joined to the ones RingSteps further on; accepted.
        var random = new Random(people.Seed);
        long connections = 0;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (
            var importer = await connection.BeginBinaryImportAsync(
                "COPY connections (id, requester_id, addressee_id, status, created_at, "
                    + "accepted_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var members in regions)
            {
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
                if (members.Count <= 2 * RingSteps[^1])
                    continue;
                for (var j = 0; j < members.Count; j++)
                    foreach (var step in RingSteps)
                    {
                        var at = now.AddMinutes(-random.Next(525_600)).UtcDateTime;
                        await importer.StartRowAsync();
                        await importer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                        await importer.WriteAsync(Population.Id(members[j]), NpgsqlDbType.Uuid);
                        await importer.WriteAsync(
                            Population.Id(members[(j + step) % members.Count]),
                            NpgsqlDbType.Uuid
                        );
                        await importer.WriteAsync("accepted", NpgsqlDbType.Text);
                        await importer.WriteAsync(at, NpgsqlDbType.TimestampTz);
                        await importer.WriteAsync(at, NpgsqlDbType.TimestampTz);
                        connections++;
                    }
            }
            await importer.CompleteAsync();
        }
        log($"seed: {connections:N0} connections copied ({clock.Elapsed.TotalSeconds:F0} s)");

        // Follows: everyone follows one other person; the big follower follows 1,000 instead.
        long follows = 0;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (
            var importer = await connection.BeginBinaryImportAsync(
                "COPY follows (follower_id, followed_id, created_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            async Task Follow(int follower, int followed)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(Population.Id(follower), NpgsqlDbType.Uuid);
                await importer.WriteAsync(Population.Id(followed), NpgsqlDbType.Uuid);
                await importer.WriteAsync(now.AddMinutes(-random.Next(525_600)).UtcDateTime, NpgsqlDbType.TimestampTz);
                follows++;
            }
            // i follows i + 1 + (7919 i mod (n - 2)): never itself, one row per follower.
            for (var i = 0; i < people.Count - 1; i++)
                await Follow(i, (int)((i + 1 + (long)i * 7919 % (people.Count - 2)) % people.Count));
            var followed = new HashSet<int>();
            while (followed.Count < Population.BigFollowerFollows)
            {
                var t = random.Next(people.Count - 1);
                if (followed.Add(t))
                    await Follow(people.BigFollower, t);
            }
            await importer.CompleteAsync();
        }
        log($"seed: {follows:N0} follows copied ({clock.Elapsed.TotalSeconds:F0} s)");

        // The feed: public events with titles, and activity rows (RSVPs to those events, follows) over the last
        // year: Population.BusyActivities for each person the big follower follows, Population.QuietActivities for
        // everyone else.
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (
            var importer = await connection.BeginBinaryImportAsync(
                "COPY feed_events (event_id, title, is_public, cancelled, as_of) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            for (var e = 0; e < Population.FeedEvents; e++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(Population.EventId(e), NpgsqlDbType.Uuid);
                await importer.WriteAsync($"Event {e}", NpgsqlDbType.Text);
                await importer.WriteAsync(true, NpgsqlDbType.Boolean);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean);
                await importer.WriteAsync(now.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await importer.CompleteAsync();
        }
        var busy = new HashSet<int>();
        await using (var command = dataSource.CreateCommand("SELECT followed_id FROM follows WHERE follower_id = @id"))
        {
            command.Parameters.AddWithValue("id", Population.Id(people.BigFollower));
            await using var reader = await command.ExecuteReaderAsync();
            var ids = new HashSet<Guid>();
            while (await reader.ReadAsync())
                ids.Add(reader.GetGuid(0));
            for (var i = 0; i < people.Count && busy.Count < ids.Count; i++)
                if (ids.Contains(Population.Id(i)))
                    busy.Add(i);
        }
        long activities = 0;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (
            var importer = await connection.BeginBinaryImportAsync(
                "COPY activities (id, kind, actor_id, subject_id, subject_user_id, visible, "
                    + "occurred_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            for (var i = 0; i < people.Count; i++)
            {
                var count = busy.Contains(i) ? Population.BusyActivities : Population.QuietActivities;
                for (var k = 0; k < count; k++)
                {
                    var at = now.AddMinutes(-random.Next(525_600)).UtcDateTime;
                    // Even k: an RSVP to a distinct event (7919 is prime to FeedEvents); odd k: a follow of a distinct
                    // person.
                    var rsvp = k % 2 == 0;
                    var subject = rsvp
                        ? Population.EventId((int)((i * 31L + k * 7919L) % Population.FeedEvents))
                        : Population.Id((i + 1 + k) % people.Count);
                    await importer.StartRowAsync();
                    await importer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                    await importer.WriteAsync(rsvp ? "event_rsvp" : "user_followed", NpgsqlDbType.Text);
                    await importer.WriteAsync(Population.Id(i), NpgsqlDbType.Uuid);
                    await importer.WriteAsync(subject, NpgsqlDbType.Uuid);
                    if (rsvp)
                        await importer.WriteNullAsync();
                    else
                        await importer.WriteAsync(subject, NpgsqlDbType.Uuid);
                    await importer.WriteAsync(true, NpgsqlDbType.Boolean);
                    await importer.WriteAsync(at, NpgsqlDbType.TimestampTz);
                    activities++;
                }
            }
            await importer.CompleteAsync();
        }
        log($"seed: {activities:N0} feed activities copied ({clock.Elapsed.TotalSeconds:F0} s)");

        // Blocks: each measured caller blocked 5 people of its region and was blocked by 5.
        var blocks = new HashSet<(int, int)>();
        foreach (var caller in people.CallerIndices)
        {
            var members = regions[regionOf[caller]];
            while (blocks.Count(b => b.Item1 == caller) < 5)
            {
                var t = members[random.Next(members.Count)];
                if (t != caller)
                    blocks.Add((caller, t));
            }
            while (blocks.Count(b => b.Item2 == caller) < 5)
            {
                var t = members[random.Next(members.Count)];
                if (t != caller)
                    blocks.Add((t, caller));
            }
        }
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY blocks (blocker_id, blocked_id, created_at) FROM STDIN (FORMAT BINARY)"
            );
            foreach (var (blocker, blocked) in blocks)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(Population.Id(blocker), NpgsqlDbType.Uuid);
                await importer.WriteAsync(Population.Id(blocked), NpgsqlDbType.Uuid);
                await importer.WriteAsync(now.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await importer.CompleteAsync();
        }
        // A block ends the pair's connection, as the API does.
        await using (
            var end = dataSource.CreateCommand(
                "DELETE FROM connections c USING blocks b WHERE (c.requester_id, c.addressee_id) IN ((b.blocker_id, "
                    + "b.blocked_id), (b.blocked_id, b.blocker_id))"
            )
        )
        {
            end.CommandTimeout = 0;
            connections -= await end.ExecuteNonQueryAsync();
        }
        var copy = clock.Elapsed;

        clock.Restart();
        var perIndex = new List<(string, TimeSpan)>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (var settings = new NpgsqlCommand("SET maintenance_work_mem = '512MB'", connection))
                await settings.ExecuteNonQueryAsync();
            foreach (var (name, definition) in indexes)
            {
                var one = Stopwatch.StartNew();
                await using var create = new NpgsqlCommand(definition, connection) { CommandTimeout = 0 };
                await create.ExecuteNonQueryAsync();
                perIndex.Add((name, one.Elapsed));
                log($"seed: index {name} built in {one.Elapsed.TotalSeconds:F1} s");
            }
        }
        var indexTime = clock.Elapsed;

        clock.Restart();
        foreach (var table in Tables)
        {
            await using var vacuum = dataSource.CreateCommand($"VACUUM (ANALYZE) {table}");
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
        log($"seed: VACUUM ANALYZE in {clock.Elapsed.TotalSeconds:F1} s");
        return new SocialSeedTimings(
            people.Count,
            connections,
            follows,
            blocks.Count,
            activities,
            copy,
            indexTime,
            clock.Elapsed,
            perIndex
        );
    }
}
