using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Events.Data;
using Community.Events.Registrations;
using MassTransit;
using Npgsql;

namespace Community.Events.Tests;

public sealed class RegistrationTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private HttpClient Client => fx.Client;

    private Task<HttpResponseMessage> Register(string eventId, string token) =>
        Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token);

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    [Fact]
    public async Task A_registration_by_a_user_identity_never_announced_is_refused_and_writes_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        var (strangerId, stranger) = fx.Stranger();

        await (await Register(Id(e), stranger)).AssertProblem(403);

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @u", ("u", strangerId))
        );
    }

    [Fact]
    public async Task A_free_event_confirms_at_once_and_registering_again_returns_the_same_registration()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 3);
        var (memberId, member) = fx.Member();
        var before = await fx.OutboxCountAsync("RegistrationConfirmed");

        var first = await (await Register(Id(e), member)).AssertStatus(201);
        var again = await (await Register(Id(e), member)).AssertStatus(200);

        Assert.Equal("confirmed", first["status"]!.GetValue<string>());
        Assert.Equal(memberId.ToString(), first["user_id"]!.GetValue<string>());
        Assert.Matches("^EVT-[A-Z2-7]{10}$", first["ticket_code"]!.GetValue<string>());
        Assert.Equal(Id(first), Id(again));
        Assert.Equal(first["ticket_code"]!.GetValue<string>(), again["ticket_code"]!.GetValue<string>());
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(e)))
            )
        );
        Assert.Equal(before + 1, await fx.OutboxCountAsync("RegistrationConfirmed"));
        // it names the organizer, for a consumer that has not heard of the event yet
        Assert.Equal(
            organizerId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload->>'organizerUserId' FROM outbox_messages WHERE type LIKE '%RegistrationConfirmed%' "
                    + "AND payload->>'registrationId' = @id",
                ("id", Id(first))
            )
        );

        var mine = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", member)).AssertStatus(200);
        Assert.Equal(Id(first), Id(mine));
    }

    [Fact]
    public async Task A_paid_event_holds_a_seat_and_answers_402_with_what_to_pay()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 5;
                b["price_cents"] = 2500;
                b["currency"] = "eur";
            }
        );
        var (_, member) = fx.Member();
        var holdsBefore = await fx.OutboxCountAsync("TicketHoldCreated");

        var problem = await (await Register(Id(e), member)).AssertProblem(402);
        // A typed result, yet the same problem document as any refusal.
        Assert.Equal("Payment required", problem["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["request_id"]?.GetValue<string>()));
        Assert.Equal($"/api/v1/events/{Id(e)}/registrations", problem["instance"]!.GetValue<string>());

        Assert.Equal(2500, problem["price_cents"]!.GetValue<long>());
        Assert.Equal("EUR", problem["currency"]!.GetValue<string>());
        var expires = problem["hold_expires_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires - fx.Clock.GetUtcNow(), TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.1));
        var registrationId = problem["registration_id"]!.GetValue<string>();
        Assert.Equal(holdsBefore + 1, await fx.OutboxCountAsync("TicketHoldCreated"));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE ticket_code IS NOT NULL AND id = @id",
                ("id", Guid.Parse(registrationId))
            )
        );

        // Asking again is not a second seat: the same hold comes back.
        var again = await (await Register(Id(e), member)).AssertStatus(200);
        Assert.Equal(registrationId, Id(again));
        Assert.Equal("held", again["status"]!.GetValue<string>());
        Assert.Null(again["ticket_code"]);
        Assert.Equal(holdsBefore + 1, await fx.OutboxCountAsync("TicketHoldCreated"));
        var details = await (await Client.Get($"/api/v1/events/{Id(e)}", member)).AssertStatus(200);
        Assert.Equal(4, details["spots_remaining"]!.GetValue<int>());
        Assert.True(details["is_registered"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_full_event_waitlists_or_refuses_when_the_waiting_list_is_off()
    {
        var (_, organizer) = fx.Organizer();
        var withList = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var withoutList = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["waitlist_enabled"] = false;
            }
        );
        await (await Register(Id(withList), fx.Member().Token)).AssertStatus(201);
        await (await Register(Id(withoutList), fx.Member().Token)).AssertStatus(201);

        var second = await Register(Id(withList), fx.Member().Token);
        var third = await Register(Id(withList), fx.Member().Token);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("waitlisted", (await second.Body())["status"]!.GetValue<string>());
        Assert.Equal(2, (await third.AssertStatus(202))["waitlist_position"]!.GetValue<int>());

        var refused = await (await Register(Id(withoutList), fx.Member().Token)).AssertProblem(409);
        Assert.Contains("full", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id",
                ("id", Guid.Parse(Id(withoutList)))
            )
        );
    }

    [Fact]
    public async Task After_the_end_a_place_on_the_waiting_list_may_go_and_a_ticket_stays()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer, b => b["capacity"] = 1));
        var holder = fx.Member().Token;
        var waiting = fx.Member().Token;
        await (await Register(e, holder)).AssertStatus(201);
        await (await Register(e, waiting)).AssertStatus(202);
        await fx.ExecuteAsync(
            "UPDATE community_events SET starts_at = @now - interval '2 hours', ends_at = @now - interval '1 hour' "
                + "WHERE id = @id",
            ("now", fx.Clock.GetUtcNow()),
            ("id", Guid.Parse(e))
        );

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, holder)
        ).AssertProblem(422);
        var gone = await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, waiting)
        ).AssertStatus(200);
        Assert.Equal("cancelled", gone["status"]!.GetValue<string>());
        Assert.False(
            (await (await Client.Get($"/api/v1/events/{e}", waiting)).AssertStatus(200))[
                "is_registered"
            ]!.GetValue<bool>()
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @id", ("id", Guid.Parse(e)))
        );
    }

    [Fact]
    public async Task A_seat_freed_after_the_event_was_found_full_goes_to_the_next_newcomer_when_nobody_waits()
    {
        // A seat open again after the event was found full (nobody waiting) must be taken by the next newcomer, not
        // refused or waitlisted.
        var (_, organizer) = fx.Organizer();
        var withoutList = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["waitlist_enabled"] = false;
            }
        );
        var withList = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var (_, holder) = fx.Member();
        var (_, waiting) = fx.Member();
        var (_, refused) = fx.Member();
        var (_, next) = fx.Member();
        var (_, late) = fx.Member();

        await (await Register(Id(withoutList), holder)).AssertStatus(201);
        await (await Register(Id(withoutList), refused)).AssertProblem(409);
        await (await Register(Id(withoutList), holder)).AssertStatus(200);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(withoutList)}/registrations/me", null, holder)
        ).AssertStatus(200);
        Assert.Equal(
            "confirmed",
            (await (await Register(Id(withoutList), next)).AssertStatus(201))["status"]!.GetValue<string>()
        );
        await (await Register(Id(withoutList), late)).AssertProblem(409);
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(withoutList)))
            )
        );

        await (await Register(Id(withList), holder)).AssertStatus(201);
        Assert.Equal(
            1,
            (await (await Register(Id(withList), waiting)).AssertStatus(202))["waitlist_position"]!.GetValue<int>()
        );
        Assert.Equal(
            1,
            (await (await Register(Id(withList), waiting)).AssertStatus(200))["waitlist_position"]!.GetValue<int>()
        );
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(withList)}/registrations/me", null, waiting)
        ).AssertStatus(200);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(withList)}/registrations/me", null, holder)
        ).AssertStatus(200);
        Assert.Equal(
            "confirmed",
            (await (await Register(Id(withList), next)).AssertStatus(201))["status"]!.GetValue<string>()
        );
        Assert.Equal(
            1,
            (await (await Register(Id(withList), late)).AssertStatus(202))["waitlist_position"]!.GetValue<int>()
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(withList)))
            )
        );
    }

    [Fact]
    public async Task Cancelling_frees_the_seat_for_the_first_on_the_waiting_list()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var (_, holder) = fx.Member();
        var (firstWaiting, first) = fx.Member();
        var (_, second) = fx.Member();
        await (await Register(Id(e), holder)).AssertStatus(201);
        await (await Register(Id(e), first)).AssertStatus(202);
        await (await Register(Id(e), second)).AssertStatus(202);
        var cancelledBefore = await fx.OutboxCountAsync("RsvpCancelled");

        var cancelled = await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(e)}/registrations/me", null, holder)
        ).AssertStatus(200);

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        var promoted = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", first)).AssertStatus(200);
        Assert.Equal("confirmed", promoted["status"]!.GetValue<string>());
        Assert.Equal(firstWaiting.ToString(), promoted["user_id"]!.GetValue<string>());
        Assert.NotNull(promoted["ticket_code"]);
        var stillWaiting = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", second)).AssertStatus(
            200
        );
        Assert.Equal(1, stillWaiting["waitlist_position"]!.GetValue<int>());
        Assert.Equal(cancelledBefore + 1, await fx.OutboxCountAsync("RsvpCancelled"));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(e)))
            )
        );

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(e)}/registrations/me", null, holder)
        ).AssertProblem(404);
        // After cancelling, registering again is a new registration (at the back of the queue).
        Assert.Equal(HttpStatusCode.Accepted, (await Register(Id(e), holder)).StatusCode);
    }

    [Fact]
    public async Task An_expired_hold_releases_its_seat_to_the_waiting_list_when_the_clock_moves()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["price_cents"] = 1000;
                b["currency"] = "USD";
            }
        );
        var (payerId, payer) = fx.Member();
        var (waitingId, waiting) = fx.Member();
        await (await Register(Id(e), payer)).AssertProblem(402);
        await (await Register(Id(e), waiting)).AssertStatus(202);
        var holdsBefore = await fx.OutboxCountAsync("TicketHoldCreated");

        fx.Clock.Advance(TimeSpan.FromMinutes(16));

        // The sweeper, not a request, releases it; it ends the hold, then promotes in a second short transaction, so
        // the waiting member's new hold is what to wait for.
        await Eventually.TrueAsync(
            async () =>
                (await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", fx.TokenFor(waitingId))).Body())[
                    "status"
                ]!.GetValue<string>() == "held",
            "the waiting member was never given the released seat"
        );
        var expired = await (
            await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", fx.TokenFor(payerId))
        ).AssertStatus(200);
        Assert.Equal("expired", expired["status"]!.GetValue<string>());
        var promoted = await (
            await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", fx.TokenFor(waitingId))
        ).AssertStatus(200);
        Assert.InRange(
            promoted["hold_expires_at"]!.GetValue<DateTimeOffset>() - fx.Clock.GetUtcNow(),
            TimeSpan.FromMinutes(14),
            TimeSpan.FromMinutes(15.1)
        );
        Assert.Equal(holdsBefore + 1, await fx.OutboxCountAsync("TicketHoldCreated"));
        // The promoted member is not looking: their hold says it came from the waiting list, so they are told.
        Task<bool> FromWaitingList(Guid userId) =>
            fx.ScalarAsync<bool>(
                "SELECT (payload->>'fromWaitingList')::boolean FROM outbox_messages WHERE type LIKE "
                    + "'%.TicketHoldCreated,%' AND payload->>'userId' = @u",
                ("u", userId.ToString())
            );
        Assert.True(await FromWaitingList(waitingId));
        Assert.False(await FromWaitingList(payerId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(e)))
            )
        );
    }

    [Fact]
    public async Task A_waiter_no_longer_invited_gets_no_hold_and_the_seat_goes_to_the_next_on_the_list()
    {
        var (_, organizer) = fx.Organizer();
        var (payerId, payer) = fx.Member();
        var (uninvitedId, uninvited) = fx.Member();
        var (nextId, next) = fx.Member();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["capacity"] = 1;
                    b["price_cents"] = 1000;
                    b["currency"] = "USD";
                    b["visibility"] = "private";
                    b["invited_user_ids"] = new JsonArray(
                        payerId.ToString(),
                        uninvitedId.ToString(),
                        nextId.ToString()
                    );
                }
            )
        );
        await (await Register(e, payer)).AssertProblem(402);
        await (await Register(e, uninvited)).AssertStatus(202);
        await (await Register(e, next)).AssertStatus(202);
        var invitations = new { invited_user_ids = new[] { payerId, nextId } };
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", invitations, organizer)).AssertStatus(
            200
        );

        // The hold expires: the sweeper frees its seat and fills it from the list.
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        await Eventually.TrueAsync(
            async () => await fx.StatusAsync(e, nextId) == "held",
            "the next on the waiting list was never given the released seat"
        );

        await fx.AssertWaitingPlaceLostAsync(e, uninvitedId);
        Assert.Equal(1L, await fx.OutboxForAsync("TicketHoldCreated", nextId));
        Assert.Equal(1, await fx.SeatsTakenAsync(e));
        // The event is unknown to them again, as to anyone it does not invite (a new token: the clock moved).
        await (await Register(e, fx.TokenFor(uninvitedId))).AssertProblem(404);
    }

    [Fact]
    public async Task An_invited_waiter_in_no_block_with_the_organizer_still_gets_the_freed_seat()
    {
        var (organizerId, organizer) = fx.Organizer();
        var (holderId, holder) = fx.Member();
        var (firstId, first) = fx.Member();
        var (secondId, second) = fx.Member();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["capacity"] = 1;
                    b["visibility"] = "private";
                    b["invited_user_ids"] = new JsonArray(holderId.ToString(), firstId.ToString(), secondId.ToString());
                }
            )
        );
        await (await Register(e, holder)).AssertStatus(201);
        await (await Register(e, first)).AssertStatus(202);
        await (await Register(e, second)).AssertStatus(202);
        // A block with someone else, and one with the organizer lifted since, close nothing.
        await fx.DeliverAsync(new Community.Contracts.Social.UserBlocked(Guid.NewGuid(), fx.Tick(), firstId, holderId));
        await fx.DeliverAsync(
            new Community.Contracts.Social.UserBlocked(Guid.NewGuid(), fx.Tick(), organizerId, firstId)
        );
        await fx.DeliverAsync(
            new Community.Contracts.Social.UserUnblocked(Guid.NewGuid(), fx.Tick(), organizerId, firstId)
        );

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, holder)
        ).AssertStatus(200);

        // The sweeper may be the one promoting (it took the event's promotion first): the cancel answers without it.
        await Eventually.TrueAsync(
            async () => await fx.StatusAsync(e, firstId) == "confirmed",
            "the invited waiter was never given the freed seat"
        );
        Assert.Equal(1L, await fx.OutboxForAsync("RegistrationConfirmed", firstId));
        Assert.Equal(0L, await fx.OutboxForAsync("RsvpCancelled", firstId));
        Assert.Equal("waitlisted", await fx.StatusAsync(e, secondId));
        Assert.Equal(1, await fx.SeatsTakenAsync(e));
    }

    /// <summary>
    /// The invitation is read before the registration's statement, which takes the event's row: taken back by an edit
    /// committed meanwhile (the organizer's edit holds the row), the statement reads it again and writes nothing.
    /// </summary>
    [Fact]
    public async Task An_invitation_taken_back_while_a_registration_is_on_its_way_registers_nobody()
    {
        var (_, organizer) = fx.Organizer();
        var (invitedId, invited) = fx.Member();
        var privateEvent = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["visibility"] = "private";
                b["invited_user_ids"] = new JsonArray(invitedId.ToString());
            }
        );

        var registered = await fx.CommitsWhileWaitedOnAsync(
            """
            SELECT 1 FROM community_events WHERE id = @id FOR UPDATE;
            UPDATE community_events SET invited_user_ids = '{}' WHERE id = @id
            """,
            () => Register(Id(privateEvent), invited),
            "the registration never waited for the edit",
            ("id", Guid.Parse(Id(privateEvent)))
        );

        await registered.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id",
                ("id", Guid.Parse(Id(privateEvent)))
            )
        );
    }

    [Fact]
    public async Task Cancelled_private_draft_and_ended_events_refuse_registrations_clearly()
    {
        var (_, organizer) = fx.Organizer();
        var (invitedId, invited) = fx.Member();
        var cancelled = await fx.CreateEventAsync(organizer);
        await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(cancelled)}", null, organizer);
        var privateEvent = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["visibility"] = "private";
                b["invited_user_ids"] = new JsonArray(invitedId.ToString());
            }
        );
        var draft = await fx.CreateEventAsync(organizer, publish: false);
        var soon = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(10).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddMinutes(20).ToString("O");
            }
        );
        var (_, stranger) = fx.Member();

        Assert.Contains(
            "cancelled",
            (await (await Register(Id(cancelled), stranger)).AssertProblem(409))["detail"]!.GetValue<string>()
        );
        // a private event is unknown to a stranger, as its page is
        Assert.Equal(
            (await (await Register(Guid.NewGuid().ToString(), stranger)).AssertProblem(404))[
                "detail"
            ]!.GetValue<string>(),
            (await (await Register(Id(privateEvent), stranger)).AssertProblem(404))["detail"]!.GetValue<string>()
        );
        await (await Register(Id(privateEvent), invited)).AssertStatus(201);
        await (await Register(Id(draft), stranger)).AssertProblem(404);
        // who sees the event (an admin, its organizer) is told why it takes no registration from them
        var (_, admin) = fx.Admin();
        Assert.Contains(
            "invitation",
            (await (await Register(Id(privateEvent), admin)).AssertProblem(403))["detail"]!.GetValue<string>()
        );
        Assert.Contains(
            "not published",
            (await (await Register(Id(draft), organizer)).AssertProblem(409))["detail"]!.GetValue<string>()
        );
        await (await Register(Id(draft), admin)).AssertProblem(409);
        await (await Register(Guid.NewGuid().ToString(), stranger)).AssertProblem(404);
        await (await Client.PostJson($"/api/v1/events/{Id(soon)}/registrations", new { })).AssertProblem(401);

        fx.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Contains(
            "ended",
            (await (await Register(Id(soon), fx.TokenFor(Guid.NewGuid()))).AssertProblem(422))[
                "detail"
            ]!.GetValue<string>()
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = ANY(@ids)",
                ("ids", new[] { Guid.Parse(Id(cancelled)), Guid.Parse(Id(draft)), Guid.Parse(Id(soon)) })
            )
        );
    }

    [Fact]
    public async Task Cancelling_at_a_private_event_or_draft_one_cannot_see_is_the_same_404_as_at_no_event()
    {
        var (_, organizer) = fx.Organizer();
        var privateEvent = await fx.CreateEventAsync(organizer, b => b["visibility"] = "private");
        var draft = await fx.CreateEventAsync(organizer, publish: false);
        var publicEvent = await fx.CreateEventAsync(organizer);
        var (_, stranger) = fx.Member();
        async Task<string> CancelDetail(string eventId)
        {
            var response = await Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/events/{eventId}/registrations/me",
                null,
                stranger
            );
            return (await response.AssertProblem(404))["detail"]!.GetValue<string>();
        }

        var unknown = await CancelDetail(Guid.NewGuid().ToString());
        Assert.Equal("No event has this id.", unknown);
        Assert.Equal(unknown, await CancelDetail(Id(privateEvent)));
        Assert.Equal(unknown, await CancelDetail(Id(draft)));
        // At an event one sees, it is the registration that is missing.
        Assert.Equal("You have no registration for this event.", await CancelDetail(Id(publicEvent)));
    }

    [Fact]
    public async Task The_ticket_carries_a_signed_payload_the_organizer_can_scan()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
            }
        );
        var (memberId, member) = fx.Member();
        var registration = await (await Register(Id(e), member)).AssertStatus(201);

        var ticket = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me/ticket", member)).AssertStatus(
            200
        );
        var payload = ticket["qr_payload"]!.GetValue<string>();
        Assert.StartsWith("CT1.", payload);
        Assert.Equal(registration["ticket_code"]!.GetValue<string>(), ticket["ticket_code"]!.GetValue<string>());

        // A forged or altered payload is refused; the genuine one checks the attendee in.
        var forged = payload[..^4] + (payload[^4..] == "AAAA" ? "BBBB" : "AAAA");
        await (
            await Client.PostJson($"/api/v1/events/{Id(e)}/check-in", new { qr_payload = forged }, organizer)
        ).AssertProblem(400);
        var arrival = await (
            await Client.PostJson($"/api/v1/events/{Id(e)}/check-in", new { qr_payload = payload }, organizer)
        ).AssertStatus(200);
        Assert.Equal(memberId.ToString(), arrival["user_id"]!.GetValue<string>());
        Assert.False(arrival["already_checked_in"]!.GetValue<bool>());

        // No confirmed registration, no ticket.
        await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me/ticket", fx.Member().Token)).AssertProblem(
            404
        );
    }

    [Fact]
    public async Task The_organizer_sees_attendees_and_stats_and_nobody_else_does()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 2);
        await (await Register(Id(e), fx.Member().Token)).AssertStatus(201);
        await (await Register(Id(e), fx.Member().Token)).AssertStatus(201);
        await (await Register(Id(e), fx.Member().Token)).AssertStatus(202);
        var (_, member) = fx.Member();

        var stats = await (await Client.Get($"/api/v1/events/{Id(e)}/stats", organizer)).AssertStatus(200);
        Assert.Equal(2, stats["registrations"]!["confirmed"]!.GetValue<int>());
        Assert.Equal(1, stats["registrations"]!["waitlisted"]!.GetValue<int>());
        Assert.Equal(0, stats["arrivals"]!.GetValue<int>());
        Assert.Equal(0, stats["spots_remaining"]!.GetValue<int>());
        Assert.Equal(0, stats["revenue_cents"]!.GetValue<long>());
        var attendees = await (await Client.Get($"/api/v1/events/{Id(e)}/attendees", organizer)).AssertStatus(200);
        Assert.Equal(3, attendees["total"]!.GetValue<int>());
        var waiting = await (
            await Client.Get($"/api/v1/events/{Id(e)}/attendees?status=waitlisted", organizer)
        ).AssertStatus(200);
        Assert.Single(waiting["items"]!.AsArray());
        await (await Client.Get($"/api/v1/events/{Id(e)}/attendees?status=maybe", organizer)).AssertProblem(400);

        await (await Client.Get($"/api/v1/events/{Id(e)}/stats", member)).AssertProblem(403);
        await (await Client.Get($"/api/v1/events/{Id(e)}/attendees", fx.Organizer().Token)).AssertProblem(403);
        await (await Client.Get($"/api/v1/events/{Id(e)}/stats", fx.Admin().Token)).AssertStatus(200);
    }

    [Fact]
    public async Task A_payment_confirms_a_held_registration_once_and_reports_a_seat_that_is_gone()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["price_cents"] = 1500;
                b["currency"] = "EUR";
            }
        );
        var hold = await (await Register(Id(e), fx.Member().Token)).AssertProblem(402);
        var registrationId = Guid.Parse(hold["registration_id"]!.GetValue<string>());
        var paymentId = Guid.NewGuid();
        var confirmedBefore = await fx.OutboxCountAsync("RegistrationConfirmed");

        var first = await ConfirmAsync(registrationId, paymentId, 1500, "EUR");
        var second = await ConfirmAsync(registrationId, paymentId, 1500, "EUR");

        Assert.Equal(PaidConfirmation.Confirmed, first.Outcome);
        Assert.Matches("^EVT-[A-Z2-7]{10}$", first.Registration!.TicketCode);
        Assert.Equal(PaidConfirmation.AlreadyConfirmed, second.Outcome);
        Assert.Equal(confirmedBefore + 1, await fx.OutboxCountAsync("RegistrationConfirmed"));
        Assert.Equal(PaidConfirmation.NotFound, (await ConfirmAsync(Guid.NewGuid(), paymentId, 1500, "EUR")).Outcome);
        var stats = await (await Client.Get($"/api/v1/events/{Id(e)}/stats", organizer)).AssertStatus(200);
        Assert.Equal(1500, stats["revenue_cents"]!.GetValue<long>());

        // A second event: the hold expires, someone else takes the seat, the late payment finds it gone.
        var full = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["price_cents"] = 900;
                b["currency"] = "EUR";
            }
        );
        var late = Guid.Parse(
            (await (await Register(Id(full), fx.Member().Token)).AssertProblem(402))[
                "registration_id"
            ]!.GetValue<string>()
        );
        // wrong amount
        Assert.Equal(PaidConfirmation.SeatGone, (await ConfirmAsync(late, Guid.NewGuid(), 800, "EUR")).Outcome);
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        // releases the expired hold, takes the seat
        await (await Register(Id(full), fx.Member().Token)).AssertProblem(402);
        var gone = await ConfirmAsync(late, Guid.NewGuid(), 900, "EUR");
        Assert.Equal(PaidConfirmation.SeatGone, gone.Outcome);
        Assert.Equal(RegistrationStatus.Expired, gone.Registration!.Status);
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(full)))
            )
        );

        // An expired hold whose seat is still free is confirmed after all.
        var roomy = await fx.CreateEventAsync(
            fx.TokenFor(organizerId, "organizer"),
            b =>
            {
                b["capacity"] = 3;
                b["price_cents"] = 700;
                b["currency"] = "EUR";
            }
        );
        var slow = Guid.Parse(
            (await (await Register(Id(roomy), fx.Member().Token)).AssertProblem(402))[
                "registration_id"
            ]!.GetValue<string>()
        );
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", slow))
                == "expired",
            "the hold never expired"
        );
        Assert.Equal(PaidConfirmation.Confirmed, (await ConfirmAsync(slow, Guid.NewGuid(), 700, "EUR")).Outcome);
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(roomy)))
            )
        );
    }

    [Fact]
    public async Task A_hold_paid_after_its_event_ended_is_no_ticket_and_its_payment_is_given_back()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["capacity"] = 5;
                    b["price_cents"] = 1500;
                    b["currency"] = "EUR";
                }
            )
        );
        // Under way, in its last five minutes: a hold (15 minutes) outlives it.
        await fx.ExecuteAsync(
            "UPDATE community_events SET starts_at = @now - interval '1 hour', ends_at = @now + interval '5 minutes' "
                + "WHERE id = @id",
            ("now", fx.Clock.GetUtcNow()),
            ("id", Guid.Parse(e))
        );
        async Task<Guid> HoldAsync() =>
            Guid.Parse(
                (await (await Register(e, fx.Member().Token)).AssertProblem(402))["registration_id"]!.GetValue<string>()
            );
        var hold = await HoldAsync();
        var paidInTime = await HoldAsync();
        var whileOn = fx.Clock.GetUtcNow().AddMinutes(4);
        fx.Clock.Advance(TimeSpan.FromMinutes(6));

        var paid = await ConfirmAsync(hold, Guid.NewGuid(), 1500, "EUR");

        Assert.Equal(PaidConfirmation.SeatGone, paid.Outcome);
        Assert.Equal("The event has ended.", paid.Reason);
        Assert.Equal(
            "held",
            await fx.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", hold))
        );
        // Paid while the event was on, told after its end (a webhook or the bus late): a ticket all the same.
        Assert.Equal(
            PaidConfirmation.Confirmed,
            (await ConfirmAsync(paidInTime, Guid.NewGuid(), 1500, "EUR", paidAt: whileOn)).Outcome
        );
    }

    private async Task<PaidConfirmationResult> ConfirmAsync(
        Guid registrationId,
        Guid paymentId,
        long amount,
        string currency,
        DateTimeOffset? paidAt = null
    )
    {
        await using var scope = fx.Host.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<SeatBook>()
            .ConfirmPaidAsync(
                registrationId,
                paymentId,
                amount,
                currency,
                paidAt ?? fx.Clock.GetUtcNow(),
                CancellationToken.None
            );
    }

    [Fact]
    public async Task A_late_payment_seats_an_ended_hold_only_on_the_terms_the_event_has_now()
    {
        var (organizerId, organizer) = fx.Organizer();
        async Task<(string Event, Guid Hold, Guid Member)> EndedHoldAsync()
        {
            var e = Id(
                await fx.CreateEventAsync(
                    organizer,
                    b =>
                    {
                        b["capacity"] = 5;
                        b["price_cents"] = 1000;
                        b["currency"] = "EUR";
                    }
                )
            );
            var (memberId, member) = fx.Member();
            var hold = await (await Register(e, member)).AssertProblem(402);
            await (
                await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, member)
            ).AssertStatus(200);
            return (e, Guid.Parse(hold["registration_id"]!.GetValue<string>()), memberId);
        }
        Task<HttpResponseMessage> Patch(string e, object body, string token) =>
            Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", body, token);
        async Task AssertRefundedAsync(string e, Guid hold, string why)
        {
            var late = await ConfirmAsync(hold, Guid.NewGuid(), 1000, "EUR");
            Assert.Equal(PaidConfirmation.SeatGone, late.Outcome);
            Assert.Contains(why, late.Reason);
            Assert.Equal(
                0,
                await fx.ScalarAsync<int>(
                    "SELECT seats_taken FROM community_events WHERE id = @id",
                    ("id", Guid.Parse(e))
                )
            );
        }

        // With nobody holding a seat the organizer may set another price: the old checkout's money buys nothing.
        var (priced, pricedHold, _) = await EndedHoldAsync();
        await (await Patch(priced, new { price_cents = 5000 }, organizer)).AssertStatus(200);
        await AssertRefundedAsync(priced, pricedHold, "price changed");

        // Made private without inviting them.
        var (hidden, hiddenHold, _) = await EndedHoldAsync();
        await (await Patch(hidden, new { visibility = "private" }, organizer)).AssertStatus(200);
        await AssertRefundedAsync(hidden, hiddenHold, "no longer open");

        // Or a block with the organizer since.
        var (blocked, blockedHold, blockedMember) = await EndedHoldAsync();
        await fx.DeliverAsync(
            new Community.Contracts.Social.UserBlocked(Guid.NewGuid(), fx.Tick(), organizerId, blockedMember)
        );
        await AssertRefundedAsync(blocked, blockedHold, "no longer open");

        // Or an earlier start with a later refund deadline, free to change with nobody registered: the payer agreed to
        // the event as it was.
        var (moved, movedHold, _) = await EndedHoldAsync();
        fx.Tick();
        var starts = fx.Clock.GetUtcNow().AddDays(3);
        var edit = new
        {
            starts_at = starts,
            ends_at = starts.AddHours(2),
            refund_cutoff_hours = 720,
        };
        await (await Patch(moved, edit, organizer)).AssertStatus(200);
        await AssertRefundedAsync(moved, movedHold, "edited");
    }

    [Fact]
    public async Task A_hold_cancelled_then_paid_while_its_seat_is_free_is_a_ticket_and_no_cancellation()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 2;
                b["price_cents"] = 1500;
                b["currency"] = "EUR";
            }
        );
        var (_, member) = fx.Member();
        var hold = await (await Register(Id(e), member)).AssertProblem(402);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(e)}/registrations/me", null, member)
        ).AssertStatus(200);
        var registrationId = Guid.Parse(hold["registration_id"]!.GetValue<string>());
        Assert.Equal(
            PaidConfirmation.Confirmed,
            (await ConfirmAsync(registrationId, Guid.NewGuid(), 1500, "EUR")).Outcome
        );
        var mine = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", member)).AssertStatus(200);
        Assert.Equal("confirmed", mine["status"]!.GetValue<string>());
        Assert.Null(mine["cancelled_at"]);
    }

    [Fact]
    public async Task Cancelling_a_paid_ticket_early_owes_a_full_refund_and_late_owes_none()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 4000;
                b["currency"] = "EUR";
            }
        );
        var (early, earlyToken) = fx.Member();
        var (lateUser, lateToken) = fx.Member();
        await PaidTicketsAsync(Id(e), 4000, earlyToken, lateToken);

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(e)}/registrations/me", null, earlyToken)
        ).AssertStatus(200);
        fx.Clock.Advance(TimeSpan.FromDays(2.5)); // the event starts in 3 days: now inside the 24 h cut-off
        await (
            await Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/events/{Id(e)}/registrations/me",
                null,
                fx.TokenFor(lateUser)
            )
        ).AssertStatus(200);

        Assert.Equal(4000L, await RefundOwed(early));
        Assert.Equal(0L, await RefundOwed(lateUser));
    }

    // A ticket used (checked in) is not refunded by its holder's cancellation, even before a cut-off of 0 hours: they
    // were let in. One not used before the same cut-off still is.
    [Fact]
    public async Task Cancelling_a_paid_ticket_after_checking_in_owes_no_refund()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
                b["price_cents"] = 2500;
                b["currency"] = "EUR";
                b["refund_cutoff_hours"] = 0;
            }
        );
        var (arrived, arrivedToken) = fx.Member();
        var (absent, absentToken) = fx.Member();
        await PaidTicketsAsync(Id(e), 2500, arrivedToken, absentToken);
        var ticket = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", arrivedToken)).AssertStatus(
            200
        );
        await (
            await Client.PostJson(
                $"/api/v1/events/{Id(e)}/check-in",
                new { ticket_code = ticket["ticket_code"]!.GetValue<string>() },
                organizer
            )
        ).AssertStatus(200);

        foreach (var token in new[] { arrivedToken, absentToken })
            await (
                await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{Id(e)}/registrations/me", null, token)
            ).AssertStatus(200);

        Assert.Equal(0L, await RefundOwed(arrived));
        Assert.Equal(2500L, await RefundOwed(absent));
    }

    // EventCancelled refunds every ticket of a cancelled event: a holder cancelling theirs afterwards owes nothing.
    [Fact]
    public async Task Cancelling_a_paid_ticket_of_a_cancelled_event_owes_no_refund_of_its_own()
    {
        var (holderId, holder, e, organizer) = await PaidTicketOfItsOwnEventAsync();

        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}", null, organizer)).AssertStatus(204);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, holder)
        ).AssertStatus(200);

        Assert.Equal(0L, await RefundOwed(holderId));
    }

    // The same when the organizer's cancellation is under way as the holder cancels: the holder's waits for it.
    [Fact]
    public async Task Cancelling_a_paid_ticket_while_its_event_is_being_cancelled_owes_no_refund_of_its_own()
    {
        var (holderId, holder, e, _) = await PaidTicketOfItsOwnEventAsync();

        var cancelled = await fx.CommitsWhileWaitedOnAsync(
            """
            SELECT 1 FROM community_events WHERE id = @id FOR UPDATE;
            UPDATE community_events SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = @id
            """,
            () => Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, holder),
            "the holder's cancellation never waited for the event's row",
            ("id", Guid.Parse(e))
        );

        await cancelled.AssertStatus(200);
        Assert.Equal(0L, await RefundOwed(holderId));
    }

    /// <summary>A new organizer's paid event (EUR 30) and a new member's ticket of it.</summary>
    private async Task<(Guid HolderId, string Holder, string EventId, string Organizer)> PaidTicketOfItsOwnEventAsync()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["price_cents"] = 3000;
                    b["currency"] = "EUR";
                }
            )
        );
        var (holderId, holder) = fx.Member();
        await PaidTicketsAsync(e, 3000, holder);
        return (holderId, holder, e, organizer);
    }

    // A ticket its holder cancelled had its refund settled then: a second payment for it (an old checkout paid since)
    // brings it back no more than it charges them again, and is handed back as for a seat gone.
    [Fact]
    public async Task A_second_payment_for_a_ticket_its_holder_cancelled_is_given_back_and_the_ticket_stays_cancelled()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["capacity"] = 2;
                    b["price_cents"] = 1500;
                    b["currency"] = "EUR";
                }
            )
        );
        var (holderId, holder) = fx.Member();
        var registrationId = Guid.Parse((await (await Register(e, holder)).AssertProblem(402)).Str("registration_id"));
        var first = Guid.NewGuid();
        Assert.Equal(PaidConfirmation.Confirmed, (await ConfirmAsync(registrationId, first, 1500, "EUR")).Outcome);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, holder)
        ).AssertStatus(200);
        // The payment that issued it, told again: nothing to give back (its cancellation settled what it owed).
        Assert.Equal(
            PaidConfirmation.AlreadyConfirmed,
            (await ConfirmAsync(registrationId, first, 1500, "EUR")).Outcome
        );

        var again = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            holderId,
            PaymentPurposes.EventRegistration,
            registrationId,
            1500,
            "EUR"
        );
        await fx.DeliverAsync(again);

        Assert.Equal("cancelled", await fx.StatusAsync(e, holderId));
        Assert.Equal(0, await fx.SeatsTakenAsync(e));
        Assert.Equal(1L, await fx.OutboxForAsync("RegistrationConfirmed", holderId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.PurchaseRejected,%' "
                    + "AND payload->>'paymentId' = @payment",
                ("payment", again.PaymentId.ToString())
            )
        );
    }

    /// <summary>Each token's paid ticket (EUR) of the event: held, then confirmed as a settled payment does.</summary>
    private async Task PaidTicketsAsync(string eventId, long amountCents, params string[] tokens)
    {
        foreach (var token in tokens)
        {
            var hold = await (await Register(eventId, token)).AssertProblem(402);
            Assert.Equal(
                PaidConfirmation.Confirmed,
                (
                    await ConfirmAsync(
                        Guid.Parse(hold["registration_id"]!.GetValue<string>()),
                        Guid.NewGuid(),
                        amountCents,
                        "EUR"
                    )
                ).Outcome
            );
        }
    }

    private Task<long> RefundOwed(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT (payload->>'refundCents')::bigint FROM outbox_messages WHERE type LIKE '%.RsvpCancelled,%' AND "
                + "payload->>'userId' = @user",
            ("user", userId.ToString())
        );

    /// <summary>
    /// A ticket of an erased account still holding its money (kept for the stats) holds the price in its currency as
    /// its registration did, so the event's takings keep adding up in one.
    /// </summary>
    [Fact]
    public async Task An_erased_accounts_paid_ticket_keeps_the_price_in_its_currency()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["price_cents"] = 1000;
                    b["currency"] = "EUR";
                }
            )
        );
        var (leaverId, leaver) = fx.Member();
        var hold = Guid.Parse((await (await Register(e, leaver)).AssertProblem(402)).Str("registration_id"));
        Assert.Equal(PaidConfirmation.Confirmed, (await ConfirmAsync(hold, Guid.NewGuid(), 1000, "EUR")).Outcome);
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @u", ("u", leaverId))
        );

        var refused = await (
            await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", new { currency = "USD" }, organizer)
        ).AssertProblem(400);
        Assert.Contains("tickets were paid for in EUR", refused.ToJsonString());
        Assert.Equal(
            "EUR",
            await fx.ScalarAsync<string>("SELECT currency FROM community_events WHERE id = @id", ("id", Guid.Parse(e)))
        );
    }

    [Fact]
    public async Task A_deleted_account_loses_its_registrations_and_its_seat_goes_to_the_waiting_list()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 1);
        var (leaverId, leaver) = fx.Member();
        var (_, waiting) = fx.Member();
        await (await Register(Id(e), leaver)).AssertStatus(201);
        await (await Register(Id(e), waiting)).AssertStatus(202);
        var ownEvent = await fx.CreateEventAsync(fx.TokenFor(leaverId, "organizer"));

        var message = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId);
        var bus = fx.Host.Services.GetRequiredService<IBus>();
        await bus.Publish(message, context => context.MessageId = message.MessageId);
        await bus.Publish(message, context => context.MessageId = message.MessageId); // redelivered: handled once
        await fx.ConsumedAsync(message.MessageId, "UserDeletedConsumer", times: 2);

        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @id", ("id", leaverId))
                == 0,
            "the deleted user's registrations were never erased"
        );
        var promoted = await (await Client.Get($"/api/v1/events/{Id(e)}/registrations/me", waiting)).AssertStatus(200);
        Assert.Equal("confirmed", promoted["status"]!.GetValue<string>());
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>(
                    "SELECT status FROM community_events WHERE id = @id",
                    ("id", Guid.Parse(Id(ownEvent)))
                ) == EventStatus.Cancelled,
            "the deleted organizer's event was never cancelled"
        );
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                    ("id", message.MessageId)
                ) == 1,
            "the message was not recorded once in the inbox"
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>(
                "SELECT seats_taken FROM community_events WHERE id = @id",
                ("id", Guid.Parse(Id(e)))
            )
        );
    }

    [Fact]
    public async Task A_deleted_account_leaves_no_invitation_and_no_check_in_naming_it()
    {
        var (leaverId, _) = fx.Member();
        var leaver = fx.TokenFor(leaverId, "organizer");
        var (stayerId, _) = fx.Member();
        var (_, host) = fx.Organizer();
        var invitation = Id(
            await fx.CreateEventAsync(
                host,
                b =>
                {
                    b["visibility"] = "private";
                    b["invited_user_ids"] = new JsonArray(leaverId.ToString(), stayerId.ToString());
                }
            )
        );
        // The leaver organised an event starting soon and checked an attendee in by their ticket code.
        var (own, _) = await CheckedInAtOwnEventAsync(leaver);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), leaverId), "UserDeletedConsumer");

        var invited = (await (await Client.Get($"/api/v1/events/{invitation}", host)).AssertStatus(200))[
            "invited_user_ids"
        ]!.AsArray();
        Assert.Equal([stayerId], invited.Select(x => x!.GetValue<Guid>()));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE @u = ANY(invited_user_ids)",
                ("u", leaverId)
            )
        );
        // The arrival stays; who recorded it does not.
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE checked_in_by = @u", ("u", leaverId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND arrived_at IS NOT NULL",
                ("id", Guid.Parse(own))
            )
        );
    }

    /// <summary>
    /// The hold sweeper locks event rows in id order: an erasure freeing seats in several events takes them in that
    /// order too, so the two never wait for each other in a cycle. With the first event's row held, the erasure waits
    /// there holding none of the others, whatever order the database reads the account's events in.
    /// </summary>
    [Fact]
    public async Task A_deleted_accounts_seats_are_freed_in_event_id_order_as_the_hold_sweeper_frees_them()
    {
        var (_, organizer) = fx.Organizer();
        var (leaverId, leaver) = fx.Member();
        // A DISTINCT in hash order, as a large table may give it (here small, so the planner is told): only an ORDER BY
        // reads the events by id.
        await PlanWithoutSortsAsync(true);
        try
        {
            Guid[] events;
            do
            {
                await (await Register(Id(await fx.CreateEventAsync(organizer)), leaver)).AssertStatus(201);
                events = (
                    await fx.ScalarAsync<Guid[]>(
                        "SELECT array_agg(event_id ORDER BY event_id) FROM registrations WHERE user_id = @u",
                        ("u", leaverId)
                    )
                )!;
            } while (
                events.Length < 3 || ((await UnorderedEventsOfAsync(leaverId))[0] == events[0] && events.Length < 30)
            );
            Assert.NotEqual(events[0], (await UnorderedEventsOfAsync(leaverId))[0]);
            await using var first = await fx.HoldAsync(
                "SELECT 1 FROM community_events WHERE id = @id FOR UPDATE",
                ("id", events[0])
            );

            var message = new UserDeleted(Guid.NewGuid(), fx.Tick(), leaverId);
            await fx.PublishAsync(message);
            await fx.WaitingOnALockAsync("%seats_taken%", 1, "the erasure never waited for the first event's row");

            foreach (var other in events[1..])
                Assert.False(await EventRowLockedAsync(other), "the erasure locked a later event before the first");
            await first.RollbackAsync();
            await fx.HandledAsync(message.MessageId, "UserDeletedConsumer");
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE user_id = @u", ("u", leaverId))
            );
        }
        finally
        {
            await PlanWithoutSortsAsync(false);
        }
    }

    /// <summary>
    /// Sessions of this test's database plan without sorting nor index order where they can (a DISTINCT hashes), or
    /// again as usual; the pools (the service's too) are emptied, so every session from here starts with the setting.
    /// </summary>
    private async Task PlanWithoutSortsAsync(bool on)
    {
        foreach (var plan in new[] { "enable_sort", "enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan" })
            await fx.ExecuteAsync(
                $"DO $$ BEGIN EXECUTE format('ALTER DATABASE %I {(on ? "SET " + plan + " = off" : "RESET " + plan)}', "
                    + "current_database()); END $$"
            );
        NpgsqlConnection.ClearAllPools();
        fx.Host.Services.GetRequiredService<NpgsqlDataSource>().Clear();
    }

    /// <summary>The account's events as a DISTINCT with no ORDER BY reads them.</summary>
    private async Task<Guid[]> UnorderedEventsOfAsync(Guid userId) =>
        (
            await fx.ScalarAsync<Guid[]>(
                "SELECT array_agg(event_id) FROM (SELECT DISTINCT event_id FROM registrations WHERE user_id = @u) d",
                ("u", userId)
            )
        )!;

    /// <summary>
    /// An attendee's cancellation locks their registration, then the event's row: an erasure clearing the check-ins
    /// its account recorded locks those registrations before any event row (the events it organises included), so
    /// the two never wait for each other in a cycle.
    /// </summary>
    [Fact]
    public async Task A_deleted_account_clears_its_check_ins_before_it_locks_the_events_it_organised()
    {
        var (leaverId, _) = fx.Member();
        var leaver = fx.TokenFor(leaverId, "organizer");
        var (own, ticket) = await CheckedInAtOwnEventAsync(leaver);
        // The attendee's cancellation under way, holding their registration (the event's row comes next).
        await using var cancellation = await fx.HoldAsync(
            "SELECT 1 FROM registrations WHERE id = @id FOR UPDATE",
            ("id", Guid.Parse(Id(ticket)))
        );

        var message = new UserDeleted(Guid.NewGuid(), fx.Tick(), leaverId);
        await fx.PublishAsync(message);
        await fx.WaitingOnALockAsync("%checked_in_by%", 1, "the erasure never waited for the checked-in registration");

        Assert.False(await EventRowLockedAsync(Guid.Parse(own)), "the erasure locked the event before the check-in");
        await cancellation.RollbackAsync();
        await fx.HandledAsync(message.MessageId, "UserDeletedConsumer");
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM registrations WHERE checked_in_by = @u", ("u", leaverId))
        );
    }

    /// <summary>
    /// An event of <paramref name="organizer"/>'s starting in half an hour, and a new member's ticket to it that the
    /// organizer checked in by its code.
    /// </summary>
    private async Task<(string EventId, JsonNode Ticket)> CheckedInAtOwnEventAsync(string organizer)
    {
        var own = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                    b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
                }
            )
        );
        var ticket = await (await Register(own, fx.Member().Token)).AssertStatus(201);
        var code = ticket["ticket_code"]!.GetValue<string>();
        await (
            await Client.PostJson($"/api/v1/events/{own}/check-in", new { ticket_code = code }, organizer)
        ).AssertStatus(200);
        return (own, ticket);
    }

    /// <summary>Whether another transaction holds the event row, asked with NOWAIT, so the test never waits.</summary>
    private async Task<bool> EventRowLockedAsync(Guid eventId)
    {
        try
        {
            await using var probe = await fx.HoldAsync(
                "SELECT 1 FROM community_events WHERE id = @id FOR UPDATE NOWAIT",
                ("id", eventId)
            );
            return false;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return true;
        }
    }

    [Fact]
    public async Task Every_read_of_an_event_counts_my_seat_as_it_shows_my_registration_while_I_register_and_cancel()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer, b => b["capacity"] = 10));
        var (_, member) = fx.Member();
        var lockStep = new ReadsAmongWrites();
        var toggling = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await (await Register(e, member)).AssertStatus(201);
                // Every fifth turn, wait for a read while registered and one while not, whatever the load.
                if (i % 5 == 4)
                    await lockStep.AwaitReadAsync();
                await (
                    await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, member)
                ).AssertStatus(200);
                if (i % 5 == 4)
                    await lockStep.AwaitReadAsync();
            }
        });
        var seen = new HashSet<bool>();
        await lockStep.ReadUntilAsync(
            toggling,
            async () =>
            {
                // Each answer is one moment: the only seat is counted exactly when it shows my registration as live.
                var read = await (await Client.Get($"/api/v1/events/{e}", member)).AssertStatus(200);
                var registered = read["is_registered"]!.GetValue<bool>();
                Assert.Equal(registered ? 1 : 0, read["registration_count"]!.GetValue<int>());
                seen.Add(registered);
            }
        );
        Assert.Equal([false, true], seen.Order());
    }
}
