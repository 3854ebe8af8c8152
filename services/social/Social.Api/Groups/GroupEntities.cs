using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Groups;

/// <summary>A group, community or circle: its settings and how many members it has (kept with the rows, see <see cref="GroupMemberships"/>).</summary>
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

public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = GroupRoles.Member;
    public DateTimeOffset JoinedAt { get; set; }
}

public sealed class GroupRequest
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class GroupInvitation
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public Guid InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A paid membership someone was asked to pay for (the checkout's reference), at the price asked then; see <see cref="GroupPurchases"/>.</summary>
public sealed class GroupPurchase
{
    public Guid Id { get; set; }
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public long PriceCents { get; set; }
    public string Currency { get; set; } = "";

    /// <summary>The payment that made the buyer a member; null while unpaid.</summary>
    public Guid? PaymentId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
}

public sealed class GroupConfigurations
    : IEntityTypeConfiguration<Group>,
        IEntityTypeConfiguration<GroupMember>,
        IEntityTypeConfiguration<GroupRequest>,
        IEntityTypeConfiguration<GroupInvitation>,
        IEntityTypeConfiguration<GroupPurchase>
{
    public void Configure(EntityTypeBuilder<Group> e)
    {
        e.ToTable("groups");
        e.HasKey(g => g.Id);
        e.Property(g => g.Version).MapToXmin();
    }

    public void Configure(EntityTypeBuilder<GroupMember> e)
    {
        e.ToTable("group_members");
        e.HasKey(m => new { m.GroupId, m.UserId });
    }

    public void Configure(EntityTypeBuilder<GroupRequest> e)
    {
        e.ToTable("group_requests");
        e.HasKey(r => new { r.GroupId, r.UserId });
    }

    public void Configure(EntityTypeBuilder<GroupInvitation> e)
    {
        e.ToTable("group_invitations");
        e.HasKey(i => new { i.GroupId, i.UserId });
    }

    public void Configure(EntityTypeBuilder<GroupPurchase> e)
    {
        e.ToTable("group_purchases");
        e.HasKey(p => p.Id);
    }
}
