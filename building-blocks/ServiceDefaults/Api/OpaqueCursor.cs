using System.Buffers.Text;
using System.Text;

namespace Community.ServiceDefaults.Api;

/// <summary>Cursors clients pass back unread: a position in a list, base64url-encoded.</summary>
public static class OpaqueCursor
{
    public static string Encode(string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(position));

    /// <summary>The position, or null for anything this API did not give out.</summary>
    public static string? Decode(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
