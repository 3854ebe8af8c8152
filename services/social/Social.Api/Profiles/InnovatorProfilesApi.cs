using System.Security.Claims;
using System.Text.Json;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Community.Social.Profiles;

/// <summary>My innovator profile (seed 004's CAP 1): skills, certifications, awards, projects.</summary>
public static class InnovatorProfilesApi
{
    /// <summary>The analysis reads the interests of at most this many connections.</summary>
    public const int MaxConnectionsRead = 200;

    public static RouteGroupBuilder MapInnovatorProfilesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/profiles/me")
            .WithTags("Profiles")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Get)
            .WithName("GetMyInnovatorProfile")
            .WithSummary("My innovator profile: skills, certifications, awards, projects and who sees each section");
        group
            .MapPut("", Put)
            .WithName("PutMyInnovatorProfile")
            .WithSummary(
                "Replace my innovator profile (absent lists empty, absent visibility public); shown on my public "
                    + "profile as each section's visibility allows: public, connections or private"
            );
        group
            .MapPost("/analyze", Analyze)
            .WithName("AnalyzeMyInnovatorProfile")
            .WithSummary(
                "An AI analysis of my innovator profile: strengths, interests to look for in connections, next steps "
                    + "(offline: true when the built-in analyst wrote it); per UTC day free 3, premium 20, elite 100 "
                    + "(the token's tier), else 429 with Retry-After"
            )
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<Ok<ProfileAnalysisDto>> Analyze(
        ClaimsPrincipal principal,
        SocialDbContext db,
        ProfileAnalyst analyst,
        IOptions<ProfileAnalysisOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var me = principal.UserId();
        var tier = principal.FindFirstValue(ClaimNames.Tier) ?? Tiers.Free;
        var limit = options.Value.PerDay(tier);
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // Counted in one statement, committed before the model is called: every instance counts in the same row.
        // Behind the erasure gate, as the erasure takes it: a use counted while the account is being erased waits for
        // that erasure's commit and then finds it erased (404); checked before it, the count would outlive it.
        var (user, counted) = await db.InTransactionAsync(
            async ct =>
            {
                await ErasureGate.EnterAsync(db, ct);
                var user = await ProfileAccess.VisibleAsync(db, me, me, ct);
                var counted = await db
                    .Database.SqlQuery<int>(
                        $"""
                        INSERT INTO profile_analysis_uses (user_id, day, count)
                            SELECT {me}, {today}, 1 WHERE {limit} > 0
                        ON CONFLICT (user_id, day) DO UPDATE SET count = profile_analysis_uses.count + 1
                            WHERE profile_analysis_uses.count < {limit}
                        RETURNING count AS "Value"
                        """
                    )
                    .ToListAsync(ct);
                return (user, counted);
            },
            cancellationToken
        );
        if (counted.Count == 0)
        {
            var midnight = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            throw new TooManyRequestsException(
                $"The {tier} tier allows {limit} profile analyses a day; the count starts again at midnight UTC.",
                midnight - now
            );
        }

        var profile =
            await db.InnovatorProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == me, cancellationToken)
            ?? new InnovatorProfile { UserId = me };
        var connections = db
            .Connections.Where(c =>
                c.Status == ConnectionStatus.Accepted && (c.RequesterId == me || c.AddresseeId == me)
            )
            .Select(c => c.RequesterId == me ? c.AddresseeId : c.RequesterId);
        var connectionCount = await connections.CountAsync(cancellationToken);
        var interests = await db
            .UserProfiles.Listed()
            .Where(p => connections.Contains(p.UserId))
            .OrderBy(p => p.UserId)
            .Take(MaxConnectionsRead)
            .Select(p => p.Interests)
            .ToListAsync(cancellationToken);
        var facts = new ProfileFacts(
            profile,
            user.Interests,
            user.Bio,
            connectionCount,
            [.. interests.SelectMany(i => i)]
        );
        return TypedResults.Ok(await analyst.AnalyseAsync(facts, cancellationToken));
    }

    private static async Task<Ok<InnovatorProfileDto>> Get(
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var me = principal.UserId();
        await ProfileAccess.VisibleAsync(db, me, me, cancellationToken);
        var profile = await db
            .InnovatorProfiles.AsNoTracking()
            .FirstOrDefaultAsync(p => p.UserId == me, cancellationToken);
        return TypedResults.Ok(InnovatorProfileDto.From(me, profile));
    }

    private static async Task<Ok<InnovatorProfileDto>> Put(
        InnovatorProfileInput body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var me = principal.UserId();
        var p = InnovatorProfileRules.Read(me, body, clock.GetUtcNow());
        var json = InnovatorProfile.Json;
        var certifications = JsonSerializer.Serialize(p.Certifications, json);
        var awards = JsonSerializer.Serialize(p.Awards, json);
        var projects = JsonSerializer.Serialize(p.Projects, json);
        // One statement: never a row for an account that is unknown or already erased (UserDeleted). Behind the
        // erasure gate, as the erasure takes it: a write while the account is being erased waits for that erasure's
        // commit and then finds it erased; without it, the write's snapshot would see the profile live, and its row
        // and the search document its trigger builds from the profile would outlive the erasure.
        var written = await db.InTransactionAsync(
            async ct =>
            {
                await ErasureGate.EnterAsync(db, ct);
                return await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO innovator_profiles (user_id, skills, certifications, awards, projects,
                        skills_visibility, certifications_visibility, awards_visibility, projects_visibility,
                        updated_at)
                    SELECT {me}, {p.Skills}, {certifications}::jsonb, {awards}::jsonb, {projects}::jsonb,
                        {p.SkillsVisibility}, {p.CertificationsVisibility}, {p.AwardsVisibility},
                        {p.ProjectsVisibility}, {p.UpdatedAt}
                    WHERE EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {me} AND username IS NOT NULL
                        AND deleted_at IS NULL)
                    ON CONFLICT (user_id) DO UPDATE SET skills = EXCLUDED.skills,
                        certifications = EXCLUDED.certifications, awards = EXCLUDED.awards,
                        projects = EXCLUDED.projects, skills_visibility = EXCLUDED.skills_visibility,
                        certifications_visibility = EXCLUDED.certifications_visibility,
                        awards_visibility = EXCLUDED.awards_visibility,
                        projects_visibility = EXCLUDED.projects_visibility, updated_at = EXCLUDED.updated_at
                    """,
                    ct
                );
            },
            cancellationToken
        );
        if (written == 0)
            throw new NotFoundException(ProfileAccess.NoSuchUser);
        return TypedResults.Ok(InnovatorProfileDto.From(me, p));
    }
}
