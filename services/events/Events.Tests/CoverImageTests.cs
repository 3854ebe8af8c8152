using System.Net.Http.Headers;
using Community.Contracts.Identity;
using Community.Contracts.Social;
using Community.Events.Data;
using Community.Events.Photos;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Tests;

public sealed class CoverImageTests(PhotosFixture fx) : IClassFixture<PhotosFixture>
{
    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    [Fact]
    public async Task The_owner_uploads_a_cover_the_event_links_it_and_anyone_who_sees_the_event_reads_the_bytes()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var png = Images.Png();

        var updated = await (await Put(e, organizer, Form(png, "cover.bin", "application/octet-stream"))).AssertStatus(
            200
        );
        var url = $"/api/v1/events/{e}/cover";
        Assert.Equal(url, updated["cover_image_url"]!.GetValue<string>());
        var details = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
        Assert.Equal(url, details["cover_image_url"]!.GetValue<string>());
        // Stored re-encoded: a PNG again, of the same size, not the bytes sent.
        var stored = await File.ReadAllBytesAsync(Assert.Single(CoverFiles(e)));
        Assert.Equal(png[..24], stored[..24]);

        // A public event's cover is read without a token, like the event.
        using (var content = await fx.Client.Get(url))
        {
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(stored, await content.Content.ReadAsByteArrayAsync());
        }

        // Another cover replaces the first, whose file goes.
        var jpeg = Images.Jpeg();
        await (await Put(e, organizer, Form(jpeg))).AssertStatus(200);
        Assert.EndsWith(".jpg", Assert.Single(CoverFiles(e)));
        using (var content = await fx.Client.Get(url))
        {
            Assert.Equal("image/jpeg", content.Content.Headers.ContentType?.MediaType);
            Assert.Equal(
                await File.ReadAllBytesAsync(Assert.Single(CoverFiles(e))),
                await content.Content.ReadAsByteArrayAsync()
            );
        }

