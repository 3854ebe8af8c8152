namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// A document type uploads may have, recognised by its content only (names and declared types are the client's word).
/// </summary>
public sealed record DocumentFormat(string ContentType, string Extension)
{
    public static readonly DocumentFormat Pdf = new("application/pdf", "pdf");

    /// <summary>
    /// How far from the end a PDF's end-of-file marker may sit (writers add trailing whitespace or junk).
    /// </summary>
    public const int TrailerWindow = 1024;

    /// <summary>
    /// Whether the stream (from its current position) holds a PDF: a <c>%PDF-1.x</c> or <c>%PDF-2.x</c> header and a
    /// <c>%%EOF</c> marker near the end, so a truncated upload or something merely named .pdf is refused. The caller
    /// rewinds the stream.
    /// </summary>
    public static async Task<bool> IsPdfAsync(Stream content, long length, CancellationToken cancellationToken)
    {
        var head = new byte[8];
        if (
            await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken)
            < head.Length
        )
            return false;
        if (
            !head.AsSpan().StartsWith("%PDF-"u8)
            || head[5] is not ((byte)'1' or (byte)'2')
            || head[6] != (byte)'.'
            || !char.IsAsciiDigit((char)head[7])
        )
            return false;
        var tailLength = (int)Math.Min(TrailerWindow, length - head.Length);
        if (tailLength < 5 || !content.CanSeek)
            return false;
        content.Seek(-tailLength, SeekOrigin.End);
        var tail = new byte[tailLength];
        await content.ReadExactlyAsync(tail, cancellationToken);
        return tail.AsSpan().IndexOf("%%EOF"u8) >= 0;
    }
}
