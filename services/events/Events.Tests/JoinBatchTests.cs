using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Community.Events.Registrations;
using Community.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Events.Tests;

/// <summary>
/// Newcomers for an event with no seat for them are settled in shared batches (<see cref="JoinBatches"/>). Each test first fills
/// the event and puts one person on its list through the instance, so the instance has seen it full and batches what follows.
/// </summary>
public sealed class JoinBatchTests : IClassFixture<IdleSweeperFixture>, IDisposable
{
    private readonly IdleSweeperFixture fx;
    private readonly ConcurrentQueue<int> _batchSizes = new();
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
                if (instrument.Name == JoinBatches.SizeName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _batchSizes.Enqueue(value));
        _listener.Start();
    }

    private Task<HttpResponseMessage> Register(Guid eventId, string token, CancellationToken cancellationToken = default) =>
        fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token, cancellationToken);

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
        await Task.Delay(1500);
        await held.DisposeAsync();

        var firstPlace = (await (await first).AssertStatus(202))["waitlist_position"]!.GetValue<int>();
        var places = new List<int>();
        foreach (var answer in next) places.Add((await (await answer).AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        Assert.Equal(2, firstPlace);
        Assert.Equal([3, 4, 5, 6, 7], places.Order());
        Assert.Equal(7L, await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'", ("id", eventId)));
        Assert.Equal(1, await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId)));
        // One statement for the first, then the five who came while it waited together (all of them, unless this machine took
        // more than a second and a half to bring a request to the queue).
        var sizes = _batchSizes.ToArray();
        Assert.Equal(1, sizes[0]);
        Assert.Equal(6, sizes.Sum());
        Assert.True(sizes.Max() >= 2, $"batches of {string.Join(", ", sizes)}: nobody waited for a batch together");
    }

    [Fact]
    public async Task A_newcomer_who_leaves_before_their_batch_runs_is_not_put_on_the_list()
    {
        var (eventId, held, first) = await FirstBatchWaitingAsync();
        await using var _ = held;

        var (leaver, leaverToken) = fx.Member();
        using var leaving = new CancellationTokenSource();
        var left = Register(eventId, leaverToken, leaving.Token);
        await Task.Delay(300);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        var stayer = Register(eventId, fx.Member().Token);
        await Task.Delay(500);
        await held.DisposeAsync();

        await (await first).AssertStatus(202);
        Assert.Equal(3, (await (await stayer).AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        await Eventually.TrueAsync(async () => _batchSizes.Count == 2, "the second batch never ran");
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", leaver)));
        Assert.Equal(3L, await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'", ("id", eventId)));
    }

    [Fact]
    public async Task Batched_newcomers_follow_the_event_as_it_is_now()
    {
        var (_, organizer) = fx.Organizer();
        var eventId = await FullEventAsync(organizer);

        // Someone already waiting who presses again is told their place, not put on the list twice.
        var (_, again) = fx.Member();
        Assert.Equal(2, (await (await Register(eventId, again)).AssertStatus(202))["waitlist_position"]!.GetValue<int>());
        var pressedAgain = await (await Register(eventId, again)).AssertStatus(200);
        Assert.Equal("waitlisted", pressedAgain["status"]!.GetValue<string>());

        // Made private: a member without an invitation is refused; public again: the next newcomer waits behind the others.
        await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{eventId}", new { visibility = "private" }, organizer)).AssertStatus(200);
        Assert.Contains("invitation", (await (await Register(eventId, fx.Member().Token)).AssertProblem(403))["detail"]!.GetValue<string>());
        await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{eventId}", new { visibility = "public" }, organizer)).AssertStatus(200);
        Assert.Equal(3, (await (await Register(eventId, fx.Member().Token)).AssertStatus(202))["waitlist_position"]!.GetValue<int>());

        // The list switched off: refused as full, nothing written.
        await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{eventId}", new { waitlist_enabled = false }, organizer)).AssertStatus(200);
        Assert.Contains("full", (await (await Register(eventId, fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>());

        // Cancelled: refused as cancelled.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}", null, organizer)).AssertStatus(204);
        Assert.Contains("cancelled", (await (await Register(eventId, fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>());

        Assert.Equal(3L, await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'", ("id", eventId)));
        Assert.True(_batchSizes.Count >= 3, $"{_batchSizes.Count} batches: the newcomers did not go through them");
    }

    [Fact]
    public async Task A_seat_freed_with_nobody_waiting_goes_to_the_next_newcomer_not_the_list()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => { b["capacity"] = 1; b["waitlist_enabled"] = false; });
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, seated) = fx.Member();
        await (await Register(eventId, seated)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        Assert.NotEmpty(_batchSizes);

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, seated)).AssertStatus(200);
        await (await Register(eventId, fx.Member().Token)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);
        Assert.Equal(1, await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId)));
    }

    [Fact]
    public async Task A_seat_freed_while_many_are_refused_goes_to_exactly_one_of_them()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => { b["capacity"] = 1; b["waitlist_enabled"] = false; b["price_cents"] = 900; b["currency"] = "EUR"; });
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var (_, holder) = fx.Member();
        await (await Register(eventId, holder)).AssertProblem(402);
        await (await Register(eventId, fx.Member().Token)).AssertProblem(409);

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, holder)).AssertStatus(200);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Register(eventId, fx.Member().Token)));

        Assert.Equal(1, answers.Count(a => (int)a.StatusCode == 402));
        Assert.Equal(19, answers.Count(a => (int)a.StatusCode == 409));
        Assert.Equal(1, await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId)));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'held'", ("id", eventId)));
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A free event of one seat, taken, with one person on its list: this instance now batches newcomers.</summary>
    private async Task<Guid> FullEventAsync(string? organizer = null)
    {
        var e = await fx.CreateEventAsync(organizer ?? fx.Organizer().Token, b => b["capacity"] = 1);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        await (await Register(eventId, fx.Member().Token)).AssertStatus(201);
        await (await Register(eventId, fx.Member().Token)).AssertStatus(202);
        return eventId;
    }

    /// <summary>
    /// A full event whose row another connection holds (until <c>Held</c> is disposed), and a newcomer's registration whose batch
    /// is waiting on it (its insert's foreign-key check): whoever registers next waits for the next batch.
    /// </summary>
    private async Task<(Guid EventId, IAsyncDisposable Held, Task<HttpResponseMessage> First)> FirstBatchWaitingAsync()
    {
        var eventId = await FullEventAsync();
        var held = await HoldEventRowAsync(eventId);
        var first = Register(eventId, fx.Member().Token);
        await fx.SomeoneWaitsOnALockAsync("no registration waited on the event's row");
        return (eventId, held, first);
    }

    /// <summary>Another connection locks the event's row until disposed: a registration's insert waits for it.</summary>
    private async Task<IAsyncDisposable> HoldEventRowAsync(Guid eventId)
    {
        var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT 1 FROM community_events WHERE id = @id FOR UPDATE", connection, transaction))
        {
            command.Parameters.AddWithValue("id", eventId);
            await command.ExecuteNonQueryAsync();
        }
        return new HeldRow(connection, transaction);
    }

    private sealed class HeldRow(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private bool _done;

        public async ValueTask DisposeAsync()
        {
            if (_done) return;
            _done = true;
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
