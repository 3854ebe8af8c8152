using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Identity.Admins;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity.Suspensions;

/// <summary>An admin's suspension of an account.</summary>
/// <param name="Until">When it ends by itself (in the future, at most 10 years ahead); absent or null: until an admin
/// lifts it.</param>
/// <param name="Reason">Why, for the record: 1-500 characters.</param>
public sealed record SuspendRequest(DateTimeOffset? Until, [Required] string? Reason) : IRequestExample<SuspendRequest>
{
    public const int MaxReasonLength = 500;
    public const int MaxYears = 10;

    public static SuspendRequest Example =>
        new(DateTimeOffset.Parse("2030-01-31T00:00:00Z"), "Repeated harassment after a warning.");
}

/// <summary>An account's suspension as an admin sees it.</summary>
/// <param name="Suspended">Whether the account is refused sign-in now.</param>
/// <param name="SuspendedAt">When the suspension in force began; null when none.</param>
/// <param name="SuspendedUntil">When it ends by itself; null when none, or until an admin lifts it.</param>
/// <param name="Reason">The admin's reason, or the report's note.</param>
public sealed record SuspensionDto(
    Guid UserId,
    bool Suspended,
    DateTimeOffset? SuspendedAt,
    DateTimeOffset? SuspendedUntil,
    string? Reason
)
{
    public static SuspensionDto From(User user, DateTimeOffset now) =>
        user.IsSuspendedAt(now)
            ? new(user.Id, true, user.SuspendedAt, user.SuspendedUntil, user.SuspensionReason)
            : new(user.Id, false, null, null, null);
}

/// <summary>
/// Admins suspend accounts (as a report resolved with suspend_user does), see a suspension and lift it. A suspended
/// account's sessions end at once and every sign-in answers 403 until the suspension ends or is lifted.
/// </summary>
public static class SuspensionsApi
{
    public static RouteGroupBuilder MapSuspensionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/admin/users/{id:guid}/suspension")
            .DescribesPathParameter("id", "The user's id.")
            .WithTags("Admin")
            .RequireAuthorization(Policies.Admin)
            .WithStandardProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("", Get).WithName("GetSuspension").WithSummary("An account's suspension (admin)");
        group
            .MapPut("", Suspend)
            .WithName("SuspendUser")
            .WithSummary("Suspend an account until a time or until lifted; its sessions end at once (admin)");
        group
            .MapDelete("", Lift)
            .WithName("LiftSuspension")
            .WithSummary("Lift an account's suspension (admin); 204 whether or not one was in force");
        return group;
    }

    private static async Task<Ok<SuspensionDto>> Get(
        Guid id,
        IdentityDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var user = await FindAsync(db, id, cancellationToken, tracked: false);
        return TypedResults.Ok(SuspensionDto.From(user, clock.GetUtcNow()));
    }

    /// <summary>
    /// Suspends the account (replacing a suspension in force): its sessions end, its refresh tokens die, and
    /// UserSuspended is published. Its content stays. An admin cannot suspend their own account, so the acting admin,
    /// checked again in turn, is always left.
    /// </summary>
    private static async Task<Ok<SuspensionDto>> Suspend(
        Guid id,
        SuspendRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        Suspending suspending,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
            errors.Add("reason", "reason is required.");
        errors.MaxLength("reason", reason, SuspendRequest.MaxReasonLength);
        // As stored, so the answer, the row and the event state the same instant.
        var until = request.Until is { } u ? UtcTimestamps.AsStored(u) : (DateTimeOffset?)null;
        if (until <= now)
            errors.Add("until", "until must be in the future (leave it out to suspend until lifted).");
        else if (until > now.AddYears(SuspendRequest.MaxYears))
            errors.Add(
                "until",
                $"until must be at most {SuspendRequest.MaxYears} years ahead (leave it out to suspend until lifted)."
            );
        errors.ThrowIfAny();
        var adminId = principal.UserId();
        if (id == adminId)
            throw new RequestValidationException("id", "An admin cannot suspend their own account.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One at a time with role changes: two admins suspending each other at once would leave the platform with none.
        await AdminRules.LockAdminsAsync(db, adminId, now, cancellationToken);
        // The account read once its row is ours: one erased meanwhile is a 404, not a lost write's 409.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {id} FOR UPDATE", cancellationToken);
        var user = await FindAsync(db, id, cancellationToken);
        await suspending.SuspendAsync(db, user, until, reason, adminId, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(SuspensionDto.From(user, now));
    }

    /// <summary>
    /// Lifts the suspension in force (UserSuspensionLifted); idempotent. The account signs in again as before; its
    /// ended sessions stay ended.
    /// </summary>
    private static async Task<NoContent> Lift(
        Guid id,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        Suspending suspending,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var adminId = principal.UserId();
        // A suspended admin's tokens end with the suspension; this guards a token that outlived it.
        if (id == adminId)
            throw new ForbiddenException("An admin cannot lift their own suspension.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // In turn with suspensions (an admin's, a report's being handled) and role changes, the caller checked again,
        // and the account read once its row is ours: a report's suspension committing meanwhile is lifted, not kept
        // with this lift recorded as the newer decision.
        await AdminRules.LockAdminsAsync(db, adminId, clock.GetUtcNow(), cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {id} FOR UPDATE", cancellationToken);
        var user = await FindAsync(db, id, cancellationToken);
        suspending.Lift(db, user, adminId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<User> FindAsync(
        IdentityDbContext db,
        Guid id,
        CancellationToken cancellationToken,
        bool tracked = true
    ) =>
        await (tracked ? db.Users : db.Users.AsNoTracking()).FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
        ?? throw new NotFoundException("No member has this id.");
}
