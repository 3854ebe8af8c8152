using System.Security.Claims;
using System.Text.Json;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Profiles;

/// <summary>My innovator profile (seed 004's CAP 1): skills, certifications, awards, projects.</summary>
public static class InnovatorProfilesApi
{
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
        return group;
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
        // One statement: never a row for an account that is unknown or already erased (UserDeleted).
        var written = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO innovator_profiles (user_id, skills, certifications, awards, projects, skills_visibility,
                certifications_visibility, awards_visibility, projects_visibility, updated_at)
            SELECT {me}, {p.Skills}, {certifications}::jsonb, {awards}::jsonb, {projects}::jsonb, {p.SkillsVisibility},
                {p.CertificationsVisibility}, {p.AwardsVisibility}, {p.ProjectsVisibility}, {p.UpdatedAt}
            WHERE EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {me} AND username IS NOT NULL
                AND deleted_at IS NULL)
            ON CONFLICT (user_id) DO UPDATE SET skills = EXCLUDED.skills, certifications = EXCLUDED.certifications,
                awards = EXCLUDED.awards, projects = EXCLUDED.projects, skills_visibility = EXCLUDED.skills_visibility,
                certifications_visibility = EXCLUDED.certifications_visibility,
                awards_visibility = EXCLUDED.awards_visibility, projects_visibility = EXCLUDED.projects_visibility,
                updated_at = EXCLUDED.updated_at
            """,
            cancellationToken
        );
        if (written == 0)
            throw new NotFoundException(ProfileAccess.NoSuchUser);
        return TypedResults.Ok(InnovatorProfileDto.From(me, p));
    }
}
