using System.Net.Http.Headers;
using Community.Contracts.Social;
using Community.Identity.Data;
using Community.Identity.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

/// <summary>Identity with its local blob store in a folder of its own, removed afterwards.</summary>
public class PictureFixture : IdentityFixture
{
    /// <summary>Whether a delete that fails is written down to be tried again, as by a live instance.</summary>
    protected virtual bool FailedDeletesWrittenDown => true;

    public string BlobRoot { get; } =
        Path.Combine(Path.GetTempPath(), "community-identity-blobs-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:Blobs:LocalPath"] = BlobRoot;
        settings["Identity:Blobs:DeleteRetryEvery"] = "00:00:01";
    }

    /// <summary>How many of the next deletes the store refuses, as a bucket out of reach would.</summary>
    public int FailingDeletes;

    public CommitFaults Commits { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.ConfigureDbContext<IdentityDbContext>(options => options.AddInterceptors(Commits));
        services.WrapBlobStore(
            (_, store) =>
                new FaultyBlobStore(
                    store,
                    deleteFails: () => Interlocked.Decrement(ref FailingDeletes) >= 0,
                    failedDeletesWrittenDown: FailedDeletesWrittenDown
                )
        );
    }

    public string[] PictureFiles(string userId)
    {
        var folder = Path.Combine(BlobRoot, "users", userId);
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(BlobRoot))
            Directory.Delete(BlobRoot, recursive: true);
    }
}

public sealed class ProfilePictureTests(PictureFixture fx) : IClassFixture<PictureFixture>
{
    internal static (string Id, string Token) Member(JsonNode registered) =>
        (registered["user"]!["id"]!.GetValue<string>(), registered["access_token"]!.GetValue<string>());

    [Fact]
    public async Task An_upload_sets_profile_image_url_to_our_address_which_serves_the_bytes_and_is_published()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        var png = Images.Png();

        var me = await (await Put(token, Form(png, "me.bin", "application/octet-stream"))).AssertStatus(200);
        var url = $"/api/v1/users/{id}/picture";
        Assert.Equal(url, me["profile_image_url"]!.GetValue<string>());
        // Stored re-encoded: a PNG again, of the same size, not the bytes sent.
        var stored = await File.ReadAllBytesAsync(Assert.Single(fx.PictureFiles(id)));
        Assert.Equal(png[..24], stored[..24]);

