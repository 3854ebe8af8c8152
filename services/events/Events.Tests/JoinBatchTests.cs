using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Community.Events.Registrations;
using Npgsql;

namespace Community.Events.Tests;

/// <summary>
/// Newcomers are settled in shared batches (<see cref="JoinBatches"/>): while one batch for an event waits, those who
/// arrive meanwhile are seated, waitlisted or refused together by the next. Most tests hold the event's row (or a
/// registration) from another connection so that a batch waits, and count the batches (and the newcomers waiting for
/// one) from the host's own meter.
/// </summary>
public sealed class JoinBatchTests : IClassFixture<IdleSweeperFixture>, IDisposable
{
    private readonly IdleSweeperFixture fx;
    private readonly ConcurrentQueue<int> _batchSizes = new();
    private int _waiting;
    private readonly MeterListener _listener;

    public JoinBatchTests(IdleSweeperFixture fixture)
    {
        fx = fixture;
        // The sizes of this host's batches only: its meters come from its own factory.
        var factory = fx.Host.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (
                    instrument.Name is JoinBatches.SizeName or JoinBatches.WaitingName
                    && ReferenceEquals(instrument.Meter.Scope, factory)
                )
                    l.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<int>(
            (instrument, value, _, _) =>
            {
                if (instrument.Name == JoinBatches.SizeName)
                    _batchSizes.Enqueue(value);
                else
                    Interlocked.Add(ref _waiting, value);
            }
        );
        _listener.Start();
    }

    /// <summary>
    /// Until <paramref name="count"/> newcomers wait for their next batch: every request sent has reached the queue,
    /// however slow the machine.
    /// </summary>
    private Task WaitingAsync(int count) =>
        Eventually.TrueAsync(
            () => Task.FromResult(Volatile.Read(ref _waiting) == count),
            $"the newcomers waiting for a batch never numbered {count}"
        );

