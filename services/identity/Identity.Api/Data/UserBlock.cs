using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// Social's block between two members, projected from UserBlocked / UserUnblocked: a blocked pair sees 404 of each
/// other's profile. An unblock keeps the row (Blocked false) so an older event arriving later changes nothing.
/// </summary>
public sealed class UserBlock
{
    public Guid BlockerUserId { get; set; }
    public Guid BlockedUserId { get; set; }
    public bool Blocked { get; set; }

    /// <summary><c>OccurredAt</c> of the newest event applied to the pair.</summary>
    public DateTimeOffset AsOf { get; set; }
}

internal sealed class UserBlockConfiguration : IEntityTypeConfiguration<UserBlock>
{
    public void Configure(EntityTypeBuilder<UserBlock> builder)
    {
        builder.HasKey(b => new { b.BlockerUserId, b.BlockedUserId });
        builder.HasIndex(b => b.BlockedUserId, "user_blocks_blocked_user_id");
    }
}
