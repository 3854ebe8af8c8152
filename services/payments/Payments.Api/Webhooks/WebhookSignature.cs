using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Community.Payments.Webhooks;

/// <summary>
/// Stripe's webhook signature: header "t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;" (several
/// v1 entries allowed). Verification is constant-time, accepts any configured secret (rotation)
/// and refuses timestamps more than <see cref="Tolerance"/> away from now.
/// </summary>
public static class WebhookSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static string Header(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={timestamp},v1={Convert.ToHexStringLower(Sign(secret, timestamp, body))}";
    }

    /// <summary>Null when genuine; otherwise why not (for the log, never for the caller).</summary>
    public static string? Verify(string? header, ReadOnlySpan<byte> body, IReadOnlyCollection<string> secrets, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header)) return "no Stripe-Signature header";
        if (secrets.Count == 0) return "no webhook secret configured";
        string? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2) continue;
            var (key, value) = (pair[0].Trim(), pair[1].Trim());
            if (key == "t") timestamp = value;
            else if (key == "v1" && value.Length == 64)
            {
                try { signatures.Add(Convert.FromHexString(value)); }
                catch (FormatException) { }
            }
        }
        if (timestamp is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return "no timestamp";
        if (signatures.Count == 0) return "no v1 signature";
        // Range-checked before converting: t=99999999999999 is past DateTimeOffset's end, not a 500.
        if (seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()) return "timestamp is out of range";
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((now - signedAt).Duration() > Tolerance) return $"timestamp {signedAt:O} is outside the {Tolerance.TotalSeconds} s tolerance";

        var match = false;
        foreach (var secret in secrets)
        {
            var expected = Sign(secret, timestamp, body);
            // Check every pair so the time taken does not depend on which one matched.
            foreach (var signature in signatures) match |= CryptographicOperations.FixedTimeEquals(expected, signature);
        }
        return match ? null : "no signature matches";
    }

    private static byte[] Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
    }
}