    private Task<HttpResponseMessage> Register(
        Guid eventId,
        string token,
        CancellationToken cancellationToken = default
    ) => fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token, cancellationToken);

    [Fact]
    public async Task Newcomers_arriving_while_a_batch_waits_are_waitlisted_together_behind_it()
    {
        var (eventId, held, first) = await FirstBatchWaitingAsync();
        await using var _ = held;

        // The next five arrive while the first batch waits.
        var next = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 5; i++)
        {
            next.Add(Register(eventId, fx.Member().Token));
            await Task.Delay(50);
        }
        await WaitingAsync(5);
        await held.DisposeAsync();

        var firstPlace = (await (await first).AssertStatus(202))["waitlist_position"]!.GetValue<int>();
        var places = new List<int>();
        foreach (var answer in next)
            places.Add((await (await answer).AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        Assert.Equal(2, firstPlace);
        Assert.Equal([3, 4, 5, 6, 7], places.Order());
        Assert.Equal(
            7L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", eventId)
            )
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
        // One statement for the first, then one for the five who came while it waited.
        Assert.Equal([1, 5], _batchSizes.ToArray());
    }

    [Fact]
    public async Task A_newcomer_who_leaves_before_their_batch_runs_is_not_put_on_the_list()
    {
        var (eventId, held, first) = await FirstBatchWaitingAsync();
        await using var _ = held;

        var (leaver, leaverToken) = fx.Member();
        using var leaving = new CancellationTokenSource();
        var left = Register(eventId, leaverToken, leaving.Token);
        await WaitingAsync(1);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        var stayer = Register(eventId, fx.Member().Token);
        // The leaver is still on the queue (left out when the batch is taken), the stayer behind them.
        await WaitingAsync(2);
        await held.DisposeAsync();

        await (await first).AssertStatus(202);
        Assert.Equal(3, (await (await stayer).AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        await Eventually.TrueAsync(async () => _batchSizes.Count == 2, "the second batch never ran");
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", leaver))
        );
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", eventId)
            )
        );
    }

    [Fact]
    public async Task Batched_newcomers_follow_the_event_as_it_is_now()
    {
        var (_, organizer) = fx.Organizer();
        var eventId = await FullEventAsync(organizer);

        // Someone already waiting who presses again is told their place, not put on the list twice.
        var (_, again) = fx.Member();
        Assert.Equal(
            2,
            (await (await Register(eventId, again)).AssertStatus(202))["waitlist_position"]!.GetValue<int>()
        );
        var pressedAgain = await (await Register(eventId, again)).AssertStatus(200);
        Assert.Equal("waitlisted", pressedAgain["status"]!.GetValue<string>());

        // Made private: to a member without an invitation it is no event at all; public again: the next newcomer waits
        // behind the others.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{eventId}",
                new { visibility = "private" },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal(
            "No event has this id.",
            (await (await Register(eventId, fx.Member().Token)).AssertProblem(404))["detail"]!.GetValue<string>()
        );
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{eventId}",
                new { visibility = "public" },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal(
            3,
            (await (await Register(eventId, fx.Member().Token)).AssertStatus(202))["waitlist_position"]!.GetValue<int>()
        );

        // The list switched off: refused as full, nothing written.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{eventId}",
                new { waitlist_enabled = false },
                organizer
            )
        ).AssertStatus(200);
        Assert.Contains(
            "full",
            (await (await Register(eventId, fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>()
        );

        // Cancelled: refused as cancelled.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}", null, organizer)).AssertStatus(
            204
        );
        Assert.Contains(
            "cancelled",
            (await (await Register(eventId, fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>()
        );

        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", eventId)
            )
        );
        Assert.True(_batchSizes.Count >= 3, $"{_batchSizes.Count} batches: the newcomers did not go through them");
    }

    [Fact]
    public async Task A_seat_freed_with_nobody_waiting_goes_to_the_next_newcomer_not_the_list()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["waitlist_enabled"] = false;
            }
        );
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, seated) = fx.Member();
        await (await Register(eventId, seated)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        Assert.NotEmpty(_batchSizes);

        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, seated)
        ).AssertStatus(200);
        await (await Register(eventId, fx.Member().Token)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
    }

    [Fact]
    public async Task A_seat_freed_while_many_are_refused_goes_to_exactly_one_of_them()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["waitlist_enabled"] = false;
                b["price_cents"] = 900;
                b["currency"] = "EUR";
            }
        );
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, holder) = fx.Member();
        await (await Register(eventId, holder)).AssertProblem(402);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);

        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, holder)
        ).AssertStatus(200);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Register(eventId, fx.Member().Token)));

        Assert.Equal(1, answers.Count(a => (int)a.StatusCode == 402));
        Assert.Equal(19, answers.Count(a => (int)a.StatusCode == 409));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'held'",
                ("id", eventId)
            )
        );
    }

    [Fact]
    public async Task A_batch_seats_its_first_newcomers_and_waitlists_the_rest_behind_them()
    {
        var e = await fx.CreateEventAsync(fx.Organizer().Token, b => b["capacity"] = 3);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        Task<HttpResponseMessage> first;
        var next = new List<Task<HttpResponseMessage>>();
        await using (var held = await HoldEventRowAsync(eventId))
        {
            // The first batch waits to lock the event's row (it has seats); the next five arrive meanwhile.
            first = Register(eventId, fx.Member().Token);
            await fx.SomeoneWaitsOnALockAsync("the first registration did not wait on the event's row");
            for (var i = 0; i < 5; i++)
            {
                next.Add(Register(eventId, fx.Member().Token));
                await Task.Delay(50);
            }
            await WaitingAsync(5);
        }

        await (await first).AssertStatus(201);
        var answers = await Task.WhenAll(next);
        Assert.Equal(2, answers.Count(a => a.StatusCode == System.Net.HttpStatusCode.Created));
        var places = new List<int>();
        foreach (var answer in answers.Where(a => a.StatusCode != System.Net.HttpStatusCode.Created))
            places.Add((await answer.AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        Assert.Equal([1, 2, 3], places.Order());
        Assert.Equal([1, 5], _batchSizes.ToArray());

        // Three seats counted, three confirmed rows with their own tickets and messages, every one ahead of the list.
        Assert.Equal(
            3,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>(
                "SELECT count(DISTINCT ticket_code) FROM registrations WHERE event_id = @id AND status = 'confirmed' "
                    + "AND confirmed_at IS NOT NULL",
                ("id", eventId)
            )
        );
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%RegistrationConfirmed%' AND "
                    + "payload->>'eventId' = @id",
                ("id", eventId.ToString())
            )
        );
        Assert.True(
            await fx.ScalarAsync<bool>(
                """
                SELECT max(sequence) FILTER (WHERE status = 'confirmed') < min(sequence) FILTER (WHERE status =
                    'waitlisted')
                FROM registrations WHERE event_id = @id
                """,
                ("id", eventId)
            )
        );
    }

    [Fact]
    public async Task A_batch_that_meets_a_registration_committed_elsewhere_meanwhile_keeps_everyone_else()
    {
        var eventId = await FullEventAsync();
        var (blocker, blockerToken) = fx.Member();
        var (twice, twiceToken) = fx.Member();
        // Another instance's registrations under way: one for the person who leads the next batch here, one for someone
        // who will be in the batch after it.
        await using var elsewhere = await UncommittedWaitingRowAsync(eventId, twice);
        var leading = await UncommittedWaitingRowAsync(eventId, blocker);
        _batchSizes.Clear();
        var lead = Register(eventId, blockerToken);
        await fx.SomeoneWaitsOnALockAsync("the leading batch did not wait");
        var together = new List<Task<HttpResponseMessage>> { Register(eventId, twiceToken) };
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(50);
            together.Add(Register(eventId, fx.Member().Token));
        }
        await WaitingAsync(3);

        // The lead's rival gives up: the lead is written; the next batch then waits on the other rival's row, which
        // commits.
        await leading.DisposeAsync();
        await (await lead).AssertStatus(202);
        await fx.SomeoneWaitsOnALockAsync("the second batch did not wait on the registration under way");
        await elsewhere.CommitAsync();

        var pressedTwice = await (await together[0]).AssertStatus(200);
        Assert.Equal("waitlisted", pressedTwice["status"]!.GetValue<string>());
        foreach (var answer in together.Skip(1))
            await (await answer).AssertStatus(202);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", twice))
        );
        Assert.Equal(
            5L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", eventId)
            )
        );
        Assert.Equal([1, 3], _batchSizes.ToArray());
    }

    [Fact]
    public async Task A_seat_freed_while_a_batch_waitlists_someone_goes_to_them_at_once()
    {
        var e = await fx.CreateEventAsync(fx.Organizer().Token, b => b["capacity"] = 1);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, seated) = fx.Member();
        await (await Register(eventId, seated)).AssertStatus(201);
        var (newcomer, newcomerToken) = fx.Member();

        var joining = await JoinWhileTheSeatIsFreedAsync(eventId, newcomer, newcomerToken, seated);

        // The batch waitlisted the newcomer after the seat was freed: it sees the free seat after its commit and
        // promotes.
        Assert.Equal("confirmed", (await (await joining).AssertStatus(201))["status"]!.GetValue<string>());
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
    }

    [Fact]
    public async Task A_change_of_the_event_committed_while_a_batch_waits_on_it_is_what_the_batch_follows()
    {
        // An edit holds the event's row (FOR UPDATE, as PATCH does) and commits once a newcomer's batch waits on it:
        // the batch writes under the event as the edit left it, not as the batch first read it.
        async Task<(Guid User, HttpResponseMessage Answer)> RegisterDuringAsync(string change)
        {
            var eventId = await FullEventAsync();
            var (user, token) = fx.Member();
            var answer = await fx.CommitsWhileWaitedOnAsync(
                $"SELECT 1 FROM community_events WHERE id = @id FOR UPDATE; UPDATE community_events SET {change} "
                    + "WHERE id = @id",
                () => Register(eventId, token),
                "the newcomer's batch did not wait on the edit",
                ("id", eventId)
            );
            return (user, answer);
        }

        var (outsider, answer) = await RegisterDuringAsync("visibility = 'private'");
        Assert.Equal("No event has this id.", (await answer.AssertProblem(404))["detail"]!.GetValue<string>());
        (var latecomer, answer) = await RegisterDuringAsync("waitlist_enabled = false");
        Assert.Contains("full", (await answer.AssertProblem(409))["detail"]!.GetValue<string>());

        foreach (var user in new[] { outsider, latecomer })
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", user))
            );
    }

    [Fact]
    public async Task A_free_events_price_stays_while_someone_waits_for_a_freed_seat()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, seated) = fx.Member();
        await (await Register(eventId, seated)).AssertStatus(201);
        var (newcomer, newcomerToken) = fx.Member();

        // The seat is freed while the newcomer's batch waits. Once it has waitlisted them, the promotion that would
        // seat them waits on another caller's promotion (its lock held here).
        await using var promoting = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await promoting.OpenAsync();
        var joining = await JoinWhileTheSeatIsFreedAsync(
            eventId,
            newcomer,
            newcomerToken,
            seated,
            () => PromotionLockAsync(promoting, eventId, "pg_advisory_lock")
        );
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM registrations WHERE user_id = @id AND status = 'waitlisted'",
                    ("id", newcomer)
                ) == 1,
            "the newcomer was never waitlisted"
        );
        await fx.SomeoneWaitsOnALockAsync("the newcomer's promotion did not wait");

        // No seat is taken now, but the newcomer waits for one on the free event's terms: no price can come first.
        var refused = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{eventId}",
                new { price_cents = 1500, currency = "EUR" },
                organizer
            )
        ).AssertProblem(400);
        Assert.Contains(
            "cannot change",
            refused["errors"]!["price_cents"]![0]!.GetValue<string>(),
            StringComparison.Ordinal
        );

        await PromotionLockAsync(promoting, eventId, "pg_advisory_unlock");
        var seatedNow = await (await joining).AssertStatus(201);
        Assert.Equal("confirmed", seatedNow["status"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT price_cents FROM community_events WHERE id = @id", ("id", eventId))
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%TicketHoldCreated%' "
                    + "AND payload->>'eventId' = @id",
                ("id", eventId.ToString())
            )
        );
    }

    /// <summary>
    /// The newcomer's registration, whose batch reads the event full, then waits (on a rival row for the same person)
    /// before it commits; the seated member cancels meanwhile, and that cancellation's promotion, finding nobody
    /// committed on the list, has nothing to do. <paramref name="whileWaiting"/> runs last, before the batch goes on.
    /// </summary>
    private async Task<Task<HttpResponseMessage>> JoinWhileTheSeatIsFreedAsync(
        Guid eventId,
        Guid newcomer,
        string newcomerToken,
        string seated,
        Func<Task>? whileWaiting = null
    )
    {
        Task<HttpResponseMessage> joining;
        await using (await UncommittedWaitingRowAsync(eventId, newcomer))
        {
            joining = Register(eventId, newcomerToken);
            await fx.SomeoneWaitsOnALockAsync("the batch did not wait on the rival row");
            await (
                await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, seated)
            ).AssertStatus(200);
            if (whileWaiting is not null)
                await whileWaiting();
        }
        return joining;
    }

    /// <summary>Takes or releases, on <paramref name="connection"/>, the lock a promotion of the event holds.</summary>
    private static async Task PromotionLockAsync(NpgsqlConnection connection, Guid eventId, string function)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(14001, hashtext(@id::text))", connection);
        command.Parameters.AddWithValue("id", eventId);
        await command.ExecuteScalarAsync();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// A free event of one seat, taken, with one person on its list: this instance now batches newcomers.
    /// </summary>
    private async Task<Guid> FullEventAsync(string? organizer = null)
    {
        var e = await fx.CreateEventAsync(organizer ?? fx.Organizer().Token, b => b["capacity"] = 1);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        await (await Register(eventId, fx.Member().Token)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertStatus(202);
        return eventId;
    }

    /// <summary>
    /// A full event whose row another connection holds (until <c>Held</c> is disposed), and a newcomer's registration
    /// whose batch is waiting on it (its read of the event's terms): whoever registers next waits for the next batch.
    /// </summary>
    private async Task<(Guid EventId, IAsyncDisposable Held, Task<HttpResponseMessage> First)> FirstBatchWaitingAsync()
    {
        var eventId = await FullEventAsync();
        _batchSizes.Clear();
        var held = await HoldEventRowAsync(eventId);
        var first = Register(eventId, fx.Member().Token);
        await fx.SomeoneWaitsOnALockAsync("no registration waited on the event's row");
        return (eventId, held, first);
    }

    /// <summary>
    /// Another connection locks the event's row until disposed: a registration's batch waits for it.
    /// </summary>
    private Task<HeldTransaction> HoldEventRowAsync(Guid eventId) =>
        fx.HoldAsync("SELECT 1 FROM community_events WHERE id = @id FOR UPDATE", ("id", eventId));

    /// <summary>
    /// A waitlisted registration another connection has written and not yet committed (rolled back when disposed).
    /// </summary>
    private Task<HeldTransaction> UncommittedWaitingRowAsync(Guid eventId, Guid userId) =>
        fx.HoldAsync(
            """
            INSERT INTO registrations (id, event_id, user_id, status, amount_cents, created_at, updated_at)
            VALUES (gen_random_uuid(), @event, @user, 'waitlisted', 0, now(), now())
            """,
            ("event", eventId),
            ("user", userId)
        );
}
