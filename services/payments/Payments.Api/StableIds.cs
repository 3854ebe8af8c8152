using System.Security.Cryptography;
using System.Text;

namespace Community.Payments;

/// <summary>
/// Ids that are the same every time the same thing asks: retries and redeliveries find what the first attempt made.
/// </summary>
public static class StableIds
{
    public static Guid From(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}
