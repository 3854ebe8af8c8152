using System.Globalization;
using System.Security.Claims;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.Social.Data;
using Community.Social.Profiles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.Social.Discovery;

// Query keys are snake_case like the JSON; binding matches parameter names only, so two-word ones are named here.
public sealed record DiscoverQuery(
    string? Region, string? Interest, string? Q,
    [FromQuery(Name = "age_min")] int? AgeMin, [FromQuery(Name = "age_max")] int? AgeMax, string? Gender,
    [FromQuery(Name = "include_connected")] bool? IncludeConnected, string? Cursor, int? Limit);

/// <summary>What discovery filters on, validated and normalised (interest and gender lower-case; ages as birth-date bounds).</summary>
public sealed record DiscoverFilter(
    string? Region, string? Interest, string? Q, string? Gender, DateOnly? BornBy, DateOnly? BornAfter, bool IncludeConnected);

/// <summary>A person discovery suggests: public fields, whether they are boosted now, and why they fit.</summary>
public sealed record DiscoverItem(
    Guid UserId, string Username, string? FullName, string? Bio, string? Region, string? City, string? Country, int? Age,
    IReadOnlyList<string> Interests, string? ProfileImageUrl, string? IdentityBadge, bool IsVerified, string Role, bool IsBoosted,
    int CompatibilityScore, IReadOnlyList<string> CommonInterests);

public static class DiscoveryApi
{
    public const int MinAge = 13;
    public const int MaxAge = 120;
    /// <summary>Filters for premium and elite members only (the tier claim of the caller's token).</summary>
    public static readonly string[] PremiumFilters = ["age_min", "age_max", "gender"];

