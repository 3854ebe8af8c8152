namespace Community.Contracts.Events;

// Published by the events service. Money is integer minor units plus an ISO 4217 code.
// A confirmed seat, free or paid, is announced once as RegistrationConfirmed (the architecture's "RsvpCreated").

/// <summary>A draft event became visible. EventId is the event; EventId is this message.</summary>
public sealed record EventPublished(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid EventId,
    Guid OrganizerUserId,
    string Title,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    long PriceCents,
    string Currency
) : IIntegrationEvent
{
    /// <summary>
    /// One of <see cref="EventVisibility"/>; null from publishers before it existed, which the social feed treats as
    /// private.
    /// </summary>
    public string? Visibility { get; init; }

    // Where and what the event is about, for the companion's opportunities (null from publishers before they existed).
    public string? Region { get; init; }
    public string? City { get; init; }
    public string? Country { get; init; }
    public IReadOnlyList<string>? Interests { get; init; }

    /// <summary>The event's IANA time zone, for its local date and time (null from publishers before it).</summary>
    public string? TimeZone { get; init; }
}

/// <summary>Details of a published event changed; ChangedFields are snake_case names.</summary>
public sealed record EventUpdated(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid EventId,
    IReadOnlyList<string> ChangedFields
) : IIntegrationEvent
{
    // The event's title and visibility after the change, for the social feed (null from publishers before they
    // existed).
    public string? Title { get; init; }

    /// <summary>One of <see cref="EventVisibility"/>.</summary>
    public string? Visibility { get; init; }
}

/// <summary>
/// A published event was cancelled; registrations stay for history and refunds. Waiting names those who had no ticket
/// yet: on the waiting list, or holding a seat not paid for (the ticket holders are the event chat's attendees).
/// OrganizerUserId is its organizer, for a consumer whose EventPublished may still be on the way (null from
/// publishers before it existed).
/// </summary>
public sealed record EventCancelled(Guid MessageId, DateTimeOffset OccurredAt, Guid EventId, string? Reason)
    : IIntegrationEvent
{
    public IReadOnlyList<Guid>? Waiting { get; init; }

    public Guid? OrganizerUserId { get; init; }
}

/// <summary>
/// A registration was cancelled by its holder (or erased with the account, or a place on the waiting list ended when a
/// seat came free for it but the event was no longer open to its holder), or a confirmed one ended by a refund in full
/// (<see cref="Refunded"/>), and any seat released. RefundCents is what the event's refund policy owes for a paid,
/// confirmed registration (0 when nothing is owed); PaymentId is the payment that settled it.
/// </summary>
public sealed record RsvpCancelled(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid RegistrationId,
    Guid EventId,
    Guid UserId,
    string PreviousStatus,
    long RefundCents,
    string? Currency,
    Guid? PaymentId
) : IIntegrationEvent
{
    /// <summary>
    /// The ticket was refunded in full (by its organizer, an admin or the provider): its holder did not cancel, and
    /// nothing more is owed (RefundCents is 0). False from publishers before it existed.
    /// </summary>
    public bool Refunded { get; init; }
}

/// <summary>
/// A seat of a paid event is held until ExpiresAt for RegistrationId; payments prices checkout from this.
/// OrganizerUserId may refund it. FromWaitingList: the seat came free and went to the next on the waiting list, who is
/// not looking and must be told (false from publishers before it existed).
/// </summary>
public sealed record TicketHoldCreated(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid RegistrationId,
    Guid EventId,
    Guid UserId,
    long AmountCents,
    string Currency,
    DateTimeOffset ExpiresAt,
    Guid OrganizerUserId,
    bool FromWaitingList = false
) : IIntegrationEvent;

/// <summary>
/// A payment (or a credits spend: PaymentId is then the CreditsSpent message id) arrived for something events can no
/// longer give (a hold expired and its seat was taken, the event was cancelled, the price differs): payments gives it
/// all back. Purpose and ReferenceId are those of the payment (event_registration + registration id, course +
/// enrollment id). The AI companion publishes it too, for a companion_session spend whose session cannot start.
/// </summary>
public sealed record PurchaseRejected(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    string Purpose,
    Guid ReferenceId,
    string Reason
) : IIntegrationEvent;

