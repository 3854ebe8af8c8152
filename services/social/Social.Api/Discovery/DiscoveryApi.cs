using System.ComponentModel;
using System.Globalization;
using System.Security.Claims;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Profiles;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.Social.Discovery;

// Query keys are snake_case like the JSON; binding matches parameter names only, so two-word ones are named here.
/// <param name="Region">People in this region (any case); at most 100 characters.</param>
/// <param name="Interest">People with this interest (any case); at most 40 characters.</param>
/// <param name="Q">Part of a username or full name (any case); at most 100 characters.</param>
/// <param name="Gender">People who gave this gender. Premium and elite only.</param>
public sealed record DiscoverQuery(
    string? Region,
    string? Interest,
    string? Q,
    [property: Description("People at least this old, 13-120. Premium and elite only (403 otherwise).")]
    [FromQuery(Name = "age_min")]
        int? AgeMin,
    [property: Description("People at most this old, 13-120, not below age_min. Premium and elite only.")]
    [FromQuery(Name = "age_max")]
        int? AgeMax,
    [ValuesOf(typeof(Genders))] string? Gender,
    [property: Description("true: people I am connected with too; by default they are left out.")]
    [FromQuery(Name = "include_connected")]
        bool? IncludeConnected,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

/// <summary>
/// What discovery filters on, validated and normalised (interest and gender lower-case; ages as birth-date bounds).
/// </summary>
public sealed record DiscoverFilter(
    string? Region,
    string? Interest,
    string? Q,
    string? Gender,
    DateOnly? BornBy,
    DateOnly? BornAfter,
    bool IncludeConnected
);

/// <summary>A person discovery suggests: public fields, whether they are boosted now, and why they fit.</summary>
public sealed record DiscoverItem(
    Guid UserId,
    string Username,
    string? FullName,
    string? Bio,
    string? Region,
    string? City,
    string? Country,
    int? Age,
    IReadOnlyList<string> Interests,
    string? ProfileImageUrl,
    string? IdentityBadge,
    bool IsVerified,
    [property: ValuesOf(typeof(Roles))] string Role,
    bool IsBoosted,
    int CompatibilityScore,
    IReadOnlyList<string> CommonInterests
);

public static partial class DiscoveryApi
{
    public const int MinAge = 13;
    public const int MaxAge = 120;

    /// <summary>Filters for premium and elite members only (the tier claim of the caller's token).</summary>
    public static readonly string[] PremiumFilters = ["age_min", "age_max", "gender"];

    /// <summary>How long after its first page a walk's later pages still rank as of it.</summary>
    private static readonly TimeSpan RankedAsOfFor = TimeSpan.FromHours(1);

    public static RouteGroupBuilder MapDiscoveryApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/discover")
            .WithTags("Discovery")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Discover)
            .WithName("Discover")
            .WithSummary(
                "People to meet: boosted first, then by compatibility, elite members before others of equal "
                    + "compatibility (priority visibility); age_min, age_max and gender need premium or elite (403)"
            );
        return group;
    }

    private static async Task<Ok<CursorPage<DiscoverItem>>> Discover(
        [AsParameters] DiscoverQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        IDataProtectionProvider protection,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var region = FieldRules.Trimmed(query.Region);
        var interest = FieldRules.Trimmed(query.Interest)?.ToLowerInvariant();
        var q = FieldRules.Trimmed(query.Q);
        var gender = FieldRules.Trimmed(query.Gender)?.ToLowerInvariant();
        errors.MaxLength("region", region, 100);
        errors.MaxLength("interest", interest, 40);
        errors.MaxLength("q", q, 100);
        errors.OneOf("gender", gender, Genders.All);
        if (query.AgeMin is < MinAge or > MaxAge)
            errors.Add("age_min", $"age_min must be {MinAge}-{MaxAge}.");
        if (query.AgeMax is < MinAge or > MaxAge)
            errors.Add("age_max", $"age_max must be {MinAge}-{MaxAge}.");
        if (query.AgeMin > query.AgeMax)
            errors.Add("age_max", "age_max must not be below age_min.");
        var limit = Keyset.Limit(query.Limit, errors);
        var cursors = DiscoverPosition.Protector(protection);
        var after = Keyset.After(query.Cursor, text => DiscoverPosition.Unprotect(cursors, text), errors);
        errors.ThrowIfAny();

        var tier = principal.FindFirstValue(ClaimNames.Tier) ?? Tiers.Free;
        if (
            (query.AgeMin is not null || query.AgeMax is not null || gender is not null)
            && Tiers.Rank(tier) < Tiers.Rank(Tiers.Premium)
        )
            throw new ForbiddenException(
                $"The filters {string.Join(", ", PremiumFilters)} are for premium and elite members."
            );

        // Later pages rank at the first page's time, within the hour after it: a boost that ends between pages shows
        // nobody twice. A cursor older than that (kept for days) ranks at now, so no boost ended long ago shows.
        var now = clock.GetUtcNow();
        if (after?.AsOf is { } asOf && asOf <= now && now - asOf <= RankedAsOfFor)
            now = asOf;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // age >= age_min: born on or before the last birth date of that age; age <= age_max: born after age_max + 1's.
        DateOnly? bornBy = query.AgeMin is { } min ? ProfileDto.LastBornAged(min, today) : null;
        DateOnly? bornAfter = query.AgeMax is { } max ? ProfileDto.LastBornAged(max + 1, today) : null;
        var filter = new DiscoverFilter(
            region,
            interest,
            q,
            gender,
            bornBy,
            bornAfter,
            query.IncludeConnected ?? false
        );
        var rows = await FindAsync(db, callerId, filter, after, Keyset.Probe(limit), now, cancellationToken);

        return TypedResults.Ok(
            Keyset.Page(
                rows,
                limit,
                r => DiscoverPosition.Protect(cursors, new(r.Boosted, r.Score, r.Elite, r.UserId, now)),
                r => new DiscoverItem(
                    r.UserId,
                    r.Username,
                    r.FullName,
                    r.Bio,
                    r.Region,
                    r.City,
                    r.Country,
                    ProfileDto.AgeOn(r.DateOfBirth, today),
                    r.Interests,
                    r.ProfileImageUrl,
                    r.IdentityBadge,
                    r.IsVerified,
                    r.Role,
                    r.Boosted,
                    r.Score,
                    r.Common
                )
            )
        );
    }
}

