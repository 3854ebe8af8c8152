using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Community.Events.Bench;

/// <summary>How long each seeding step took.</summary>
public sealed record SeedTimings(
    long Events,
    TimeSpan Copy,
    TimeSpan Indexes,
    TimeSpan VacuumAnalyze,
    IReadOnlyList<(string Index, TimeSpan Took)> PerIndex
)
{
    public TimeSpan Total => Copy + Indexes + VacuumAnalyze;
}

/// <summary>
/// Fills community_events with published events by binary COPY: the table's secondary indexes are
/// dropped first and rebuilt afterwards from their own definitions (so whatever the migrations
/// declare is what gets measured), then VACUUM ANALYZE leaves the table as autovacuum would.
/// </summary>
public static class Seeder
{
    // position and search are generated columns: the server computes them from these.
    private const string Columns = """
        id, organizer_id, title, description, event_type, interests, region, location_name, address, city, country,
        latitude, longitude, geofence_radius_m, starts_at, ends_at, time_zone, capacity, seats_taken, waitlist_enabled,
        price_cents, currency, refund_cutoff_hours, cover_image_url, visibility, invited_user_ids, status,
        cancellation_reason, created_at, updated_at, published_at, cancelled_at
        """;

    private const double ClusteredShare = 0.6;
    private const double PrivateShare = 0.08;
    private const double PaidShare = 0.25;
    private const double PastShare = 0.10;
    private const int Organizers = 50_000;
    private const int Towns = 20_000;
    private const double VenueShare = 0.3;
    private const int VenuesPerCity = 300;
    private const double KmPerDegree = 111.32;

    public static async Task<SeedTimings> SeedAsync(
        NpgsqlDataSource dataSource,
        int count,
        int seed,
        DateTimeOffset now,
        Action<string> log
    )
    {
        var indexes = new List<(string Name, string Definition)>();
        await using (
            var command = dataSource.CreateCommand(
                """
                SELECT indexname, indexdef FROM pg_indexes
                WHERE schemaname = current_schema() AND tablename = 'community_events'
                  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'community_events'::regclass)
                ORDER BY indexname
                """
            )
        )
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes)
        {
            await using var drop = dataSource.CreateCommand($"DROP INDEX \"{name}\"");
            await drop.ExecuteNonQueryAsync();
        }