        var (_, other) = Member(await fx.RegisterAsync());
        var profile = await (await fx.Client.Get($"/api/v1/users/{id}", other)).AssertStatus(200);
        Assert.Equal(url, profile["profile_image_url"]!.GetValue<string>());
        using (var content = await fx.Client.Get(url, other))
        {
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(stored, await content.Content.ReadAsByteArrayAsync());
        }
        await (await fx.Client.Get(url)).AssertProblem(401);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                    + "AND payload->>'userId' = @id AND payload->>'profileImageUrl' = @url",
                ("id", id),
                ("url", url)
            )
        );

        // A second upload replaces the first and its file.
        var jpeg = Images.Jpeg();
        await (await Put(token, Form(jpeg))).AssertStatus(200);
        Assert.EndsWith(".jpg", Assert.Single(fx.PictureFiles(id)));
        using (var content = await fx.Client.Get(url, other))
            Assert.Equal(
                await File.ReadAllBytesAsync(Assert.Single(fx.PictureFiles(id))),
                await content.Content.ReadAsByteArrayAsync()
            );

        // Other profile changes keep it; sending the stored address back is not a change.
        var patched = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { bio = "Hello", profile_image_url = url },
                token
            )
        ).AssertStatus(200);
        Assert.Equal(url, patched["profile_image_url"]!.GetValue<string>());
        Assert.Single(fx.PictureFiles(id));
    }

    [Fact]
    public async Task Delete_clears_the_picture_and_its_file_and_the_address_stops_serving()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.WebP(), "me.webp", "image/webp"))).AssertStatus(200);

        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/users/me/picture", null, token)).AssertStatus(204);
        Assert.Empty(fx.PictureFiles(id));
        var me = await (await fx.Client.Get("/api/v1/users/me", token)).AssertStatus(200);
        Assert.Null(me["profile_image_url"]);
        await (await fx.Client.Get($"/api/v1/users/{id}/picture", token)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/users/me/picture", null)).AssertProblem(401);
    }

    [Fact]
    public async Task A_linked_address_still_works_and_replaces_an_uploaded_picture_and_its_file()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png()))).AssertStatus(200);

        var patched = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { profile_image_url = "https://cdn.example.com/me.png" },
                token
            )
        ).AssertStatus(200);
        Assert.Equal("https://cdn.example.com/me.png", patched["profile_image_url"]!.GetValue<string>());
        Assert.Empty(fx.PictureFiles(id));
        await (await fx.Client.Get($"/api/v1/users/{id}/picture", token)).AssertProblem(404);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { profile_image_url = "/not/absolute.png" },
                token
            )
        ).AssertProblem(400);
    }

    [Fact]
    public async Task Wrong_content_and_too_large_files_are_refused_and_nothing_is_stored()
    {
        var (id, token) = Member(await fx.RegisterAsync());

        var text = await (
            await Put(token, Form("<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray(), "me.png", "image/png"))
        ).AssertProblem(415);
        Assert.Contains("not a JPEG, PNG or WebP", text["detail"]!.GetValue<string>());
        var tooLarge = await (
            await Put(token, Form(Images.Png(size: 2 * 1024 * 1024 + 1)), expectContinue: true)
        ).AssertProblem(413);
        Assert.Contains("2 MB", tooLarge["detail"]!.GetValue<string>());
        await (await Put(token, Form(Images.Png(size: 3 * 1024 * 1024)), expectContinue: true)).AssertProblem(413);
        await (await Put(token, Form(Images.Png(width: 20_001, height: 1, pixels: false)))).AssertProblem(400);
        await (await Put(null, Form(Images.Png()))).AssertProblem(401);

        Assert.Empty(fx.PictureFiles(id));
        var me = await (await fx.Client.Get("/api/v1/users/me", token)).AssertStatus(200);
        Assert.Null(me["profile_image_url"]);
    }

    [Fact]
    public async Task Deleting_the_account_deletes_the_picture_file()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png()))).AssertStatus(200);
        Assert.Single(fx.PictureFiles(id));

        await (await fx.Client.DeleteAccount(token)).AssertStatus(204);
        Assert.Empty(fx.PictureFiles(id));
    }

    [Fact]
    public async Task A_picture_whose_delete_fails_when_the_account_goes_is_deleted_again_until_it_is_gone()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png()))).AssertStatus(200);
        Assert.Single(fx.PictureFiles(id));
        // The delete the account's erasure makes, and the first retry, fail.
        Interlocked.Exchange(ref fx.FailingDeletes, 2);

        await (await fx.Client.DeleteAccount(token)).AssertStatus(204);

        await Eventually.TrueAsync(
            () => Task.FromResult(fx.PictureFiles(id).Length == 0),
            "the deleted account's picture stayed in the store",
            TimeSpan.FromSeconds(30)
        );
        Interlocked.Exchange(ref fx.FailingDeletes, 0);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM blob_deletions"));
    }

    [Fact]
    public async Task A_stale_if_match_on_the_picture_is_a_412_changing_nothing_and_the_current_one_gets_the_new_etag()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        var profile = await fx.Client.Get("/api/v1/users/me", token);
        var tag = profile.Headers.ETag!.Tag;
        await (
            await fx.Client.SendIfMatch(HttpMethod.Patch, "/api/v1/users/me", "{\"bio\": \"Moved here\"}", token, null)
        ).AssertStatus(200);

        // the profile changed since that ETag: the upload is refused, no picture is set and no file is left behind
        await (await Put(token, Form(Images.Png()), ifMatch: tag)).AssertProblem(412);
        Assert.Null(
            (await (await fx.Client.Get("/api/v1/users/me", token)).AssertStatus(200))["profile_image_url"]
                ?.GetValue<string>()
        );
        Assert.Empty(fx.PictureFiles(id));

        var current = (await fx.Client.Get("/api/v1/users/me", token)).Headers.ETag!.Tag;
        var uploaded = await Put(token, Form(Images.Png()), ifMatch: current);
        await uploaded.AssertStatus(200);
        Assert.NotEqual(current, uploaded.Headers.ETag!.Tag);
        Assert.Equal(uploaded.Headers.ETag, (await fx.Client.Get("/api/v1/users/me", token)).Headers.ETag);

        await (
            await fx.Client.SendIfMatch(HttpMethod.Delete, "/api/v1/users/me/picture", "", token, current)
        ).AssertProblem(412);
        Assert.Single(fx.PictureFiles(id));
        await (
            await fx.Client.SendIfMatch(
                HttpMethod.Delete,
                "/api/v1/users/me/picture",
                "",
                token,
                uploaded.Headers.ETag!.Tag
            )
        ).AssertStatus(204);
        Assert.Empty(fx.PictureFiles(id));
    }

    [Fact]
    public async Task A_picture_whose_swap_commits_but_loses_its_answer_keeps_the_new_file_and_serves_it()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png(), "me.png", "image/png"))).AssertStatus(200);
        var before = await PictureKeyAsync(id);

        // The row now names the new file: deleting it because the commit seemed to fail would leave a 404 for good.
        fx.Commits.FailNext(SwapsPicture(id, before), committed: true);
        await (await Put(token, Form(Images.Jpeg()))).AssertProblem(503);

        var key = await PictureKeyAsync(id);
        Assert.NotEqual(before, key);
        Assert.EndsWith(".jpg", key);
        var file = Path.Combine(fx.BlobRoot, key!);
        Assert.Contains(file, fx.PictureFiles(id));
        using var content = await fx.Client.Get($"/api/v1/users/{id}/picture", token);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/jpeg", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(file), await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task After_a_lost_commit_the_check_whether_the_row_names_the_new_file_waits_for_a_commit_in_flight()
    {
        var (id, _) = Member(await fx.RegisterAsync());
        var key = $"users/{id}/picture-in-flight.png";
        await using var scope = fx.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();

        // A commit not visible yet (synchronous replication) would read as "not named", and the file be deleted.
        var (waited, named) = await Sql.CheckDuringWriteAsync(
            fx.Resources.DatabaseConnectionString,
            "UPDATE users SET profile_image_key = @key WHERE id = @id",
            [("key", key), ("id", Guid.Parse(id))],
            () => ProfilePictureApi.NamesPictureAsync(db, Guid.Parse(id), key, CancellationToken.None)
        );
        Assert.True(waited);
        Assert.True(named);
    }

    [Fact]
    public async Task A_picture_whose_swap_rolls_back_leaves_no_new_file_and_the_old_picture_in_place()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png(), "me.png", "image/png"))).AssertStatus(200);
        var before = await PictureKeyAsync(id);

        fx.Commits.FailNext(SwapsPicture(id, before), committed: false);
        await (await Put(token, Form(Images.Jpeg()))).AssertProblem(503);

        Assert.Equal(before, await PictureKeyAsync(id));
        var file = Assert.Single(fx.PictureFiles(id));
        Assert.Equal(Path.Combine(fx.BlobRoot, before!), file);
        using var content = await fx.Client.Get($"/api/v1/users/{id}/picture", token);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(file), await content.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_blocked_pair_get_404_for_each_others_picture_as_for_their_accounts()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        var (blockedId, blocked) = Member(await fx.RegisterAsync());
        var (_, other) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.Png(), "me.png", "image/png"))).AssertStatus(200);
        await (await Put(blocked, Form(Images.Png(), "me.png", "image/png"))).AssertStatus(200);
        var (picture, blockedPicture) = ($"/api/v1/users/{id}/picture", $"/api/v1/users/{blockedId}/picture");
        using (var before = await fx.Client.Get(picture, blocked))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), fx.Tick(), Guid.Parse(id), Guid.Parse(blockedId)));

        var unknown = await (await fx.Client.Get($"/api/v1/users/{Guid.NewGuid()}/picture", blocked)).AssertProblem(
            404
        );
        var hidden = await (await fx.Client.Get(picture, blocked)).AssertProblem(404);
        Assert.Equal(unknown["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>());
        await (await fx.Client.Get(blockedPicture, token)).AssertProblem(404);
        foreach (var (url, viewer) in new[] { (picture, other), (picture, token), (blockedPicture, blocked) })
        {
            using var shown = await fx.Client.Get(url, viewer);
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        }
    }

    private Task<string?> PictureKeyAsync(string userId) =>
        fx.ScalarAsync<string>("SELECT profile_image_key FROM users WHERE id = @id", ("id", Guid.Parse(userId)));

    /// <summary>The upload's swap: a context setting the picture to another than <paramref name="before"/>.</summary>
    private static Func<DbContext, bool> SwapsPicture(string userId, string? before) =>
        context =>
            context
                .ChangeTracker.Entries<User>()
                .Any(u => u.Entity.Id == Guid.Parse(userId) && u.Entity.ProfileImageKey != before);

    private async Task<HttpResponseMessage> Put(
        string? token,
        HttpContent content,
        bool expectContinue = false,
        string? ifMatch = null
    )
    {
        // Expect: 100-continue lets the server refuse an oversized body before it is sent, so the 413 cannot race the
        // write.
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/users/me/picture") { Content = content };
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        if (expectContinue)
            request.Headers.ExpectContinue = true;
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await fx.Client.SendAsync(request);
    }

    internal static MultipartFormDataContent Form(
        byte[] bytes,
        string fileName = "me.jpg",
        string contentType = "image/jpeg"
    )
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "file", fileName } };
    }
}
