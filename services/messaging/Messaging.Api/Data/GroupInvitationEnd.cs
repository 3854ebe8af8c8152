namespace Community.Messaging.Data;

/// <summary>
/// When a person's invitations to a group last ended without their joining (social's clock): an invitation told after
/// its end (the notifier's copy late in its queue) is then news to nobody.
/// </summary>
public sealed class GroupInvitationEnd
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset EndedAt { get; set; }
}

internal sealed class GroupInvitationEndConfiguration : IEntityTypeConfiguration<GroupInvitationEnd>
{
    public void Configure(EntityTypeBuilder<GroupInvitationEnd> e)
    {
        e.HasKey(d => new { d.GroupId, d.UserId });
        e.HasIndex(d => d.UserId, "group_invitation_ends_user");
    }
}
