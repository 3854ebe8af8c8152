using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Groups;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Community.Social.Reports;

/// <summary>A report of something against the rules, for the moderators.</summary>
/// <param name="TargetType">What is reported: user, group, message or event.</param>
/// <param name="TargetId">The id of the user, group, message or event.</param>
/// <param name="Category">spam, harassment, hate, violence, sexual, self_harm or other.</param>
/// <param name="Comment">What happened, at most 2000 characters; required when the category is other.</param>
public sealed record ReportRequest(
    [Required, ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.TargetTypes))] string? TargetType,
    [Required] Guid? TargetId,
    [Required, ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Categories))] string? Category,
    string? Comment
) : IRequestExample<ReportRequest>
{
    public static ReportRequest Example =>
        new(
            ReportVocabulary.UserTarget,
            Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"),
            "spam",
            "Sends the same advert to every member."
        );
}

/// <summary>How an admin settles an open report.</summary>
/// <param name="Action">
/// dismiss; warn (the reported person, a message's author, a group's owner or an event's organizer is told, with the
/// note); remove_content (a group is deleted, a message becomes a tombstone, an event is cancelled and its tickets
/// refunded; on a user report it is 400: use warn or suspend_user); or suspend_user.
/// </param>
/// <param name="Note">The admin's note, kept with the report; a warning shows it to the person warned.</param>
/// <param name="SuspendUntil">
/// Only with suspend_user on a user report: when the suspension ends (ISO 8601, in the future, at most 10 years
/// ahead); absent, the account stays suspended until an admin lifts it.
/// </param>
public sealed record ResolveRequest(
    [Required, ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Actions))] string? Action,
    string? Note,
    DateTimeOffset? SuspendUntil = null
) : IRequestExample<ResolveRequest>
{
    public static ResolveRequest Example =>
        new(
            ReportVocabulary.SuspendUser,
            "Third harassment report this month.",
            DateTimeOffset.Parse("2026-12-31T00:00:00Z", CultureInfo.InvariantCulture)
        );
}

public sealed record ReportDto(
    Guid Id,
    Guid ReporterId,
    [property: ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.TargetTypes))] string TargetType,
    Guid TargetId,
    [property: ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Categories))] string Category,
    string? Comment,
    [property: ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Statuses))] string Status,
    DateTimeOffset CreatedAt,
    [property: ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Actions))] string? Action,
    string? Note,
    Guid? ResolvedBy,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? SuspendedUntil
)
{
    public static ReportDto From(Report r) =>
        new(
            r.Id,
            r.ReporterId,
            r.TargetType,
            r.TargetId,
            r.Category,
            r.Comment,
            r.Status,
            r.CreatedAt,
            r.Action,
            r.Note,
            r.ResolvedBy,
            r.ResolvedAt,
            r.SuspendedUntil
        );
}

