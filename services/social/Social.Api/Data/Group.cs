using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>A group, community or circle: its settings and how many members it has (changed with the rows).</summary>
public sealed class Group
{
    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the group's ETag.</summary>
    public uint Version { get; set; }
    public Guid OwnerId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string? Category { get; set; }
    public List<string> Tags { get; set; } = [];
    public string? Region { get; set; }
    public string? Interest { get; set; }
    public string? ImageUrl { get; set; }
    public string? Color { get; set; }
    public string Visibility { get; set; } = "";
    public string JoinPolicy { get; set; } = "";
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public int MemberCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class GroupRoles
{
    public const string Owner = "owner";
    public const string Moderator = "moderator";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Owner, Moderator, Member];

    public static bool Manages(string? role) => role is Owner or Moderator;
}

/// <summary>A member, the owner included (role owner); one row per person and group.</summary>
public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = GroupRoles.Member;
    public DateTimeOffset JoinedAt { get; set; }
}

/// <summary>A request to join a group whose join policy is request, until a moderator answers.</summary>
public sealed class GroupRequest
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An invitation a member sent: it lets its addressee see a secret group and join an invite-only one.
/// </summary>
public sealed class GroupInvitation
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public Guid InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> e)
    {
        e.HasKey(g => g.Id);
        e.Property(g => g.Version).MapToXmin();
        e.HasIndex(g => new { g.MemberCount, g.Id })
            .IsDescending(true, true)
            .HasFilter("visibility <> 'secret'")
            .HasDatabaseName("groups_explore");
        e.HasIndex(g => g.Tags).HasMethod("gin").HasDatabaseName("groups_tags");
        e.HasIndex(g => new { g.OwnerId, g.MemberCount })
            .IsDescending(false, true)
            .HasDatabaseName("groups_owner_members");
    }
}

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> e)
    {
        e.HasKey(m => new { m.GroupId, m.UserId });
        e.HasIndex(m => new
            {
                m.UserId,
                m.JoinedAt,
                m.GroupId,
            })
            .IsDescending(false, true, true)
            .HasDatabaseName("group_members_user");
        e.HasIndex(m => new
            {
                m.GroupId,
                m.JoinedAt,
                m.UserId,
            })
            .IsDescending(false, true, true)
            .HasDatabaseName("group_members_listing");
    }
}

internal sealed class GroupRequestConfiguration : IEntityTypeConfiguration<GroupRequest>
{
    public void Configure(EntityTypeBuilder<GroupRequest> e)
    {
        e.HasKey(r => new { r.GroupId, r.UserId });
        e.HasIndex(r => r.UserId).HasDatabaseName("group_requests_user");
    }
}

internal sealed class GroupInvitationConfiguration : IEntityTypeConfiguration<GroupInvitation>
{
    public void Configure(EntityTypeBuilder<GroupInvitation> e)
    {
        e.HasKey(i => new { i.GroupId, i.UserId });
        e.HasIndex(i => i.UserId).HasDatabaseName("group_invitations_user");
    }
}
