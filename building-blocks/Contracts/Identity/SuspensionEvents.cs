namespace Community.Contracts.Identity;

/// <summary>
/// An account was suspended: its sessions ended and it cannot sign in until <paramref name="SuspendedUntil"/> (null:
/// until an admin lifts it). Its content stays unless an admin removes it.
/// </summary>
/// <param name="SuspendedByUserId">The admin who suspended it, directly or by resolving a report.</param>
/// <param name="ReportId">The report whose resolution suspended it; null for an admin's direct suspension.</param>
public sealed record UserSuspended(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    DateTimeOffset? SuspendedUntil,
    string? Reason,
    Guid SuspendedByUserId,
    Guid? ReportId
) : IIntegrationEvent;

/// <summary>An admin lifted an account's suspension before it ended: the account may sign in again.</summary>
public sealed record UserSuspensionLifted(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, Guid LiftedByUserId)
    : IIntegrationEvent;