/// <summary>
/// THE confirmation of a seat: published once when a registration is confirmed, free (PaymentId null) or paid and
/// settled (PaymentId the payment), with its ticket. Notifications and the activity feed consume this one event.
/// <paramref name="OrganizerUserId"/>: the event's organizer, told of the registration even by a consumer that has not
/// heard of the event yet (its EventPublished still on the way); null from publishers before it existed.
/// </summary>
public sealed record RegistrationConfirmed(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid RegistrationId,
    Guid EventId,
    Guid UserId,
    string TicketCode,
    Guid? PaymentId,
    Guid? OrganizerUserId = null
) : IIntegrationEvent;

/// <summary>An attendee checked in at the venue.</summary>
public sealed record ArrivalRecorded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid RegistrationId,
    Guid EventId,
    Guid UserId,
    DateTimeOffset ArrivedAt
) : IIntegrationEvent;

/// <summary>
/// A user enrolled in a course: free, paid with money (PriceCents and Currency paid), or paid with
/// credits (PriceCredits spent); what was not paid is 0 or null.
/// </summary>
public sealed record CourseEnrolled(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid CourseId,
    Guid EnrollmentId,
    Guid UserId,
    long PriceCents,
    string? Currency,
    int? PriceCredits
) : IIntegrationEvent;

/// <summary>
/// A learner completed every module of a course, announced once per enrollment (for the feed and the dashboard).
/// </summary>
public sealed record CourseCompleted(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid CourseId,
    Guid EnrollmentId,
    Guid UserId,
    string Title
) : IIntegrationEvent
{
    /// <summary>Who runs the course: the feed leaves out its completion for people in a block with them.</summary>
    public Guid? OrganizerUserId { get; init; }
}

/// <summary>
/// An active enrollment ended without its learner leaving: its payment was refunded in full (Reason "refunded"), so
/// the course is theirs no more (its progress goes with it). For the dashboard's courses in progress.
/// </summary>
public sealed record CourseEnrollmentEnded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid CourseId,
    Guid EnrollmentId,
    Guid UserId,
    string Reason
) : IIntegrationEvent;

/// <summary>
/// An attendee or the organizer added a photo to an event (for the feed, which shows it as the event shows).
/// </summary>
public sealed record EventPhotoAdded(Guid MessageId, DateTimeOffset OccurredAt, Guid PhotoId, Guid EventId, Guid UserId)
    : IIntegrationEvent;

/// <summary>
/// A photo of an event was deleted (by its uploader, the organizer or an admin); PhotosLeft is how many of UserId's
/// (the uploader's) photos of the event remain, so the feed forgets their news of it when none does.
/// </summary>
public sealed record EventPhotoRemoved(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PhotoId,
    Guid EventId,
    Guid UserId,
    int PhotosLeft
) : IIntegrationEvent;

/// <summary>
/// A paid course's enrollment awaits payment; payments prices the checkout (purpose "course", reference EnrollmentId)
/// from it: PriceCents in Currency with money (0: not sold for money), PriceCredits with credits (null: not sold for
/// credits).
/// </summary>
public sealed record CourseEnrollmentPending(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid EnrollmentId,
    Guid CourseId,
    Guid UserId,
    long PriceCents,
    string? Currency,
    int? PriceCredits,
    Guid OrganizerUserId
) : IIntegrationEvent;

/// <summary>
/// A course its organizer (or their account's deletion) took off sale: deleted when nobody had enrolled (no
/// enrollment ended, no course left), otherwise withdrawn while people were enrolled: no longer listed or sold, kept by
/// active learners (no refund is owed). CancelledEnrollmentIds are the pending (unpaid) enrollments ended with it: a
/// payment or credits spend that still arrives for one is answered with PurchaseRejected and given back.
/// </summary>
public sealed record CourseWithdrawn(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid CourseId,
    Guid OrganizerUserId,
    string Title,
    IReadOnlyList<Guid> CancelledEnrollmentIds
) : IIntegrationEvent;

/// <summary>
/// A course became visible in the catalogue (courses are listed from creation): the companion suggests it to members
/// whose interests name its Category (lower case: growth, connection, wellness...).
/// </summary>
public sealed record CoursePublished(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid CourseId,
    Guid OrganizerUserId,
    string Title,
    string Category
) : IIntegrationEvent;
