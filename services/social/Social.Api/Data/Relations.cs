using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

// The relations between two people; every feature reads them (a block hides people everywhere).

public sealed class Block
{
    public Guid BlockerId { get; set; }
    public Guid BlockedId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Follow
{
    public Guid FollowerId { get; set; }
    public Guid FollowedId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

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

    public bool Involves(Guid userId) => RequesterId == userId || AddresseeId == userId;

    public Guid OtherThan(Guid userId) => RequesterId == userId ? AddresseeId : RequesterId;
}

public sealed class RelationConfigurations
    : IEntityTypeConfiguration<Block>,
        IEntityTypeConfiguration<Follow>,
        IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Block> e)
    {
        e.ToTable("blocks");
        e.HasKey(b => new { b.BlockerId, b.BlockedId });
    }

    public void Configure(EntityTypeBuilder<Follow> e)
    {
        e.ToTable("follows");
        e.HasKey(f => new { f.FollowerId, f.FollowedId });
    }

    public void Configure(EntityTypeBuilder<Connection> e)
    {
        e.ToTable("connections");
        e.HasKey(c => c.Id);
    }
}
