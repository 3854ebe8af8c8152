using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

public static class ConnectionStatus
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";

    public static readonly IReadOnlyList<string> All = [Pending, Accepted];
}

/// <summary>A request (pending) or a mutual connection (accepted); one per pair of people.</summary>
public sealed class Connection
{
    public Guid Id { get; set; }
    public Guid RequesterId { get; set; }
    public Guid AddresseeId { get; set; }
    public string Status { get; set; } = ConnectionStatus.Pending;
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>
    /// The pair whoever asked (the database computes both): two people asking each other at once make one row.
    /// </summary>
    public Guid UserLow { get; private set; }
    public Guid UserHigh { get; private set; }

    public bool Involves(Guid userId) => RequesterId == userId || AddresseeId == userId;

    public Guid OtherThan(Guid userId) => RequesterId == userId ? AddresseeId : RequesterId;
}

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> e)
    {
        e.HasKey(c => c.Id);
        e.Property(c => c.UserLow).HasComputedColumnSql("LEAST(requester_id, addressee_id)", stored: true);
        e.Property(c => c.UserHigh).HasComputedColumnSql("GREATEST(requester_id, addressee_id)", stored: true);
        e.HasIndex(c => new { c.UserLow, c.UserHigh }).IsUnique().HasDatabaseName("connections_user_low_user_high_key");
        e.HasIndex(c => new
            {
                c.RequesterId,
                c.Status,
                c.Id,
            })
            .IsDescending(false, false, true)
            .HasDatabaseName("connections_requester");
        e.HasIndex(c => new
            {
                c.AddresseeId,
                c.Status,
                c.Id,
            })
            .IsDescending(false, false, true)
            .HasDatabaseName("connections_addressee");
        e.HasIndex(c => new { c.RequesterId, c.AcceptedAt })
            .HasFilter("status = 'accepted'")
            .HasDatabaseName("connections_requester_accepted");
        e.HasIndex(c => new { c.AddresseeId, c.AcceptedAt })
            .HasFilter("status = 'accepted'")
            .HasDatabaseName("connections_addressee_accepted");
    }
}
