using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.Social.Profiles;

/// <summary>The bounds of an innovator profile, and who sees which of its sections.</summary>
public static class InnovatorProfileRules
{
    public const int MaxSkills = 50;
    public const int MaxSkillLength = 50;
    public const int MaxItems = 20;
    public const int MaxNameLength = 120;
    public const int MaxIssuerLength = 120;
    public const int MaxDescriptionLength = 1000;
    public const int MaxUrlLength = 500;
    public const int MinYear = 1900;

    /// <summary>The profile <paramref name="input"/> asks for, or every reason it is refused (400).</summary>
    public static InnovatorProfile Read(Guid userId, InnovatorProfileInput input, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        var year = now.UtcDateTime.Year;
        var skills = new List<string>();
        var skillsIn = input.Skills ?? [];
        if (skillsIn.Count > MaxSkills)
            errors.Add("skills", $"skills holds at most {MaxSkills}.");
        for (var i = 0; i < skillsIn.Count && i < MaxSkills; i++)
        {
            var skill = Text(errors, $"skills[{i}]", skillsIn[i], MaxSkillLength, required: true);
            if (skill is not null && !skills.Contains(skill, StringComparer.OrdinalIgnoreCase))
                skills.Add(skill);
        }

        var certifications = Items(
            errors,
            "certifications",
            input.Certifications,
            (field, c) =>
                new Certification(
                    Text(errors, field + ".name", c.Name, MaxNameLength, required: true)!,
                    Text(errors, field + ".issuer", c.Issuer, MaxIssuerLength),
                    Year(errors, field + ".year", c.Year, year),
                    Url(errors, field + ".url", c.Url)
                )
        );
        var awards = Items(
            errors,
            "awards",
            input.Awards,
            (field, a) =>
                new Award(
                    Text(errors, field + ".title", a.Title, MaxNameLength, required: true)!,
                    Text(errors, field + ".issuer", a.Issuer, MaxIssuerLength),
                    Year(errors, field + ".year", a.Year, year)
                )
        );
        var projects = Items(
            errors,
            "projects",
            input.Projects,
            (field, p) =>
                new InnovatorProject(
                    Text(errors, field + ".name", p.Name, MaxNameLength, required: true)!,
                    Text(errors, field + ".description", p.Description, MaxDescriptionLength),
                    Url(errors, field + ".url", p.Url),
                    Year(errors, field + ".year", p.Year, year)
                )
        );
        var visibility = input.Visibility;
        var profile = new InnovatorProfile
        {
            UserId = userId,
            Skills = skills,
            Certifications = certifications,
            Awards = awards,
            Projects = projects,
            SkillsVisibility = Visibility(errors, "visibility.skills", visibility?.Skills),
            CertificationsVisibility = Visibility(errors, "visibility.certifications", visibility?.Certifications),
            AwardsVisibility = Visibility(errors, "visibility.awards", visibility?.Awards),
            ProjectsVisibility = Visibility(errors, "visibility.projects", visibility?.Projects),
            UpdatedAt = now,
        };
        errors.ThrowIfAny();
        return profile;
    }

    /// <summary>
    /// What <paramref name="viewerId"/> may see of <paramref name="ownerId"/>'s innovator profile (the caller already
    /// checked that the owner is visible to them at all).
    /// </summary>
    public static async Task<InnovatorSectionsDto> VisibleToAsync(
        SocialDbContext db,
        Guid viewerId,
        Guid ownerId,
        CancellationToken cancellationToken
    )
    {
        var p = await db
            .InnovatorProfiles.AsNoTracking()
            .FirstOrDefaultAsync(x => x.UserId == ownerId, cancellationToken);
        if (p is null)
            return InnovatorSectionsDto.Empty;
        var connected =
            viewerId == ownerId
            || await db.Connections.AnyAsync(
                c =>
                    c.Status == ConnectionStatus.Accepted
                    && (
                        (c.RequesterId == viewerId && c.AddresseeId == ownerId)
                        || (c.RequesterId == ownerId && c.AddresseeId == viewerId)
                    ),
                cancellationToken
            );
        bool Shown(string visibility) =>
            viewerId == ownerId
            || visibility == SectionVisibility.Public
            || (visibility == SectionVisibility.Connections && connected);
        return new(
            Shown(p.SkillsVisibility) ? p.Skills : null,
            Shown(p.CertificationsVisibility) ? p.Certifications : null,
            Shown(p.AwardsVisibility) ? p.Awards : null,
            Shown(p.ProjectsVisibility) ? p.Projects : null
        );
    }

    private static List<T> Items<TIn, T>(
        ValidationErrors errors,
        string field,
        List<TIn?>? items,
        Func<string, TIn, T> read
    )
        where TIn : class
    {
        var list = new List<T>();
        if (items is null)
            return list;
        if (items.Count > MaxItems)
            errors.Add(field, $"{field} holds at most {MaxItems}.");
        for (var i = 0; i < items.Count && i < MaxItems; i++)
        {
            if (items[i] is { } item)
                list.Add(read($"{field}[{i}]", item));
            else
                errors.Add($"{field}[{i}]", $"{field}[{i}] must be an object.");
        }
        return list;
    }

    private static string? Text(ValidationErrors errors, string field, string? value, int max, bool required = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required)
                errors.Add(field, $"{field} is required.");
            return required ? "" : null;
        }
        errors.MaxLength(field, text, max);
        return text;
    }

    private static int? Year(ValidationErrors errors, string field, int? value, int thisYear)
    {
        if (value is { } y && (y < MinYear || y > thisYear))
            errors.Add(field, $"{field} must be {MinYear}-{thisYear}.");
        return value;
    }

    private static string? Url(ValidationErrors errors, string field, string? value)
    {
        var url = value?.Trim();
        if (string.IsNullOrEmpty(url))
            return null;
        errors.Url(field, url, MaxUrlLength);
        return url;
    }

    private static string Visibility(ValidationErrors errors, string field, string? value)
    {
        var v = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(v))
            return SectionVisibility.Public;
        errors.OneOf(field, v, SectionVisibility.All);
        return v;
    }
}
