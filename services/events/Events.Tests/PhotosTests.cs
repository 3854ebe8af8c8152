using System.Net.Http.Headers;
using System.Text;
using Community.Contracts.Identity;
using Community.Contracts.Social;
using Community.Events.Photos;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.Events.Tests;

public sealed class PhotosTests(PhotosFixture fx) : IClassFixture<PhotosFixture>
{
    private const int MiB = 1024 * 1024;

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    [Fact]
    public async Task The_organizer_uploads_jpeg_png_and_webp_and_reads_them_back_newest_first()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var jpeg = Images.Jpeg();
        var png = Images.Png();
        var webp = Images.WebP();

        var first = await (
            await Upload(e, organizer, Form(jpeg, "holiday.jpg", "image/jpeg", caption: "  Setting up the tables  "))
        ).AssertStatus(201);
        var second = await (await Upload(e, organizer, Form(png, "board.png", "image/png"))).AssertStatus(201);
        // The declared type is ignored: the bytes say WebP.
        var third = await (
            await Upload(e, organizer, Form(webp, "upload.bin", "application/octet-stream"))
        ).AssertStatus(201);

        Assert.Equal("image/jpeg", first["content_type"]!.GetValue<string>());
        Assert.Equal("image/png", second["content_type"]!.GetValue<string>());
        Assert.Equal("image/webp", third["content_type"]!.GetValue<string>());
        Assert.Equal(e, first["event_id"]!.GetValue<string>());
        Assert.Equal(organizerId.ToString(), first["uploaded_by"]!.GetValue<string>());
        // Stored re-encoded (ImageReencoding): the size is the stored file's, not the upload's.
        Assert.Equal(new FileInfo(fx.FileOf(e, Id(first), "jpg")).Length, first["size_bytes"]!.GetValue<long>());
        Assert.Equal(Images.Width, first["width"]!.GetValue<int>());
        Assert.Equal(Images.Height, first["height"]!.GetValue<int>());
        Assert.Equal("Setting up the tables", first["caption"]!.GetValue<string>());
        Assert.Null(second["caption"]);
        Assert.Equal($"/api/v1/events/{e}/photos/{Id(first)}/content", first["url"]!.GetValue<string>());
        Assert.True(first["created_at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UnixEpoch);
        Assert.True(File.Exists(fx.FileOf(e, Id(second), "png")));
        Assert.True(File.Exists(fx.FileOf(e, Id(third), "webp")));

        var (_, member) = fx.Member();
        var page1 = await (await fx.Client.Get($"/api/v1/events/{e}/photos?limit=2", member)).AssertStatus(200);
        Assert.Equal(3, page1["total"]!.GetValue<int>());
        Assert.Equal(2, page1["pages"]!.GetValue<int>());
        Assert.Equal(2, page1["limit"]!.GetValue<int>());
        Assert.Equal(new[] { Id(third), Id(second) }, page1["items"]!.AsArray().Select(p => Id(p!)));
        var page2 = await (await fx.Client.Get($"/api/v1/events/{e}/photos?limit=2&page=2", member)).AssertStatus(200);
        Assert.Equal(new[] { Id(first) }, page2["items"]!.AsArray().Select(p => Id(p!)));
        await (await fx.Client.Get($"/api/v1/events/{e}/photos?limit=101", member)).AssertProblem(400);

        foreach (
            var (photo, extension, type) in new[]
            {
                (first, "jpg", "image/jpeg"),
                (second, "png", "image/png"),
                (third, "webp", "image/webp"),
            }
        )
        {
            using var content = await fx.Client.Get(photo["url"]!.GetValue<string>(), member);
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal(type, content.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(
                await File.ReadAllBytesAsync(fx.FileOf(e, Id(photo), extension)),
                await content.Content.ReadAsByteArrayAsync()
            );
        }
        await (await fx.Client.Get($"/api/v1/events/{e}/photos")).AssertProblem(401);
        await (await fx.Client.Get($"/api/v1/events/{e}/photos/{Id(first)}/content")).AssertProblem(401);
        await (await fx.Client.Get($"/api/v1/events/{e}/photos/{Guid.NewGuid()}/content", member)).AssertProblem(404);
    }

    [Fact]
    public async Task A_photo_held_already_is_answered_304_without_its_bytes_as_the_contract_says()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var photo = await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201);
        var url = photo["url"]!.GetValue<string>();
        using var first = await fx.Client.Get(url, organizer);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tag = first.Headers.ETag!;
        var stored = first.Content.Headers.LastModified!.Value;

        async Task<HttpResponseMessage> Conditional(string header, string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new("Bearer", organizer);
            request.Headers.TryAddWithoutValidation(header, value);
            return await fx.Client.SendAsync(request);
        }
        using (var same = await Conditional("If-None-Match", tag.ToString()))
        {
            Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
            Assert.Empty(await same.Content.ReadAsByteArrayAsync());
        }
        using (var notNewer = await Conditional("If-Modified-Since", stored.ToString("R")))
            Assert.Equal(HttpStatusCode.NotModified, notNewer.StatusCode);
        using (var other = await Conditional("If-None-Match", "\"another\""))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        // conditioned on another version: a problem, as every refusal
        await (await Conditional("If-Match", "\"another\"")).AssertProblem(412);

        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var operation = document["paths"]!["/api/v1/events/{id}/photos/{photo_id}/content"]!["get"]!;
        Assert.NotNull(operation["responses"]!["304"]);
        Assert.NotNull(operation["responses"]!["412"]!["content"]!["application/problem+json"]);
        Assert.NotNull(operation["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(operation["responses"]!["200"]!["headers"]!["Last-Modified"]);
        var headers = operation["parameters"]!
            .AsArray()
            .Where(p => (string?)p!["in"] == "header")
            .Select(p => (string?)p!["name"]);
        Assert.Contains("If-None-Match", headers);
        Assert.Contains("If-Modified-Since", headers);
    }

    [Fact]
    public async Task A_confirmed_attendee_may_upload_and_a_member_who_is_not_coming_may_not()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (attendeeId, attendee) = fx.Member();
        var registration = await (
            await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, attendee)
        ).AssertStatus(201);
        Assert.Equal("confirmed", registration["status"]!.GetValue<string>());

        var photo = await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertStatus(201);
        Assert.Equal(attendeeId.ToString(), photo["uploaded_by"]!.GetValue<string>());
        // The feed learns of it from EventPhotoAdded, written with the photo.
        Assert.Equal(
            attendeeId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload::jsonb ->> 'userId' FROM outbox_messages WHERE type LIKE '%.EventPhotoAdded,%' AND "
                    + "payload::jsonb ->> 'photoId' = @id",
                ("id", photo["id"]!.GetValue<string>())
            )
        );

        var (_, stranger) = fx.Member();
        var refused = await (await Upload(e, stranger, Form(Images.Jpeg()))).AssertProblem(403);
        Assert.Contains("confirmed registration", refused["detail"]!.GetValue<string>());
        // Looking is allowed to anyone who can see the event.
        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", stranger)).AssertStatus(200);
        Assert.Equal(1, list["total"]!.GetValue<int>());

