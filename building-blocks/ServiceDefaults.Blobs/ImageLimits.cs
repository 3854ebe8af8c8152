using System.Globalization;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// How many pixels an upload may have, checked from the header before anything is decoded: a small file can
/// declare a huge image (a decompression bomb). Each use has its own ceiling; decoding costs 4 bytes a pixel.
/// </summary>
public sealed record ImageLimits(int MaxSide, long MaxPixels)
{
    /// <summary>
    /// Event photos, covers and image attachments: a 48-megapixel phone photo fits (200 MB to decode).
    /// </summary>
    public static readonly ImageLimits Photo = new(12_000, 50_000_000);

    /// <summary>Profile pictures: shown small, so far less than a photo (64 MB to decode at most).</summary>
    public static readonly ImageLimits Avatar = new(4_096, 4_096 * 4_096);

    public bool Allows(PixelSize size) =>
        size.Width <= MaxSide && size.Height <= MaxSide && (long)size.Width * size.Height <= MaxPixels;

    /// <summary>For refusals: "at most 4096 pixels a side and 16.8 megapixels".</summary>
    public string Describe() =>
        $"at most {MaxSide} pixels a side and "
        + $"{(MaxPixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture)} megapixels";
}
