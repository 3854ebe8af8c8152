using System.Net.Http.Headers;

namespace Community.Identity.Tests;

/// <summary>
/// What the third outside probe sent to profile pictures: broken forms, GPS metadata, oversized avatars.
/// </summary>
public sealed class PictureProbeTests(PictureFixture fx) : IClassFixture<PictureFixture>
{
    private static (string Id, string Token) Member(JsonNode registered) =>
        (registered["user"]!["id"]!.GetValue<string>(), registered["access_token"]!.GetValue<string>());

    [Fact]
    public async Task A_broken_multipart_body_is_a_400_problem_and_nothing_is_stored()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        foreach (var (name, content) in BrokenForms.All(Images.Png()))
        {
            using var response = await Put(token, content());
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode}");
            var problem = await response.AssertProblem(400);
            Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(problem["request_id"]?.GetValue<string>()));
        }
        Assert.Empty(fx.PictureFiles(id));
    }

    [Fact]
    public async Task Gps_exif_is_gone_from_the_served_picture()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.JpegWithExif()))).AssertStatus(200);
        using var response = await fx.Client.Get($"/api/v1/users/{id}/picture", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var served = await response.Content.ReadAsByteArrayAsync();
        Assert.True(served.AsSpan().IndexOf("Exif"u8) < 0);
        Assert.True(served.AsSpan().IndexOf(Images.GpsLatitude) < 0);
    }

    [Fact]
    public async Task A_png_with_html_after_its_end_is_stored_without_the_html()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        await (await Put(token, Form(Images.PngHtmlPolyglot()))).AssertStatus(200);
        var stored = await File.ReadAllBytesAsync(Assert.Single(fx.PictureFiles(id)));
        Assert.True(stored.AsSpan().IndexOf("<script"u8) < 0);
        Assert.Equal("IEND"u8.ToArray(), stored[^8..^4]);
    }

    [Fact]
    public async Task An_avatar_over_its_pixel_ceiling_is_refused_where_a_photo_of_that_size_is_not()
    {
        var (id, token) = Member(await fx.RegisterAsync());
        // 5000 x 100 is half a megapixel: an event photo takes it (Events' UploadProbeTests), an avatar's side is at
        // most 4096.
        var problem = await (await Put(token, Form(Images.Png(width: 5000, height: 100)))).AssertProblem(400);
        Assert.Contains("5000 x 100", problem["errors"]!["file"]![0]!.GetValue<string>());
        await (await Put(token, Form(Images.Png(width: 10_000, height: 10_000, pixels: false)))).AssertProblem(400);
        Assert.Empty(fx.PictureFiles(id));
        await (await Put(token, Form(Images.Png(width: 4096, height: 100)))).AssertStatus(200);
    }

    private async Task<HttpResponseMessage> Put(string token, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/users/me/picture") { Content = content };
        request.Headers.Authorization = new("Bearer", token);
        return await fx.Client.SendAsync(request);
    }

    private static MultipartFormDataContent Form(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { file, "file", "me.img" } };
    }
}