    public static RouteGroupBuilder MapDiscoveryApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/discover").WithTags("Discovery").RequireAuthorization(Policies.Member).WithStandardProblems();
        group.MapGet("", Discover).WithName("Discover")
            .WithSummary("People to meet: boosted first, then by compatibility; age_min, age_max and gender need premium or elite (403)");
        return group;
    }

    private static async Task<Ok<CursorPage<DiscoverItem>>> Discover(
        [AsParameters] DiscoverQuery query, ClaimsPrincipal principal, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var region = Clean(query.Region);
        var interest = Clean(query.Interest)?.ToLowerInvariant();
        var q = Clean(query.Q);
        var gender = Clean(query.Gender)?.ToLowerInvariant();
        errors.MaxLength("region", region, 100);
        errors.MaxLength("interest", interest, 40);
        errors.MaxLength("q", q, 100);
        errors.OneOf("gender", gender, Genders.All);
        if (query.AgeMin is < MinAge or > MaxAge) errors.Add("age_min", $"age_min must be {MinAge}-{MaxAge}.");
        if (query.AgeMax is < MinAge or > MaxAge) errors.Add("age_max", $"age_max must be {MinAge}-{MaxAge}.");
        if (query.AgeMin > query.AgeMax) errors.Add("age_max", "age_max must not be below age_min.");
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, DiscoverPosition.Parse, errors);
        errors.ThrowIfAny();

        var tier = principal.FindFirstValue(ClaimNames.Tier) ?? Tiers.Free;
        if ((query.AgeMin is not null || query.AgeMax is not null || gender is not null) && Tiers.Rank(tier) < Tiers.Rank(Tiers.Premium))
            throw new ForbiddenException($"The filters {string.Join(", ", PremiumFilters)} are for premium and elite members.");

        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // age >= age_min: born on or before today minus age_min years; age <= age_max: born after today minus (age_max + 1) years.
        DateOnly? bornBy = query.AgeMin is { } min ? today.AddYears(-min) : null;
        DateOnly? bornAfter = query.AgeMax is { } max ? today.AddYears(-(max + 1)) : null;
        var filter = new DiscoverFilter(region, interest, q, gender, bornBy, bornAfter, query.IncludeConnected ?? false);
        var rows = await FindAsync(db, callerId, filter, after, Keyset.Probe(limit), now, cancellationToken);

        return TypedResults.Ok(Keyset.Page(rows, limit, r => DiscoverPosition.Format(r.Boosted, r.Score, r.UserId), r => new DiscoverItem(
            r.UserId, r.Username, r.FullName, r.Bio, r.Region, r.City, r.Country, ProfileDto.AgeOn(r.DateOfBirth, today), r.Interests,
            r.ProfileImageUrl, r.IdentityBadge, r.IsVerified, r.Role, r.Boosted, r.Score, r.Common)));
    }

    /// <summary>
    /// The people discovery shows <paramref name="callerId"/>, in its order (boosted now first, then
    /// compatibility, then id), <paramref name="probe"/> rows after <paramref name="after"/>; the
    /// benchmark (bench/Social.Bench) measures this very query.
    /// </summary>
    public static Task<List<DiscoverRow>> FindAsync(
        SocialDbContext db, Guid callerId, DiscoverFilter filter, DiscoverPosition? after, int probe, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pattern = filter.Q is null ? null : "%" + filter.Q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        var (region, interest, gender, bornBy, bornAfter, includeConnected) =
            (filter.Region, filter.Interest, filter.Gender, filter.BornBy, filter.BornAfter, filter.IncludeConnected);
        var (afterBoosted, afterScore, afterId) = after is { } a ? (a.Boosted, a.Score, a.Id) : ((bool?)null, (int?)null, (Guid?)null);

        return db.Database.SqlQuery<DiscoverRow>($"""
            WITH candidates AS (
                SELECT p.user_id, p.username, p.full_name, p.bio, p.region, p.city, p.country, p.date_of_birth, p.interests,
                       p.profile_image_url, p.identity_badge, p.is_verified, p.role,
                       (p.boosted_until IS NOT NULL AND p.boosted_until > {now}) AS boosted,
                       COALESCE(compatibility_score({callerId}, p.user_id), 0) AS score,
                       common_interests(p.interests, COALESCE((SELECT me.interests FROM profiles me WHERE me.user_id = {callerId}), ARRAY[]::text[])) AS common
                FROM profiles p
                WHERE p.username IS NOT NULL AND p.deleted_at IS NULL AND p.user_id <> {callerId}
                  AND ({region}::text IS NULL OR lower(p.region) = lower({region}::text))
                  AND ({interest}::text IS NULL OR p.interests @> ARRAY[{interest}::text])
                  AND ({pattern}::text IS NULL OR p.username ILIKE {pattern}::text OR p.full_name ILIKE {pattern}::text)
                  AND ({gender}::text IS NULL OR p.gender = {gender}::text)
                  AND ({bornBy}::date IS NULL OR p.date_of_birth <= {bornBy}::date)
                  AND ({bornAfter}::date IS NULL OR p.date_of_birth > {bornAfter}::date)
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {callerId} AND b.blocked_id = p.user_id)
                                                           OR (b.blocker_id = p.user_id AND b.blocked_id = {callerId}))
                  AND ({includeConnected} OR NOT EXISTS (
                        SELECT 1 FROM connections c WHERE c.status = 'accepted'
                          AND c.user_low = LEAST({callerId}, p.user_id) AND c.user_high = GREATEST({callerId}, p.user_id)))
            )
            SELECT c.user_id AS "UserId", c.username AS "Username", c.full_name AS "FullName", c.bio AS "Bio", c.region AS "Region",
                   c.city AS "City", c.country AS "Country", c.date_of_birth AS "DateOfBirth", c.interests AS "Interests",
                   c.profile_image_url AS "ProfileImageUrl", c.identity_badge AS "IdentityBadge", c.is_verified AS "IsVerified",
                   c.role AS "Role", c.boosted AS "Boosted", c.score AS "Score", c.common AS "Common"
            FROM candidates c
            WHERE {afterId}::uuid IS NULL OR (c.boosted, c.score, c.user_id) < ({afterBoosted}::boolean, {afterScore}::integer, {afterId}::uuid)
            ORDER BY c.boosted DESC, c.score DESC, c.user_id DESC
            LIMIT {probe}
            """).ToListAsync(cancellationToken);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed class DiscoverRow
    {
        public Guid UserId { get; set; }
        public string Username { get; set; } = "";
        public string? FullName { get; set; }
        public string? Bio { get; set; }
        public string? Region { get; set; }
        public string? City { get; set; }
        public string? Country { get; set; }
        public DateOnly? DateOfBirth { get; set; }
        public string[] Interests { get; set; } = [];
        public string? ProfileImageUrl { get; set; }
        public string? IdentityBadge { get; set; }
        public bool IsVerified { get; set; }
        public string Role { get; set; } = "";
        public bool Boosted { get; set; }
        public int Score { get; set; }
        public string[] Common { get; set; } = [];
    }
}

/// <summary>A keyset position in discovery's order: boosted, score, user id (all descending).</summary>
public readonly record struct DiscoverPosition(bool Boosted, int Score, Guid Id)
{
    public static string Format(bool boosted, int score, Guid id) =>
        (boosted ? "1" : "0") + "_" + score.ToString(CultureInfo.InvariantCulture) + "_" + id.ToString("N");

    public static DiscoverPosition? Parse(string position)
    {
        var parts = position.Split('_');
        return parts.Length == 3 && parts[0] is "0" or "1"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var score) && score <= 100
            && Guid.TryParseExact(parts[2], "N", out var id)
            ? new(parts[0] == "1", score, id)
            : null;
    }
}
