using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Ids for new rows: UUID version 7, time-ordered from the service clock, so inserts land at the index's end. Within
/// one process they also follow the order they were made in the same millisecond (RFC 9562, 6.2 method 1: the 12
/// bits after the time count up from a random start), so rows ordered by id come out in the order they were made.
/// </summary>
public static class NewId
{
    private const int CounterMax = 0xFFF;
    private static readonly Lock Gate = new();
    private static long _lastMs = long.MinValue;
    private static int _counter;

    public static Guid Next(TimeProvider clock) => Next(clock.GetUtcNow());

    /// <summary>For code that already read the clock once for the whole change.</summary>
    public static Guid Next(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        int counter;
        lock (Gate)
        {
            // A new millisecond starts low enough to leave room for many ids; past the room, the random tail orders.
            _counter = ms == _lastMs ? Math.Min(_counter + 1, CounterMax) : RandomNumberGenerator.GetInt32(0x400);
            _lastMs = ms;
            counter = _counter;
        }
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        // 48 bits of Unix milliseconds, big-endian.
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
