using System.Globalization;
using System.Net.Http.Headers;
using Community.Contracts.Identity;
using Community.Contracts.Social;

namespace Community.Events.Tests;

/// <summary>
/// Social's blocks hold in events too: a pair in a block, either way, neither sees nor joins the organizer's events and
/// courses; who registered or enrolled before the block keeps what they hold.
/// </summary>
public sealed class EventBlocksTests(PhotosFixture fx) : CourseTestsBase, IClassFixture<PhotosFixture>
{
    protected override EventsFixture Fixture => fx;

    private HttpClient Client => fx.Client;

    // ---- registering ----

    [Fact]
    public async Task Nobody_registers_nor_waits_for_an_event_across_a_block_either_way_until_it_is_lifted()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 5)).Str("id");
        var (blockedId, blocked) = fx.Member();
        var (blockerId, blocker) = fx.Member();
        // Both may register (and cancel) before any block.
        foreach (var token in new[] { blocked, blocker })
        {
            await (await Register(e, token)).AssertStatus(201);
            await (await Cancel(e, token)).AssertStatus(200);
        }
        var full = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 1)).Str("id");
        await (await Register(full, fx.Member().Token)).AssertStatus(201);
        await (await Register(full, fx.Member().Token)).AssertStatus(202);

        await BlockAsync(organizerId, blockedId);
        await BlockAsync(blockerId, organizerId);

        foreach (var (userId, token) in new[] { (blockedId, blocked), (blockerId, blocker) })
        {
            // Refused as the event's page refuses them: a block, and the event, are not told.
            var refused = await (await Register(e, token)).AssertProblem(404);
            Assert.Equal("No event has this id.", refused.Str("detail"));
            // The waiting list is closed to them too.
            await (await Register(full, token)).AssertProblem(404);
            Assert.Equal(0L, await LiveRegistrationsAsync(e, userId));
            Assert.Equal(0L, await LiveRegistrationsAsync(full, userId));
        }
        Assert.Equal(0, await fx.SeatsTakenAsync(e));

        await UnblockAsync(organizerId, blockedId);
        await (await Register(e, blocked)).AssertStatus(201);
        await (await Register(full, blocked)).AssertStatus(202);
        // The other block stands.
        await (await Register(e, blocker)).AssertProblem(404);
    }

    [Fact]
    public async Task Registering_across_a_block_for_a_cancelled_event_is_the_404_of_no_event_not_its_cancellation()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (memberId, member) = fx.Member();
        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}", null, organizer)).AssertStatus(204);
        // Outside a block the cancellation is told (so the 404 below cannot pass for another reason).
        await (await Register(e, fx.Member().Token)).AssertProblem(409);

        await BlockAsync(organizerId, memberId);
        var refused = await (await Register(e, member)).AssertProblem(404);
        Assert.Equal("No event has this id.", refused.Str("detail"));
    }

    [Fact]
    public async Task A_blocked_newcomer_registering_with_others_at_once_takes_no_seat_from_them()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["capacity"] = 3;
                    b["waitlist_enabled"] = false;
                }
            )
        ).Str("id");
        var (blockerId, blocker) = fx.Member();
        await BlockAsync(blockerId, organizerId);
        string[] tokens = [blocker, fx.Member().Token, fx.Member().Token, fx.Member().Token];

        // Pressed at once, they share a batch (or a few): the refused one must not use up a seat's rank.
        var responses = await Task.WhenAll(tokens.Select(token => Register(e, token)));

        await responses[0].AssertProblem(404);
        foreach (var response in responses.Skip(1))
            await response.AssertStatus(201);
        Assert.Equal(3, await fx.SeatsTakenAsync(e));
        Assert.Equal(0L, await LiveRegistrationsAsync(e, blockerId));
    }

    [Fact]
    public async Task A_registrant_in_a_block_made_after_registering_still_sees_the_event_and_may_cancel()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (memberId, member) = fx.Member();
        var registration = await (await Register(e, member)).AssertStatus(201);

        await BlockAsync(organizerId, memberId);

        var details = await (await Client.Get($"/api/v1/events/{e}", member)).AssertStatus(200);
        Assert.True(details["is_registered"]!.GetValue<bool>());
        await (await Client.Get($"/api/v1/events/{e}/registrations/me", member)).AssertStatus(200);
        // Pressing again answers the registration they hold, as without the block.
        var again = await (await Register(e, member)).AssertStatus(200);
        Assert.Equal(registration.Str("id"), again.Str("id"));

        var cancelled = await (await Cancel(e, member)).AssertStatus(200);
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.Equal(0, await fx.SeatsTakenAsync(e));
        // Once it is cancelled the block holds: the event is gone for them, and a new registration is refused.
        await (await Client.Get($"/api/v1/events/{e}", member)).AssertProblem(404);
        await (await Register(e, member)).AssertProblem(404);
    }

    [Fact]
    public async Task A_waiter_in_a_block_with_the_organizer_loses_the_place_and_the_freed_seat_goes_to_the_next()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 1)).Str("id");
        var (_, holder) = fx.Member();
        var (blockedId, blocked) = fx.Member();
        var (nextId, next) = fx.Member();
        await (await Register(e, holder)).AssertStatus(201);
        await (await Register(e, blocked)).AssertStatus(202);
        await (await Register(e, next)).AssertStatus(202);
        await BlockAsync(organizerId, blockedId);

        await (await Cancel(e, holder)).AssertStatus(200);
        // The cancellation's own promotion, or the sweeper's when that one held the event's promotion lock just then.
        await Eventually.TrueAsync(
            async () => await fx.StatusAsync(e, nextId) == "confirmed",
            "the next on the waiting list was never given the freed seat"
        );

        // No seat, and no ticket announced, across the block: the place ends as a cancellation of a waiting one.
        await fx.AssertWaitingPlaceLostAsync(e, blockedId);
        // The seat went to the next in line, and only one seat is taken.
        Assert.Equal("confirmed", await fx.StatusAsync(e, nextId));
        Assert.Equal(1L, await fx.OutboxForAsync("RegistrationConfirmed", nextId));
        Assert.Equal(1, await fx.SeatsTakenAsync(e));
        await (await Register(e, blocked)).AssertProblem(404);
    }

    // ---- seeing ----

    [Fact]
    public async Task Lists_nearby_and_details_hide_an_organizers_events_from_whoever_is_in_a_block_with_them()
    {
        var (organizerId, organizer) = fx.Organizer();
        var city = "Blockburg" + Guid.NewGuid().ToString("N")[..8];
        var (lat, lon) = (-20.2, 57.5);
        var e = (
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["city"] = city;
                    b["latitude"] = lat;
                    b["longitude"] = lon;
                }
            )
        ).Str("id");
        var list = $"/api/v1/events?city={city}";
        var nearby =
            $"/api/v1/events/nearby?lat={lat.ToString(CultureInfo.InvariantCulture)}"
            + $"&lon={lon.ToString(CultureInfo.InvariantCulture)}&radius_km=1";
        var (blockerId, blocker) = fx.Member();
        var (blockedId, blocked) = fx.Member();
        var (_, bystander) = fx.Member();
        foreach (var token in new[] { blocker, blocked })
            await AssertSeenAsync(token);

        await BlockAsync(blockerId, organizerId);
        await BlockAsync(organizerId, blockedId);

        foreach (var token in new[] { blocker, blocked })
        {
            Assert.Empty((await (await Client.Get(list, token)).AssertStatus(200)).Ids());
            Assert.Empty((await (await Client.Get(nearby, token)).AssertStatus(200)).Ids());
            await (await Client.Get($"/api/v1/events/{e}", token)).AssertProblem(404);
            await (await Client.Get($"/api/v1/events/{e}.ics", token)).AssertProblem(404);
        }
        // Only the pair: anyone else, anonymous callers and the organizer see it as before.
        foreach (var token in new[] { bystander, organizer, null })
            await AssertSeenAsync(token);

        await UnblockAsync(blockerId, organizerId);
        await AssertSeenAsync(blocker);
        // The organizer's own block stands.
        await (await Client.Get($"/api/v1/events/{e}", blocked)).AssertProblem(404);

        async Task AssertSeenAsync(string? token)
        {
            Assert.Equal([e], (await (await Client.Get(list, token)).AssertStatus(200)).Ids());
            Assert.Equal([e], (await (await Client.Get(nearby, token)).AssertStatus(200)).Ids());
            await (await Client.Get($"/api/v1/events/{e}", token)).AssertStatus(200);
        }
    }

    [Fact]
    public async Task Changing_an_event_or_course_across_a_block_answers_the_404_its_page_does_not_a_403()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var course = (await CreateCourseAsync(organizer)).Str("id");
        var (memberId, member) = fx.Member();
        var (_, stranger) = fx.Member();
        await BlockAsync(organizerId, memberId);

        await (await Client.Get($"/api/v1/events/{e}", member)).AssertProblem(404);
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", new { }, member)).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{e}/attendees", member)).AssertProblem(404);
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{course}", new { }, member)).AssertProblem(
            404
        );
        // Someone who sees them is told they may not.
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", new { }, stranger)).AssertProblem(403);
        await (await Client.Get($"/api/v1/events/{e}/attendees", stranger)).AssertProblem(403);
        await (await Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{course}", new { }, stranger)).AssertProblem(
            403
        );
    }

    // ---- photos ----

    [Fact]
    public async Task Photos_of_someone_in_a_block_with_the_viewer_are_kept_from_them_but_not_from_the_organizer()
    {
        var (_, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (attendeeId, attendee) = fx.Member();
        await (await Register(e, attendee)).AssertStatus(201);
        var photo = (await (await UploadPhoto(e, attendee)).AssertStatus(201)).Str("id");
        var (watcherId, watcher) = fx.Member();
        var (_, bystander) = fx.Member();
        Assert.Equal(1, (await PhotosAsync(e, watcher))["total"]!.GetValue<int>());

        foreach (var (blocker, blocked) in new[] { (attendeeId, watcherId), (watcherId, attendeeId) })
        {
            await BlockAsync(blocker, blocked);
            // Neither in the gallery, nor by the id kept from before.
            var page = await PhotosAsync(e, watcher);
            Assert.Equal(0, page["total"]!.GetValue<int>());
            Assert.Empty(page["items"]!.AsArray());
            await (await Client.Get($"/api/v1/events/{e}/photos/{photo}/content", watcher)).AssertProblem(404);
            // Everyone else, and the organizer who moderates the gallery, still sees it.
            Assert.Equal(1, (await PhotosAsync(e, bystander))["total"]!.GetValue<int>());
            Assert.Equal(1, (await PhotosAsync(e, organizer))["total"]!.GetValue<int>());
            using var content = await Client.Get($"/api/v1/events/{e}/photos/{photo}/content", organizer);
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            await UnblockAsync(blocker, blocked);
        }
        Assert.Equal(1, (await PhotosAsync(e, watcher))["total"]!.GetValue<int>());
    }

    private async Task<JsonNode> PhotosAsync(string eventId, string token) =>
        await (await Client.Get($"/api/v1/events/{eventId}/photos", token)).AssertStatus(200);

    [Fact]
    public async Task An_attendee_in_a_block_with_the_organizer_adds_no_photos_to_the_event()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (memberId, member) = fx.Member();
        await (await Register(e, member)).AssertStatus(201);
        await (await UploadPhoto(e, member)).AssertStatus(201);

        await BlockAsync(memberId, organizerId);

        var refused = await (await UploadPhoto(e, member)).AssertProblem(403);
        Assert.Contains("You cannot add photos", refused.Str("detail"));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @u", ("u", memberId))
        );
        // The organizer's gallery stays theirs.
        await (await UploadPhoto(e, organizer)).AssertStatus(201);

        await UnblockAsync(memberId, organizerId);
        await (await UploadPhoto(e, member)).AssertStatus(201);
    }

    // ---- courses ----

    [Fact]
    public async Task A_course_is_hidden_and_closed_across_a_block_but_its_learners_keep_it()
    {
        var (organizerId, organizer) = fx.Organizer();
        var category = "blocks" + Guid.NewGuid().ToString("N")[..8];
        var course = (await CreateCourseAsync(organizer, b => b["category"] = category)).Str("id");
        var list = $"/api/v1/courses?category={category}";
        var (memberId, member) = fx.Member();
        var (learnerId, learner) = fx.Member();
        Assert.Equal([course], (await (await Client.Get(list, member)).AssertStatus(200)).Ids());
        await (await Client.Get($"/api/v1/courses/{course}", member)).AssertStatus(200);
        var enrolled = await (await Enroll(course, learner)).AssertStatus(201);

        await BlockAsync(organizerId, memberId);
        await BlockAsync(learnerId, organizerId);

        Assert.Empty((await (await Client.Get(list, member)).AssertStatus(200)).Ids());
        await (await Client.Get($"/api/v1/courses/{course}", member)).AssertProblem(404);
        var refused = await (await Enroll(course, member)).AssertProblem(404);
        Assert.Equal("No course has this id.", refused.Str("detail"));
        var progress = new { module_id = Guid.NewGuid(), completed = true };
        var noProgress = await (
            await Client.PostJson($"/api/v1/courses/{course}/progress", progress, member)
        ).AssertProblem(404);
        Assert.Equal("No course has this id.", noProgress.Str("detail"));
        // One in no block is told what to do.
        await (await Client.PostJson($"/api/v1/courses/{course}/progress", progress, fx.Member().Token)).AssertProblem(
            403
        );
        Assert.Equal(0L, await EnrollmentRowsAsync(Guid.Parse(course), memberId));
        // Who enrolled before the block keeps the course.
        await (await Client.Get($"/api/v1/courses/{course}", learner)).AssertStatus(200);
        Assert.Equal(enrolled.Str("id"), (await (await Enroll(course, learner)).AssertStatus(200)).Str("id"));
        // An admin, who sees every course, is told why.
        var (adminId, admin) = fx.Admin();
        await BlockAsync(adminId, organizerId);
        await (await Client.Get($"/api/v1/courses/{course}", admin)).AssertStatus(200);
        var told = await (await Enroll(course, admin)).AssertProblem(403);
        Assert.Equal(Courses.CourseEnrollments.BlockedWithOrganizer, told.Str("detail"));
        Assert.Equal(0L, await EnrollmentRowsAsync(Guid.Parse(course), adminId));
        // Anyone else sees it as before.
        Assert.Equal([course], (await (await Client.Get(list, fx.Member().Token)).AssertStatus(200)).Ids());

        await UnblockAsync(organizerId, memberId);
        Assert.Equal([course], (await (await Client.Get(list, member)).AssertStatus(200)).Ids());
        await (await Enroll(course, member)).AssertStatus(201);
    }

    // ---- the projection ----

    [Fact]
    public async Task A_deleted_organizers_events_stay_hidden_from_those_in_a_block_with_them()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (blockedId, blocked) = fx.Member();
        var (blockerId, blocker) = fx.Member();
        await BlockAsync(organizerId, blockedId);
        await BlockAsync(blockerId, organizerId);
        await (await Client.Get($"/api/v1/events/{e}", blocked)).AssertProblem(404);

        // The account goes; its event stays, cancelled, as history of those registered: not for either of them.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), organizerId), "UserDeletedConsumer");
        Assert.Equal(
            "cancelled",
            (await (await Client.Get($"/api/v1/events/{e}", fx.Member().Token)).AssertStatus(200)).Str("status")
        );
        await (await Client.Get($"/api/v1/events/{e}", blocked)).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{e}", blocker)).AssertProblem(404);
    }

    [Fact]
    public async Task The_newest_block_message_wins_in_any_order_and_a_deleted_accounts_blocks_stay_as_they_were()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer)).Str("id");
        var (memberId, member) = fx.Member();
        var blockedAt = fx.Tick();
        var unblockedAt = fx.Tick();

        // The unblock overtook the block it lifts: the block arriving late changes nothing.
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), unblockedAt, memberId, organizerId));
        await fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), blockedAt, memberId, organizerId));
        await (await Client.Get($"/api/v1/events/{e}", member)).AssertStatus(200);

        await BlockAsync(memberId, organizerId);
        await (await Client.Get($"/api/v1/events/{e}", member)).AssertProblem(404);
        Assert.Equal(1L, await BlockRowsAsync(memberId));

        // The account's deletion keeps its block that holds, and one announced after it is not recorded, nor a lift.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), memberId), "UserDeletedConsumer");
        Assert.Equal(1L, await BlockRowsAsync(memberId));
        await BlockAsync(organizerId, memberId);
        await UnblockAsync(memberId, organizerId);
        Assert.Equal(1L, await BlockRowsAsync(memberId));
        Assert.True(
            await fx.ScalarAsync<bool>("SELECT blocked FROM user_blocks WHERE blocker_user_id = @u", ("u", memberId))
        );
    }

    // The lift waits for the pair's row (held here, as another block message of the pair holds it) when the blocker's
    // account is erased: the erasure waits for it, then deletes the lifted row with the account's others.
    [Fact]
    public async Task A_block_lifted_while_the_blockers_account_is_erased_leaves_no_row_naming_it()
    {
        var (organizerId, _) = fx.Organizer();
        var (memberId, _) = fx.Member();
        await BlockAsync(memberId, organizerId);

        var lift = new UserUnblocked(Guid.NewGuid(), fx.Tick(), memberId, organizerId);
        var deleted = new UserDeleted(Guid.NewGuid(), fx.Tick(), memberId);
        Task erased;
        await using (
            var pair = await fx.HoldAsync(
                "SELECT 1 FROM user_blocks WHERE blocker_user_id = @u FOR UPDATE",
                ("u", memberId)
            )
        )
        {
            await fx.PublishAsync(lift);
            await fx.WaitingOnALockAsync("%INSERT INTO user_blocks%", 1, "the lift never waited for the pair's row");
            await fx.PublishAsync(deleted);
            erased = fx.HandledAsync(deleted.MessageId, "UserDeletedConsumer");
            await fx.DoneOrWaitingOnALockAsync(
                () => erased.IsCompleted,
                "%pg_advisory_xact_lock(%",
                1,
                "the erasure never waited for the lift"
            );
            await pair.CommitAsync();
        }

        await fx.HandledAsync(lift.MessageId, "UserUnblockedConsumer");
        await erased;
        Assert.Equal(0L, await BlockRowsAsync(memberId));
    }

    private Task BlockAsync(Guid blocker, Guid blocked) =>
        fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), fx.Tick(), blocker, blocked));

    private Task UnblockAsync(Guid blocker, Guid blocked) =>
        fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), blocker, blocked));

    private Task<HttpResponseMessage> Register(string eventId, string token) =>
        Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token);

    private Task<HttpResponseMessage> Cancel(string eventId, string token) =>
        Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, token);

    private Task<HttpResponseMessage> Enroll(string courseId, string token) =>
        Client.PostJson($"/api/v1/courses/{courseId}/enroll", new { }, token);

    private async Task<HttpResponseMessage> UploadPhoto(string eventId, string token)
    {
        var file = new ByteArrayContent(Images.Jpeg());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{eventId}/photos")
        {
            Content = new MultipartFormDataContent { { file, "file", "photo.jpg" } },
        };
        request.Headers.Authorization = new("Bearer", token);
        return await Client.SendAsync(request);
    }

    private Task<long> LiveRegistrationsAsync(string eventId, Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM registrations WHERE event_id = @e AND user_id = @u AND status IN ('held', "
                + "'confirmed', 'waitlisted')",
            ("e", Guid.Parse(eventId)),
            ("u", userId)
        );

    private Task<long> BlockRowsAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM user_blocks WHERE blocker_user_id = @u OR blocked_user_id = @u",
            ("u", userId)
        );
}
