using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Social.Profiles;

/// <summary>
/// My whole innovator profile: each list replaces the stored one (absent: empty), each section's visibility is public,
/// connections or private (absent: public). Bounds: 50 skills of 1-50 characters (repeats ignoring case are dropped),
/// 20 certifications, 20 awards and 20 projects; names and titles 1-120 characters, issuers 120, descriptions 1000,
/// URLs absolute http(s) of at most 500, years 1900 to this year.
/// </summary>
public sealed record InnovatorProfileInput(
    List<string?>? Skills,
    List<CertificationInput?>? Certifications,
    List<AwardInput?>? Awards,
    List<ProjectInput?>? Projects,
    SectionVisibilityInput? Visibility
) : IRequestExample<InnovatorProfileInput>
{
    public static InnovatorProfileInput Example =>
        new(
            ["product design", "PostgreSQL", "public speaking"],
            [new("AWS Solutions Architect", "Amazon Web Services", 2024, "https://aws.amazon.com/certification/")],
            [new("Best Hardware Hack", "Dubai Tech Hackathon", 2025)],
            [new("Solar Scout", "A map of rooftops worth a panel.", "https://github.com/example/solar-scout", 2025)],
            new(
                SectionVisibility.Public,
                SectionVisibility.Connections,
                SectionVisibility.Public,
                SectionVisibility.Private
            )
        );
}

/// <param name="Name">1-120 characters.</param>
/// <param name="Issuer">At most 120 characters.</param>
/// <param name="Year">1900 to this year.</param>
/// <param name="Url">Where it can be checked: absolute http(s), at most 500 characters.</param>
public sealed record CertificationInput([Required] string? Name, string? Issuer, int? Year, string? Url);

/// <param name="Title">1-120 characters.</param>
/// <param name="Issuer">At most 120 characters.</param>
/// <param name="Year">1900 to this year.</param>
public sealed record AwardInput([Required] string? Title, string? Issuer, int? Year);

/// <param name="Name">1-120 characters.</param>
/// <param name="Description">At most 1000 characters.</param>
/// <param name="Url">Absolute http(s), at most 500 characters.</param>
/// <param name="Year">1900 to this year.</param>
public sealed record ProjectInput([Required] string? Name, string? Description, string? Url, int? Year);

/// <summary>Who sees each section of my public profile: public, connections (my connections) or private.</summary>
public sealed record SectionVisibilityInput(
    [ValuesOf(typeof(SectionVisibility))] string? Skills,
    [ValuesOf(typeof(SectionVisibility))] string? Certifications,
    [ValuesOf(typeof(SectionVisibility))] string? Awards,
    [ValuesOf(typeof(SectionVisibility))] string? Projects
);

/// <summary>Who sees each section: public, connections or private.</summary>
public sealed record SectionVisibilityDto(
    [property: ValuesOf(typeof(SectionVisibility))] string Skills,
    [property: ValuesOf(typeof(SectionVisibility))] string Certifications,
    [property: ValuesOf(typeof(SectionVisibility))] string Awards,
    [property: ValuesOf(typeof(SectionVisibility))] string Projects
);

/// <summary>My innovator profile as I wrote it; updated_at is null until I first saved it.</summary>
public sealed record InnovatorProfileDto(
    Guid UserId,
    IReadOnlyList<string> Skills,
    IReadOnlyList<Certification> Certifications,
    IReadOnlyList<Award> Awards,
    IReadOnlyList<InnovatorProject> Projects,
    SectionVisibilityDto Visibility,
    DateTimeOffset? UpdatedAt
)
{
    public static InnovatorProfileDto From(Guid userId, InnovatorProfile? p) =>
        p is null
            ? new(
                userId,
                [],
                [],
                [],
                [],
                new(
                    SectionVisibility.Public,
                    SectionVisibility.Public,
                    SectionVisibility.Public,
                    SectionVisibility.Public
                ),
                null
            )
            : new(
                p.UserId,
                p.Skills,
                p.Certifications,
                p.Awards,
                p.Projects,
                new(p.SkillsVisibility, p.CertificationsVisibility, p.AwardsVisibility, p.ProjectsVisibility),
                p.UpdatedAt
            );
}

/// <summary>
/// The sections of a member's innovator profile the caller may see on their public profile: a section its owner keeps
/// private, or for connections when the caller is not one, is null (hidden), unlike an empty list (nothing entered).
/// </summary>
public sealed record InnovatorSectionsDto(
    IReadOnlyList<string>? Skills,
    IReadOnlyList<Certification>? Certifications,
    IReadOnlyList<Award>? Awards,
    IReadOnlyList<InnovatorProject>? Projects
)
{
    public static readonly InnovatorSectionsDto Empty = new([], [], [], []);
}
