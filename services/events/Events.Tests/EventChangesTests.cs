namespace Community.Events.Tests;

/// <summary>Changing events (PATCH), the updates that announce it, and who may.</summary>
public sealed class EventChangesTests(EventsFixture fx) : CatalogueTestsBase, IClassFixture<EventsFixture>
{
    protected override EventsFixture Fixture => fx;

    // ---- patch ----

    [Fact]
    public async Task Registrations_follow_the_event_as_it_is_now_not_as_an_earlier_registration_read_it()
    {
        // Each instance keeps the terms of events it registered people for; every change below lands after they were
        // kept.
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 2;
                b["price_cents"] = 2500;
                b["currency"] = "EUR";
            }
        );
        var id = e.Str("id");
        Task<HttpResponseMessage> Register(string token) =>
            Client.PostJson($"/api/v1/events/{id}/registrations", new { }, token);
        var (_, first) = fx.Member();
        Assert.Equal(2500, (await (await Register(first)).AssertProblem(402))["price_cents"]!.GetValue<long>());
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}/registrations/me", null, first)
        ).AssertStatus(200);

        // A new price (no seat taken): the next hold, and the message announcing it, are at the new price.
        await (await Patch(id, new { price_cents = 4000 }, organizer)).AssertStatus(200);
        var held = await (await Register(fx.Member().Token)).AssertProblem(402);
        Assert.Equal(4000, held["price_cents"]!.GetValue<long>());
        var holdId = held["registration_id"]!.GetValue<string>();
        Assert.Equal(
            4000L,
            await fx.ScalarAsync<long>(
                "SELECT amount_cents FROM registrations WHERE id = @id",
                ("id", Guid.Parse(holdId))
            )
        );
        Assert.Equal(
            4000L,
            await fx.ScalarAsync<long>(
                "SELECT (payload->>'amountCents')::bigint FROM outbox_messages WHERE payload->>'registrationId' = @id",
                ("id", holdId)
            )
        );

        // The waiting list switched off on a full event: refused, not waitlisted.
        await (await Patch(id, new { capacity = 1, waitlist_enabled = false }, organizer)).AssertStatus(200);
        Assert.Contains(
            "full",
            (await (await Register(fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>()
        );

        // Made private: to a member without an invitation it is no event at all, as its page is.
        await (await Patch(id, new { capacity = 5, visibility = "private" }, organizer)).AssertStatus(200);
        Assert.Equal(
            "No event has this id.",
            (await (await Register(fx.Member().Token)).AssertProblem(404))["detail"]!.GetValue<string>()
        );

        // Public again (someone registers, so its terms are kept), then cancelled: refused as cancelled.
        await (await Patch(id, new { visibility = "public" }, organizer)).AssertStatus(200);
        await (await Register(fx.Member().Token)).AssertProblem(402);
        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}", null, organizer)).AssertStatus(204);
        Assert.Contains(
            "cancelled",
            (await (await Register(fx.Member().Token)).AssertProblem(409))["detail"]!.GetValue<string>()
        );

        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND amount_cents = 4000",
                ("id", Guid.Parse(id))
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM registrations WHERE event_id = @id AND status = 'waitlisted'",
                ("id", Guid.Parse(id))
            )
        );
    }

    [Fact]
    public async Task The_owner_changes_a_published_event_and_an_update_lists_the_changed_fields()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        var id = e.Str("id");

        var changed = await (await Patch(id, new { title = "Chess and coffee" }, organizer)).AssertStatus(200);
        Assert.Equal("Chess and coffee", changed.Str("title"));
        Assert.Equal(e.Str("description"), changed.Str("description"));
        Assert.Equal(e.Time("starts_at"), changed.Time("starts_at"));
        Assert.Equal("published", changed.Str("status"));
        Assert.Equal(1L, await OutboxRowsAsync("EventUpdated", id));
        Assert.Equal("title", await ChangedFieldsAsync(id));
        // The new title and the visibility travel with the change, for the social feed.
        Assert.Equal(
            "Chess and coffee",
            await fx.ScalarAsync<string>(
                "SELECT payload->>'title' FROM outbox_messages WHERE type LIKE '%.EventUpdated,%' AND "
                    + "payload->>'eventId' = @id",
                ("id", id)
            )
        );
        Assert.Equal(
            "public",
            await fx.ScalarAsync<string>(
                "SELECT payload->>'visibility' FROM outbox_messages WHERE type LIKE '%.EventUpdated,%' AND "
                    + "payload->>'eventId' = @id",
                ("id", id)
            )
        );

        var seen = await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200);
        Assert.Equal("Chess and coffee", seen.Str("title"));

        // The same value again is no change: no message.
        await (await Patch(id, new { title = "Chess and coffee" }, organizer)).AssertStatus(200);
        Assert.Equal(1L, await OutboxRowsAsync("EventUpdated", id));

        var starts = fx.Clock.GetUtcNow().AddDays(10);
        await (
            await Patch(
                id,
                new
                {
                    starts_at = starts.ToString("O"),
                    ends_at = starts.AddHours(3).ToString("O"),
                    capacity = 12,
                },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal(2L, await OutboxRowsAsync("EventUpdated", id));
        Assert.Equal("capacity,ends_at,starts_at", await ChangedFieldsAsync(id));
    }

    [Fact]
    public async Task Sending_back_the_times_a_response_showed_is_no_change()
    {
        var (_, organizer) = fx.Organizer();
        // Sub-microsecond digits, as a client's clock gives them: the database keeps microseconds.
        var starts = fx.Clock.GetUtcNow().AddDays(4).AddTicks(7);
        var created = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = starts.ToString("O");
                b["ends_at"] = starts.AddHours(2).ToString("O");
            }
        );
        var id = created.Str("id");
        var read = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.Equal(created.Str("starts_at"), read.Str("starts_at"));
        Assert.Equal(created.Str("published_at"), read.Str("published_at"));

        await (
            await Patch(
                id,
                new
                {
                    title = "Same time, new name",
                    starts_at = starts.ToString("O"),
                    ends_at = starts.AddHours(2).ToString("O"),
                },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal("title", await ChangedFieldsAsync(id));
        await (
            await Patch(id, new { starts_at = created.Str("starts_at"), ends_at = created.Str("ends_at") }, organizer)
        ).AssertStatus(200);
        Assert.Equal(1L, await OutboxRowsAsync("EventUpdated", id));
    }

    [Fact]
    public async Task Changing_a_draft_publishes_no_update()
    {
        var (_, organizer) = fx.Organizer();
        var draft = await fx.CreateEventAsync(organizer, publish: false);
        var changed = await (
            await Patch(draft.Str("id"), new { title = "Still a draft", description = "" }, organizer)
        ).AssertStatus(200);
        Assert.Equal("Still a draft", changed.Str("title"));
        Assert.Equal("", changed.Str("description"));
        Assert.Equal("draft", changed.Str("status"));
        Assert.Equal(0L, await OutboxRowsAsync("EventUpdated", draft.Str("id")));
    }

    [Fact]
    public async Task Null_clears_optional_fields_and_absent_fields_are_kept()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["cover_image_url"] = "https://cdn.example.com/cover.jpg";
                b["capacity"] = 40;
                b["geofence_radius_m"] = 500;
            }
        );
        var id = e.Str("id");

        var cleared = await (
            await Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{id}",
                "{\"cover_image_url\": null, \"region\": null, \"capacity\": null, \"geofence_radius_m\": null}",
                organizer
            )
        ).AssertStatus(200);
        Assert.Null(cleared["cover_image_url"]);
        Assert.Null(cleared["region"]);
        Assert.Null(cleared["capacity"]);
        Assert.Null(cleared["spots_remaining"]);
        Assert.Equal(150, cleared["geofence_radius_m"]!.GetValue<int>());
        Assert.Equal(e.Str("title"), cleared.Str("title"));
        Assert.Equal("Berlin", cleared.Str("city"));

        var seen = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.Null(seen["cover_image_url"]);
        Assert.Null(seen["capacity"]);
        Assert.Equal(e.Str("title"), seen.Str("title"));
        Assert.Equal("Café Central", seen.Str("location_name"));
        Assert.Equal(1L, await OutboxRowsAsync("EventUpdated", id));
        Assert.Equal("capacity,cover_image_url,geofence_radius_m,region", await ChangedFieldsAsync(id));
    }

    [Theory]
    [InlineData("{\"title\": \"\"}", "title")]
    [InlineData("{\"title\": null}", "title")]
    [InlineData("{\"event_type\": \"rave\"}", "event_type")]
    [InlineData("{\"latitude\": 91}", "latitude")]
    [InlineData("{\"latitude\": null}", "latitude")]
    [InlineData("{\"geofence_radius_m\": 10}", "geofence_radius_m")]
    [InlineData("{\"title\": \"A fine new title\", \"geofence_radius_m\": 5000}", "geofence_radius_m")]
    [InlineData("{\"time_zone\": \"Mars/Base\"}", "time_zone")]
    [InlineData("{\"capacity\": 0}", "capacity")]
    [InlineData("{\"price_cents\": 500}", "currency")]
    [InlineData("{\"price_cents\": 500, \"currency\": \"EURO\"}", "currency")]
    [InlineData("{\"price_cents\": -5, \"currency\": \"EUR\"}", "price_cents")]
    [InlineData("{\"ends_at\": \"2001-01-01T00:00:00Z\"}", "ends_at")]
    [InlineData("{\"starts_at\": \"2001-01-01T00:00:00Z\", \"ends_at\": \"2001-01-01T02:00:00Z\"}", "starts_at")]
    [InlineData("{\"status\": \"cancelled\"}", "status")]
    [InlineData("{\"organizer_id\": \"00000000-0000-0000-0000-000000000001\"}", "organizer_id")]
    [InlineData("{\"seats_taken\": 3}", "seats_taken")]
    [InlineData("{\"title\": \"Fine title\", \"published_at\": null}", "published_at")]
    [InlineData("{\"capacity\": \"ten\"}", "capacity")]
    [InlineData("{\"title\": 42}", "title")]
    [InlineData("{\"interests\": \"games\"}", "interests")]
    public async Task An_invalid_change_is_refused_and_nothing_changes(string patch, string field)
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        var id = e.Str("id");

        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{id}", patch, organizer)).AssertFieldProblem(
            field
        );

        var seen = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.Equal(e.Str("title"), seen.Str("title"));
        Assert.Equal("published", seen.Str("status"));
        Assert.Equal(organizerId, seen["organizer_id"]!.GetValue<Guid>());
        Assert.Equal(150, seen["geofence_radius_m"]!.GetValue<int>());
        Assert.Equal("Europe/Berlin", seen.Str("time_zone"));
        Assert.Equal(0, seen["registration_count"]!.GetValue<int>());
        Assert.Equal(e.Time("starts_at"), seen.Time("starts_at"));
        Assert.Equal(e.Time("updated_at"), seen.Time("updated_at"));
        Assert.Equal(0L, await OutboxRowsAsync("EventUpdated", id));
    }

    [Theory]
    [InlineData("{\"title\": ")]
    [InlineData("[\"title\"]")]
    [InlineData("\"title\"")]
    public async Task A_malformed_change_is_a_bad_request(string raw)
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e["id"]}", raw, organizer)).AssertProblem(400);
        Assert.Equal(0L, await OutboxRowsAsync("EventUpdated", e.Str("id")));
    }

    [Fact]
    public async Task Another_organizer_or_a_member_may_not_change_an_event_but_an_admin_may()
    {
        var (_, organizer) = fx.Organizer();
        var (_, stranger) = fx.Organizer();
        var (_, member) = fx.Member();
        var (_, admin) = fx.Admin();
        var e = await fx.CreateEventAsync(organizer);
        var id = e.Str("id");

        await (await Patch(id, new { title = "Hijacked" }, stranger)).AssertProblem(403);
        await (await Patch(id, new { title = "Hijacked" }, member)).AssertProblem(403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Patch(id, new { title = "Hijacked" }, null)).StatusCode);
        Assert.Equal(e.Str("title"), (await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200)).Str("title"));

        var byAdmin = await (await Patch(id, new { title = "Moderated title" }, admin)).AssertStatus(200);
        Assert.Equal("Moderated title", byAdmin.Str("title"));
        Assert.Equal(e.Str("organizer_id"), byAdmin.Str("organizer_id"));

        var draft = await fx.CreateEventAsync(organizer, publish: false);
        await (await Patch(draft.Str("id"), new { title = "Hijacked" }, stranger)).AssertProblem(404);
        await (await Patch(Guid.NewGuid().ToString(), new { title = "Nobody's" }, admin)).AssertProblem(404);
    }

    [Fact]
    public async Task Capacity_cannot_go_below_the_seats_taken()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 5);
        var id = e.Str("id");
        await RegisterAsync(id);
        await RegisterAsync(id);

        var refused = await (await Patch(id, new { capacity = 1 }, organizer)).AssertFieldProblem("capacity");
        Assert.Contains("2", refused["errors"]!["capacity"]![0]!.GetValue<string>());
        Assert.Equal(
            5,
            (await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200))["capacity"]!.GetValue<int>()
        );

        var exact = await (await Patch(id, new { capacity = 2 }, organizer)).AssertStatus(200);
        Assert.Equal(2, exact["capacity"]!.GetValue<int>());
        Assert.Equal(0, exact["spots_remaining"]!.GetValue<int>());
        Assert.Equal(2, exact["registration_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_price_is_fixed_once_people_have_registered()
    {
        var (_, organizer) = fx.Organizer();
        var before = await fx.CreateEventAsync(organizer);
        var priced = await (
            await Patch(before.Str("id"), new { price_cents = 2500, currency = "EUR" }, organizer)
        ).AssertStatus(200);
        Assert.Equal(2500, priced["price_cents"]!.GetValue<long>());
        Assert.False(priced["is_free"]!.GetValue<bool>());

        var e = await fx.CreateEventAsync(organizer);
        var id = e.Str("id");
        await RegisterAsync(id);

        await (await Patch(id, new { price_cents = 1000, currency = "EUR" }, organizer)).AssertFieldProblem(
            "price_cents"
        );
        var seen = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.Equal(0, seen["price_cents"]!.GetValue<long>());
        Assert.True(seen["is_free"]!.GetValue<bool>());

        // Other fields still change.
        await (await Patch(id, new { title = "Free forever" }, organizer)).AssertStatus(200);
        // The refund cutoff may come closer to the start (a kinder policy), not move away from it.
        await (await Patch(id, new { refund_cutoff_hours = 48 }, organizer)).AssertFieldProblem("refund_cutoff_hours");
        await (await Patch(id, new { refund_cutoff_hours = 12 }, organizer)).AssertStatus(200);
        await (await Patch(id, new { refund_cutoff_hours = 24 }, organizer)).AssertFieldProblem("refund_cutoff_hours");
    }

    [Fact]
    public async Task The_refund_terms_hold_for_those_waiting_even_with_no_seat_taken()
    {
        var (_, organizer) = fx.Organizer();
        var id = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 1)).Str("id");
        var (seatedId, _) = await RegisterAsync(id);
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, fx.Member().Token)).AssertStatus(
            202
        );
        // The seat given back and nobody moved up yet (a promotion left to the sweeper): only the waiting list.
        await fx.ExecuteAsync(
            "UPDATE registrations SET status = 'cancelled', cancelled_at = now() WHERE user_id = @u AND event_id = @e; "
                + "UPDATE community_events SET seats_taken = 0 WHERE id = @e",
            ("u", seatedId),
            ("e", Guid.Parse(id))
        );

        await (await Patch(id, new { refund_cutoff_hours = 48 }, organizer)).AssertFieldProblem("refund_cutoff_hours");
        await (await Patch(id, new { refund_cutoff_hours = 12 }, organizer)).AssertStatus(200);
    }

    [Fact]
    public async Task A_price_change_racing_the_first_registration_is_refused_once_its_seat_is_taken()
    {
        var (_, organizer) = fx.Organizer();
        var id = (await fx.CreateEventAsync(organizer)).Str("id");

        // A registration has its seat counted and holds the event's row; the change (no If-Match) comes meanwhile.
        var changed = await fx.CommitsWhileWaitedOnAsync(
            "UPDATE community_events SET seats_taken = seats_taken + 1 WHERE id = @id",
            () => Patch(id, new { price_cents = 1000, currency = "EUR" }, organizer),
            "the change never waited for the registration",
            ("id", Guid.Parse(id))
        );

        // The one registered agreed to a free event: the change sees the seat taken and is refused.
        await changed.AssertFieldProblem("price_cents");
        var seen = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.True(seen["is_free"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_price_kept_as_it_is_is_not_judged_again_when_something_else_changes()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 1250;
                b["currency"] = "KWD";
            }
        );
        var id = e.Str("id");
        // A price stored before thousandths had to end in 0.
        await fx.ExecuteAsync("UPDATE community_events SET price_cents = 1255 WHERE id = @id", ("id", Guid.Parse(id)));
        await (await Patch(id, new { title = "Still 1.255 KWD" }, organizer)).AssertStatus(200);
        // Changed, it must be one that can be charged.
        await (await Patch(id, new { price_cents = 1505 }, organizer)).AssertFieldProblem("price_cents");
        await (await Patch(id, new { price_cents = 1500 }, organizer)).AssertStatus(200);
    }

    [Fact]
    public async Task An_earlier_start_cannot_end_the_refunds_of_those_registered_sooner()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 2500;
                b["currency"] = "EUR";
            }
        );
        var id = e.Str("id");
        var starts = e.Time("starts_at");
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, fx.Member().Token)).AssertProblem(
            402
        );

        // An hour earlier with the same 24-hour cutoff: refunds would end an hour sooner.
        var earlier = starts.AddHours(-1).ToString("O");
        var refused = await (await Patch(id, new { starts_at = earlier }, organizer)).AssertFieldProblem("starts_at");
        Assert.Contains("refund", refused["errors"]!["starts_at"]![0]!.GetValue<string>());
        Assert.Equal(
            starts,
            (await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200)).Time("starts_at")
        );

        // A start so early that it less the cutoff is before year 1 is refused like any past start (it was a 500).
        await (await Patch(id, new { starts_at = "0001-01-01T05:00:00Z" }, organizer)).AssertFieldProblem("starts_at");
        // A cutoff out of its range with a new start is refused as such, not reckoned with (those were 500s).
        foreach (var cutoff in new[] { int.MaxValue, int.MinValue, -100_000_000, 100_000_000 })
            await (
                await Patch(id, new { starts_at = earlier, refund_cutoff_hours = cutoff }, organizer)
            ).AssertFieldProblem("refund_cutoff_hours");

        // Later is fine, and so is earlier with a cutoff an hour shorter: the refund deadline stays where it was.
        await (await Patch(id, new { starts_at = starts.AddHours(1).ToString("O") }, organizer)).AssertStatus(200);
        await (await Patch(id, new { starts_at = starts.ToString("O") }, organizer)).AssertFieldProblem("starts_at");
        var kept = await (
            await Patch(id, new { starts_at = earlier, refund_cutoff_hours = 22 }, organizer)
        ).AssertStatus(200);
        Assert.Equal(starts.AddHours(-1), kept.Time("starts_at"));
    }

    [Fact]
    public async Task Who_registered_keeps_their_event_when_it_is_made_private_or_their_invitation_is_taken_back()
    {
        var (_, organizer) = fx.Organizer();
        var id = (await fx.CreateEventAsync(organizer)).Str("id");
        var (_, attendee) = await RegisterAsync(id);
        var (_, stranger) = fx.Member();
        await (await Patch(id, new { visibility = "private" }, organizer)).AssertStatus(200);

        await (await Client.Get($"/api/v1/events/{id}", attendee)).AssertStatus(200);
        await (await Client.Get($"/api/v1/events/{id}/registrations/me", attendee)).AssertStatus(200);
        await (await Client.Get($"/api/v1/events/{id}/registrations/me/ticket", attendee)).AssertStatus(200);
        await (await Client.Get($"/api/v1/events/{id}", stranger)).AssertProblem(404);
        // Registering again answers the registration they hold, as for any event.
        var again = await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, attendee)).AssertStatus(
            200
        );
        Assert.Equal("confirmed", again.Str("status"));
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, stranger)).AssertProblem(404);
        // Once they cancel, it is a private event they were not invited to.
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}/registrations/me", null, attendee)
        ).AssertStatus(200);
        await (await Client.Get($"/api/v1/events/{id}", attendee)).AssertProblem(404);
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, attendee)).AssertProblem(404);
    }

    [Fact]
    public async Task A_cancelled_event_cannot_be_changed()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e["id"]}", null, organizer)).AssertStatus(
            204
        );
        await (await Patch(e.Str("id"), new { title = "Back from the dead" }, organizer)).AssertProblem(409);
        Assert.Equal(
            e.Str("title"),
            (await (await Client.Get($"/api/v1/events/{e["id"]}")).AssertStatus(200)).Str("title")
        );
    }

    [Fact]
    public async Task An_event_that_is_over_cannot_be_changed_so_it_cannot_be_made_cancellable_again()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(10).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddMinutes(20).ToString("O");
            }
        );
        var id = e.Str("id");
        fx.Clock.Advance(TimeSpan.FromMinutes(30));
        organizer = fx.TokenFor(organizerId, Community.Contracts.Roles.Organizer);

        // A later end would make it cancellable, and a cancellation refunds every ticket of an event people went to.
        var later = fx.Clock.GetUtcNow().AddDays(30).ToString("O");
        await (await Patch(id, new { ends_at = later }, organizer)).AssertProblem(409);
        await (await Patch(id, new { title = "Renamed afterwards" }, organizer)).AssertProblem(409);
        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}", null, organizer)).AssertProblem(409);

        var seen = await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200);
        Assert.Equal("published", seen.Str("status"));
        Assert.Equal(e.Str("title"), seen.Str("title"));
        Assert.Equal(e.Time("ends_at"), seen.Time("ends_at"));
        Assert.Equal(0L, await OutboxRowsAsync("EventUpdated", id));

        // An admin still may, to take abusive words off it.
        var (_, admin) = fx.Admin();
        var cleaned = await (await Patch(id, new { description = "Removed by the moderators." }, admin)).AssertStatus(
            200
        );
        Assert.Equal("Removed by the moderators.", cleaned.Str("description"));
    }

    [Fact]
    public async Task An_event_under_way_may_run_longer_but_its_end_cannot_be_moved_into_the_past()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(10).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
            }
        );
        var id = e.Str("id");
        fx.Clock.Advance(TimeSpan.FromMinutes(20));
        organizer = fx.TokenFor(organizerId, Community.Contracts.Roles.Organizer);

        // Declared over at once, it could no longer be cancelled (nor refunded by the moderators' removal).
        var past = fx.Clock.GetUtcNow().AddMinutes(-1).ToString("O");
        await (await Patch(id, new { ends_at = past }, organizer)).AssertFieldProblem("ends_at");
        Assert.Equal(
            e.Time("ends_at"),
            (await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200)).Time("ends_at")
        );

        // Its start, already past, is kept as it is; a later end and other changes are fine.
        var longer = fx.Clock.GetUtcNow().AddHours(4);
        var changed = await (
            await Patch(id, new { ends_at = longer.ToString("O"), title = "Running late" }, organizer)
        ).AssertStatus(200);
        Assert.Equal(longer, changed.Time("ends_at"), TimeSpan.FromMilliseconds(1));
        Assert.Equal("Running late", changed.Str("title"));
    }
}
