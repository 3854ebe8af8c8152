using Community.Contracts.Social;
using MassTransit;

namespace Community.Identity.Suspensions;

/// <summary>
/// A report resolved with suspend_user on a user suspends that account until the resolution's SuspendedUntil (null:
/// until an admin lifts it). Every other resolution is social's or the content owners' business.
/// </summary>
public sealed class SuspendUserConsumer(
    IdentityDbContext db,
    Suspending suspending,
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
        await suspending.SuspendAsync(
            Db,
            user,
            m.SuspendedUntil,
            m.Note is { Length: > 0 } note ? note : $"report {m.ReportId}: {m.Category}",
            m.ResolvedByUserId,
            m.ReportId,
            cancellationToken
        );
        logger.LogInformation(
            "Report {ReportId} suspended {UserId} until {Until}",
            m.ReportId,
            m.TargetId,
            m.SuspendedUntil?.ToString("O") ?? "lifted"
        );
    }
}
