using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

/// <summary>
/// Social's block between two users, projected from UserBlocked / UserUnblocked (events never calls social): a pair
/// in a block, either way, neither sees nor joins the other's events and courses. An unblock keeps the row (Blocked
/// false) so an older message arriving later changes nothing.
/// </summary>
public sealed class UserBlock
{
    public Guid BlockerUserId { get; set; }
    public Guid BlockedUserId { get; set; }
    public bool Blocked { get; set; }

    /// <summary>When social published what this row says; older messages change nothing.</summary>
    public DateTimeOffset AsOf { get; set; }
}

internal sealed class UserBlockConfiguration : IEntityTypeConfiguration<UserBlock>
{
    public void Configure(EntityTypeBuilder<UserBlock> e)
    {
        e.HasKey(b => new { b.BlockerUserId, b.BlockedUserId });
        e.HasIndex(b => b.BlockedUserId, "user_blocks_blocked_user_id");
    }
}
