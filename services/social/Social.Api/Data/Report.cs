using Community.Contracts;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>The words of a report: what may be reported, why, and what an admin may do about it.</summary>
public static class ReportVocabulary
{
    public const string Open = "open";
    public const string Resolved = "resolved";
    public const string UserTarget = ReportTargets.User;
    public const string GroupTarget = ReportTargets.Group;
    public const string SuspendUser = ReportActions.SuspendUser;
    public const string RemoveContent = ReportActions.RemoveContent;

    public static readonly IReadOnlyList<string> Statuses = [Open, Resolved];
    public static readonly IReadOnlyList<string> TargetTypes = ReportTargets.All;
    public static readonly IReadOnlyList<string> Categories =
    [
        "spam",
        "harassment",
        "hate",
        "violence",
        "sexual",
        "self_harm",
        "other",
    ];
    public static readonly IReadOnlyList<string> Actions = ReportActions.All;
}

/// <summary>A member's report of a user, group, message or event; open until an admin resolves it.</summary>
public sealed class Report
{
    /// <summary>The partial unique index that allows one open report per reporter and target.</summary>
    public const string OneOpenPerTarget = "reports_one_open_per_target";

    public Guid Id { get; set; }
    public Guid ReporterId { get; set; }
    public string TargetType { get; set; } = "";
    public Guid TargetId { get; set; }
    public string Category { get; set; } = "";
    public string? Comment { get; set; }
    public string Status { get; set; } = ReportVocabulary.Open;
    public DateTimeOffset CreatedAt { get; set; }
    public string? Action { get; set; }
    public string? Note { get; set; }
    public Guid? ResolvedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>A suspend_user resolution's end (null: until an admin lifts it, or another action).</summary>
    public DateTimeOffset? SuspendedUntil { get; set; }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> e)
    {
        e.HasKey(r => r.Id);
        e.HasIndex(r => new
            {
                r.ReporterId,
                r.TargetType,
                r.TargetId,
            })
            .IsUnique()
            .HasFilter("status = 'open'")
            .HasDatabaseName(Report.OneOpenPerTarget);
        e.HasIndex(r => new { r.Status, r.Id }).HasDatabaseName("reports_queue");
        e.HasIndex(r => r.ReporterId).HasDatabaseName("reports_reporter");
    }
}