        // Other changes keep the uploaded cover (its relative address passes as the stored value).
        var patched = await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", new { title = "Renamed" }, organizer)
        ).AssertStatus(200);
        Assert.Equal(url, patched["cover_image_url"]!.GetValue<string>());
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{e}", new { cover_image_url = url }, organizer)
        ).AssertStatus(200);
        Assert.Single(CoverFiles(e));
    }

    [Fact]
    public async Task Delete_removes_the_cover_and_its_file_and_the_address_stops_serving()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        await (await Put(e, organizer, Form(Images.WebP(), "c.webp", "image/webp"))).AssertStatus(200);
        Assert.Single(CoverFiles(e));

        var (_, member) = fx.Member();
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/cover", null, member)).AssertProblem(
            403
        );
        Assert.Single(CoverFiles(e));

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/cover", null, organizer)).AssertStatus(
            204
        );
        Assert.Empty(CoverFiles(e));
        var details = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
        Assert.Null(details["cover_image_url"]);
        await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
    }

    [Fact]
    public async Task A_linked_address_given_in_patch_replaces_an_uploaded_cover_and_its_file()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        await (await Put(e, organizer, Form(Images.Png()))).AssertStatus(200);

        var patched = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{e}",
                new { cover_image_url = "https://cdn.example.com/cover.png" },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal("https://cdn.example.com/cover.png", patched["cover_image_url"]!.GetValue<string>());
        Assert.Empty(CoverFiles(e));
        await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
        // Only the stored value passes unchecked: another relative address is still refused.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/events/{e}",
                new { cover_image_url = "/somewhere/else.png" },
                organizer
            )
        ).AssertProblem(400);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_upload_and_a_private_events_cover_stays_hidden()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer, b => b["visibility"] = "private"));
        var (_, member) = fx.Member();
        var (_, otherOrganizer) = fx.Organizer();

        await (await Put(e, member, Form(Images.Png()))).AssertProblem(404); // cannot see it: not told it exists
        var open = Id(await fx.CreateEventAsync(organizer));
        var refused = await (await Put(open, otherOrganizer, Form(Images.Png()))).AssertProblem(403);
        Assert.Contains("organizer or an admin", refused["detail"]!.GetValue<string>());
        await (await Put(open, null, Form(Images.Png()))).AssertProblem(401);
        Assert.Empty(CoverFiles(open));

        var (_, admin) = fx.Admin();
        await (await Put(e, admin, Form(Images.Png()))).AssertStatus(200);
        await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/events/{e}/cover", member)).AssertProblem(404);
        using var asOwner = await fx.Client.Get($"/api/v1/events/{e}/cover", organizer);
        Assert.Equal(HttpStatusCode.OK, asOwner.StatusCode);
    }

    [Fact]
    public async Task Wrong_content_and_too_large_files_are_refused_and_nothing_is_stored()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        var text = await (
            await Put(e, organizer, Form("not an image at all"u8.ToArray(), "cover.jpg", "image/jpeg"))
        ).AssertProblem(415);
        Assert.Contains("not a JPEG, PNG or WebP", text["detail"]!.GetValue<string>());
        await (await Put(e, organizer, Form([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "cut.jpg", "image/jpeg"))).AssertProblem(
            415
        );
        var notForm = new ByteArrayContent(Images.Png());
        notForm.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await (await Put(e, organizer, notForm)).AssertProblem(415);

        var tooLarge = await (
            await Put(e, organizer, Form(Images.Jpeg(size: 5 * 1024 * 1024 + 1)), expectContinue: true)
        ).AssertProblem(413);
        Assert.Contains("5 MB", tooLarge["detail"]!.GetValue<string>());
        await (await Put(e, organizer, Form(Images.Jpeg(size: 6 * 1024 * 1024)), expectContinue: true)).AssertProblem(
            413
        );
        var tooWide = await (
            await Put(e, organizer, Form(Images.Png(width: 20_001, height: 1, pixels: false)))
        ).AssertProblem(400);
        Assert.NotNull(tooWide["errors"]!["file"]);

        Assert.Empty(CoverFiles(e));
        var details = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
        Assert.Null(details["cover_image_url"]);
    }

    [Fact]
    public async Task Deleting_a_draft_deletes_its_cover_file()
    {
        var (_, organizer) = fx.Organizer();
        var draft = Id(await fx.CreateEventAsync(organizer, publish: false));
        await (await Put(draft, organizer, Form(Images.Png()))).AssertStatus(200);
        Assert.Single(CoverFiles(draft));

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{draft}", null, organizer)).AssertStatus(
            204
        );
        Assert.Empty(CoverFiles(draft));
    }

    [Fact]
    public async Task A_UserDeleted_message_erases_the_covers_of_every_event_the_user_organised_and_nobody_elses()
    {
        var (leaverId, _) = fx.Member();
        var asOrganizer = fx.TokenFor(leaverId, "organizer");
        var draft = Id(await fx.CreateEventAsync(asOrganizer, publish: false));
        var published = Id(await fx.CreateEventAsync(asOrganizer));
        var cancelled = Id(await fx.CreateEventAsync(asOrganizer));
        var linked = Id(
            await fx.CreateEventAsync(asOrganizer, b => b["cover_image_url"] = "https://cdn.example.com/mine.png")
        );
        foreach (var e in new[] { draft, published, cancelled })
            await (await Put(e, asOrganizer, Form(Images.Png()))).AssertStatus(200);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{cancelled}", null, asOrganizer)
        ).AssertStatus(204);
        var (_, otherOrganizer) = fx.Organizer();
        var others = Id(await fx.CreateEventAsync(otherOrganizer));
        await (await Put(others, otherOrganizer, Form(Images.Png()))).AssertStatus(200);

        var message = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId);
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = message.MessageId);

        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM community_events WHERE id = @id",
                    ("id", Guid.Parse(draft))
                ) == 0,
            "the deleted user's draft was never removed"
        );
        // Deleted, cancelled by the erasure or before it, linked or uploaded: no event of theirs has a cover left.
        Assert.All(new[] { draft, published, cancelled }, e => Assert.Empty(CoverFiles(e)));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE organizer_id = @id "
                    + "AND (cover_image_url IS NOT NULL OR cover_image_key IS NOT NULL)",
                ("id", leaverId)
            )
        );
        // The published ones are cancelled, not deleted, and still shown: without a cover.
        foreach (var e in new[] { published, cancelled, linked })
        {
            var seen = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
            Assert.Equal("cancelled", seen["status"]!.GetValue<string>());
            Assert.Null(seen["cover_image_url"]);
            await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
        }
        Assert.Single(CoverFiles(others));
    }

    [Fact]
    public async Task A_cancelled_events_cover_takes_no_replacement_but_its_organizer_or_an_admin_removes_it()
    {
        var (_, organizer) = fx.Organizer();
        var byOrganizer = Id(await fx.CreateEventAsync(organizer));
        var byAdmin = Id(await fx.CreateEventAsync(organizer));
        foreach (var e in new[] { byOrganizer, byAdmin })
        {
            await (await Put(e, organizer, Form(Images.Png()))).AssertStatus(200);
            await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}", null, organizer)).AssertStatus(
                204
            );
        }

        // Cancelled, the event is still shown to anyone, and so is its cover; it takes no new one.
        using (var served = await fx.Client.Get($"/api/v1/events/{byOrganizer}/cover"))
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        await (await Put(byOrganizer, organizer, Form(Images.Jpeg()))).AssertProblem(409);
        Assert.EndsWith(".png", Assert.Single(CoverFiles(byOrganizer)));

        var (_, member) = fx.Member();
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{byOrganizer}/cover", null, member)
        ).AssertProblem(403);
        Assert.Single(CoverFiles(byOrganizer));
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{byOrganizer}/cover", null, organizer)
        ).AssertStatus(204);
        var (_, admin) = fx.Admin();
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{byAdmin}/cover", null, admin)
        ).AssertStatus(204);
        foreach (var e in new[] { byOrganizer, byAdmin })
        {
            Assert.Empty(CoverFiles(e));
            var seen = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
            Assert.Equal("cancelled", seen["status"]!.GetValue<string>());
            Assert.Null(seen["cover_image_url"]);
            await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
        }
    }

    [Fact]
    public async Task A_report_resolved_with_remove_content_takes_the_cover_off_the_event_cancelled_or_over()
    {
        var (organizerId, organizer) = fx.Organizer();
        var upcoming = Id(await fx.CreateEventAsync(organizer));
        var over = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(10).ToString("O");
                    b["ends_at"] = fx.Clock.GetUtcNow().AddMinutes(20).ToString("O");
                }
            )
        );
        foreach (var e in new[] { upcoming, over })
            await (await Put(e, organizer, Form(Images.Png()))).AssertStatus(200);
        fx.Clock.Advance(TimeSpan.FromMinutes(30));

        foreach (var e in new[] { upcoming, over })
            await fx.DeliverAsync(Removal(e), "ReportedEventCanceller");

        // The upcoming event is cancelled, the one that is over stays as it took place: both are still shown, neither
        // with the cover, whose file goes once that is committed.
        foreach (var (e, status) in new[] { (upcoming, "cancelled"), (over, "published") })
        {
            var seen = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
            Assert.Equal(status, seen["status"]!.GetValue<string>());
            Assert.Null(seen["cover_image_url"]);
            await (await fx.Client.Get($"/api/v1/events/{e}/cover")).AssertProblem(404);
            await Eventually.TrueAsync(
                () => Task.FromResult(CoverFiles(e).Length == 0),
                "the removed cover's file was never deleted"
            );
        }

        // Nor does the organizer put a cover back on either: one is cancelled, the other stays as it took place.
        organizer = fx.TokenFor(organizerId, Community.Contracts.Roles.Organizer);
        foreach (var e in new[] { upcoming, over })
        {
            await (await Put(e, organizer, Form(Images.Png()))).AssertProblem(409);
            await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/events/{e}",
                    new { cover_image_url = "https://example.com/back.png" },
                    organizer
                )
            ).AssertProblem(409);
            Assert.Null((await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200))["cover_image_url"]);
        }
    }

    [Fact]
    public async Task A_cover_whose_put_fails_once_its_file_is_stored_leaves_no_file_and_the_event_as_it_was()
    {
        await using var host = fx.StartHostFaultingAfterPut(FaultAfterPut.AnswerLost);
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        await (await Put(e, organizer, Form(Images.Png()), client: client)).AssertProblem(500);

        Assert.Empty(CoverFiles(e));
        var seen = await (await fx.Client.Get($"/api/v1/events/{e}")).AssertStatus(200);
        Assert.Null(seen["cover_image_url"]);
    }

    [Fact]
    public async Task A_cover_whose_swap_commits_but_loses_its_answer_keeps_the_new_file_and_serves_it()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        await (await Put(e, organizer, Form(Images.Png(), "c.png", "image/png"))).AssertStatus(200);
        var before = await CoverKeyAsync(e);

        // The row now names the new file: deleting it because the commit seemed to fail would leave a 404 for good.
        fx.Commits.FailNext(SwapsCover(e, before), committed: true);
        await (await Put(e, organizer, Form(Images.Jpeg()))).AssertProblem(503);

        var key = await CoverKeyAsync(e);
        Assert.NotEqual(before, key);
        Assert.EndsWith(".jpg", key);
        var file = Path.Combine(fx.PhotoRoot, key!);
        Assert.Contains(file, CoverFiles(e));
        using var content = await fx.Client.Get($"/api/v1/events/{e}/cover");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/jpeg", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(file), await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task After_a_lost_commit_the_check_whether_the_row_names_the_new_file_waits_for_a_commit_in_flight()
    {
        var (_, organizer) = fx.Organizer();
        var e = Guid.Parse(Id(await fx.CreateEventAsync(organizer)));
        var key = $"events/{e}/cover-in-flight.png";
        await using var scope = fx.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EventsDbContext>();

        // A commit not visible yet (synchronous replication) would read as "not named", and the file be deleted.
        var (waited, named) = await Sql.CheckDuringWriteAsync(
            fx.Resources.DatabaseConnectionString,
            "UPDATE community_events SET cover_image_key = @key WHERE id = @id",
            [("key", key), ("id", e)],
            () => CoverImageApi.NamesCoverAsync(db, e, key, CancellationToken.None)
        );
        Assert.True(waited);
        Assert.True(named);
    }

    [Fact]
    public async Task A_cover_whose_swap_rolls_back_leaves_no_new_file_and_the_old_cover_in_place()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        await (await Put(e, organizer, Form(Images.Png(), "c.png", "image/png"))).AssertStatus(200);
        var before = await CoverKeyAsync(e);

        fx.Commits.FailNext(SwapsCover(e, before), committed: false);
        await (await Put(e, organizer, Form(Images.Jpeg()))).AssertProblem(503);

        Assert.Equal(before, await CoverKeyAsync(e));
        var file = Assert.Single(CoverFiles(e));
        Assert.Equal(Path.Combine(fx.PhotoRoot, before!), file);
        using var content = await fx.Client.Get($"/api/v1/events/{e}/cover");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(file), await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_stale_if_match_on_the_cover_is_a_412_changing_nothing_and_the_current_one_gets_the_new_etag()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var tag = (await fx.Client.Get($"/api/v1/events/{e}", organizer)).Headers.ETag!.Tag;
        await (
            await fx.Client.SendIfMatch(
                HttpMethod.Patch,
                $"/api/v1/events/{e}",
                "{\"description\": \"Bring water\"}",
                organizer,
                null
            )
        ).AssertStatus(200);

        // the event changed since that ETag: the upload is refused, no cover is set and no file is left behind
        await (await Put(e, organizer, Form(Images.Png()), ifMatch: tag)).AssertProblem(412);
        Assert.Null(
            (await (await fx.Client.Get($"/api/v1/events/{e}", organizer)).AssertStatus(200))["cover_image_url"]
                ?.GetValue<string>()
        );
        Assert.Empty(CoverFiles(e));

        var current = (await fx.Client.Get($"/api/v1/events/{e}", organizer)).Headers.ETag!.Tag;
        var uploaded = await Put(e, organizer, Form(Images.Png()), ifMatch: current);
        await uploaded.AssertStatus(200);
        Assert.NotEqual(current, uploaded.Headers.ETag!.Tag);
        Assert.Equal(uploaded.Headers.ETag, (await fx.Client.Get($"/api/v1/events/{e}", organizer)).Headers.ETag);

        await (
            await fx.Client.SendIfMatch(HttpMethod.Delete, $"/api/v1/events/{e}/cover", "", organizer, current)
        ).AssertProblem(412);
        Assert.Single(CoverFiles(e));
        await (
            await fx.Client.SendIfMatch(
                HttpMethod.Delete,
                $"/api/v1/events/{e}/cover",
                "",
                organizer,
                uploaded.Headers.ETag!.Tag
            )
        ).AssertStatus(204);
        Assert.Empty(CoverFiles(e));
    }

    private ReportResolved Removal(string eventId) =>
        ReportRemovals.Of(fx.Clock, eventId, "hate", "An offensive cover image.");

    private Task<string?> CoverKeyAsync(string eventId) =>
        fx.ScalarAsync<string>(
            "SELECT cover_image_key FROM community_events WHERE id = @id",
            ("id", Guid.Parse(eventId))
        );

    /// <summary>The upload's swap: a context setting the cover to another than <paramref name="before"/>.</summary>
    private static Func<DbContext, bool> SwapsCover(string eventId, string? before) =>
        context =>
            context
                .ChangeTracker.Entries<CommunityEvent>()
                .Any(c => c.Entity.Id == Guid.Parse(eventId) && c.Entity.CoverImageKey != before);

    private string[] CoverFiles(string eventId)
    {
        var folder = Path.Combine(fx.PhotoRoot, "events", eventId);
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "cover-*") : [];
    }

    private async Task<HttpResponseMessage> Put(
        string eventId,
        string? token,
        HttpContent content,
        bool expectContinue = false,
        string? ifMatch = null,
        HttpClient? client = null
    )
    {
        // Expect: 100-continue lets the server refuse an oversized body before it is sent, so the 413 cannot race the
        // write.
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/events/{eventId}/cover")
        {
            Content = content,
        };
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        if (expectContinue)
            request.Headers.ExpectContinue = true;
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await (client ?? fx.Client).SendAsync(request);
    }

    private static MultipartFormDataContent Form(
        byte[] bytes,
        string fileName = "cover.jpg",
        string contentType = "image/jpeg"
    )
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "file", fileName } };
    }
}
