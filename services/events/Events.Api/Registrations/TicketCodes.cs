using System.Security.Cryptography;

namespace Community.Events.Registrations;

/// <summary>
/// Printable, unguessable ticket codes: "EVT-" and 10 base32 characters (50 random bits); the database keeps them
/// unique.
/// </summary>
public static class TicketCodes
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string New()
    {
        Span<char> code = stackalloc char[10];
        for (var i = 0; i < code.Length; i++)
            code[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return "EVT-" + new string(code);
    }

    public static bool LooksValid(string? code) =>
        code is { Length: 14 }
        && code.StartsWith("EVT-", StringComparison.Ordinal)
        && code[4..].All(c => Alphabet.Contains(c));

    /// <summary>What people type: any case, surrounding spaces.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();
}
