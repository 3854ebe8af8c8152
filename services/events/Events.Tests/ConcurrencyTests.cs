using Community.Events.Registrations;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Community.Events.Tests;

/// <summary>Two instances of the service on one database: capacity holds whatever the interleaving.</summary>
public sealed class ConcurrencyFixture : EventsFixture
{
    public ServiceHost<Program> Second { get; private set; } = null!;
    public HttpClient SecondClient { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = StartHost();
        SecondClient = Second.NewClient();
        // Like the first, it hears an ended session on its own queue (each instance has one) before any test runs.
        await BusReadyAsync(Second);
    }

    public override async Task DisposeAsync()
    {
        SecondClient.Dispose();
        await Second.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class ConcurrencyTests(ConcurrencyFixture fx) : IClassFixture<ConcurrencyFixture>
{
    private async Task<HttpStatusCode[]> RegisterManyAsync(string eventId, int people)
    {
        var tokens = Enumerable.Range(0, people).Select(_ => fx.Member().Token).ToList();
        using var start = new SemaphoreSlim(0);
        var attempts = tokens
            .Select(
                async (token, i) =>
                {
                    await start.WaitAsync();
                    var client = i % 2 == 0 ? fx.Client : fx.SecondClient;
                    return (
                        await client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token)
                    ).StatusCode;
                }
            )
            .ToList();
        start.Release(people);
        return await Task.WhenAll(attempts);
    }

    private Task<long> CountAsync(string eventId, string status) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM registrations WHERE event_id = @id AND status = @status",
            ("id", Guid.Parse(eventId)),
            ("status", status)
        );