        // A registration that was cancelled no longer counts.
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, attendee)
        ).AssertStatus(200);
        await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertProblem(403);
    }

    [Fact]
    public async Task A_deleted_photo_tells_the_feed_how_many_of_its_uploaders_photos_of_the_event_are_left()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (attendeeId, attendee) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, attendee)).AssertStatus(201);
        var first = Id(await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertStatus(201));
        var second = Id(await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertStatus(201));
        Task<string?> Removal(string photoId) =>
            fx.ScalarAsync<string?>(
                "SELECT (payload::jsonb ->> 'userId') || ' ' || (payload::jsonb ->> 'photosLeft') FROM outbox_messages "
                    + "WHERE type LIKE '%.EventPhotoRemoved,%' AND payload::jsonb ->> 'photoId' = @id",
                ("id", photoId)
            );

        // Its uploader deletes one (one left), the organizer the other (none left: the feed forgets the news).
        await (await Delete(e, first, attendee)).AssertStatus(204);
        Assert.Equal($"{attendeeId} 1", await Removal(first));
        await (await Delete(e, second, organizer)).AssertStatus(204);
        Assert.Equal($"{attendeeId} 0", await Removal(second));

        // A second delete finds nothing and tells nothing.
        var before = await fx.OutboxCountAsync("EventPhotoRemoved");
        await (await Delete(e, second, organizer)).AssertProblem(404);
        Assert.Equal(before, await fx.OutboxCountAsync("EventPhotoRemoved"));
    }

    [Fact]
    public async Task Drafts_and_private_events_stay_hidden_and_cancelled_events_take_no_photos()
    {
        var (_, organizer) = fx.Organizer();
        var draft = Id(await fx.CreateEventAsync(organizer, publish: false));
        var (memberId, member) = fx.Member();

        await (await Upload(draft, organizer, Form(Images.Png()))).AssertStatus(201);
        await (await Upload(draft, member, Form(Images.Png()))).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/events/{draft}/photos", member)).AssertProblem(404);
        var (_, admin) = fx.Admin();
        var seen = await (await fx.Client.Get($"/api/v1/events/{draft}/photos", admin)).AssertStatus(200);
        Assert.Equal(1, seen["total"]!.GetValue<int>());

        var hidden = Id(await fx.CreateEventAsync(organizer, b => b["visibility"] = "private"));
        var hiddenPhoto = await (await Upload(hidden, organizer, Form(Images.Png()))).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/events/{hidden}/photos", member)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/events/{hidden}/photos/{Id(hiddenPhoto)}/content", member)).AssertProblem(
            404
        );
        var invited = Id(
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["visibility"] = "private";
                    b["invited_user_ids"] = new JsonArray(memberId.ToString());
                }
            )
        );
        await (await fx.Client.Get($"/api/v1/events/{invited}/photos", member)).AssertStatus(200);

        var cancelled = Id(await fx.CreateEventAsync(organizer));
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{cancelled}", null, organizer)
        ).AssertStatus(204);
        await (await Upload(cancelled, organizer, Form(Images.Png()))).AssertProblem(409);
    }

    [Fact]
    public async Task Only_real_jpeg_png_or_webp_content_is_accepted_whatever_the_name_or_declared_type()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        var text = await (
            await Upload(
                e,
                organizer,
                Form(Encoding.UTF8.GetBytes("just some text, honestly a photo"), "photo.jpg", "image/jpeg")
            )
        ).AssertProblem(415);
        Assert.Contains("JPEG, PNG or WebP", text["detail"]!.GetValue<string>());
        await (
            await Upload(
                e,
                organizer,
                Form("GIF89a, a picture but not one we take"u8.ToArray(), "anim.gif", "image/gif")
            )
        ).AssertProblem(415);
        await (await Upload(e, organizer, Form([0xFF, 0xD8], "short.jpg", "image/jpeg"))).AssertProblem(415);
        // Refused by routing, which knows the endpoint accepts multipart/form-data only.
        await (
            await fx.Client.PostJson($"/api/v1/events/{e}/photos", new { file = "aGVsbG8=" }, organizer)
        ).AssertProblem(415);

        var noFile = new MultipartFormDataContent { { new StringContent("a caption without a photo"), "caption" } };
        var missing = await (await Upload(e, organizer, noFile)).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["file"]);
        var empty = await (await Upload(e, organizer, Form([]))).AssertProblem(400);
        Assert.NotNull(empty["errors"]!["file"]);
        var wordy = await (
            await Upload(e, organizer, Form(Images.Jpeg(), caption: new string('x', 501)))
        ).AssertProblem(400);
        Assert.NotNull(wordy["errors"]!["caption"]);
        await (await Upload(e, organizer, Form(Images.Jpeg(), caption: new string('x', 500)))).AssertStatus(201);

        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(1, list["total"]!.GetValue<int>());
        Assert.Single(Directory.GetFiles(Path.Combine(fx.PhotoRoot, "events", e)));
    }

    [Fact]
    public async Task An_upload_waits_for_a_free_image_decode_and_is_refused_with_503_when_none_frees_up()
    {
        // An instance that waits a second for a decode: the refusal comes soon.
        await using var host = fx.StartHostWith(
            new Dictionary<string, string?> { ["Events:Photos:ImageDecodeWait"] = "00:00:01" }
        );
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var gate = host.Services.GetRequiredService<ImageDecodeGate>();
        var held = new List<ImageDecodeGate.Slot>();
        var patientGate = fx.Host.Services.GetRequiredService<ImageDecodeGate>();
        var patientHeld = new List<ImageDecodeGate.Slot>();
        try
        {
            // The process may decode two images at once (the default); both slots are taken by other uploads.
            held.Add(await gate.EnterAsync(CancellationToken.None));
            held.Add(await gate.EnterAsync(CancellationToken.None));

            using var refused = await Upload(e, organizer, Form(Images.Jpeg()), client);
            var problem = await refused.AssertProblem(503);
            Assert.Contains("Too many images", problem["detail"]!.GetValue<string>());
            Assert.Equal(ImageDecodeGate.RetryAfter, refused.Headers.RetryAfter?.Delta);
            // The cover goes through the same gate.
            var cover = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/events/{e}/cover")
            {
                Content = Form(Images.Png(), "cover.png", "image/png"),
            };
            cover.Headers.Authorization = new AuthenticationHeaderValue("Bearer", organizer);
            await (await client.SendAsync(cover)).AssertProblem(503);
            await (await fx.Client.Get($"/api/v1/events/{e}/cover", organizer)).AssertProblem(404);
            var none = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
            Assert.Equal(0, none["total"]!.GetValue<int>());
            Assert.False(Directory.Exists(Path.Combine(fx.PhotoRoot, "events", e)));

            // A slot freed while the upload waits lets it through (the fixture's instance waits 30 s).
            patientHeld.Add(await patientGate.EnterAsync(CancellationToken.None));
            patientHeld.Add(await patientGate.EnterAsync(CancellationToken.None));
            var waiting = Upload(e, organizer, Form(Images.Jpeg()));
            await Task.Delay(200);
            patientHeld[0].Dispose();
            await (await waiting).AssertStatus(201);
        }
        finally
        {
            foreach (var slot in held.Concat(patientHeld))
                slot.Dispose();
        }
        await (await Upload(e, organizer, Form(Images.WebP(), "photo.webp", "image/webp"))).AssertStatus(201);
        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(2, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task One_persons_uploads_in_flight_hold_at_most_a_quarter_of_the_spool_and_the_next_gets_429()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var spool = fx.Host.Services.GetRequiredService<UploadSpool>();
        Assert.Equal(10L * MiB, spool.PerPersonBytes);
        var path = $"/api/v1/events/{e}/photos";
        var held = new List<StalledUpload>();
        try
        {
            // Two uploads of a declared 4 MB whose bodies stop after 2 MB: each holds its room before anything reads
            // it, also the one whose Idempotency-Key has the whole body read (and spooled) before the handler.
            foreach (var key in new[] { Guid.NewGuid().ToString(), null })
                held.Add(
                    await StalledUpload.StartAsync(
                        fx.Host.BaseAddress,
                        path,
                        organizer,
                        4 * MiB,
                        2 * MiB,
                        idempotencyKey: key
                    )
                );
            await Eventually.TrueAsync(() => Task.FromResult(spool.Reserved == 8L * MiB), "the two never arrived");

            // A third of 4 MB would take them past 10 MB.
            using var refused = await Upload(e, organizer, Form(Images.Jpeg(4 * MiB - 4096)));
            var problem = await refused.AssertProblem(429);
            Assert.Contains("as large as one person's may be", problem["detail"]!.GetValue<string>());
            Assert.Equal(UploadSpool.RetryAfter, refused.Headers.RetryAfter?.Delta);
            Assert.Equal(8L * MiB, spool.Reserved);
            // A small one still fits their share; another person is not held back by them.
            await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201);
            var (_, other) = fx.Organizer();
            var theirs = Id(await fx.CreateEventAsync(other));
            await (await Upload(theirs, other, Form(Images.Jpeg(4 * MiB - 4096)))).AssertStatus(201);

            // One of the two given up: its room is back, and the large one goes through.
            await held[0].DisposeAsync();
            await Eventually.TrueAsync(() => Task.FromResult(spool.Reserved == 4L * MiB), "the room never came back");
            await (await Upload(e, organizer, Form(Images.Jpeg(4 * MiB - 4096)))).AssertStatus(201);
        }
        finally
        {
            foreach (var upload in held)
                await upload.DisposeAsync();
        }
        await Eventually.TrueAsync(() => Task.FromResult(spool.Reserved == 0), "an upload kept its room");
        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(2, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Uploads_past_the_spool_get_503_and_a_body_arriving_too_slowly_gets_408_and_its_room_back()
    {
        await using var host = fx.StartHostWith(
            new Dictionary<string, string?>
            {
                ["Events:Photos:UploadSpoolBytes"] = (3 * MiB).ToString(),
                ["Events:Photos:UploadReadTimeout"] = "00:00:20",
            }
        );
        using var client = host.NewClient();
        var spool = host.Services.GetRequiredService<UploadSpool>();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (_, other) = fx.Organizer();
        var theirs = Id(await fx.CreateEventAsync(other));
        var photo = Images.Jpeg(MiB - 4096);

        // 2.5 MB in 20 s is 131 KB/s at least: the 1.5 MB sent keep up with that for about 12 s.
        await using var slow = await StalledUpload.StartAsync(
            host.BaseAddress,
            $"/api/v1/events/{e}/photos",
            organizer,
            5 * MiB / 2,
            3 * MiB / 2
        );
        await Eventually.TrueAsync(() => Task.FromResult(spool.Reserved == 5L * MiB / 2), "the upload never arrived");

        // 2.5 MB of the 3 MB spool are held: a 1 MB upload does not fit, whoever sends it.
        using var refused = await Upload(theirs, other, Form(photo), client);
        var busy = await refused.AssertProblem(503);
        Assert.Contains("Too many uploads", busy["detail"]!.GetValue<string>());
        Assert.Equal(UploadSpool.RetryAfter, refused.Headers.RetryAfter?.Delta);

        // The rest never comes: once the 1.5 MB fall behind the rate, the slow one is refused and its room is free.
        var (status, _, body) = await slow.ResponseAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(408, status);
        var timedOut = JsonNode.Parse(body)!;
        Assert.Equal("Request timeout", timedOut["title"]!.GetValue<string>());
        Assert.Contains("arrived too slowly", timedOut["detail"]!.GetValue<string>());
        Assert.NotNull(timedOut["request_id"]);
        await Eventually.TrueAsync(() => Task.FromResult(spool.Reserved == 0), "the slow upload kept its room");
        await (await Upload(theirs, other, Form(photo), client)).AssertStatus(201);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE event_id = @id", ("id", Guid.Parse(e)))
        );
        Assert.Empty(FilesOf(e));
    }

    [Fact]
    public async Task Photos_up_to_10_MB_pass_the_services_1_MiB_body_limit_and_larger_ones_get_413()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        var twoMb = Images.Jpeg(2 * MiB);
        var accepted = await (await Upload(e, organizer, Form(twoMb), expectContinue: true)).AssertStatus(201);
        // Re-encoded: the padding (comment segments) is gone.
        Assert.True(accepted["size_bytes"]!.GetValue<long>() < 64 * 1024);
        using (var content = await fx.Client.Get(accepted["url"]!.GetValue<string>(), organizer))
            Assert.Equal(
                accepted["size_bytes"]!.GetValue<long>(),
                (await content.Content.ReadAsByteArrayAsync()).Length
            );

        var tenMb = Images.Png(10 * MiB);
        var largest = await (
            await Upload(e, organizer, Form(tenMb, "big.png", "image/png"), expectContinue: true)
        ).AssertStatus(201);
        Assert.True(largest["size_bytes"]!.GetValue<long>() < 64 * 1024); // the padding after IEND is gone

        // One byte over: the body fits the endpoint's limit, the photo does not.
        var justOver = await (
            await Upload(e, organizer, Form(Images.Jpeg(10 * MiB + 1)), expectContinue: true)
        ).AssertProblem(413);
        Assert.Contains("10 MB", justOver["detail"]!.GetValue<string>());
        // Far over: refused from Content-Length before the body is read.
        var farOver = await (
            await Upload(e, organizer, Form(Images.Jpeg(12 * MiB)), expectContinue: true)
        ).AssertProblem(413);
        Assert.Contains("10 MB", farOver["detail"]!.GetValue<string>());

        // Other endpoints keep the service's 1 MiB limit.
        var bigJson = new { title = new string('x', 2 * MiB) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonBody(bigJson) };
        request.Headers.Authorization = new("Bearer", organizer);
        request.Headers.ExpectContinue = true;
        await (await fx.Client.SendAsync(request)).AssertProblem(413);

        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(2, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_uploader_the_organizer_or_an_admin_may_delete_a_photo_and_nobody_else()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (attendeeId, attendee) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, attendee)).AssertStatus(201);
        var own = Id(await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertStatus(201));
        var byOrganizer = Id(
            await (await Upload(e, attendee, Form(Images.Png(), "p.png", "image/png"))).AssertStatus(201)
        );
        var byAdmin = Id(
            await (await Upload(e, organizer, Form(Images.WebP(), "w.webp", "image/webp"))).AssertStatus(201)
        );

        var (_, stranger) = fx.Member();
        await (await Delete(e, own, stranger)).AssertProblem(403);
        var (_, otherOrganizer) = fx.Organizer();
        await (await Delete(e, own, otherOrganizer)).AssertProblem(403);
        Assert.True(File.Exists(fx.FileOf(e, own, "jpg")));

        // The uploader's own photo stays theirs to delete once the event is hidden from them: registration cancelled,
        // and a block with the organizer.
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e}/registrations/me", null, attendee)
        ).AssertStatus(200);
        await fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), fx.Tick(), attendeeId, organizerId));
        await (await fx.Client.Get($"/api/v1/events/{e}", attendee)).AssertProblem(404);
        await (await Delete(e, own, attendee)).AssertStatus(204);
        Assert.False(File.Exists(fx.FileOf(e, own, "jpg")));
        await (await fx.Client.Get($"/api/v1/events/{e}/photos/{own}/content", attendee)).AssertProblem(404);
        await (await Delete(e, own, attendee)).AssertProblem(404);

        await (await Delete(e, byOrganizer, organizer)).AssertStatus(204);
        Assert.False(File.Exists(fx.FileOf(e, byOrganizer, "png")));
        var (_, admin) = fx.Admin();
        await (await Delete(e, byAdmin, admin)).AssertStatus(204);
        Assert.False(File.Exists(fx.FileOf(e, byAdmin, "webp")));

        // Two deletes at the same moment: one removes it, the other finds it gone.
        for (var round = 0; round < 5; round++)
        {
            var twice = Id(await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201));
            var answers = await Task.WhenAll(Delete(e, twice, organizer), Delete(e, twice, admin));
            Assert.Equal(
                new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound },
                answers.Select(a => a.StatusCode).Order()
            );
            Assert.False(File.Exists(fx.FileOf(e, twice, "jpg")));
        }

        // A photo is addressed through its own event only.
        var other = Id(await fx.CreateEventAsync(organizer));
        var elsewhere = Id(await (await Upload(other, organizer, Form(Images.Jpeg()))).AssertStatus(201));
        await (await Delete(e, elsewhere, organizer)).AssertProblem(404);
        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(0, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_eraser_removes_a_deleted_users_photo_rows_and_files_and_nobody_elses()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (leaverId, leaver) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, leaver)).AssertStatus(201);
        var gone = new[]
        {
            Id(await (await Upload(e, leaver, Form(Images.Jpeg()))).AssertStatus(201)),
            Id(await (await Upload(e, leaver, Form(Images.Jpeg()))).AssertStatus(201)),
        };
        var kept = Id(await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201));

        using (var scope = fx.Host.Services.CreateScope())
        {
            var eraser = scope.ServiceProvider.GetServices<IUserDataEraser>().OfType<PhotoEraser>().Single();
            await eraser.EraseAsync(
                new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId),
                CancellationToken.None
            );
            await eraser.EraseAsync(
                new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId),
                CancellationToken.None
            ); // nothing left: no error
        }

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @id", ("id", leaverId))
        );
        Assert.All(gone, id => Assert.False(File.Exists(fx.FileOf(e, id, "jpg"))));
        Assert.True(File.Exists(fx.FileOf(e, kept, "jpg")));
        var list = await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200);
        Assert.Equal(new[] { kept }, list["items"]!.AsArray().Select(p => Id(p!)));
    }

    [Fact]
    public async Task A_UserDeleted_message_erases_the_users_photos_and_those_of_their_deleted_drafts()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (leaverId, leaver) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, leaver)).AssertStatus(201);
        var attended = Id(await (await Upload(e, leaver, Form(Images.Jpeg()))).AssertStatus(201));
        var kept = Id(await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201));
        var asOrganizer = fx.TokenFor(leaverId, "organizer");
        var draft = Id(await fx.CreateEventAsync(asOrganizer, publish: false));
        var draftPhoto = Id(
            await (await Upload(draft, asOrganizer, Form(Images.Png(), "d.png", "image/png"))).AssertStatus(201)
        );

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
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @id", ("id", leaverId))
        );
        Assert.False(File.Exists(fx.FileOf(e, attended, "jpg")));
        Assert.False(File.Exists(fx.FileOf(draft, draftPhoto, "png")));
        Assert.True(File.Exists(fx.FileOf(e, kept, "jpg")));
    }

    [Theory]
    [InlineData("png", Images.Width, Images.Height)]
    [InlineData("jpeg", Images.Width, Images.Height)]
    [InlineData("jpeg-progressive", Images.Width, Images.Height)]
    [InlineData("webp-lossy", Images.Width, Images.Height)]
    [InlineData("webp-lossless", Images.Width, Images.Height)]
    [InlineData("webp-extended", Images.Width, Images.Height)]
    [InlineData("png", 1, 1)]
    [InlineData("jpeg", 12_000, 8)] // the longest side a photo may have
    [InlineData("jpeg-progressive", 9, 17)]
    [InlineData("webp-lossless", 12_000, 3)]
    [InlineData("webp-extended", 12_000, 1)]
    public async Task Width_and_height_are_read_from_the_image_header_stored_and_returned(
        string kind,
        int width,
        int height
    )
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (image, contentType) = kind switch
        {
            "png" => (Images.Png(width: width, height: height), "image/png"),
            "jpeg" => (Images.Jpeg(width: width, height: height), "image/jpeg"),
            "jpeg-progressive" => (Images.Jpeg(width: width, height: height, progressive: true), "image/jpeg"),
            "webp-lossy" => (Images.WebPLossy(), "image/webp"),
            "webp-lossless" => (Images.WebP(width, height), "image/webp"),
            "webp-extended" => (Images.WebPExtended(width, height), "image/webp"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var photo = await (await Upload(e, organizer, Form(image, "photo", "application/octet-stream"))).AssertStatus(
            201
        );
        Assert.Equal(contentType, photo["content_type"]!.GetValue<string>());
        Assert.Equal(width, photo["width"]!.GetValue<int>());
        Assert.Equal(height, photo["height"]!.GetValue<int>());

        var listed = Assert.Single(
            (await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200))["items"]!.AsArray()
        )!;
        Assert.Equal(width, listed["width"]!.GetValue<int>());
        Assert.Equal(height, listed["height"]!.GetValue<int>());
        var id = Guid.Parse(Id(photo));
        Assert.Equal(width, await fx.ScalarAsync<int>("SELECT width FROM event_photos WHERE id = @id", ("id", id)));
        Assert.Equal(height, await fx.ScalarAsync<int>("SELECT height FROM event_photos WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task Images_whose_size_cannot_be_read_is_zero_or_is_too_large_are_refused_and_nothing_is_stored()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var jpeg = Images.Jpeg();
        var frame = Images.FrameHeaderAt(jpeg);
        var lossy = Images.WebPLossy();
        const int Unreadable = 415,
            TooLarge = 400;

        var cases = new (string Name, byte[] Bytes, int Status)[]
        {
            ("PNG cut inside IHDR", Images.Png()[..20], Unreadable),
            ("PNG whose first chunk is not IHDR", Patched(Images.Png(), 12, "tEXt"u8), Unreadable),
            ("PNG of width 0", Images.Png(width: 0, height: 5, pixels: false), Unreadable),
            ("PNG of height 0", Images.Png(width: 5, height: 0, pixels: false), Unreadable),
            ("PNG wider than PNG allows", Images.Png(width: -1, height: 5, pixels: false), Unreadable),
            ("PNG one pixel too wide", Images.Png(width: 12_001, height: 1), TooLarge),
            ("PNG of 100.01 megapixels", Images.Png(width: 10_001, height: 10_000, pixels: false), TooLarge),
            ("JPEG without a frame header", [.. jpeg[..frame], 0xFF, 0xD9], Unreadable),
            ("JPEG cut inside its JFIF segment", jpeg[..10], Unreadable),
            ("JPEG cut inside the frame header's sizes", jpeg[..(frame + 4 + 3)], Unreadable),
            ("JPEG cut before the frame header's components", jpeg[..(frame + 4 + 6)], Unreadable),
            ("JPEG with a stray byte between segments", [.. jpeg[..20], 0x42, .. jpeg[20..]], Unreadable),
            (
                "JPEG whose frame header length disagrees with its components",
                Patched(jpeg, frame + 3, [0x0E]),
                Unreadable
            ),
            ("JPEG of height 0 (left to a DNL marker)", Images.Jpeg(height: 0), Unreadable),
            ("JPEG of width 0", Images.Jpeg(width: 0), Unreadable),
            ("JPEG one pixel too wide", Images.Jpeg(width: 12_001, height: 8), TooLarge),
            ("JPEG declaring 65535 x 65535", Patched(jpeg, frame + 5, [0xFF, 0xFF, 0xFF, 0xFF]), TooLarge),
            (
                "progressive JPEG of 108 megapixels",
                Images.Jpeg(width: 12_000, height: 9_000, progressive: true),
                TooLarge
            ),
            ("lossy WebP of width 0", Patched(lossy, 26, [0x00, 0x00]), Unreadable),
            ("lossy WebP starting with an inter frame", Patched(lossy, 20, [(byte)(lossy[20] | 1)]), Unreadable),
            ("lossy WebP without the start code", Patched(lossy, 23, [0x00]), Unreadable),
            ("lossy WebP cut inside the frame header", lossy[..27], Unreadable),
            ("lossless WebP without its signature", Patched(Images.WebP(), 20, [0x2E]), Unreadable),
            ("lossless WebP of an unknown version", Patched(Images.WebP(), 24, [0x20]), Unreadable),
            ("lossless WebP of 16384 x 16384", Images.WebP(16384, 16384), TooLarge),
            ("extended WebP cut inside VP8X", Images.WebPExtended()[..25], Unreadable),
            (
                "extended WebP with a canvas one pixel too wide",
                Images.WebPExtended(1, 1, canvasWidth: 12_001, canvasHeight: 1),
                TooLarge
            ),
            (
                "extended WebP of 16777216 x 16777216",
                Images.WebPExtended(1, 1, canvasWidth: 1 << 24, canvasHeight: 1 << 24),
                TooLarge
            ),
            ("WebP whose chunk is longer than the file says", Patched(Images.WebP(), 4, [0x0C, 0, 0, 0]), Unreadable),
            ("WebP starting with an unknown chunk", Patched(Images.WebP(), 12, "ALPH"u8), Unreadable),
        };
        foreach (var (name, bytes, status) in cases)
        {
            using var response = await Upload(e, organizer, Form(bytes));
            Assert.True(
                (int)response.StatusCode == status,
                $"{name}: expected {status}, got {(int)response.StatusCode}"
            );
            var problem = await response.AssertProblem(status);
            if (status == Unreadable)
                Assert.True(problem["detail"]!.GetValue<string>().Contains("width and height cannot be read"), name);
            else
                Assert.True(
                    problem["errors"]!["file"]![0]!
                        .GetValue<string>()
                        .Contains("at most 12000 pixels a side and 50 megapixels"),
                    name
                );
        }

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE event_id = @id", ("id", Guid.Parse(e)))
        );
        Assert.False(Directory.Exists(Path.Combine(fx.PhotoRoot, "events", e)));
    }

    [Fact]
    public async Task One_person_keeps_at_most_a_hundred_photos_in_an_events_gallery_even_uploading_at_once()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (attendeeId, attendee) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, attendee)).AssertStatus(201);
        // 98 of theirs there already (rows alone: their files do not matter here).
        await Sql.ExecuteAsync(
            fx.Resources.DatabaseConnectionString,
            """
            INSERT INTO event_photos (id, event_id, uploaded_by, blob_key, content_type, size_bytes, created_at)
            SELECT gen_random_uuid(), @event, @by, 'events/' || @event || '/' || i || '.jpg', 'image/jpeg', 100, now()
            FROM generate_series(1, 98) AS i
            """,
            ("event", Guid.Parse(e)),
            ("by", attendeeId)
        );
        Task<long> TheirsAsync() =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM event_photos WHERE event_id = @e AND uploaded_by = @u",
                ("e", Guid.Parse(e)),
                ("u", attendeeId)
            );

        // Three at once for the last two places: two are taken, the third is a 409 and leaves no file.
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Upload(e, attendee, Form(Images.Jpeg()))));
        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        var refused = await Assert.Single(answers, a => a.StatusCode != HttpStatusCode.Created).AssertProblem(409);
        Assert.Contains("100 photos", refused["detail"]!.GetValue<string>());
        Assert.Equal(100L, await TheirsAsync());
        Assert.Equal(2, FilesOf(e).Length);
        // A full gallery is refused before the upload is even read.
        await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertProblem(409);
        Assert.Equal(100L, await TheirsAsync());

        // Someone else's photos are theirs to count; and one deleted makes room again.
        await (await Upload(e, organizer, Form(Images.Jpeg()))).AssertStatus(201);
        await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertProblem(409);
        var oneOfTheirs = await fx.ScalarAsync<Guid>(
            "SELECT id FROM event_photos WHERE event_id = @e AND uploaded_by = @u LIMIT 1",
            ("e", Guid.Parse(e)),
            ("u", attendeeId)
        );
        await (await Delete(e, oneOfTheirs.ToString(), attendee)).AssertStatus(204);
        await (await Upload(e, attendee, Form(Images.Jpeg()))).AssertStatus(201);
    }

    [Fact]
    public async Task A_photo_stored_before_sizes_were_recorded_is_listed_without_them()
    {
        var (organizerId, organizer) = fx.Organizer();
        var e = Guid.Parse(Id(await fx.CreateEventAsync(organizer)));
        var photoId = Guid.NewGuid();
        await Sql.ExecuteAsync(
            fx.Resources.DatabaseConnectionString,
            """
            INSERT INTO event_photos (id, event_id, uploaded_by, blob_key, content_type, size_bytes, created_at)
            VALUES (@id, @event, @by, @key, 'image/png', 100, now())
            """,
            ("id", photoId),
            ("event", e),
            ("by", organizerId),
            ("key", $"events/{e}/{photoId}.png")
        );

        var listed = Assert.Single(
            (await (await fx.Client.Get($"/api/v1/events/{e}/photos", organizer)).AssertStatus(200))["items"]!.AsArray()
        )!;
        Assert.Equal(photoId.ToString(), Id(listed));
        Assert.Null(listed["width"]);
        Assert.Null(listed["height"]);
        // Both known or neither, and never 0.
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            Sql.ExecuteAsync(
                fx.Resources.DatabaseConnectionString,
                "UPDATE event_photos SET width = 10 WHERE id = @id",
                ("id", photoId)
            )
        );
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            Sql.ExecuteAsync(
                fx.Resources.DatabaseConnectionString,
                "UPDATE event_photos SET width = 0, height = 0 WHERE id = @id",
                ("id", photoId)
            )
        );
    }

    [Fact]
    public async Task Deleting_a_draft_deletes_its_photo_files_and_cancelling_an_event_keeps_them()
    {
        var (_, organizer) = fx.Organizer();
        var draft = Id(await fx.CreateEventAsync(organizer, publish: false));
        var files = new[]
        {
            fx.FileOf(draft, Id(await (await Upload(draft, organizer, Form(Images.Jpeg()))).AssertStatus(201)), "jpg"),
            fx.FileOf(
                draft,
                Id(await (await Upload(draft, organizer, Form(Images.Png(), "p.png", "image/png"))).AssertStatus(201)),
                "png"
            ),
            fx.FileOf(
                draft,
                Id(
                    await (await Upload(draft, organizer, Form(Images.WebP(), "w.webp", "image/webp"))).AssertStatus(
                        201
                    )
                ),
                "webp"
            ),
        };
        Assert.All(files, file => Assert.True(File.Exists(file)));
        var published = Id(await fx.CreateEventAsync(organizer));
        var kept = fx.FileOf(
            published,
            Id(await (await Upload(published, organizer, Form(Images.Jpeg()))).AssertStatus(201)),
            "jpg"
        );

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{draft}", null, organizer)).AssertStatus(
            204
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE id = @id",
                ("id", Guid.Parse(draft))
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM event_photos WHERE event_id = @id",
                ("id", Guid.Parse(draft))
            )
        );
        Assert.All(files, file => Assert.False(File.Exists(file)));
        Assert.Empty(Directory.GetFiles(Path.Combine(fx.PhotoRoot, "events", draft), "*", SearchOption.AllDirectories));
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{draft}", null, organizer)).AssertProblem(
            404
        );

        // Cancelling keeps the event, so its photos stay.
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{published}", null, organizer)
        ).AssertStatus(204);
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public async Task A_draft_is_deleted_even_when_its_photo_files_cannot_be()
    {
        await using var s3 = await FakeS3.StartAsync();
        await using var host = fx.StartHost(S3Settings(s3));
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var draft = Id(await fx.CreateEventAsync(organizer, publish: false));
        var photo = Id(
            await (await Upload(draft, organizer, Form(Images.Png(), "p.png", "image/png"), client)).AssertStatus(201)
        );

        s3.FailDeletes = true;
        await (await client.SendJson(HttpMethod.Delete, $"/api/v1/events/{draft}", null, organizer)).AssertStatus(204);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE id = @id",
                ("id", Guid.Parse(draft))
            )
        );
        var attempt = Assert.Single(s3.Received, r => r.Method == "DELETE");
        Assert.Equal($"/photos/events/{draft}/{photo}.png", attempt.Path);
        Assert.True(s3.Holds(attempt.Path)); // orphaned and logged, not a failed deletion
    }

    [Fact]
    public async Task A_lost_object_read_with_credentials_that_may_not_list_the_bucket_is_a_404_and_a_warning()
    {
        await using var s3 = await FakeS3.StartAsync();
        await using var host = fx.StartHost(S3Settings(s3));
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var photo = Id(
            await (await Upload(e, organizer, Form(Images.Png(), "p.png", "image/png"), client)).AssertStatus(201)
        );
        var key = $"events/{e}/{photo}.png";
        var content = $"/api/v1/events/{e}/photos/{photo}/content";

        // Least-privilege credentials (get, put, delete; no s3:ListBucket) are told 403 AccessDenied for a missing
        // object: the reader gets the 404 of a missing image, as with 404 NoSuchKey, never a 500.
        s3.WithoutListBucket = true;
        Assert.Equal(HttpStatusCode.OK, (await client.Get(content, organizer)).StatusCode);
        s3.Lose("/photos/" + key);
        var missing = await (await client.Get(content, organizer)).AssertProblem(404);
        Assert.Equal("This photo's image is missing.", missing["detail"]!.GetValue<string>());
        s3.WithoutListBucket = false;
        await (await client.Get(content, organizer)).AssertProblem(404);

        // The operator is told of the 403 (the object is lost, or the credentials may not read it); a 404 is plain.
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var options = host.Services.GetRequiredService<IOptions<BlobStoreOptions>>().Value.S3;
        using var store = new S3BlobStore(options, loggers.CreateLogger<S3BlobStore>());
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
        s3.WithoutListBucket = true;
        Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains(key, warning.Message);
        Assert.Contains("403 AccessDenied", warning.Message);
    }

    [Fact]
    public async Task An_instance_whose_credentials_cannot_read_its_bucket_is_not_ready_and_says_why()
    {
        await using var s3 = await FakeS3.StartAsync();
        s3.DenyReads = true;
        await using var host = StartHostProbedOnlyByTheTest(s3);
        await TheOtherReadinessChecksPassAsync(host);
        using var client = host.NewClient();
        async Task<(HttpStatusCode Status, JsonNode Check)> ReadyAsync() => await BlobStoreReadinessAsync(client);
        // Each probe writes, reads back and deletes.
        void AssertProbesWroteReadAndDeleted()
        {
            var probes = s3.Probes;
            Assert.NotEmpty(probes);
            Assert.Equal(0, probes.Count % 3);
            Assert.All(probes.Chunk(3), p => Assert.Equal(["PUT", "GET", "DELETE"], p.Select(r => r.Method)));
            Assert.All(probes.Chunk(3), p => Assert.Single(p.Select(r => r.Path).Distinct()));
            Assert.Empty(s3.Paths);
        }

        // A refusal: not ready, saying which step; the object written is deleted all the same.
        var (status, check) = await ReadyAsync();
        Assert.Equal(3, s3.Probes.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", check["status"]!.GetValue<string>());
        Assert.Equal(
            "Could not read back an object it wrote to the bucket: refused, 403 AccessDenied.",
            check["description"]!.GetValue<string>()
        );
        AssertProbesWroteReadAndDeleted();

        // Readable now: ready, and the bucket is asked nothing more (a later outage does not take it out of service).
        s3.DenyReads = false;
        (status, check) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", check["status"]!.GetValue<string>());
        AssertProbesWroteReadAndDeleted();
        var asked = s3.Probes.Count;
        s3.DenyReads = true;
        (status, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(asked, s3.Probes.Count);
        Assert.Empty(s3.Received);
    }

    [Fact]
    public async Task An_instance_whose_bucket_is_down_stays_ready_degraded_and_asks_again()
    {
        await using var s3 = await FakeS3.StartAsync();
        s3.Unavailable = true;
        await using var host = StartHostProbedOnlyByTheTest(s3);
        await TheOtherReadinessChecksPassAsync(host);
        using var client = host.NewClient();

        var (status, check) = await BlobStoreReadinessAsync(client);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", check["status"]!.GetValue<string>());
        Assert.Matches(
            @"^(Could not write an object to the bucket: 503 ServiceUnavailable\.|"
                + @"The bucket did not answer within 2\.5 s\.)$",
            check["description"]!.GetValue<string>()
        );

        // Up again: the next check asks again, and passes.
        s3.Unavailable = false;
        (status, check) = await BlobStoreReadinessAsync(client);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", check["status"]!.GetValue<string>());
        Assert.Empty(s3.Paths);
    }

    /// <summary>
    /// A host on <paramref name="s3"/> whose health publisher waits an hour before its first round, so only the test's
    /// own /health/ready calls probe the bucket.
    /// </summary>
    private ServiceHost<Program> StartHostProbedOnlyByTheTest(FakeS3 s3) =>
        new ServiceHost<Program>(
            fx.HostSettings(S3Settings(s3)),
            services =>
            {
                fx.ConfigureServices(services);
                services.Configure<HealthCheckPublisherOptions>(o => o.Delay = TimeSpan.FromHours(1));
            }
        ).Start();

    /// <summary>
    /// Waits until every readiness check but the bucket's passes (the bus still connecting on a loaded machine answers
    /// 503 on its own), asking them directly so the bucket is not probed.
    /// </summary>
    private static async Task TheOtherReadinessChecksPassAsync(ServiceHost<Program> host)
    {
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await Eventually.TrueAsync(
            async () =>
                (
                    await health.CheckHealthAsync(c =>
                        c.Tags.Contains("ready") && c.Name != BlobStoreSetup.HealthCheckName
                    )
                ).Status == HealthStatus.Healthy,
            "the readiness checks other than the bucket's never passed"
        );
    }

    private static async Task<(HttpStatusCode Status, JsonNode Check)> BlobStoreReadinessAsync(HttpClient client)
    {
        using var response = await client.Get("/health/ready");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response.StatusCode, body["checks"]![BlobStoreSetup.HealthCheckName]!);
    }

    [Fact]
    public async Task A_photo_whose_client_leaves_once_its_file_is_stored_is_saved_with_its_file()
    {
        await using var host = fx.StartHostFaultingAfterPut(FaultAfterPut.ClientLeaves);
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Upload(e, organizer, Form(Images.Jpeg()), client));

        // The request goes on without its client: the row is saved, so the file is not left without one.
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM event_photos WHERE event_id = @id",
                    ("id", Guid.Parse(e))
                ) == 1,
            "the photo whose client left was never saved"
        );
        var photo = await fx.ScalarAsync<string>(
            "SELECT id::text FROM event_photos WHERE event_id = @id",
            ("id", Guid.Parse(e))
        );
        Assert.Equal(fx.FileOf(e, photo!, "jpg"), Assert.Single(FilesOf(e)));
    }

    [Fact]
    public async Task A_photo_whose_uploader_is_erased_while_it_uploads_is_refused_and_leaves_no_file()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (leaverId, leaver) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, leaver)).AssertStatus(201);
        // Allowed when it started; the account is erased (UserDeleted handled) once the file is stored.
        await using var host = fx.StartHostFaultingAfterPut(_ =>
            fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId))
        );
        using var client = host.NewClient();

        var refused = await (await Upload(e, leaver, Form(Images.Jpeg()), client)).AssertProblem(403);
        Assert.Contains("deleted", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @id", ("id", leaverId))
        );
        Assert.Empty(FilesOf(e));
    }

    /// <summary>
    /// Who may add a photo is asked before its body is read, which may take long, and again in the transaction that
    /// saves it: what refuses it meanwhile (the event cancelled, the ticket refunded, a block with the organizer)
    /// refuses it then, as it would have before, and its stored file goes.
    /// </summary>
    [Theory]
    [InlineData("event cancelled", 409)]
    [InlineData("ticket refunded", 403)]
    [InlineData("blocked by the organizer", 403)]
    public async Task A_photo_refused_by_a_change_while_it_uploads_is_refused_and_leaves_no_file(
        string meanwhile,
        int refusal
    )
    {
        string e;
        Guid attendeeId;
        string attendee;
        Func<Task> change;
        if (meanwhile == "ticket refunded")
        {
            var (eventId, holderId, holder, _, registrationId, paymentId) =
                await RefundedRegistrationTests.TicketWithOneWaitingAsync(fx);
            (e, attendeeId, attendee) = (eventId, holderId, holder);
            change = () =>
                fx.DeliverAsync(RefundedRegistrationTests.FullRefund(fx, paymentId, holderId, registrationId));
        }
        else
        {
            var (organizerId, organizer) = fx.Organizer();
            e = Id(await fx.CreateEventAsync(organizer));
            (attendeeId, attendee) = fx.Member();
            await (await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, attendee)).AssertStatus(201);
            var eventId = e;
            var blocked = attendeeId;
            change =
                meanwhile == "event cancelled"
                    ? async () =>
                        await (
                            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}", null, organizer)
                        ).AssertStatus(204)
                    : () => fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), fx.Tick(), organizerId, blocked));
        }
        // Allowed when it started; refused by the change made once its file is stored.
        await using var host = fx.StartHostFaultingAfterPut(_ => change());
        using var client = host.NewClient();

        await (await Upload(e, attendee, Form(Images.Jpeg()), client)).AssertProblem(refusal);

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @id", ("id", attendeeId))
        );
        Assert.Empty(FilesOf(e));
    }

    [Fact]
    public async Task A_photo_whose_put_fails_once_its_file_is_stored_leaves_no_file_and_no_row()
    {
        await using var host = fx.StartHostFaultingAfterPut(FaultAfterPut.AnswerLost);
        using var client = host.NewClient();
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));

        await (await Upload(e, organizer, Form(Images.Jpeg()), client)).AssertProblem(500);

        Assert.Empty(FilesOf(e));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE event_id = @id", ("id", Guid.Parse(e)))
        );
    }

    [Fact]
    public async Task The_upload_form_is_described_in_the_OpenAPI_document()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var upload = document["paths"]!["/api/v1/events/{id}/photos"]!["post"]!;
        Assert.Equal("UploadEventPhoto", upload["operationId"]!.GetValue<string>());
        Assert.NotNull(upload["requestBody"]!["content"]!["multipart/form-data"]);
    }

    [Fact]
    public async Task The_local_store_refuses_keys_that_leave_its_folder()
    {
        var store = Assert.IsType<LocalBlobStore>(
            Assert.IsType<RetriedDeletes>(fx.Host.Services.GetRequiredService<IBlobStore>()).Inner
        );
        Assert.Equal(Path.GetFullPath(fx.PhotoRoot), store.Root);
        foreach (
            var key in new[]
            {
                "../outside.jpg",
                "events/../../outside.jpg",
                "/etc/passwd",
                "events\\x.jpg",
                "events//x.jpg",
                "",
                "events/./x.jpg",
            }
        )
            await Assert.ThrowsAsync<ArgumentException>(() =>
                store.PutAsync(key, new MemoryStream([1, 2, 3]), "image/jpeg", CancellationToken.None)
            );
        Assert.False(File.Exists(Path.Combine(fx.PhotoRoot, "..", "outside.jpg")));

        await store.PutAsync("events/probe/a.png", new MemoryStream(Images.Png()), "image/png", CancellationToken.None);
        var blob = await store.OpenReadAsync("events/probe/a.png", CancellationToken.None);
        Assert.NotNull(blob);
        await using (blob.Content)
            Assert.Equal("image/png", blob.ContentType);
        Assert.Empty(Directory.GetFiles(Path.Combine(fx.PhotoRoot, "events", "probe"), "*.tmp"));
        await store.DeleteAsync("events/probe/a.png", CancellationToken.None);
        await store.DeleteAsync("events/probe/a.png", CancellationToken.None);
        Assert.Null(await store.OpenReadAsync("events/probe/a.png", CancellationToken.None));
        Assert.Null(await store.OpenReadAsync("events/never/b.jpg", CancellationToken.None));
    }

    [Fact]
    public async Task The_s3_store_signs_puts_serves_and_deletes_objects_on_an_S3_compatible_server()
    {
        await using var s3 = await FakeS3.StartAsync();
        await using var host = fx.StartHost(S3Settings(s3));
        using var client = host.NewClient();
        Assert.IsType<S3BlobStore>(Assert.IsType<RetriedDeletes>(host.Services.GetRequiredService<IBlobStore>()).Inner);

        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var (uploaderId, uploader) = fx.Member();
        await (await client.PostJson($"/api/v1/events/{e}/registrations", new { }, uploader)).AssertStatus(201);
        var jpeg = Images.Jpeg(3 * MiB);
        var photo = await (await Upload(e, uploader, Form(jpeg), client)).AssertStatus(201);
        var key = $"events/{e}/{Id(photo)}.jpg";

        var put = Assert.Single(s3.Received, r => r.Method == "PUT");
        Assert.Equal($"/photos/{key}", put.Path);
        Assert.Equal([0xFF, 0xD8, 0xFF], put.Body[..3]); // re-encoded, so not the bytes sent
        Assert.True(put.Body.Length < jpeg.Length);
        Assert.Equal("image/jpeg", put.ContentType);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIATESTKEY/", put.Authorization);
        Assert.Contains("/eu-central-1/s3/aws4_request", put.Authorization);
        Assert.Contains("SignedHeaders=", put.Authorization);
        Assert.Matches("Signature=[0-9a-f]{64}$", put.Authorization);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(put.Body)), put.PayloadHash);

        // The configured public base makes the url point at the bucket; the content route still serves through the
        // service.
        Assert.Equal(new Uri(s3.BaseAddress, $"photos/{key}").ToString(), photo["url"]!.GetValue<string>());
        using (var anonymous = new HttpClient())
            Assert.Equal(put.Body, await anonymous.GetByteArrayAsync(photo["url"]!.GetValue<string>()));
        using (var content = await client.Get($"/api/v1/events/{e}/photos/{Id(photo)}/content", organizer))
        {
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal("image/jpeg", content.Content.Headers.ContentType?.MediaType);
            Assert.Equal(put.Body, await content.Content.ReadAsByteArrayAsync());
        }
        var get = s3.Received.Last(r => r.Method == "GET" && r.Authorization is { Length: > 0 });
        Assert.Equal($"/photos/{key}", get.Path);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIATESTKEY/", get.Authorization);

        using (var scope = host.Services.CreateScope())
            await scope
                .ServiceProvider.GetServices<IUserDataEraser>()
                .OfType<PhotoEraser>()
                .Single()
                .EraseAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), uploaderId), CancellationToken.None);
        var delete = Assert.Single(s3.Received, r => r.Method == "DELETE");
        Assert.Equal($"/photos/{key}", delete.Path);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIATESTKEY/", delete.Authorization);
        Assert.False(s3.Holds($"/photos/{key}"));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE uploaded_by = @id", ("id", uploaderId))
        );

        // A blob the store cannot delete fails neither the eraser nor the delete request.
        var second = Id(
            await (await Upload(e, organizer, Form(Images.Png(), "x.png", "image/png"), client)).AssertStatus(201)
        );
        s3.FailDeletes = true;
        await (await Delete(e, second, organizer, client)).AssertStatus(204);
        Assert.True(s3.Holds($"/photos/events/{e}/{second}.png"));
    }

    [Fact]
    public void A_misconfigured_photo_store_stops_the_service_at_start_up()
    {
        var failure = Assert.ThrowsAny<Exception>(() =>
            fx.StartHost(
                new Dictionary<string, string?>
                {
                    ["Events:Photos:Provider"] = "s3",
                    ["Events:Photos:S3:Bucket"] = "",
                    ["Events:Photos:S3:ServiceUrl"] = "not a url",
                    ["Events:Photos:ImageDecodeWait"] = "30.00:00:00",
                }
            )
        );
        var message = failure.ToString();
        Assert.Contains("Events:Photos:ImageDecodeWait must be between 0 and 00:05:00", message);
        Assert.Contains("Events:Photos:S3:Bucket is required", message);
        Assert.Contains("Events:Photos:S3:ServiceUrl must be an absolute http(s) URL", message);
    }

    /// <summary>A host on the fake S3 server, bucket "photos", with a public base url pointing at the bucket.</summary>
    private static Dictionary<string, string?> S3Settings(FakeS3 s3) =>
        new()
        {
            ["Events:Photos:Provider"] = "s3",
            ["Events:Photos:S3:ServiceUrl"] = s3.BaseAddress.ToString(),
            ["Events:Photos:S3:Bucket"] = "photos",
            ["Events:Photos:S3:Region"] = "eu-central-1",
            ["Events:Photos:S3:AccessKey"] = "AKIATESTKEY",
            ["Events:Photos:S3:SecretKey"] = "test-secret",
            ["Events:Photos:S3:PublicBaseUrl"] = new Uri(s3.BaseAddress, "photos").ToString(),
        };

    /// <summary>
    /// A copy of <paramref name="bytes"/> with <paramref name="patch"/> written at <paramref name="offset"/>.
    /// </summary>
    private static byte[] Patched(byte[] bytes, int offset, ReadOnlySpan<byte> patch)
    {
        var copy = (byte[])bytes.Clone();
        patch.CopyTo(copy.AsSpan(offset));
        return copy;
    }

    /// <summary>The files in the event's photo folder, covers included.</summary>
    private string[] FilesOf(string eventId)
    {
        var folder = Path.Combine(fx.PhotoRoot, "events", eventId);
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    private Task<HttpResponseMessage> Delete(string eventId, string photoId, string token, HttpClient? client = null) =>
        (client ?? fx.Client).SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/photos/{photoId}", null, token);

    private async Task<HttpResponseMessage> Upload(
        string eventId,
        string token,
        HttpContent content,
        HttpClient? client = null,
        bool expectContinue = false
    )
    {
        // Expect: 100-continue lets the server refuse an oversized body before it is sent, so the 413 cannot race the
        // write.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{eventId}/photos")
        {
            Content = content,
        };
        request.Headers.Authorization = new("Bearer", token);
        if (expectContinue)
            request.Headers.ExpectContinue = true;
        return await (client ?? fx.Client).SendAsync(request);
    }

    private static MultipartFormDataContent Form(
        byte[] bytes,
        string fileName = "photo.jpg",
        string contentType = "image/jpeg",
        string? caption = null
    )
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (caption is not null)
            form.Add(new StringContent(caption), "caption");
        return form;
    }

    private static StringContent JsonBody(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, Json.Options), Encoding.UTF8, "application/json");
}
