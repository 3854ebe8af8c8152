using System.Net.Http.Headers;

namespace Community.Testing;

/// <summary>Multipart bodies a probe sends: complete HTTP requests whose form framing is broken.</summary>
public static class BrokenForms
{
    /// <summary>A file part named file, then the body ends: no closing boundary.</summary>
    public static HttpContent CutBeforeClosingBoundary(byte[] file, string fileName = "photo.png") =>
        Body("probe", "probe", file, fileName, close: false);

    /// <summary>A well-framed form, but by a boundary other than the one the Content-Type header names.</summary>
    public static HttpContent BoundaryNotTheHeaders(byte[] file, string fileName = "photo.png") =>
        Body(framedBy: "framing-boundary", declared: "declared-boundary", file, fileName, close: true);

    public static IEnumerable<(string Name, Func<HttpContent> Content)> All(byte[] file) =>
        [
            ("a body cut before its closing boundary", () => CutBeforeClosingBoundary(file)),
            ("a boundary other than the Content-Type's", () => BoundaryNotTheHeaders(file)),
        ];

    private static ByteArrayContent Body(string framedBy, string declared, byte[] file, string fileName, bool close)
    {
        var head = Encoding.ASCII.GetBytes(
            $"--{framedBy}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: "
                + "application/octet-stream\r\n\r\n"
        );
        var tail = close ? Encoding.ASCII.GetBytes($"\r\n--{framedBy}--\r\n") : [];
        var content = new ByteArrayContent([.. head, .. file, .. tail]);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={declared}");
        return content;
    }
}
