namespace Community.Messaging.Data;

/// <summary>A group (social): its threads are open to its active members until it is deleted.</summary>
public sealed class Group
{
    public Guid GroupId { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public static class GroupRoles
{
    public const string Owner = "owner";
    public const string Moderator = "moderator";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Owner, Moderator, Member];
}

public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = GroupRoles.Member;
    public bool Active { get; set; }
    public DateTimeOffset AsOf { get; set; }

    public bool Moderates => Active && Role is GroupRoles.Owner or GroupRoles.Moderator;
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> e) => e.HasKey(g => g.GroupId);
}

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> e)
    {
        e.HasKey(m => new { m.GroupId, m.UserId });
        e.HasIndex(m => m.UserId, "group_members_user").HasFilter("active");
    }
}