    [Fact]
    public async Task Many_people_at_once_on_two_instances_fill_exactly_the_capacity()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 5);
        var id = e["id"]!.GetValue<string>();

        var statuses = await RegisterManyAsync(id, 40);

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(35, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(5L, await CountAsync(id, "confirmed"));
        Assert.Equal(35L, await CountAsync(id, "waitlisted"));
        Assert.Equal(
            5,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    [Fact]
    public async Task Without_a_waiting_list_the_rest_are_refused_and_paid_holds_count_as_seats()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 3;
                b["waitlist_enabled"] = false;
                b["price_cents"] = 500;
                b["currency"] = "EUR";
            }
        );
        var id = e["id"]!.GetValue<string>();

        var statuses = await RegisterManyAsync(id, 30);

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.PaymentRequired));
        Assert.Equal(27, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(3L, await CountAsync(id, "held"));
        Assert.Equal(
            3,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    [Fact]
    public async Task One_person_pressing_register_many_times_on_both_instances_gets_one_seat()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 10);

        await PressTwelveTimesAtOnceAsync(e["id"]!.GetValue<string>(), HttpStatusCode.Created);
    }

    [Fact]
    public async Task One_person_pressing_register_many_times_on_a_full_event_on_both_instances_waits_once()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 2);
        var id = e["id"]!.GetValue<string>();
        // Both instances see the event full (each then waitlists newcomers in batches).
        Assert.Equal(2, (await RegisterManyAsync(id, 6)).Count(s => s == HttpStatusCode.Created));

        await PressTwelveTimesAtOnceAsync(id, HttpStatusCode.Accepted);
        Assert.Equal(5L, await CountAsync(id, "waitlisted"));
    }

    /// <summary>
    /// One person presses register twelve times at once on both instances: one registration, answered once as new,
    /// eleven times as existing.
    /// </summary>
    private async Task PressTwelveTimesAtOnceAsync(string eventId, HttpStatusCode asNew)
    {
        var (userId, token) = fx.Member();

        var responses = await Task.WhenAll(
            Enumerable
                .Range(0, 12)
                .Select(i =>
                    (i % 2 == 0 ? fx.Client : fx.SecondClient).PostJson(
                        $"/api/v1/events/{eventId}/registrations",
                        new { },
                        token
                    )
                )
        );

        Assert.Equal(1, responses.Count(r => r.StatusCode == asNew));
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = new HashSet<string>();
        foreach (var response in responses)
            ids.Add((await response.Body())["id"]!.GetValue<string>());
        Assert.Single(ids);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", userId))
        );
    }

    [Fact]
    public async Task The_database_refuses_more_seats_than_capacity_even_if_code_tried()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 2);
        var id = Guid.Parse(e["id"]!.GetValue<string>());

        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            fx.ScalarAsync<int>(
                "UPDATE community_events SET seats_taken = 3 WHERE id = @id RETURNING seats_taken",
                ("id", id)
            )
        );
        Assert.Equal("community_events_capacity", error.ConstraintName);
    }

    [Fact]
    public async Task A_registration_whose_seats_keep_changing_under_it_is_told_to_try_again_and_writes_nothing()
    {
        var id = await FiveSeatEventAsync();
        var (_, member) = fx.Member();
        // Every change of this event's seats is refused by the capacity check, as a racing change would have it.
        await fx.ExecuteAsync(
            $$"""
            CREATE FUNCTION seats_always_raced() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
                RAISE EXCEPTION 'raced' USING ERRCODE = 'check_violation', CONSTRAINT = 'community_events_capacity';
            END $f$;
            CREATE TRIGGER seats_always_raced BEFORE UPDATE OF seats_taken ON community_events FOR EACH ROW
                WHEN (NEW.id = '{{id}}') EXECUTE FUNCTION seats_always_raced();
            """
        );
        try
        {
            var refused = await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, member);
            await refused.AssertProblem(503);
            Assert.NotNull(refused.Headers.RetryAfter);
            await AssertNothingTakenAsync(id);
        }
        finally
        {
            await fx.ExecuteAsync(
                "DROP TRIGGER seats_always_raced ON community_events; DROP FUNCTION seats_always_raced()"
            );
        }

        // Pressed again once the seats are still: seated.
        await (await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, member)).AssertStatus(201);
    }

    /// <summary>
    /// A registration on its way while its account is deleted: it waits for the erasure (which holds the account's
    /// profile row from its start, here held with the tombstone written) and writes nothing, rather than keep a seat
    /// for an account that is gone.
    /// </summary>
    [Fact]
    public async Task A_registration_racing_its_accounts_deletion_waits_for_it_and_takes_no_seat()
    {
        var id = await FiveSeatEventAsync();
        var (memberId, member) = fx.Member();
        await fx.ExecuteAsync(
            "INSERT INTO user_profiles (user_id, username, full_name, as_of) VALUES (@u, 'leaving', 'Lea Ving', now())",
            ("u", memberId)
        );
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var erasure = await connection.BeginTransactionAsync();
        await using (
            var tombstone = new NpgsqlCommand(
                "UPDATE user_profiles SET username = NULL, full_name = NULL, deleted_at = now() WHERE user_id = @u",
                connection,
                erasure
            )
        )
        {
            tombstone.Parameters.AddWithValue("u", memberId);
            await tombstone.ExecuteNonQueryAsync();
        }

        var registering = fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, member);
        await fx.WaitingOnALockAsync("%FROM user_profiles%", 1, "the registration never waited for the erasure");
        await erasure.CommitAsync();

        var refused = await (await registering).AssertProblem(403);
        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        await AssertNothingTakenAsync(id);
    }

    /// <summary>The event has no registration, and no seat taken.</summary>
    private async Task AssertNothingTakenAsync(Guid id) =>
        Assert.Equal(
            "0|0",
            await fx.ScalarAsync<string>(
                "SELECT (SELECT count(*) FROM registrations WHERE event_id = @id) || '|' || seats_taken "
                    + "FROM community_events WHERE id = @id",
                ("id", id)
            )
        );

    private async Task<Guid> FiveSeatEventAsync()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 5);
        return Guid.Parse(e["id"]!.GetValue<string>());
    }

    /// <summary>
    /// Sends as a client does: an answer of 503 (a transient database fault such as a deadlock between racing
    /// transactions, which rolled back and changed nothing) is repeated after its Retry-After.
    /// </summary>
    private static async Task<HttpStatusCode> AsAClientWould(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
                return response.StatusCode;
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Cancellations_and_registrations_racing_keep_the_books_straight()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 4);
        var id = e["id"]!.GetValue<string>();
        var early = Enumerable.Range(0, 4).Select(_ => fx.Member().Token).ToList();
        foreach (var token in early)
            await (await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, token)).AssertStatus(201);

        var late = Enumerable.Range(0, 12).Select(_ => fx.Member().Token).ToList();
        var work = early
            .Select(
                (t, i) =>
                    AsAClientWould(() =>
                        (i % 2 == 0 ? fx.Client : fx.SecondClient).SendJson(
                            HttpMethod.Delete,
                            $"/api/v1/events/{id}/registrations/me",
                            null,
                            t
                        )
                    )
            )
            .Concat(
                late.Select(
                    (t, i) =>
                        AsAClientWould(() =>
                            (i % 2 == 0 ? fx.SecondClient : fx.Client).PostJson(
                                $"/api/v1/events/{id}/registrations",
                                new { },
                                t
                            )
                        )
                )
            );
        var answers = await Task.WhenAll(work);
        Assert.All(answers, status => Assert.Contains((int)status, new[] { 200, 201, 202, 204 }));

        // A promotion that lost the race to a seat freed a moment later is finished by the hold sweeper (every 200 ms
        // here).
        await Eventually.TrueAsync(
            async () => await CountAsync(id, "confirmed") == 4,
            "the freed seats never went to the waiting list"
        );
        // A promotion that lost the race to a seat freed a moment later is finished by the hold sweeper (every 200 ms
        // here).
        await Eventually.TrueAsync(
            async () => await CountAsync(id, "confirmed") == 4,
            "the freed seats never went to the waiting list"
        );
        Assert.Equal(4L, await CountAsync(id, "confirmed"));
        Assert.Equal(8L, await CountAsync(id, "waitlisted"));
        Assert.Equal(4L, await CountAsync(id, "cancelled"));
        Assert.Equal(
            4,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    [Fact]
    public async Task A_ticket_drop_on_two_instances_seats_exactly_the_capacity_and_waitlists_the_rest_in_order()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 25);
        var id = e["id"]!.GetValue<string>();
        var confirmedBefore = await fx.OutboxCountAsync("RegistrationConfirmed");

        var statuses = await RegisterManyAsync(id, 120);

        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(95, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(25L, await CountAsync(id, "confirmed"));
        Assert.Equal(95L, await CountAsync(id, "waitlisted"));
        Assert.Equal(
            25,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
        Assert.Equal(confirmedBefore + 25, await fx.OutboxCountAsync("RegistrationConfirmed"));
        // Nobody who joined the list got a seat before someone who joined earlier.
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM registrations c JOIN registrations w ON w.event_id = c.event_id
                WHERE c.event_id = @id AND c.status = 'confirmed' AND w.status = 'waitlisted' AND w.sequence <
                    c.sequence
                """,
                ("id", Guid.Parse(id))
            )
        );
    }

    [Fact]
    public async Task Everyone_waitlisted_in_a_drop_is_told_a_place_no_later_than_the_one_they_hold()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 10);
        var id = e["id"]!.GetValue<string>();
        var people = Enumerable.Range(0, 80).Select(_ => fx.Member()).ToList();
        using var start = new SemaphoreSlim(0);
        var attempts = people
            .Select(
                async (member, i) =>
                {
                    await start.WaitAsync();
                    var response = await (i % 2 == 0 ? fx.Client : fx.SecondClient).PostJson(
                        $"/api/v1/events/{id}/registrations",
                        new { },
                        member.Token
                    );
                    return (member.Id, response.StatusCode, Body: await response.Body());
                }
            )
            .ToList();
        start.Release(people.Count);
        var answers = await Task.WhenAll(attempts);

        // The place each holds now: its rank among the waiting, in the order they joined.
        var ranks = new Dictionary<Guid, int>();
        for (var rank = 1; ; rank++)
        {
            var userId = await fx.ScalarAsync<Guid?>(
                """
                SELECT user_id FROM registrations WHERE event_id = @id AND status = 'waitlisted' ORDER BY sequence
                    OFFSET @skip LIMIT 1
                """,
                ("id", Guid.Parse(id)),
                ("skip", rank - 1)
            );
            if (userId is null)
                break;
            ranks[userId.Value] = rank;
        }
        var waitlisted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.Equal(70, waitlisted.Count);
        Assert.Equal(70, ranks.Count);
        foreach (var (userId, _, body) in waitlisted)
        {
            // Told when answered: counted after its own commit, so only a join ahead still committing could be missing.
            // How many are still committing depends on the machine's load, so no share of exact answers is asserted.
            Assert.InRange(body["waitlist_position"]!.GetValue<int>(), 1, ranks[userId]);
        }
        // With nobody ahead still committing, a join is told exactly its place: the list is counted, not guessed.
        for (var late = 1; late <= 3; late++)
        {
            var joined = await (
                await (late % 2 == 0 ? fx.Client : fx.SecondClient).PostJson(
                    $"/api/v1/events/{id}/registrations",
                    new { },
                    fx.Member().Token
                )
            ).AssertStatus(202);
            Assert.Equal(70 + late, joined["waitlist_position"]!.GetValue<int>());
        }
        // Asked afterwards, each is told exactly its place.
        foreach (var (member, i) in people.Where(p => ranks.ContainsKey(p.Id)).Take(10).Select((p, i) => (p, i)))
        {
            var mine = await (
                await (i % 2 == 0 ? fx.Client : fx.SecondClient).Get(
                    $"/api/v1/events/{id}/registrations/me",
                    member.Token
                )
            ).AssertStatus(200);
            Assert.Equal(ranks[member.Id], mine["waitlist_position"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_raised_capacity_is_filled_from_the_waiting_list_by_the_sweeper_without_any_registration()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 2);
        var id = e["id"]!.GetValue<string>();
        await RegisterManyAsync(id, 6);

        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{id}", new { capacity = 5 }, organizer)
        ).AssertStatus(200);

        await Eventually.TrueAsync(
            async () => await CountAsync(id, "confirmed") == 5,
            "the sweeper never filled the new seats"
        );
        Assert.Equal(1L, await CountAsync(id, "waitlisted"));
        Assert.Equal(
            5,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    /// <summary>
    /// A cancellation that committed is answered as done even when moving the waiting list up fails right after it
    /// (asked again, it would answer 404): the seat is left to the sweeper, which seats the head of the list.
    /// </summary>
    [Fact]
    public async Task A_cancellation_whose_promotion_fails_after_its_commit_is_answered_and_the_sweeper_seats_the_next()
    {
        var (_, organizer) = fx.Organizer();
        var id = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 1))["id"]!.GetValue<string>();
        var (_, first) = fx.Member();
        var (waiterId, waiter) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, first)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, waiter)).AssertStatus(202);
        // The waiter's row refuses its seat for now, as a database fault would.
        var trigger = "refuse_seat_" + waiterId.ToString("N");
        await fx.ExecuteAsync(
            "CREATE OR REPLACE FUNCTION test_refuse_seat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "RAISE EXCEPTION 'no seat for now'; END $$"
        );
        await fx.ExecuteAsync(
            $"CREATE TRIGGER {trigger} BEFORE UPDATE ON registrations FOR EACH ROW WHEN (OLD.user_id = "
                + $"'{waiterId}' AND NEW.status <> 'waitlisted') EXECUTE FUNCTION test_refuse_seat()"
        );

        var cancelled = await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}/registrations/me", null, first)
        ).AssertStatus(200);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal("waitlisted", await StatusOfAsync(id, waiterId));

        await fx.ExecuteAsync($"DROP TRIGGER {trigger} ON registrations");
        // A pass of either host's own sweeper may hold the event's promotion meanwhile (a pass then leaves it to that
        // one, which may have begun while the trigger stood): passes until one seats the waiter.
        var sweeper = fx.Host.Services.GetServices<IHostedService>().OfType<HoldSweeper>().Single();
        await Eventually.TrueAsync(
            async () =>
            {
                await sweeper.SweepOnceAsync(CancellationToken.None);
                return await StatusOfAsync(id, waiterId) == "confirmed";
            },
            "no sweep seated the waiter"
        );
    }

    private Task<string?> StatusOfAsync(string eventId, Guid userId) =>
        fx.ScalarAsync<string>(
            "SELECT status FROM registrations WHERE event_id = @e AND user_id = @u",
            ("e", Guid.Parse(eventId)),
            ("u", userId)
        );

    [Fact]
    public async Task Two_sweepers_at_once_release_each_expired_hold_once_and_promote_each_waiting_person_once()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 3;
                b["price_cents"] = 800;
                b["currency"] = "EUR";
            }
        );
        var id = e["id"]!.GetValue<string>();
        foreach (var _ in Enumerable.Range(0, 3))
            await (
                await fx.Client.PostJson($"/api/v1/events/{id}/registrations", new { }, fx.Member().Token)
            ).AssertProblem(402);
        foreach (var _ in Enumerable.Range(0, 7))
            await (
                await fx.SecondClient.PostJson($"/api/v1/events/{id}/registrations", new { }, fx.Member().Token)
            ).AssertStatus(202);
        var holdsBefore = await fx.OutboxCountAsync("TicketHoldCreated");

        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        // Besides both hosts' own timers, four explicit passes race each other.
        var sweepers = new[] { fx.Host, fx.Second }
            .Select(h => h.Services.GetServices<IHostedService>().OfType<HoldSweeper>().Single())
            .ToList();
        await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => Task.Run(() => sweepers[i % 2].SweepOnceAsync(CancellationToken.None)))
        );

        await Eventually.TrueAsync(
            async () => await CountAsync(id, "expired") == 3,
            "the expired holds were never released"
        );
        await Eventually.TrueAsync(
            async () => await CountAsync(id, "held") == 3,
            "the waiting list was never promoted"
        );
        Assert.Equal(4L, await CountAsync(id, "waitlisted"));
        Assert.Equal(
            3,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(id)))
        );
        Assert.Equal(holdsBefore + 3, await fx.OutboxCountAsync("TicketHoldCreated"));
        // The three promoted are the three who waited longest.
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM registrations h JOIN registrations w ON w.event_id = h.event_id
                WHERE h.event_id = @id AND h.status = 'held' AND w.status = 'waitlisted' AND w.sequence < h.sequence
                """,
                ("id", Guid.Parse(id))
            )
        );
    }
}
