namespace Community.Messaging.Data;

/// <summary>
/// When a person's latest request to join a group was decided (social's clock): a request told after its decision
/// (the notifier's copy late in its queue) is then news to nobody.
/// </summary>
public sealed class GroupJoinDecision
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
}

internal sealed class GroupJoinDecisionConfiguration : IEntityTypeConfiguration<GroupJoinDecision>
{
    public void Configure(EntityTypeBuilder<GroupJoinDecision> e)
    {
        e.HasKey(d => new { d.GroupId, d.UserId });
        e.HasIndex(d => d.UserId, "group_join_decisions_user");
    }
}
