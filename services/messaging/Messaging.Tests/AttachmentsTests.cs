using System.Net;
using System.Text;
using Community.Contracts.Identity;
using Community.Messaging.Attachments;
using Community.ServiceDefaults.Blobs;

namespace Community.Messaging.Tests;

public sealed class AttachmentsTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    /// <summary>A minimal PDF: header, one empty page, trailer and end-of-file marker.</summary>
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    );

    [Fact]
    public void A_public_bucket_address_for_attachments_is_refused_at_start_it_would_skip_the_members_check()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(
            new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Development" }
        );
        builder.Configuration["ConnectionStrings:messaging-db"] = "Host=127.0.0.1;Database=unused";
        builder.Configuration["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@127.0.0.1:5672/unused";
        builder.Configuration["ConnectionStrings:redis"] = "127.0.0.1:1";
        builder.Configuration[$"{AttachmentsApi.BlobSection}:Provider"] = "s3";
        builder.Configuration[$"{AttachmentsApi.BlobSection}:S3:Bucket"] = "attachments";
        builder.Configuration[$"{AttachmentsApi.BlobSection}:S3:PublicBaseUrl"] = "https://files.example.com";
        builder.AddMessagingServices();
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BlobStoreOptions>>().Value
        );
        Assert.Contains($"{AttachmentsApi.BlobSection}:S3:PublicBaseUrl must not be set", error.Message);
    }

    [Fact]
    public async Task Images_and_pdfs_are_checked_by_content_and_sent_by_id()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var image = await (await fx.UploadAsync(a, c, Images.Jpeg(), "photo.jpg", "image/jpeg")).AssertStatus(201);
        Assert.Equal("image/jpeg", image["content_type"]!.GetValue<string>());
        var pdf = await (await fx.UploadAsync(a, c, Pdf, "plan.pdf", "application/pdf")).AssertStatus(201);
        Assert.Equal("application/pdf", pdf["content_type"]!.GetValue<string>());
        Assert.Equal("plan.pdf", pdf["file_name"]!.GetValue<string>());

        // Judged by content: a text file named .pdf, a cut PDF, an image named .pdf.
        await (
            await fx.UploadAsync(a, c, Encoding.ASCII.GetBytes("just text"), "fake.pdf", "application/pdf")
        ).AssertProblem(415);
        await (await fx.UploadAsync(a, c, Pdf[..40], "cut.pdf", "application/pdf")).AssertProblem(415);
        await (await fx.UploadAsync(a, c, Images.Png(), "image.pdf", "application/pdf")).AssertStatus(201);
        await (
            await fx.UploadAsync(a, c, Images.Png(size: 10 * 1024 * 1024 + 1), "huge.png", "image/png")
        ).AssertProblem(413);
        await (await fx.UploadAsync(a, c, [], "empty.png", "image/png")).AssertProblem(400);

        var ids = new[] { image["id"]!.GetValue<string>(), pdf["id"]!.GetValue<string>() };
        // Another member cannot send the uploader's files.
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = ids,
                    client_txn_id = "steal",
                },
                b
            )
        ).AssertProblem(400);
        var sent = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = ids,
                    client_txn_id = "files",
                },
                a
            )
        ).AssertStatus(201);
        Assert.Equal(ids, sent["attachments"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()));
        // Each file goes with one message.
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "again",
                    attachments = ids[..1],
                    client_txn_id = "files-again",
                },
                a
            )
        ).AssertProblem(400);

        var url = sent["attachments"]![1]!["url"]!.GetValue<string>();
        using var content = await fx.Client.Get(url, b);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("application/pdf", content.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Pdf, await content.Content.ReadAsByteArrayAsync());

        // Deleting the message removes its files.
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{sent["id"]}", null, a)
        ).AssertStatus(204);
        await (await fx.Client.Get(url, b)).AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM attachments WHERE id = ANY(@ids)",
                ("ids", ids.Select(Guid.Parse).ToArray())
            )
        );
    }

    [Fact]
    public async Task Two_deletes_and_an_edit_of_one_message_at_once_take_turns_and_the_deletion_stands()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        for (var round = 0; round < 5; round++)
        {
            var file = (await (await fx.UploadAsync(a, c, Images.Png(), "p.png", "image/png")).AssertStatus(201))[
                "id"
            ]!.GetValue<string>();
            var sent = await (
                await fx.Client.PostJson(
                    $"/api/v1/conversations/{c}/messages",
                    new
                    {
                        text = "secret",
                        attachments = new[] { file },
                        client_txn_id = $"race-{round}",
                    },
                    a
                )
            ).AssertStatus(201);
            var path = $"/api/v1/conversations/{c}/messages/{sent["id"]}";
            var answers = await Task.WhenAll(
                fx.Client.SendJson(HttpMethod.Delete, path, null, a),
                fx.Client.SendJson(HttpMethod.Patch, path, new { text = "edited" }, a),
                fx.Client.SendJson(HttpMethod.Delete, path, null, a)
            );
            // Both deletes succeed (the second finds a tombstone); the edit came first (200) or found it deleted (409).
            await answers[0].AssertStatus(204);
            await answers[2].AssertStatus(204);
            Assert.Contains(answers[1].StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            // The deletion's emptied text is never written over by the edit, and its file is gone.
            Assert.Equal(
                "",
                await fx.ScalarAsync<string>(
                    "SELECT text FROM messages WHERE id = @id AND deleted_at IS NOT NULL",
                    ("id", Guid.Parse(sent["id"]!.GetValue<string>()))
                )
            );
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>("SELECT count(*) FROM attachments WHERE id = @id", ("id", Guid.Parse(file)))
            );
        }
    }

    [Fact]
    public async Task Files_uploaded_to_another_conversation_cannot_be_sent_here()
    {
        var (aId, a, _, _, c) = await fx.PairAsync();
        var (otherId, _) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, otherId);
        var c2 = (
            await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = otherId }, a)).AssertStatus(
                201
            )
        )["id"]!.GetValue<string>();
        var file = (await (await fx.UploadAsync(a, c2, Images.WebP(), "w.webp", "image/webp")).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "x",
                    attachments = new[] { file },
                    client_txn_id = "cross",
                },
                a
            )
        ).AssertProblem(400);
        // The refused send used no number.
        Assert.Equal(1, (await fx.SendAsync(a, c, "first"))["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task Files_never_sent_are_limited_and_go_a_day_after_their_upload_or_with_their_uploaders_account()
    {
        var (aId, a, _, _, c) = await fx.PairAsync();
        var max = UnsentAttachments.MaxPerUploader;
        // Uploads at once: the limit holds however they interleave.
        var uploads = await Task.WhenAll(
            Enumerable.Range(0, max + 2).Select(i => fx.UploadAsync(a, c, Pdf, $"plan-{i}.pdf", "application/pdf"))
        );
        Assert.Equal(max, uploads.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(2, uploads.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        await uploads.First(r => r.StatusCode == HttpStatusCode.Conflict).AssertProblem(409);
        var ids = new List<string>();
        foreach (var upload in uploads.Where(r => r.StatusCode == HttpStatusCode.Created))
            ids.Add((await upload.AssertStatus(201))["id"]!.GetValue<string>());

        // A file sent frees its place.
        var sent = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = ids[..1],
                    client_txn_id = "one-file",
                },
                a
            )
        ).AssertStatus(201);
        await (await fx.UploadAsync(a, c, Pdf, "one-more.pdf", "application/pdf")).AssertStatus(201);

        // A day after their upload, the files never sent go, rows and files; the sent one stays.
        var blobs = fx.Host.Services.GetRequiredService<IBlobStore>();
        var unsentKey = await fx.ScalarAsync<string>(
            "SELECT blob_key FROM attachments WHERE uploader_id = @a AND message_id IS NULL LIMIT 1",
            ("a", aId)
        );
        await fx.ExecuteAsync(
            "UPDATE attachments SET created_at = created_at - interval '25 hours' WHERE uploader_id = @a",
            ("a", aId)
        );
        var sweep = fx.Host.Services.GetRequiredService<UnsentAttachments>();
        while (await sweep.SweepAsync(CancellationToken.None) > 0) { }
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM attachments WHERE uploader_id = @a AND message_id IS NULL",
                ("a", aId)
            )
        );
        Assert.True(await GoneAsync(blobs, unsentKey!));
        var url = sent["attachments"]![0]!["url"]!.GetValue<string>();
        using (var content = await fx.Client.Get(url, a))
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);

        // Deleting the account takes its files never sent, however young.
        await (await fx.UploadAsync(a, c, Pdf, "last.pdf", "application/pdf")).AssertStatus(201);
        var lastKey = await fx.ScalarAsync<string>(
            "SELECT blob_key FROM attachments WHERE uploader_id = @a AND message_id IS NULL",
            ("a", aId)
        );
        var deleted = new UserDeleted(Guid.NewGuid(), fx.Tick(), aId);
        await fx.DeliverAsync(deleted);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM attachments WHERE uploader_id = @a AND message_id IS NULL",
                ("a", aId)
            )
        );
        // Deleted once the erasure committed, and crossed off what the blob deletion retries would delete.
        await fx.ConsumedAsync(deleted.MessageId, "UserDeletedConsumer", 1);
        Assert.True(await GoneAsync(blobs, lastKey!));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM blob_deletions WHERE key = @k", ("k", lastKey!))
        );
    }

    [Fact]
    public async Task An_unsent_file_is_removed_by_its_uploader_only_and_a_sent_one_goes_with_its_message()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var blobs = fx.Host.Services.GetRequiredService<IBlobStore>();
        var draft = (await (await fx.UploadAsync(a, c, Pdf, "draft.pdf", "application/pdf")).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
        var key = await fx.ScalarAsync<string>(
            "SELECT blob_key FROM attachments WHERE id = @id",
            ("id", Guid.Parse(draft))
        );
        var path = $"/api/v1/conversations/{c}/attachments/{draft}";

        await (await fx.Client.SendJson(HttpMethod.Delete, path, null, b)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Delete, path, null, a)).AssertStatus(204);
        Assert.True(await GoneAsync(blobs, key!));
        await (await fx.Client.SendJson(HttpMethod.Delete, path, null, a)).AssertProblem(404);

        var sent = (await (await fx.UploadAsync(a, c, Pdf, "sent.pdf", "application/pdf")).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = new[] { sent },
                    client_txn_id = "sent-file",
                },
                a
            )
        ).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/attachments/{sent}", null, a)
        ).AssertProblem(409);
    }

    /// <summary>Whether the store no longer holds <paramref name="key"/>.</summary>
    internal static async Task<bool> GoneAsync(IBlobStore blobs, string key)
    {
        var blob = await blobs.OpenReadAsync(key, CancellationToken.None);
        if (blob is null)
            return true;
        await blob.Content.DisposeAsync();
        return false;
    }
}
