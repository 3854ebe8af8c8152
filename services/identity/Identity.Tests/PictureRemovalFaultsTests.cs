namespace Community.Identity.Tests;

/// <summary>
/// Identity whose next blob deletes fail and are not written down to be tried again either, as when the instance dies
/// right after a commit that let go of a picture; its blob deletion retries run every second.
/// </summary>
public sealed class PictureRemovalFaultsFixture : PictureFixture
{
    // A dead instance writes nothing down.
    protected override bool FailedDeletesWrittenDown => false;
}

/// <summary>
/// A picture no row names any more (replaced, removed, replaced by a link, or its account deleted) is written down for
/// deletion by the same transaction: it leaves the store even when nothing after the commit runs.
/// </summary>
public sealed class PictureRemovalFaultsTests(PictureRemovalFaultsFixture fx)
    : IClassFixture<PictureRemovalFaultsFixture>
{
    [Theory]
    [InlineData("replaced")]
    [InlineData("removed")]
    [InlineData("linked")]
    [InlineData("account")]
    public async Task A_picture_let_go_leaves_the_store_even_when_the_instance_dies_right_after_the_commit(string how)
    {
        var (id, token) = ProfilePictureTests.Member(await fx.RegisterAsync());
        await (await UploadAsync(token, Images.Png(), "image/png")).AssertStatus(200);
        var key = await fx.ScalarAsync<string>(
            "SELECT profile_image_key FROM users WHERE id = @id",
            ("id", Guid.Parse(id))
        );
        var file = Path.Combine(fx.BlobRoot, key!);
        Assert.True(File.Exists(file));
        Interlocked.Exchange(ref fx.FailingDeletes, 1);

        var done = how switch
        {
            "replaced" => await UploadAsync(token, Images.Jpeg(), "image/jpeg"),
            "removed" => await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/users/me/picture", null, token),
            "linked" => await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { profile_image_url = "https://cdn.example.com/me.png" },
                token
            ),
            _ => await fx.Client.DeleteAccount(token),
        };
        Assert.True(done.IsSuccessStatusCode, $"{how}: {done.StatusCode}");

        await Eventually.TrueAsync(
            async () =>
                !File.Exists(file)
                && await fx.ScalarAsync<long>("SELECT count(*) FROM blob_deletions WHERE key = @k", ("k", key!)) == 0,
            $"a picture let go ({how}) stayed in the store after the instance died right after the commit",
            TimeSpan.FromSeconds(10)
        );
        Interlocked.Exchange(ref fx.FailingDeletes, 0);
    }

    private async Task<HttpResponseMessage> UploadAsync(string token, byte[] image, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/users/me/picture")
        {
            Content = ProfilePictureTests.Form(image, "me." + contentType[6..], contentType),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await fx.Client.SendAsync(request);
    }
}
