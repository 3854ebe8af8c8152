using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>Who may see a section of an innovator profile.</summary>
public static class SectionVisibility
{
    public const string Public = "public";

    /// <summary>My accepted connections (and me).</summary>
    public const string Connections = "connections";
    public const string Private = "private";

    public static readonly IReadOnlyList<string> All = [Public, Connections, Private];
}

/// <summary>A certification: what, from whom, the year it was earned, and where it can be checked.</summary>
public sealed record Certification(string Name, string? Issuer, int? Year, string? Url);

/// <summary>An award: what, from whom, and the year.</summary>
public sealed record Award(string Title, string? Issuer, int? Year);

/// <summary>A project: what it is, where to see it, and the year.</summary>
public sealed record InnovatorProject(string Name, string? Description, string? Url, int? Year);

/// <summary>
/// A member's innovator profile (seed 004's CAP 1): skills, certifications, awards and projects, each section shown
/// to whom its owner chose. One row per member, written whole by <c>PUT /api/v1/profiles/me</c>.
/// </summary>
public sealed class InnovatorProfile
{
    public Guid UserId { get; set; }
    public List<string> Skills { get; set; } = [];
    public List<Certification> Certifications { get; set; } = [];
    public List<Award> Awards { get; set; } = [];
    public List<InnovatorProject> Projects { get; set; } = [];
    public string SkillsVisibility { get; set; } = SectionVisibility.Public;
    public string CertificationsVisibility { get; set; } = SectionVisibility.Public;
    public string AwardsVisibility { get; set; } = SectionVisibility.Public;
    public string ProjectsVisibility { get; set; } = SectionVisibility.Public;
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>How the sections are stored in their jsonb columns.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}

internal sealed class InnovatorProfileConfiguration : IEntityTypeConfiguration<InnovatorProfile>
{
    public void Configure(EntityTypeBuilder<InnovatorProfile> e)
    {
        e.HasKey(p => p.UserId);
        Section(e.Property(p => p.Certifications));
        Section(e.Property(p => p.Awards));
        Section(e.Property(p => p.Projects));
    }

    private static void Section<T>(PropertyBuilder<List<T>> property) =>
        property
            .HasColumnType("jsonb")
            .HasConversion(
                v => JsonSerializer.Serialize(v, InnovatorProfile.Json),
                s => JsonSerializer.Deserialize<List<T>>(s, InnovatorProfile.Json) ?? new List<T>(),
                new ValueComparer<List<T>>(
                    (a, b) =>
                        JsonSerializer.Serialize(a, InnovatorProfile.Json)
                        == JsonSerializer.Serialize(b, InnovatorProfile.Json),
                    v => JsonSerializer.Serialize(v, InnovatorProfile.Json).GetHashCode(StringComparison.Ordinal),
                    v =>
                        JsonSerializer.Deserialize<List<T>>(
                            JsonSerializer.Serialize(v, InnovatorProfile.Json),
                            InnovatorProfile.Json
                        )!
                )
            );
}