        // One COPY stream per core: the server computes the generated columns, so the work is on its side.
        var streams = Math.Clamp(Environment.ProcessorCount, 1, 4);
        var clock = Stopwatch.StartNew();
        var written = 0L;
        var progress = new Timer(
            _ =>
                log(
                    $"seed: {Interlocked.Read(ref written):N0} / {count:N0} events copied "
                        + $"({clock.Elapsed.TotalSeconds:F0} s)"
                ),
            null,
            TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(10)
        );
        var tasks = Enumerable
            .Range(0, streams)
            .Select(stream =>
                Task.Run(async () =>
                {
                    var share = count / streams + (stream < count % streams ? 1 : 0);
                    var generator = new EventGenerator(seed * 1000 + stream, now);
                    await using var connection = await dataSource.OpenConnectionAsync();
                    await using var importer = await connection.BeginBinaryImportAsync(
                        $"COPY community_events ({Columns}) FROM STDIN (FORMAT BINARY)"
                    );
                    for (var i = 0; i < share; i++)
                    {
                        generator.WriteRow(importer);
                        if ((i & 1023) == 1023)
                            Interlocked.Add(ref written, 1024);
                    }
                    await importer.CompleteAsync();
                })
            )
            .ToArray();
        await Task.WhenAll(tasks);
        await progress.DisposeAsync();
        var copy = clock.Elapsed;
        log($"seed: {count:N0} events copied in {copy.TotalSeconds:F1} s");

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
        await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE) community_events"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
        var vacuumTime = clock.Elapsed;
        log($"seed: VACUUM ANALYZE in {vacuumTime.TotalSeconds:F1} s");
        return new SeedTimings(count, copy, indexTime, vacuumTime, perIndex);
    }

    /// <summary>Deterministic event rows for one COPY stream.</summary>
    private sealed class EventGenerator(int seed, DateTimeOffset now)
    {
        private readonly Random _random = new(seed);
        private readonly double[] _cityWeights = Cumulative(World.Cities.Select(c => c.Weight));
        private readonly double[] _boxWeights = Cumulative(World.LandBoxes.Select(b => b.Weight));
        private readonly double[] _typeWeights = Cumulative(World.EventTypes.Select(t => t.Weight));
        private readonly DateTime _now = now.UtcDateTime;
        private readonly Dictionary<string, List<(double, double)>> _venues = [];

        public void WriteRow(NpgsqlBinaryImporter row)
        {
            var r = _random;
            string? city,
                country,
                region,
                currency;
            string timeZone;
            double latitude,
                longitude;
            if (r.NextDouble() < ClusteredShare)
            {
                var c = World.Cities[Pick(_cityWeights)];
                (latitude, longitude) = AtVenue(c);
                (city, country, region, timeZone, currency) = (c.Name, c.Country, c.Region, c.TimeZone, c.Currency);
            }
            else
            {
                var b = World.LandBoxes[Pick(_boxWeights)];
                latitude = b.MinLatitude + r.NextDouble() * (b.MaxLatitude - b.MinLatitude);
                longitude = b.MinLongitude + r.NextDouble() * (b.MaxLongitude - b.MinLongitude);
                (city, country, region, timeZone, currency) = (
                    $"Town {r.Next(Towns)}",
                    null,
                    b.Region,
                    b.TimeZone,
                    "USD"
                );
            }

            var type = World.EventTypes[Pick(_typeWeights)].Type;
            var interests = PickInterests(1 + r.Next(4));
            // 10% in the recent past (so "upcoming" filters something), the rest over the next year, on quarter hours.
            var startOffset = r.NextDouble() < PastShare ? -r.NextDouble() * 60 : r.NextDouble() * 365;
            var startsAt = RoundToQuarter(_now.AddDays(startOffset));
            var hours = type == "trip" ? 8 + r.Next(64) : 1 + r.Next(6);
            var endsAt = startsAt.AddHours(hours);
            var createdAt = _now.AddDays(-r.NextDouble() * 180);
            var isPrivate = r.NextDouble() < PrivateShare;
            var isPaid = r.NextDouble() < PaidShare;
            int? capacity = r.NextDouble() < 0.7 ? 10 + r.Next(490) : null;

            row.StartRow();
            row.Write(NewGuid(), NpgsqlDbType.Uuid);
            row.Write(Organizer(r.Next(Organizers)), NpgsqlDbType.Uuid);
            row.Write($"{Title(interests[0])} {type} #{r.Next(100_000)}", NpgsqlDbType.Text);
            row.Write(Description(20 + r.Next(50)), NpgsqlDbType.Text);
            row.Write(type, NpgsqlDbType.Text);
            row.Write(interests, NpgsqlDbType.Array | NpgsqlDbType.Text);
            WriteText(row, region);
            row.Write($"Venue {r.Next(10_000)}", NpgsqlDbType.Text);
            row.Write($"{1 + r.Next(400)} {World.Words[r.Next(World.Words.Length)]} street", NpgsqlDbType.Text);
            WriteText(row, city);
            WriteText(row, country);
            row.Write(latitude, NpgsqlDbType.Double);
            row.Write(longitude, NpgsqlDbType.Double);
            row.Write(150, NpgsqlDbType.Integer);
            row.Write(startsAt, NpgsqlDbType.TimestampTz);
            row.Write(endsAt, NpgsqlDbType.TimestampTz);
            row.Write(timeZone, NpgsqlDbType.Text);
            if (capacity is { } cap)
                row.Write(cap, NpgsqlDbType.Integer);
            else
                row.WriteNull();
            row.Write(capacity is { } seats ? r.Next(seats + 1) : r.Next(200), NpgsqlDbType.Integer);
            row.Write(r.NextDouble() < 0.8, NpgsqlDbType.Boolean);
            row.Write(isPaid ? 100L * (5 + r.Next(96)) : 0L, NpgsqlDbType.Bigint);
            WriteText(row, isPaid ? currency : null);
            row.Write(24, NpgsqlDbType.Integer);
            WriteText(row, r.NextDouble() < 0.5 ? $"https://images.example.com/events/{r.Next(1_000_000)}.jpg" : null);
            row.Write(isPrivate ? Data.Visibility.Private : Data.Visibility.Public, NpgsqlDbType.Text);
            var invited = isPrivate
                ? Enumerable.Range(0, 1 + r.Next(5)).Select(_ => Organizer(r.Next(Organizers))).ToArray()
                : [];
            row.Write(invited, NpgsqlDbType.Array | NpgsqlDbType.Uuid);
            row.Write(Data.EventStatus.Published, NpgsqlDbType.Text);
            row.WriteNull();
            row.Write(createdAt, NpgsqlDbType.TimestampTz);
            row.Write(createdAt, NpgsqlDbType.TimestampTz);
            row.Write(createdAt.AddMinutes(r.Next(600)), NpgsqlDbType.TimestampTz);
            row.WriteNull();
        }

        /// <summary>
        /// A third of a city's events reuse one of its venues, so equal distances (ties) occur as they do in life.
        /// </summary>
        private (double Latitude, double Longitude) AtVenue(City city)
        {
            if (!_venues.TryGetValue(city.Name, out var venues))
                _venues[city.Name] = venues = [];
            if (venues.Count > 0 && _random.NextDouble() < VenueShare)
                return venues[_random.Next(venues.Count)];
            var point = Around(city.Latitude, city.Longitude, city.SpreadKm);
            if (venues.Count < VenuesPerCity)
                venues.Add(point);
            return point;
        }

        private (double Latitude, double Longitude) Around(double latitude, double longitude, double spreadKm)
        {
            var lat = latitude + Gaussian() * spreadKm / KmPerDegree;
            var lon = longitude + Gaussian() * spreadKm / (KmPerDegree * Math.Cos(latitude * Math.PI / 180));
            lat = Math.Clamp(lat, -89.9, 89.9);
            if (lon > 180)
                lon -= 360;
            if (lon < -180)
                lon += 360;
            return (lat, lon);
        }

        private double Gaussian()
        {
            // Box-Muller
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Interests skewed towards the head of the list, as real interest popularity is.</summary>
        private string[] PickInterests(int count)
        {
            var picked = new HashSet<string>();
            while (picked.Count < count)
                picked.Add(World.Interests[(int)(World.Interests.Length * Math.Pow(_random.NextDouble(), 1.6))]);
            return [.. picked];
        }

        private static string Title(string interest) =>
            char.ToUpperInvariant(interest[0]) + interest[1..].Replace('-', ' ');

        private string Description(int words)
        {
            var text = new System.Text.StringBuilder(words * 9);
            for (var i = 0; i < words; i++)
            {
                if (i > 0)
                    text.Append(' ');
                text.Append(World.Words[_random.Next(World.Words.Length)]);
            }
            return text.Append('.').ToString();
        }

        private int Pick(double[] cumulative)
        {
            var x = _random.NextDouble() * cumulative[^1];
            var i = Array.BinarySearch(cumulative, x);
            return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
        }

        private Guid NewGuid()
        {
            Span<byte> bytes = stackalloc byte[16];
            _random.NextBytes(bytes);
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4, as Guid.NewGuid in the API
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes);
        }

        private static void WriteText(NpgsqlBinaryImporter row, string? value)
        {
            if (value is null)
                row.WriteNull();
            else
                row.Write(value, NpgsqlDbType.Text);
        }

        private static DateTime RoundToQuarter(DateTime t) =>
            new(t.Ticks - t.Ticks % TimeSpan.FromMinutes(15).Ticks, DateTimeKind.Utc);

        private static double[] Cumulative(IEnumerable<double> weights)
        {
            var sum = 0.0;
            return weights.Select(w => sum += w).ToArray();
        }
    }

    /// <summary>
    /// Organizer and invitee ids come from one fixed pool, so a signed-in caller can be invited somewhere.
    /// </summary>
    public static Guid Organizer(int n) => new(n, 0x4e0b, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1);
}
