using Community.Contracts.Social;
using Community.Identity.Admins;
using Community.ServiceDefaults.Api;
using MassTransit;

namespace Community.Identity.Suspensions;

/// <summary>
/// A report resolved with suspend_user on a user suspends that account until the resolution's SuspendedUntil (null:
/// until an admin lifts it), unless it is the last admin not suspended, or suspended for longer already. Every other
/// resolution is social's or the content owners' business.
/// </summary>
public sealed class SuspendUserConsumer(
    IdentityDbContext db,
    Suspending suspending,
    TimeProvider clock,
    ILogger<SuspendUserConsumer> logger
) : IdempotentConsumer<ReportResolved, IdentityDbContext>(db, logger)
{
    public const string SuspendAction = "suspend_user";
    public const string UserTarget = "user";

    protected override bool Concerns(ReportResolved message) =>
        message.Action == SuspendAction && message.TargetType == UserTarget;

    protected override async Task HandleAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // In turn with admins' suspensions and role changes, before the account is read: it may be an admin's.
        await AdminRules.LockAdminsAsync(Db, cancellationToken);
        // Read after an admin's lift being saved, so the decision compared below is the newest.
        await Db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {m.TargetId} FOR UPDATE", cancellationToken);
        var user = await Db.Users.FirstOrDefaultAsync(u => u.Id == m.TargetId, cancellationToken);
        if (user is null)
        {
            logger.LogInformation(
                "Report {ReportId} suspends {UserId}, who has no account any more",
                m.ReportId,
                m.TargetId
            );
            return;
        }
        // A decision made after this resolution (an admin lifted or changed the suspension while this message waited in
        // a backlog or the _error queue) stands; and a suspension already over ends no sessions.
        var at = UtcTimestamps.AsStored(m.OccurredAt);
        if (user.SuspensionDecidedAt >= at || m.SuspendedUntil <= clock.GetUtcNow())
        {
            logger.LogInformation(
                "Report {ReportId} suspends {UserId} until {Until}, decided at {DecidedAt}: overtaken by the "
                    + "decision of {LaterDecision} or already over, not applied",
                m.ReportId,
                m.TargetId,
                m.SuspendedUntil?.ToString("O") ?? "lifted",
                at.ToString("O"),
                user.SuspensionDecidedAt?.ToString("O") ?? "none"
            );
            return;
        }
        // A suspension in force that lasts longer stays: a report resolved later (another admin's, of an older
        // report) adds its own end, never a shorter one. An admin replaces a suspension through the admin routes.
        var now = clock.GetUtcNow();
        if (user.IsSuspendedAt(now) && (user.SuspendedUntil is null || user.SuspendedUntil >= m.SuspendedUntil))
        {
            logger.LogInformation(
                "Report {ReportId} suspends {UserId} until {Until}: suspended until {Current} already, not shortened",
                m.ReportId,
                m.TargetId,
                m.SuspendedUntil?.ToString("O") ?? "lifted",
                user.SuspendedUntil?.ToString("O") ?? "lifted"
            );
            return;
        }
        // Its resolver may have been suspended meanwhile (by this very admin): the platform must keep one admin.
        if (await AdminRules.IsLastInForceAsync(Db, user, clock.GetUtcNow(), cancellationToken))
        {
            logger.LogWarning(
                "Report {ReportId} suspends {UserId}, the last admin not suspended: not suspended",
                m.ReportId,
                m.TargetId
            );
            return;
        }
        await suspending.SuspendAsync(
            Db,
            user,
            m.SuspendedUntil,
            m.Note is { Length: > 0 } note ? note : $"report {m.ReportId}: {m.Category}",
            m.ResolvedByUserId,
            m.ReportId,
            cancellationToken,
            at
        );
        logger.LogInformation(
            "Report {ReportId} suspended {UserId} until {Until}",
            m.ReportId,
            m.TargetId,
            m.SuspendedUntil?.ToString("O") ?? "lifted"
        );
    }
}
