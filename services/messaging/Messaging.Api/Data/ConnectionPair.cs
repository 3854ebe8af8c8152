namespace Community.Messaging.Data;

/// <summary>An accepted connection (social), one row per pair as (low, high); connected false once removed.</summary>
public sealed class ConnectionPair
{
    public Guid UserLow { get; set; }
    public Guid UserHigh { get; set; }
    public bool Connected { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

/// <summary>A pair of people in a fixed order, so a pair has one row whoever comes first.</summary>
public static class Pair
{
    /// <summary>Ordered as PostgreSQL orders uuids (byte by byte), which the tables' CHECKs hold to.</summary>
    public static (Guid Low, Guid High) Of(Guid a, Guid b) =>
        a.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(b.ToByteArray(bigEndian: true)) < 0 ? (a, b) : (b, a);
}

internal sealed class ConnectionPairConfiguration : IEntityTypeConfiguration<ConnectionPair>
{
    public void Configure(EntityTypeBuilder<ConnectionPair> e)
    {
        e.HasKey(c => new { c.UserLow, c.UserHigh });
    }
}
