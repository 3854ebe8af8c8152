using System.Buffers.Binary;
using System.IO.Compression;

namespace Community.Testing;

/// <summary>
/// Real images, built byte by byte (each checked once with libjpeg's djpeg, libwebp's dwebp and libpng),
/// padded to a size when asked; <see cref="Width"/> x <see cref="Height"/> unless told otherwise.
/// </summary>
public static class Images
{
    public const int Width = 300;
    public const int Height = 200;

    /// <summary>
    /// A flat grey JPEG: SOI, JFIF, a quantisation table, one-code Huffman tables (a DHT before the frame header, whose
    /// C4 marker must not pass for a SOF), a fill byte before the frame header, scans in which every block is flat,
    /// EOI. Baseline (SOF0, one scan) or progressive (SOF2, a DC scan and an AC scan). Padding is comment segments
    /// before the frame header, so a reader has to walk past them.
    /// </summary>
    public static byte[] Jpeg(int size = 0, int width = Width, int height = Height, bool progressive = false)
    {
        var blocks = (width + 7) / 8 * ((height + 7) / 8);
        byte[] head = [0xFF, 0xD8, .. Segment(0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0])];
        byte[] scans = progressive
            ?
            [
                .. Segment(0xDA, [1, 1, 0x00, 0, 0, 0]),
                .. FlatBlocks(blocks, bitsPerBlock: 1),
                .. OneCodeHuffmanTable(ac: true),
                .. Segment(0xDA, [1, 1, 0x00, 1, 63, 0]),
                .. FlatBlocks(blocks, bitsPerBlock: 1),
            ]
            :
            [
                .. OneCodeHuffmanTable(ac: true),
                .. Segment(0xDA, [1, 1, 0x00, 0, 63, 0]),
                .. FlatBlocks(blocks, bitsPerBlock: 2),
            ];
        byte[] body =
        [
            .. Segment(0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]),
            .. OneCodeHuffmanTable(ac: false),
            0xFF, // a fill byte
            .. Segment(
                progressive ? 0xC2 : 0xC0,
                [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]
            ),
            .. scans,
            0xFF,
            0xD9,
        ];
        var padding = Math.Max(0, size - head.Length - body.Length);
        var inSegments = padding < 4 ? 0 : padding;
        return [.. head, .. Comments(inSegments), .. body, .. new byte[padding - inSegments]];
    }

    /// <summary>
    /// <see cref="Jpeg(int, int, int, bool)"/> with an Exif APP1 segment after JFIF: IFD0 holds the orientation (1-8)
    /// and a GPS IFD with latitude 25° 12' 34.56" N, as a phone writes it. <see cref="GpsLatitude"/> is the rational's
    /// bytes.
    /// </summary>
    public static byte[] JpegWithExif(int orientation = 1, int width = Width, int height = Height)
    {
        var jpeg = Jpeg(width: width, height: height);
        var tiff = new byte[92];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8); // IFD0
        void Entry(int at, int tag, int type, int count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)tag);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 2), (ushort)type);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 4), (uint)count);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 8), value);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 2);
        Entry(10, 0x0112, 3, 1, (uint)orientation); // Orientation, SHORT
        Entry(22, 0x8825, 4, 1, 38); // GPSInfo IFD pointer, LONG
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(38), 2);
        Entry(40, 0x0001, 2, 2, 'N'); // GPSLatitudeRef, ASCII "N\0"
        Entry(52, 0x0002, 5, 3, 68); // GPSLatitude, 3 RATIONALs at 68
        GpsLatitude.CopyTo(tiff, 68);
        var app1 = Segment(0xE1, [.. "Exif\0\0"u8, .. tiff]);
        var afterJfif = 2 + 18; // SOI, then the JFIF segment
        return [.. jpeg[..afterJfif], .. app1, .. jpeg[afterJfif..]];
    }

    /// <summary>
    /// 25/1, 12/1, 3456/100: the GPS latitude <see cref="JpegWithExif"/> carries, to look for in stored bytes.
    /// </summary>
    public static readonly byte[] GpsLatitude =
    [
        25,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        12,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0x80,
        0x0D,
        0,
        0,
        100,
        0,
        0,
        0,
    ];

    /// <summary>
    /// A real PNG followed, after IEND, by an HTML page with a script: what a browser sniffing it would run.
    /// </summary>
    public static byte[] PngHtmlPolyglot() => [.. Png(), .. HtmlTail];

    public static readonly byte[] HtmlTail =
        "<html><body><script>alert(document.cookie)</script></body></html>"u8.ToArray();

    /// <summary>
    /// A JPEG's frame header marker (SOF0 or SOF2) in <paramref name="jpeg"/>, for tests that damage it.
    /// </summary>
    public static int FrameHeaderAt(byte[] jpeg)
    {
        var baseline = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0, 0x00, 0x0B]);
        return baseline >= 0 ? baseline : jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC2, 0x00, 0x0B]);
    }

    private static byte[] Segment(int marker, byte[] payload) =>
        [0xFF, (byte)marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];

    /// <summary>
    /// A DC or AC table of table slot 0 with a single 1-bit code ("0") for symbol 0: DC difference 0, or end of block.
    /// </summary>
    private static byte[] OneCodeHuffmanTable(bool ac) =>
        Segment(0xC4, [(byte)(ac ? 0x10 : 0x00), 1, .. new byte[15], 0]);

    /// <summary>
    /// Every block coded "0" (plus "0" for its AC end of block in a baseline scan), then 1-bits to the byte boundary.
    /// </summary>
    private static byte[] FlatBlocks(int blocks, int bitsPerBlock)
    {
        var bits = blocks * bitsPerBlock;
        var bytes = new byte[(bits + 7) / 8];
        if (bits % 8 != 0)
            bytes[^1] = (byte)((1 << (8 - bits % 8)) - 1);
        return bytes;
    }

    /// <summary>
    /// Exactly <paramref name="total"/> bytes (0 or at least 4) of COM segments, up to 64 KiB each, full of 0xFF and
    /// other bytes.
    /// </summary>
    private static byte[] Comments(int total)
    {
        using var comments = new MemoryStream();
        while (total > 0)
        {
            var segment = Math.Min(total, 2 + 0xFFFF);
            if (total - segment is > 0 and < 4)
                segment -= 4;
            var text = new byte[segment - 4];
            for (var i = 0; i < text.Length; i++)
                text[i] = (byte)(i * 31);
            comments.Write(Segment(0xFE, text));
            total -= segment;
        }
        return comments.ToArray();
    }

    /// <summary>
    /// A real RGBA PNG (signature, IHDR, IDAT, IEND with their CRCs); padding goes after IEND. Without pixels it stops
    /// after IHDR: enough for sizes a test only needs declared (a 100-megapixel image is not built for real).
    /// </summary>
    public static byte[] Png(int size = 0, int width = Width, int height = Height, bool pixels = true)
    {
        using var image = new MemoryStream();
        image.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 6; // RGBA
        Chunk(image, "IHDR", header);
        if (pixels)
        {
            using (var data = new MemoryStream())
            {
                using (var zlib = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
                {
                    var row = new byte[1 + width * 4]; // filter type 0, then the pixels
                    for (var x = 0; x < width; x++)
                        ((ReadOnlySpan<byte>)[0x33, 0x99, 0xFF, 0xFF]).CopyTo(row.AsSpan(1 + x * 4));
                    for (var y = 0; y < height; y++)
                        zlib.Write(row);
                }
                Chunk(image, "IDAT", data.ToArray());
            }
            Chunk(image, "IEND", []);
        }
        var png = image.ToArray();
        return size <= png.Length ? png : [.. png, .. new byte[size - png.Length]];
    }

    /// <summary>
    /// A real lossless WebP: a VP8L chunk whose five prefix codes each have one symbol, so every pixel costs no bits.
    /// </summary>
    public static byte[] WebP(int width = Width, int height = Height) => Riff(("VP8L", Vp8L(width, height)));

    /// <summary>An extended WebP: a VP8X chunk giving the canvas, then the lossless image of that size.</summary>
    public static byte[] WebPExtended(
        int width = Width,
        int height = Height,
        int? canvasWidth = null,
        int? canvasHeight = null
    )
    {
        var vp8x = new byte[10];
        WriteUInt24(vp8x.AsSpan(4), (canvasWidth ?? width) - 1);
        WriteUInt24(vp8x.AsSpan(7), (canvasHeight ?? height) - 1);
        return Riff(("VP8X", vp8x), ("VP8L", Vp8L(width, height)));
    }

    /// <summary>
    /// A real 300 x 200 lossy WebP (a VP8 chunk): cwebp -q 10 of a flat image, since a VP8 bitstream is not written by
    /// hand. The width is at bytes 26-27, the height at 28-29.
    /// </summary>
    public static byte[] WebPLossy() =>
        Convert.FromBase64String(
            "UklGRrwAAABXRUJQVlA4ILAAAACQEACdASosAcgAP3G42GW0rqunICgCkC4JaW7hdrEWgAnsA99snIe+2TkPfbJyHvtk5D32"
                + "ych77ZOQ9+Re5D32ych77ZOQ99snIe+2TkPfbJyHvtk5D32ych77ZOQ99snIe+2TkPfbJyHvtk5D32ych77ZOQ99snIe+2Tk"
                + "PfbJyHvtk5D32ych77ZOFAAA/v2Ivzse4P/pOIKOgACoGfQOAAGCoVCoQIAF+oVCoQIAAA=="
        );

    /// <summary>
    /// Signature, 14-bit width - 1 and height - 1, no alpha, version 0; no transform, colour cache or meta codes;
    /// one-symbol codes.
    /// </summary>
    private static byte[] Vp8L(int width, int height)
    {
        var bits = new List<bool>();
        void Put(int value, int count)
        {
            for (var i = 0; i < count; i++)
                bits.Add(((value >> i) & 1) == 1);
        }
        Put(0x2F, 8);
        Put(width - 1, 14);
        Put(height - 1, 14);
        Put(0, 1); // no alpha
        Put(0, 3); // version 0
        Put(0, 1); // no transform
        Put(0, 1); // no colour cache
        Put(0, 1); // no meta prefix codes
        foreach (var symbol in new[] { 0x80, 0x33, 0x99, 0xFF }) // green, red, blue, alpha
        {
            Put(1, 1); // a simple code
            Put(0, 1); // of one symbol
            Put(1, 1); // written in 8 bits
            Put(symbol, 8);
        }
        Put(1, 1); // distance: a simple code of one symbol, 0, written in 1 bit
        Put(0, 3);
        var bytes = new byte[(bits.Count + 7) / 8];
        for (var i = 0; i < bits.Count; i++)
            if (bits[i])
                bytes[i / 8] |= (byte)(1 << (i % 8));
        return bytes;
    }

    private static byte[] Riff(params (string FourCc, byte[] Data)[] chunks)
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        foreach (var (fourCc, data) in chunks)
        {
            body.Write(Encoding.ASCII.GetBytes(fourCc));
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)data.Length);
            body.Write(length);
            body.Write(data);
            if (data.Length % 2 == 1)
                body.WriteByte(0);
        }
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)body.Length);
        return [.. "RIFF"u8, .. size, .. body.ToArray()];
    }

    private static void WriteUInt24(Span<byte> into, int value)
    {
        into[0] = (byte)value;
        into[1] = (byte)(value >> 8);
        into[2] = (byte)(value >> 16);
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
