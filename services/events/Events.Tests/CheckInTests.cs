using Community.Contracts.Identity;

namespace Community.Events.Tests;

public sealed class CheckInTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    // The venue of EventsFixture.EventBody: Alexanderplatz, Berlin.
    private const double VenueLat = 52.5219,
        VenueLon = 13.4132;

    private HttpClient Client => fx.Client;

    /// <summary>An event starting in 30 minutes (so check-in is open) with a confirmed attendee.</summary>
    private async Task<(string EventId, string Organizer, string Attendee, string TicketCode)> StartingSoonAsync(
        Action<JsonObject>? change = null
    )
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
                change?.Invoke(b);
            }
        );
        var id = e["id"]!.GetValue<string>();
        var (_, attendee) = fx.Member();
        var registration = await (
            await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, attendee)
        ).AssertStatus(201);
        return (id, organizer, attendee, registration["ticket_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_attendee_inside_the_fence_checks_in_once_however_often_they_try()
    {
        var (id, _, attendee, code) = await StartingSoonAsync();
        var before = await fx.OutboxCountAsync("ArrivalRecorded");

        // About 50 m north of the venue, inside the default 150 m fence.
        var first = await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new { latitude = VenueLat + 0.00045, longitude = VenueLon },
                attendee
            )
        ).AssertStatus(200);
        var attempts = await Task.WhenAll(
            Enumerable
                .Range(0, 5)
                .Select(_ =>
                    Client.PostJson(
                        $"/api/v1/events/{id}/check-in",
                        new { latitude = VenueLat, longitude = VenueLon },
                        attendee
                    )
                )
        );

        Assert.False(first["already_checked_in"]!.GetValue<bool>());
        Assert.Equal(code, first["ticket_code"]!.GetValue<string>());
        Assert.InRange(first["distance_m"]!.GetValue<double>(), 40, 60);
        foreach (var attempt in attempts)
        {
            var again = await attempt.AssertStatus(200);
            Assert.True(again["already_checked_in"]!.GetValue<bool>());
            Assert.Equal(
                first["arrived_at"]!.GetValue<DateTimeOffset>(),
                again["arrived_at"]!.GetValue<DateTimeOffset>()
            );
        }
        Assert.Equal(before + 1, await fx.OutboxCountAsync("ArrivalRecorded"));
        var stats = await (await Client.Get($"/api/v1/events/{id}/stats", (await OrganizerOf(id)))).AssertStatus(200);
        Assert.Equal(1, stats["arrivals"]!.GetValue<int>());
    }

    private async Task<string> OrganizerOf(string eventId)
    {
        var organizerId = await fx.ScalarAsync<Guid>(
            "SELECT organizer_id FROM community_events WHERE id = @id",
            ("id", Guid.Parse(eventId))
        );
        return fx.TokenFor(organizerId, "organizer");
    }

    [Fact]
    public async Task Outside_the_fence_is_refused_with_the_distance_and_nothing_is_recorded()
    {
        var (id, _, attendee, _) = await StartingSoonAsync(b => b["geofence_radius_m"] = 100);

        // About 1.1 km east.
        var problem = await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new { latitude = VenueLat, longitude = VenueLon + 0.0163 },
                attendee
            )
        ).AssertProblem(422);

        Assert.InRange(problem["distance_m"]!.GetValue<double>(), 1000, 1200);
        Assert.Equal(100, problem["geofence_radius_m"]!.GetValue<int>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND arrived_at IS NOT NULL",
                ("id", Guid.Parse(id))
            )
        );
    }

    [Fact]
    public async Task Check_in_is_open_from_an_hour_before_the_start_until_the_end()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer); // starts in 3 days, lasts 2 hours
        var id = e["id"]!.GetValue<string>();
        var (attendeeId, attendee) = fx.Member();
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, attendee)).AssertStatus(201);
        var here = new { latitude = VenueLat, longitude = VenueLon };

        var early = await (await Client.PostJson($"/api/v1/events/{id}/check-in", here, attendee)).AssertProblem(422);
        Assert.NotNull(early["check_in_opens_at"]);

        fx.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(50));
        await (await Client.PostJson($"/api/v1/events/{id}/check-in", here, fx.TokenFor(attendeeId))).AssertStatus(200);

        var (lateId, lateToken) = fx.Member();
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, lateToken)).AssertStatus(201);
        fx.Clock.Advance(TimeSpan.FromHours(3));
        await (await Client.PostJson($"/api/v1/events/{id}/check-in", here, fx.TokenFor(lateId))).AssertProblem(422);
    }

    [Fact]
    public async Task The_organizer_checks_in_any_ticket_by_code_without_a_location()
    {
        var (id, organizer, _, code) = await StartingSoonAsync();
        // The holder as identity announced them: the door says whose ticket it is, whatever page of attendees it shows.
        await fx.ExecuteAsync(
            "INSERT INTO user_profiles (user_id, username, full_name, as_of) "
                + "SELECT user_id, 'musa', 'Musa Diallo', now() FROM registrations WHERE ticket_code = @code",
            ("code", code)
        );

        var arrival = await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new { ticket_code = code.ToLowerInvariant() },
                organizer
            )
        ).AssertStatus(200);

        Assert.Equal(code, arrival["ticket_code"]!.GetValue<string>());
        Assert.Null(arrival["distance_m"]);
        Assert.Equal("musa", arrival["username"]!.GetValue<string>());
        Assert.Equal("Musa Diallo", arrival["full_name"]!.GetValue<string>());
        await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = "EVT-AAAAAAAAAA" }, organizer)
        ).AssertProblem(404);
        await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = "not-a-code" }, organizer)
        ).AssertProblem(400);
        // Another organizer cannot use someone else's ticket code: as an attendee without a registration they have
        // none.
        await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new
                {
                    ticket_code = code,
                    latitude = VenueLat,
                    longitude = VenueLon,
                },
                fx.Organizer().Token
            )
        ).AssertProblem(404);
    }

    // The check-in has read a confirmed ticket of a published event; a cancellation of the ticket, or of the event
    // (holding the ticket's row too, so the check-in waits whatever it locks), commits before the arrival lands.
    [Theory]
    [InlineData(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = now(), updated_at = now() "
            + "WHERE id = @r AND event_id = @e",
        "cancelled"
    )]
    [InlineData(
        "UPDATE community_events SET status = 'cancelled', cancelled_at = now() WHERE id = @e; "
            + "SELECT 1 FROM registrations WHERE id = @r FOR UPDATE",
        "not taking place"
    )]
    public async Task A_ticket_or_event_cancelled_while_its_check_in_is_under_way_gets_no_arrival(
        string cancellation,
        string refusal
    )
    {
        var (id, organizer, _, code) = await StartingSoonAsync();
        var registrationId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM registrations WHERE ticket_code = @code",
            ("code", code)
        );
        var before = await fx.OutboxCountAsync("ArrivalRecorded");

        var checkIn = fx.CommitsWhileWaitedOnAsync(
            cancellation,
            () => Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = code }, organizer),
            "the check-in never waited for the cancellation",
            ("e", Guid.Parse(id)),
            ("r", registrationId)
        );

        var refused = await (await checkIn).AssertProblem(409);
        Assert.Contains(refusal, refused["detail"]!.GetValue<string>());
        Assert.Null(
            await fx.ScalarAsync<DateTime?>(
                "SELECT arrived_at FROM registrations WHERE id = @id",
                ("id", registrationId)
            )
        );
        Assert.Equal(before, await fx.OutboxCountAsync("ArrivalRecorded"));
    }

    // The admin's check-in has written its arrival and waits for the event's row (held here, as an edit holds it)
    // when the admin's account is erased: the erasure waits for it, then clears who checked in.
    [Fact]
    public async Task A_check_in_under_way_when_its_checkers_account_is_erased_keeps_the_arrival_not_the_checker()
    {
        var (id, _, _, code) = await StartingSoonAsync();
        var (adminId, admin) = fx.Admin();
        var registrationId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM registrations WHERE ticket_code = @code",
            ("code", code)
        );

        Task<HttpResponseMessage> checkIn;
        Task erased;
        await using (
            var edit = await fx.HoldAsync(
                "SELECT 1 FROM community_events WHERE id = @e FOR UPDATE",
                ("e", Guid.Parse(id))
            )
        )
        {
            checkIn = Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = code }, admin);
            await fx.WaitingOnALockAsync(
                "%FROM community_events WHERE id = % FOR SHARE%",
                1,
                "the check-in never waited for the event"
            );
            var deleted = new UserDeleted(Guid.NewGuid(), fx.Tick(), adminId);
            await fx.PublishAsync(deleted);
            erased = fx.HandledAsync(deleted.MessageId, "UserDeletedConsumer");
            await fx.DoneOrWaitingOnALockAsync(
                () => erased.IsCompleted,
                "%pg_advisory_xact_lock(%",
                1,
                "the erasure never waited for the check-in"
            );
            await edit.CommitAsync();
        }

        await (await checkIn).AssertStatus(200);
        await erased;
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>(
                "SELECT arrived_at FROM registrations WHERE id = @id",
                ("id", registrationId)
            )
        );
        Assert.Null(
            await fx.ScalarAsync<Guid?>(
                "SELECT checked_in_by FROM registrations WHERE id = @id",
                ("id", registrationId)
            )
        );
    }

    [Fact]
    public async Task An_erased_checker_whose_token_still_passes_checks_in_nobody()
    {
        var (id, _, _, code) = await StartingSoonAsync();
        var (adminId, admin) = fx.Admin();
        // The instance knows the admin from a code they tried: their token passes until its revocation arrives.
        await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = "EVT-AAAAAAAAAA" }, admin)
        ).AssertProblem(404);
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), adminId), "UserDeletedConsumer");
        var before = await fx.OutboxCountAsync("ArrivalRecorded");

        var refused = await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { ticket_code = code }, admin)
        ).AssertProblem(403);

        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        Assert.Null(
            await fx.ScalarAsync<DateTime?>(
                "SELECT arrived_at FROM registrations WHERE ticket_code = @code",
                ("code", code)
            )
        );
        Assert.Equal(before, await fx.OutboxCountAsync("ArrivalRecorded"));
    }

    [Fact]
    public async Task Bad_check_ins_are_clear_problems()
    {
        var (id, _, attendee, _) = await StartingSoonAsync();
        var (_, stranger) = fx.Member();

        await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { longitude = VenueLon }, attendee)
        ).AssertProblem(400);
        await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new { latitude = 95, longitude = VenueLon },
                attendee
            )
        ).AssertProblem(400);
        await (
            await Client.PostJson(
                $"/api/v1/events/{id}/check-in",
                new { latitude = VenueLat, longitude = VenueLon },
                stranger
            )
        ).AssertProblem(404);
        await (
            await Client.PostJson($"/api/v1/events/{id}/check-in", new { latitude = VenueLat, longitude = VenueLon })
        ).AssertProblem(401);

        // A held (unpaid) seat has no ticket to check in.
        var (_, organizer) = fx.Organizer();
        var paid = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
                b["price_cents"] = 1000;
                b["currency"] = "EUR";
            }
        );
        var (_, payer) = fx.Member();
        await (await Client.PostJson($"/api/v1/events/{paid["id"]}/registrations", new { }, payer)).AssertProblem(402);
        await (
            await Client.PostJson(
                $"/api/v1/events/{paid["id"]}/check-in",
                new { latitude = VenueLat, longitude = VenueLon },
                payer
            )
        ).AssertProblem(409);
    }
}