/// <summary>
/// A keyset position in discovery's order: boosted, score, elite, user id (all descending), and the time the first
/// page was ranked at (<paramref name="AsOf"/>; null in a cursor given out before it was carried: ranked at now). A
/// cursor carries it encrypted (Data Protection, the service's key ring): whether the person a page ends on is elite
/// is theirs to keep (tiers are private), and a cursor the service did not give out is refused rather than ranked.
/// </summary>
public readonly record struct DiscoverPosition(
    bool Boosted,
    int Score,
    bool Elite,
    Guid Id,
    DateTimeOffset? AsOf = null
)
{
    /// <summary>Score and elite as one number in the ranking's order: an elite member just above their score.</summary>
    public int Rank => Score * 2 + (Elite ? 1 : 0);

    public static IDataProtector Protector(IDataProtectionProvider provider) =>
        provider.CreateProtector("Community.Social.DiscoverCursor");

    public static string Protect(IDataProtector protector, DiscoverPosition position) =>
        protector.Protect(Format(position));

    /// <summary>Null for anything the service did not give out (or a key ring that no longer holds its key).</summary>
    public static DiscoverPosition? Unprotect(IDataProtector protector, string cursor)
    {
        try
        {
            return Parse(protector.Unprotect(cursor));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static string Format(DiscoverPosition p) =>
        (p.Boosted ? "1" : "0")
        + "_"
        + p.Score.ToString(CultureInfo.InvariantCulture)
        + "_"
        + (p.Elite ? "1" : "0")
        + "_"
        + p.Id.ToString("N")
        + (p.AsOf is { } asOf ? "_" + asOf.UtcTicks.ToString(CultureInfo.InvariantCulture) : "");

    // "boosted_score_elite_id_ticks"; a cursor from before the time was carried has no ticks.
    private static DiscoverPosition? Parse(string position)
    {
        var parts = position.Split('_');
        long ticks = 0;
        return
            parts.Length is 4 or 5
            && parts[0] is "0" or "1"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var score)
            && score <= 100
            && parts[2] is "0" or "1"
            && Guid.TryParseExact(parts[3], "N", out var id)
            && (
                parts.Length == 4
                || long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out ticks)
                    && ticks <= DateTimeOffset.MaxValue.UtcTicks
            )
            ? new(parts[0] == "1", score, parts[2] == "1", id, parts.Length == 5 ? new(ticks, TimeSpan.Zero) : null)
            : null;
    }
}
