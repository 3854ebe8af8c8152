using System.Net;
using System.Text;

namespace Community.Messaging.Tests;

/// <summary>What the third outside probe sent to attachments: broken forms, GPS metadata, polyglots, misleading
/// names.</summary>
public sealed class AttachmentProbeTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    );

    [Fact]
    public async Task A_broken_multipart_body_is_a_400_problem_and_nothing_is_stored()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        foreach (var (name, content) in BrokenForms.All(Images.Png()))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/conversations/{c}/attachments")
            {
                Content = content(),
            };
            request.Headers.Authorization = new("Bearer", a);
            using var response = await fx.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode}");
            var problem = await response.AssertProblem(400);
            Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(problem["request_id"]?.GetValue<string>()));
        }
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM attachments WHERE conversation_id = @c",
                ("c", Guid.Parse(c))
            )
        );
        Assert.False(Directory.Exists(Path.Combine(fx.AttachmentRoot, "conversations", Guid.Parse(c).ToString("N"))));
    }

    [Fact]
    public async Task Image_attachments_lose_gps_exif_and_trailing_html_and_pdfs_stay_as_sent()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var jpeg = await Served(await UploadAndSendAsync(a, b, c, Images.JpegWithExif(), "trip.jpg", "gps"), b);
        Assert.True(jpeg.Bytes.AsSpan().IndexOf("Exif"u8) < 0);
        Assert.True(jpeg.Bytes.AsSpan().IndexOf(Images.GpsLatitude) < 0);
        var png = await Served(await UploadAndSendAsync(a, b, c, Images.PngHtmlPolyglot(), "x.png", "polyglot"), b);
        Assert.True(png.Bytes.AsSpan().IndexOf("<script"u8) < 0);
        Assert.Equal("IEND"u8.ToArray(), png.Bytes[^8..^4]);
        var pdf = await Served(await UploadAndSendAsync(a, b, c, Pdf, "plan.pdf", "pdf"), b);
        Assert.Equal(Pdf, pdf.Bytes);
    }

    [Fact]
    public async Task Downloads_carry_nosniff_and_are_named_by_their_detected_type_without_bidi_or_control_characters()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var html = await UploadAndSendAsync(a, b, c, Images.Png(), "x.html", "html");
        Assert.Equal("x.png", html["file_name"]!.GetValue<string>());
        Assert.Equal("x.png", (await Served(html, b)).FileName);

        // "invoice<RLO>gnp.exe" shows as "invoiceexe.png" where bidi overrides are honoured.
        var bidi = await UploadAndSendAsync(a, b, c, Pdf, "invoice\u202Egnp.exe", "bidi");
        Assert.Equal("invoicegnp.pdf", bidi["file_name"]!.GetValue<string>());
        Assert.Equal("invoicegnp.pdf", (await Served(bidi, b)).FileName);

        var unnamed = await UploadAndSendAsync(a, b, c, Images.WebP(), "\u200F.webp", "unnamed");
        Assert.Null(unnamed["file_name"]);
        Assert.Equal("attachment.webp", (await Served(unnamed, b)).FileName);
    }

    private async Task<JsonNode> UploadAndSendAsync(
        string a,
        string b,
        string c,
        byte[] bytes,
        string fileName,
        string txn
    )
    {
        var attachment = await (await fx.UploadAsync(a, c, bytes, fileName, "application/octet-stream")).AssertStatus(
            201
        );
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = new[] { attachment["id"]!.GetValue<string>() },
                    client_txn_id = txn,
                },
                a
            )
        ).AssertStatus(201);
        return attachment;
    }

    private async Task<(byte[] Bytes, string? FileName)> Served(JsonNode attachment, string token)
    {
        using var response = await fx.Client.Get(attachment["url"]!.GetValue<string>(), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(attachment["content_type"]!.GetValue<string>(), response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var disposition = response.Content.Headers.ContentDisposition;
        return (
            await response.Content.ReadAsByteArrayAsync(),
            disposition?.FileNameStar ?? disposition?.FileName?.Trim('"')
        );
    }
}
