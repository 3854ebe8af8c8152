using System.Security.Cryptography;
using System.Text;

namespace Community.Identity;

/// <summary>How identity stores the secrets it hands out (refresh tokens, links, codes): only their SHA-256.</summary>
public static class Hashing
{
    public static byte[] Sha256(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
