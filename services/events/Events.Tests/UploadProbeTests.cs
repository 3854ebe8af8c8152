using System.Net.Http.Headers;

namespace Community.Events.Tests;

/// <summary>
/// What the third outside probe sent to photo and cover uploads: broken forms, NUL captions, metadata, polyglots,
/// bombs.
/// </summary>
public sealed class UploadProbeTests(PhotosFixture fx) : IClassFixture<PhotosFixture>
{
    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    [Fact]
    public async Task A_broken_multipart_body_is_a_400_problem_on_photos_and_covers_and_nothing_is_stored()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        foreach (
            var route in new[]
            {
                (HttpMethod.Post, $"/api/v1/events/{e}/photos"),
                (HttpMethod.Put, $"/api/v1/events/{e}/cover"),
            }
        )
        foreach (var (name, content) in BrokenForms.All(Images.Png()))
        {
            using var response = await Send(route.Item1, route.Item2, organizer, content());
            Assert.True(
                response.StatusCode == HttpStatusCode.BadRequest,
                $"{route.Item2}, {name}: {(int)response.StatusCode}"
            );
            var problem = await response.AssertProblem(400);
            Assert.Contains("multipart form could not be read", problem["errors"]!["file"]![0]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(problem["request_id"]?.GetValue<string>()));
        }
        Assert.False(Directory.Exists(Path.Combine(fx.PhotoRoot, "events", e)));
    }

    [Theory]
    [InlineData("before\0after", "U+0000")]
    [InlineData("bell\u0007", "U+0007")]
    public async Task A_caption_with_a_control_character_is_a_400_naming_it_and_no_blob_or_row_is_left(
        string caption,
        string named
    )
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Images.Jpeg()), "file", "a.jpg" },
            { new StringContent(caption), "caption" },
        };

        var problem = await (await Send(HttpMethod.Post, $"/api/v1/events/{e}/photos", organizer, form)).AssertProblem(
            400
        );
        Assert.Contains(named, problem["errors"]!["caption"]![0]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM event_photos WHERE event_id = @id", ("id", Guid.Parse(e)))
        );
        Assert.False(Directory.Exists(Path.Combine(fx.PhotoRoot, "events", e)));
        // Tab, CR and LF are text.
        var fine = new MultipartFormDataContent
        {
            { new ByteArrayContent(Images.Jpeg()), "file", "a.jpg" },
            { new StringContent("a\tb\r\nc"), "caption" },
        };
        await (await Send(HttpMethod.Post, $"/api/v1/events/{e}/photos", organizer, fine)).AssertStatus(201);
    }

    [Fact]
    public async Task Gps_exif_is_gone_from_a_served_photo_and_cover()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var jpeg = Images.JpegWithExif();
        Assert.True(jpeg.AsSpan().IndexOf(Images.GpsLatitude) > 0);

        var photo = await (
            await Send(HttpMethod.Post, $"/api/v1/events/{e}/photos", organizer, Form(jpeg))
        ).AssertStatus(201);
        await (await Send(HttpMethod.Put, $"/api/v1/events/{e}/cover", organizer, Form(jpeg))).AssertStatus(200);
        foreach (var url in new[] { photo["url"]!.GetValue<string>(), $"/api/v1/events/{e}/cover" })
        {
            var served = await Served(url, organizer, "image/jpeg");
            Assert.Equal([0xFF, 0xD8, 0xFF], served[..3]);
            Assert.True(served.AsSpan().IndexOf("Exif"u8) < 0, $"{url} still carries an Exif segment");
            Assert.True(served.AsSpan().IndexOf(Images.GpsLatitude) < 0, $"{url} still carries the GPS latitude");
        }
        Assert.Equal(photo["size_bytes"]!.GetValue<long>(), new FileInfo(fx.FileOf(e, Id(photo), "jpg")).Length);
    }

    [Fact]
    public async Task A_jpeg_turned_by_its_exif_orientation_is_stored_upright()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var photo = await (
            await Send(
                HttpMethod.Post,
                $"/api/v1/events/{e}/photos",
                organizer,
                Form(Images.JpegWithExif(orientation: 6))
            )
        ).AssertStatus(201);
        Assert.Equal(Images.Height, photo["width"]!.GetValue<int>());
        Assert.Equal(Images.Width, photo["height"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_png_with_html_after_its_end_is_served_without_the_html()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var polyglot = Images.PngHtmlPolyglot();
        var photo = await (
            await Send(HttpMethod.Post, $"/api/v1/events/{e}/photos", organizer, Form(polyglot, "x.png"))
        ).AssertStatus(201);
        await (
            await Send(HttpMethod.Put, $"/api/v1/events/{e}/cover", organizer, Form(polyglot, "x.png"))
        ).AssertStatus(200);
        foreach (var url in new[] { photo["url"]!.GetValue<string>(), $"/api/v1/events/{e}/cover" })
        {
            var served = await Served(url, organizer, "image/png");
            Assert.True(served.AsSpan().IndexOf("<script"u8) < 0, $"{url} still carries the HTML");
            Assert.Equal("IEND"u8.ToArray(), served[^8..^4]); // the image's end is the file's end
        }
    }

    [Fact]
    public async Task A_10000_x_10000_png_is_refused_before_it_is_decoded()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var bomb = Images.Png(width: 10_000, height: 10_000, pixels: false);
        foreach (
            var route in new[]
            {
                (HttpMethod.Post, $"/api/v1/events/{e}/photos"),
                (HttpMethod.Put, $"/api/v1/events/{e}/cover"),
            }
        )
        {
            var problem = await (await Send(route.Item1, route.Item2, organizer, Form(bomb, "bomb.png"))).AssertProblem(
                400
            );
            Assert.Contains("10000 x 10000", problem["errors"]!["file"]![0]!.GetValue<string>());
        }
        Assert.False(Directory.Exists(Path.Combine(fx.PhotoRoot, "events", e)));
    }

    [Fact]
    public async Task A_photo_larger_than_an_avatar_may_be_is_accepted()
    {
        var (_, organizer) = fx.Organizer();
        var e = Id(await fx.CreateEventAsync(organizer));
        var photo = await (
            await Send(
                HttpMethod.Post,
                $"/api/v1/events/{e}/photos",
                organizer,
                Form(Images.Png(width: 5000, height: 100), "wide.png")
            )
        ).AssertStatus(201);
        Assert.Equal(5000, photo["width"]!.GetValue<int>());
    }

    private async Task<byte[]> Served(string url, string token, string contentType)
    {
        using var response = await fx.Client.Get(url, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string url, string token, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new("Bearer", token);
        return await fx.Client.SendAsync(request);
    }

    private static MultipartFormDataContent Form(byte[] bytes, string fileName = "photo.jpg")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { file, "file", fileName } };
    }
}
