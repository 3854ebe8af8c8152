using Npgsql;

namespace Community.Events.Tests;

/// <summary>
/// The events service with its sweeper idle during the tests (one pass at start-up, the next an hour later): only
/// requests move seats.
/// </summary>
public sealed class IdleSweeperFixture : EventsFixture
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Events:HoldSweepInterval"] = "01:00:00" };
}

/// <summary>
/// A registration racing whoever else ends the holds that keep an event full (a sweeper on another instance).
/// </summary>
public sealed class HoldRaceTests(IdleSweeperFixture fx) : IClassFixture<IdleSweeperFixture>
{
    [Fact]
    public async Task A_newcomer_who_finds_a_hold_past_its_time_gets_its_seat_even_when_another_caller_ends_that_hold()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["price_cents"] = 1000;
                b["currency"] = "EUR";
            }
        );
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        var hold = await (
            await fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, fx.Member().Token)
        ).AssertProblem(402);
        var holdId = Guid.Parse(hold["registration_id"]!.GetValue<string>());

        // Another caller starts ending the hold once its time is up: it has the row, and has not given the seat back
        // yet.
        await using var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await other.OpenAsync();
        await using var ending = await other.BeginTransactionAsync();
        await ExecuteAsync(other, "SELECT 1 FROM registrations WHERE id = @id FOR UPDATE", holdId);
        fx.Clock.Advance(TimeSpan.FromMinutes(16));

        // The newcomer finds the event full and the hold past its time: it joins the list and waits for that hold to
        // end.
        var answer = fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, fx.Member().Token);
        await fx.SomeoneWaitsOnALockAsync("the registration never waited for the hold being ended elsewhere");

        // The other caller ends the hold and gives the seat back, but promoted nobody: it looked before the newcomer
        // joined.
        await ExecuteAsync(
            other,
            "UPDATE registrations SET status = 'expired', updated_at = now() WHERE id = @id",
            holdId
        );
        await ExecuteAsync(other, "UPDATE community_events SET seats_taken = seats_taken - 1 WHERE id = @id", eventId);
        await ending.CommitAsync();

        // The seat is the newcomer's at once, not after the next sweep.
        var seat = await (await answer).AssertProblem(402);
        Assert.Equal("held", seat["registration_status"]!.GetValue<string>());
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", eventId)
            )
        );
    }

    [Fact]
    public async Task A_freed_seat_waits_for_the_head_of_the_list_while_another_caller_holds_that_row()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var eventId = Guid.Parse(e["id"]!.GetValue<string>());
        Task<HttpResponseMessage> Register(string token) =>
            fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token);
        var (_, seated) = fx.Member();
        await (await Register(seated)).AssertStatus(201);
        var head = Guid.Parse((await (await Register(fx.Member().Token)).AssertStatus(202))["id"]!.GetValue<string>());
        var behind = Guid.Parse(
            (await (await Register(fx.Member().Token)).AssertStatus(202))["id"]!.GetValue<string>()
        );

        // Another caller has the head's row when the seat is freed: the promotion waits for it rather than seat the one
        // behind.
        Task<HttpResponseMessage> cancel;
        await using (var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await other.OpenAsync();
            await using var holding = await other.BeginTransactionAsync();
            await ExecuteAsync(other, "SELECT 1 FROM registrations WHERE id = @id FOR UPDATE", head);
            cancel = fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, seated);
            await fx.SomeoneWaitsOnALockAsync("the promotion never waited for the head's row");
            Assert.Equal("waitlisted", await StatusAsync(behind));
        }

        await (await cancel).AssertStatus(200);
        Assert.Equal("confirmed", await StatusAsync(head));
        Assert.Equal("waitlisted", await StatusAsync(behind));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", eventId))
        );
    }

    private Task<string?> StatusAsync(Guid registrationId) =>
        fx.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", registrationId));

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, Guid id)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }
}
