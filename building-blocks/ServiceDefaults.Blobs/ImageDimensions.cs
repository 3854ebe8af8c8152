using System.Buffers.Binary;
using System.Text;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// An image's width and height in pixels, as its header declares them (<see cref="ImageLimits"/> bounds them).
/// </summary>
public readonly record struct PixelSize(int Width, int Height);

/// <summary>
/// Reads the pixel size a JPEG, PNG or WebP header declares, without decoding any pixels. Strict:
/// a header cut short, out of order, contradicting its format or declaring a zero side gives null.
/// </summary>
internal static class ImageDimensions
{
    public static async Task<PixelSize?> ReadAsync(
        ImageFormat format,
        Stream content,
        CancellationToken cancellationToken
    )
    {
        var reader = new HeaderReader(content, cancellationToken);
        var size =
            format == ImageFormat.Png ? await PngAsync(reader)
            : format == ImageFormat.Jpeg ? await JpegAsync(reader)
            : format == ImageFormat.WebP ? await WebPAsync(reader)
            : null;
        return size is { Width: > 0, Height: > 0 } ? size : null;
    }

    // The signature, then IHDR, always the first chunk: length 13, type, width and height (big-endian, at most 2^31 -
    // 1), five more fields, CRC.
    private static async Task<PixelSize?> PngAsync(HeaderReader reader)
    {
        if (await reader.ReadAsync(8 + 8 + 13 + 4) is not { } bytes)
            return null;
        var header = bytes.Span;
        if (BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != 13 || !header.Slice(12, 4).SequenceEqual("IHDR"u8))
            return null;
        var width = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(header[20..]);
        return width <= int.MaxValue && height <= int.MaxValue ? new PixelSize((int)width, (int)height) : null;
    }

    // Segments from SOI up to the first frame header (SOF0-SOF15; C4, C8 and CC share the range but are DHT, JPG and
    // DAC).
    private static async Task<PixelSize?> JpegAsync(HeaderReader reader)
    {
        if (await reader.ReadAsync(2) is not { } soi || soi.Span[0] != 0xFF || soi.Span[1] != 0xD8)
            return null;
        while (true)
        {
            // A marker is 0xFF and a code, optionally after any number of 0xFF fill bytes; anything else between
            // segments is damage.
            if (await reader.ReadAsync(1) is not { } start || start.Span[0] != 0xFF)
                return null;
            byte code;
            do
            {
                if (await reader.ReadAsync(1) is not { } next)
                    return null;
                code = next.Span[0];
            } while (code == 0xFF);

            if (code is 0x01 or (>= 0xD0 and <= 0xD7))
                continue; // TEM and RST0-7 have no length
            if (code is 0x00 or 0xD8 or 0xD9 or 0xDA)
                return null; // not a marker, a second SOI, the end or a scan before any frame header
            if (await reader.ReadAsync(2) is not { } lengthBytes)
                return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(lengthBytes.Span); // counts itself
            if (length < 2)
                return null;
            if (code is < 0xC0 or > 0xCF or 0xC4 or 0xC8 or 0xCC)
            {
                if (!await reader.SkipAsync(length - 2))
                    return null;
                continue;
            }

            // Frame header: sample precision, lines (height), samples per line (width), component count, then 3 bytes
            // per component.
            if (await reader.ReadAsync(6) is not { } bytes)
                return null;
            var frame = bytes.Span;
            var height = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]);
            var width = BinaryPrimitives.ReadUInt16BigEndian(frame[3..]);
            var components = frame[5];
            if (components == 0 || length != 8 + 3 * components || !await reader.SkipAsync(length - 8))
                return null;
            // a height of 0 (set later by a DNL marker) is refused with the other zero sizes
            return new PixelSize(width, height);
        }
    }

    // RIFF "WEBP", then the first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended, which gives the canvas).
    private static async Task<PixelSize?> WebPAsync(HeaderReader reader)
    {
        if (await reader.ReadAsync(12 + 8) is not { } bytes)
            return null;
        var head = bytes.Span;
        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        var chunk = Encoding.ASCII.GetString(head.Slice(12, 4));
        var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]);
        if (riffSize < 4 + 8 || chunkSize > riffSize - 4 - 8)
            return null;

        switch (chunk)
        {
            case "VP8 ":
            {
                // Frame tag (24 bits: key frame when bit 0 is clear, profile 0-3, shown, first partition size), start
                // code, 14-bit sizes with 2 scale bits.
                if (chunkSize < 10 || await reader.ReadAsync(10) is not { } frameBytes)
                    return null;
                var frame = frameBytes.Span;
                var tag = frame[0] | frame[1] << 8 | frame[2] << 16;
                var keyFrame = (tag & 1) == 0;
                var profile = (tag >> 1) & 7;
                var shown = ((tag >> 4) & 1) == 1;
                var firstPartitionSize = (uint)(tag >> 5);
                if (!keyFrame || profile > 3 || !shown || firstPartitionSize >= chunkSize)
                    return null;
                if (frame[3] != 0x9D || frame[4] != 0x01 || frame[5] != 0x2A)
                    return null;
                return new PixelSize(
                    BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF,
                    BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF
                );
            }
            case "VP8L":
            {
                // Signature 0x2F, then 32 bits: width - 1 and height - 1 in 14 bits each, the alpha hint, a 3-bit
                // version that must be 0.
                if (chunkSize < 5 || await reader.ReadAsync(5) is not { } headerBytes)
                    return null;
                var header = headerBytes.Span;
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(header[1..]);
                if (header[0] != 0x2F || bits >> 29 != 0)
                    return null;
                return new PixelSize((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
            }
            case "VP8X":
            {
                // Flags, 3 reserved bytes, then canvas width - 1 and height - 1 in 24 bits each; the chunk is always 10
                // bytes.
                if (chunkSize != 10 || await reader.ReadAsync(10) is not { } headerBytes)
                    return null;
                var header = headerBytes.Span;
                return new PixelSize(UInt24(header[4..]) + 1, UInt24(header[7..]) + 1);
            }
            default:
                return null;
        }
    }

    private static int UInt24(ReadOnlySpan<byte> bytes) => bytes[0] | bytes[1] << 8 | bytes[2] << 16;

    /// <summary>
    /// Forward-only reads through a small buffer, so walking many tiny JPEG segments costs no stream call each.
    /// </summary>
    private sealed class HeaderReader(Stream stream, CancellationToken cancellationToken)
    {
        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        /// <summary>
        /// The next <paramref name="count"/> bytes (valid until the next call), or null when the stream ends first.
        /// </summary>
        public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(int count)
        {
            if (_end - _start < count)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
                while (_end < count)
                {
                    var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                    if (read == 0)
                        return null;
                    _end += read;
                }
            }
            var bytes = _buffer.AsMemory(_start, count);
            _start += count;
            return bytes;
        }

        /// <summary>Passes over <paramref name="count"/> bytes; false when the stream ends first.</summary>
        public async ValueTask<bool> SkipAsync(long count)
        {
            var buffered = (int)Math.Min(count, _end - _start);
            _start += buffered;
            count -= buffered;
            if (count == 0)
                return true;
            _start = _end = 0;
            if (stream.CanSeek)
            {
                if (stream.Length - stream.Position < count)
                    return false;
                stream.Seek(count, SeekOrigin.Current);
                return true;
            }
            while (count > 0)
            {
                var read = await stream.ReadAsync(
                    _buffer.AsMemory(0, (int)Math.Min(count, _buffer.Length)),
                    cancellationToken
                );
                if (read == 0)
                    return false;
                count -= read;
            }
            return true;
        }
    }
}