/// <param name="Status">open (the default): reports still to decide; resolved: decided ones.</param>
public sealed record ReportsQuery(
    [ValuesOf(typeof(ReportVocabulary), nameof(ReportVocabulary.Statuses))] string? Status,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public static class ReportsApi
{
    public const int MaxCommentLength = 2000;
    public const int MaxNoteLength = 2000;

    /// <summary>
    /// How many of one member's reports may wait for an admin at once. Groups, messages and events are not all known
    /// here (a report of a message names an id social cannot look up), so without it one member could bury the queue,
    /// which serves the oldest first, under reports of made-up ids.
    /// </summary>
    public const int MaxOpenPerReporter = 50;

    private const string AlreadyReported = "You already have an open report of this target; an admin will look at it.";

    /// <summary>The longest suspension a resolution may set; longer is until lifted (no suspend_until).</summary>
    public const int MaxSuspensionYears = 10;

    /// <summary>Why remove_content on a report of a user is refused.</summary>
    public const string NoContentOfAPerson =
        "remove_content applies to a group, a message or an event; for a person use warn or suspend_user.";

    public const string NoPersonInContent =
        "suspend_user applies to a report of a user; for a group, a message or an event use remove_content or warn, "
        + "and report its author to suspend them.";

    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/reports")
            .DescribesPathParameter("id", "The report's id.")
            .WithTags("Reports")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", File)
            .WithName("FileReport")
            .WithSummary(
                "Report a user, group, message or event (201); one open report per target (409); reporting myself is "
                    + "422"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("", Queue)
            .RequireAuthorization(Policies.Admin)
            .WithName("ListReports")
            .WithSummary(
                "The moderation queue (admin): status=open (the default, oldest first) or resolved (newest first)"
            );
        group
            .MapPost("/{id:guid}/resolve", Resolve)
            .RequireAuthorization(Policies.Admin)
            .WithName("ResolveReport")
            .WithSummary(
                "Resolve an open report (admin): dismiss, warn (the reported party is told), remove_content (a group, "
                    + "message or event is removed; 400 on a user report) or suspend_user (ReportResolved, with "
                    + "suspend_until for a user report: the suspension's end, up to 10 years ahead); again is 409; a "
                    + "report about the admin, their group or their event is 403 (another admin's)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Created<ReportDto>> File(
        ReportRequest body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var targetType = body.TargetType?.Trim().ToLowerInvariant();
        var category = body.Category?.Trim().ToLowerInvariant();
        var comment = errors.OptionalText("comment", body.Comment, MaxCommentLength);
        if (errors.Required("target_type", targetType))
            errors.OneOf("target_type", targetType, ReportVocabulary.TargetTypes);
        errors.Required("target_id", body.TargetId);
        if (errors.Required("category", category))
            errors.OneOf("category", category, ReportVocabulary.Categories);
        // "other" says nothing on its own; the admin needs the reporter's words.
        if (category == "other" && comment is null)
            errors.Add("comment", "comment is required when category is other.");
        errors.ThrowIfAny();

        var targetId = body.TargetId!.Value;
        if (targetType == ReportVocabulary.UserTarget)
        {
            if (targetId == callerId)
                throw new BusinessRuleException("You cannot report yourself.");
            // A block does not stop a report (the harassed block their harasser); an unknown or deleted user is 404.
            if (!await db.UserProfiles.Listed().AnyAsync(p => p.UserId == targetId, cancellationToken))
                throw new NotFoundException(ProfileAccess.NoSuchUser);
        }
        // A group is this service's own: one that does not exist (or is gone) fills no admin's queue. A secret group
        // the caller cannot see is as missing as it is everywhere else, so a report does not tell that it exists.
        // (Messages and events live in other services; their reports are taken as they come.)
        else if (
            targetType == ReportVocabulary.GroupTarget
            && !await db.Groups.SeenBy(db, callerId).AnyAsync(g => g.Id == targetId, cancellationToken)
        )
            throw new NotFoundException(GroupAccess.NoSuchGroup);

        // One filing of the caller's at a time: reports sent at once for different targets would each count the open
        // ones before any was written, and together pass the limit.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // First, as the erasure takes it: a report filed while its reporter's account is being erased waits for that
        // erasure's commit and then finds the account erased (404), so no report of theirs outlives it.
        await ErasureGate.EnterAsync(db, cancellationToken);
        await ProfileAccess.NotErasedAsync(db, callerId, cancellationToken);
        await db.Database.LockKeyAsync("reports:" + callerId.ToString("N"), cancellationToken);
        // The same target again is the 409 it always was; a new one, past the open reports allowed, waits.
        if (
            await db.Reports.AnyAsync(
                r =>
                    r.ReporterId == callerId
                    && r.TargetType == targetType
                    && r.TargetId == targetId
                    && r.Status == ReportVocabulary.Open,
                cancellationToken
            )
        )
            throw new ConflictException(AlreadyReported);
        if (
            await db.Reports.CountAsync(
                r => r.ReporterId == callerId && r.Status == ReportVocabulary.Open,
                cancellationToken
            ) >= MaxOpenPerReporter
        )
            throw new TooManyRequestsException(
                $"You have {MaxOpenPerReporter} reports waiting for an admin; file more once some are looked at.",
                TimeSpan.FromHours(1)
            );

        var report = new Report
        {
            // Ordered as they were filed: the queue pages oldest first by id.
            Id = NewId.Next(clock),
            ReporterId = callerId,
            TargetType = targetType!,
            TargetId = targetId,
            Category = category!,
            Comment = comment,
            Status = ReportVocabulary.Open,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Reports.Add(report);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException
                    is PostgresException
                    {
                        SqlState: PostgresErrorCodes.UniqueViolation,
                        ConstraintName: Report.OneOpenPerTarget
                    }
            )
        {
            throw new ConflictException(AlreadyReported);
        }
        return TypedResults.Created($"/api/v1/reports/{report.Id}", ReportDto.From(report));
    }

    private static async Task<Ok<CursorPage<ReportDto>>> Queue(
        [AsParameters] ReportsQuery query,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var status = query.Status?.Trim().ToLowerInvariant() ?? ReportVocabulary.Open;
        errors.OneOf("status", status, ReportVocabulary.Statuses);
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, s => Guid.TryParseExact(s, "N", out var g) ? g : (Guid?)null, errors);
        errors.ThrowIfAny();

        // Ids are time-ordered (UUID v7): the open queue is first come first served, the resolved list newest first.
        var reports = db.Reports.AsNoTracking().Where(r => r.Status == status);
        var open = status == ReportVocabulary.Open;
        if (after is { } a)
            reports = open ? reports.Where(r => r.Id.CompareTo(a) > 0) : reports.Where(r => r.Id.CompareTo(a) < 0);
        reports = open ? reports.OrderBy(r => r.Id) : reports.OrderByDescending(r => r.Id);
        var rows = await reports.Take(Keyset.Probe(limit)).ToListAsync(cancellationToken);
        return TypedResults.Ok(Keyset.Page(rows, limit, r => r.Id.ToString("N"), ReportDto.From));
    }

    private static async Task<Ok<ReportDto>> Resolve(
        Guid id,
        ResolveRequest body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var adminId = principal.UserId();
        var errors = new ValidationErrors();
        var action = body.Action?.Trim().ToLowerInvariant();
        var note = errors.OptionalText("note", body.Note, MaxNoteLength);
        if (errors.Required("action", action))
            errors.OneOf("action", action, ReportVocabulary.Actions);
        // As stored, so the answer, the row and the event state the same instant.
        var suspendUntil = body.SuspendUntil is { } u ? UtcTimestamps.AsStored(u) : (DateTimeOffset?)null;
        var asked = clock.GetUtcNow();
        if (suspendUntil is { } until)
        {
            if (action != ReportVocabulary.SuspendUser)
                errors.Add("suspend_until", "suspend_until goes only with action suspend_user.");
            else if (until <= asked)
                errors.Add("suspend_until", "suspend_until must be in the future.");
            else if (until > asked.AddYears(MaxSuspensionYears))
                errors.Add(
                    "suspend_until",
                    $"suspend_until must be at most {MaxSuspensionYears} years ahead; leave it out to suspend until "
                        + "lifted."
                );
        }
        errors.ThrowIfAny();

        var report = await db.InTransactionAsync(
            async ct =>
            {
                // Locked, so two admins resolving at once end in one resolution and one 409.
                var r =
                    await db
                        .Reports.FromSql($"SELECT * FROM reports WHERE id = {id} FOR UPDATE")
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("No report has this id.");
                if (r.Status == ReportVocabulary.Resolved)
                    throw new ConflictException($"This report was already resolved ({r.Action}).");
                if (suspendUntil is not null && r.TargetType != ReportVocabulary.UserTarget)
                    throw new RequestValidationException(
                        "suspend_until",
                        "suspend_until applies to a report of a user only."
                    );
                // A person is not content: a report suspends an account (suspend_user), never removes it.
                if (action == ReportVocabulary.RemoveContent && r.TargetType == ReportVocabulary.UserTarget)
                    throw new RequestValidationException("action", NoContentOfAPerson);
                // Nor is content a person: suspend_user on it would close the report and suspend nobody.
                if (action == ReportVocabulary.SuspendUser && r.TargetType != ReportVocabulary.UserTarget)
                    throw new RequestValidationException("action", NoPersonInContent);
                var now = clock.GetUtcNow();
                Guid? targetOwner = r.TargetType == ReportVocabulary.UserTarget ? r.TargetId : null;
                if (r.TargetType == ReportVocabulary.GroupTarget)
                    targetOwner = await db
                        .Groups.Where(g => g.Id == r.TargetId)
                        .Select(g => (Guid?)g.OwnerId)
                        .FirstOrDefaultAsync(ct);
                // Nobody judges their own case: a report about an admin, their group or their event is another
                // admin's. (A message's author is messaging's to know; search's copy of an event names its organizer.)
                var eventOrganizer =
                    r.TargetType == ReportTargets.Event
                        ? await db
                            .SearchDocuments.Where(d => d.Kind == SearchKinds.Events && d.Id == r.TargetId)
                            .Select(d => d.OwnerId)
                            .FirstOrDefaultAsync(ct)
                        : null;
                if (targetOwner == adminId || eventOrganizer == adminId)
                    throw new ForbiddenException(
                        "This report is about you, your group or your event; another admin resolves it."
                    );
                if (r.TargetType == ReportVocabulary.GroupTarget && action == ReportVocabulary.RemoveContent)
                {
                    // Social owns groups: the group goes in the resolution's transaction, as its owner's delete.
                    if (await GroupAccess.ModeratedAsync(db, r.TargetId, ct) is { } removed)
                    {
                        targetOwner = removed.OwnerId;
                        await GroupRules.DeleteAsync(db, removed, now, ct);
                    }
                }
                (r.Status, r.Action, r.Note, r.ResolvedBy, r.ResolvedAt) = (
                    ReportVocabulary.Resolved,
                    action,
                    note,
                    adminId,
                    now
                );
                r.SuspendedUntil = suspendUntil;
                db.AddIntegrationEvent(
                    new ReportResolved(
                        Guid.CreateVersion7(),
                        now,
                        r.Id,
                        r.ReporterId,
                        r.TargetType,
                        r.TargetId,
                        r.Category,
                        action!,
                        note,
                        adminId
                    )
                    {
                        SuspendedUntil = suspendUntil,
                        TargetOwnerUserId = targetOwner,
                    }
                );
                return r;
            },
            cancellationToken
        );
        return TypedResults.Ok(ReportDto.From(report));
    }
}
