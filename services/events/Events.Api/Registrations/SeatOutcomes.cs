namespace Community.Events.Registrations;

/// <summary>
/// What a registration came to; Full, with no registration, when no seat was left and the event keeps no waiting list.
/// </summary>
public enum RegistrationOutcome
{
    Existing,
    Confirmed,
    Held,
    Waitlisted,
    Full,
}

public enum PaidConfirmation
{
    Confirmed,
    AlreadyConfirmed,
    SeatGone,
    NotFound,
}

/// <summary>What became of a payment for a held registration; SeatGone means the payer must be refunded.</summary>
public sealed record PaidConfirmationResult(
    PaidConfirmation Outcome,
    Registration? Registration,
    string? Reason = null
);
