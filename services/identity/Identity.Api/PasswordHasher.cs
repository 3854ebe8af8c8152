using System.Security.Cryptography;

namespace Community.Identity;

/// <summary>
/// PBKDF2-HMAC-SHA512 with a random 16-byte salt, in a versioned format
/// "v1$iterations$salt$hash" so the cost can be raised later without breaking stored hashes.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 210_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"v1${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "v1" || !int.TryParse(parts[1], out var iterations))
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>
    /// Spends the same time as a real check, so an unknown user cannot be told from a wrong password.
    /// </summary>
    public static void VerifyAgainstNothing(string password) => Verify(password, DummyHash.Value);

    /// <summary><see cref="Verify"/>, or <see cref="VerifyAgainstNothing"/> (false) when there is no hash.</summary>
    public static bool VerifyOrNothing(string password, string? stored)
    {
        if (stored is not null)
            return Verify(password, stored);
        VerifyAgainstNothing(password);
        return false;
    }

    private static readonly Lazy<string> DummyHash = new(() => Hash(Guid.NewGuid().ToString()));
}
