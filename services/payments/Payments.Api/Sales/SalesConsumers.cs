using Community.Contracts.Events;
using Community.Payments.Refunds;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Payments.Sales;

/// <summary>A seat is held: remember its price, buyer and expiry; checkout reads the amount from here.</summary>
public sealed class TicketHoldCreatedConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<TicketHoldCreatedConsumer> logger
) : IdempotentConsumer<TicketHoldCreated, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<TicketHoldCreated> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // One at a time with the event's cancellation: a hold told while it is written is ended by it, or sees it.
        await Db.Database.LockKeyAsync(EventSales.LockKey(m.EventId), cancellationToken);
        var cancelled = await Db
            .CancelledEvents.Where(c => c.EventId == m.EventId)
            .Select(c => (DateTimeOffset?)c.CancelledAt)
            .FirstOrDefaultAsync(cancellationToken);
        var item = await Db.SellableItems.FirstOrDefaultAsync(
            i => i.ReferenceId == m.RegistrationId,
            cancellationToken
        );
        if (item is null)
            Db.SellableItems.Add(
                item = new SellableItem { ReferenceId = m.RegistrationId, CreatedAt = clock.GetUtcNow() }
            );
        // A registration promoted from the waiting list gets a new hold: the latest expiry wins.
        item.Purpose = PaymentPurposes.EventRegistration;
        item.UserId = m.UserId;
        item.AmountCents = m.AmountCents;
        item.Currency = m.Currency;
        item.EventId = m.EventId;
        item.SellerUserId = m.OrganizerUserId;
        item.ExpiresAt = item.ExpiresAt is { } known && known > m.ExpiresAt ? known : m.ExpiresAt;
        // A hold told after its event's cancellation (a retried message) ended with the event.
        if (cancelled is { } at && item.ExpiresAt > at)
            item.ExpiresAt = at;
    }
}

/// <summary>A paid course enrollment awaits payment: remember its money and credit prices.</summary>
public sealed class CourseEnrollmentPendingConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<CourseEnrollmentPendingConsumer> logger
) : IdempotentConsumer<CourseEnrollmentPending, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseEnrollmentPending> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // One at a time with the course's withdrawal: an enrollment told meanwhile is ended by it, or sees it.
        await Db.Database.LockKeyAsync(CourseSales.LockKey(m.CourseId), cancellationToken);
        if (await Db.SellableItems.AnyAsync(i => i.ReferenceId == m.EnrollmentId, cancellationToken))
            return;
        // Told after its course's withdrawal (its message came later, from another queue): the withdrawal ended it.
        var withdrawn = await Db
            .WithdrawnCourses.Where(c => c.CourseId == m.CourseId)
            .Select(c => (DateTimeOffset?)c.WithdrawnAt)
            .FirstOrDefaultAsync(cancellationToken);
        Db.SellableItems.Add(
            new SellableItem
            {
                ReferenceId = m.EnrollmentId,
                Purpose = PaymentPurposes.Course,
                UserId = m.UserId,
                AmountCents = m.PriceCents,
                Currency = m.PriceCents > 0 ? m.Currency : null,
                PriceCredits = m.PriceCredits,
                SellerUserId = m.OrganizerUserId,
                CreatedAt = clock.GetUtcNow(),
                ExpiresAt = withdrawn,
            }
        );
    }
}

/// <summary>
/// A course taken off sale, and its enrollments awaiting payment ended with it: they are sold no more (a checkout or a
/// credits spend is refused, and their checkouts already open end), as an ended seat hold is, nor is one whose price is
/// told after this. One paid regardless (a checkout page left open, paid in the moment before it ended) is still given
/// back when events refuses it.
/// </summary>
public sealed class CourseWithdrawnConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<CourseWithdrawnConsumer> logger
) : IdempotentConsumer<CourseWithdrawn, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseWithdrawn> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await Db.Database.LockKeyAsync(CourseSales.LockKey(m.CourseId), cancellationToken);
        // Remembered for the enrollments whose price is told after this (CourseEnrollmentPendingConsumer): the course
        // takes no new one, so each is one it ended, or one ended earlier whose price comes late.
        if (!await Db.WithdrawnCourses.AnyAsync(c => c.CourseId == m.CourseId, cancellationToken))
            Db.WithdrawnCourses.Add(new WithdrawnCourse { CourseId = m.CourseId, WithdrawnAt = m.OccurredAt });
        if (m.CancelledEnrollmentIds.Count == 0)
            return;
        var ids = m.CancelledEnrollmentIds.ToArray();
        await Db
            .SellableItems.Where(i =>
                ids.Contains(i.ReferenceId)
                && i.Purpose == PaymentPurposes.Course
                && (i.ExpiresAt == null || i.ExpiresAt > m.OccurredAt)
            )
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.ExpiresAt, m.OccurredAt), cancellationToken);
        await Db
            .Payments.Where(p => p.Purpose == PaymentPurposes.Course && ids.Contains(p.ReferenceId))
            .EndPendingAsync(PaymentStatus.Expired, "course_withdrawn", clock.GetUtcNow(), cancellationToken);
    }
}

/// <summary>
/// Events (the seat went, the event was cancelled) or the companion (a session that cannot start) could not honour a
/// payment: the payer gets everything back, money or credits.
/// </summary>
public sealed class PurchaseRejectedConsumer(
    PaymentsDbContext db,
    CreditLedger credits,
    TimeProvider clock,
    ILogger<PurchaseRejectedConsumer> logger
) : IdempotentConsumer<PurchaseRejected, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<PurchaseRejected> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == m.PaymentId, cancellationToken);
        // Not a payment: a credits spend (its id is the spend id), paid back with a compensating transaction.
        if (payment is null)
            await credits.ReverseSpendAsync(
                m.PaymentId,
                CheckoutService.NotHonoured + ": " + m.Reason,
                cancellationToken
            );
        if (payment is null || payment.RefundableCents == 0)
            return;
        logger.LogInformation(
            "Refunding payment {PaymentId}: {Purpose} {ReferenceId} was not honoured ({Reason})",
            m.PaymentId,
            m.Purpose,
            m.ReferenceId,
            m.Reason
        );
        Db.AddIntegrationEvent(
            new PaymentRefundRequested(
                Guid.CreateVersion7(),
                clock.GetUtcNow(),
                RefundRules.DeterministicId("rejected", m.PaymentId),
                m.PaymentId,
                null,
                CheckoutService.NotHonoured + ": " + m.Reason,
                null
            )
        );
    }
}

/// <summary>An attendee cancelled a paid ticket: refund what the event's policy owes.</summary>
public sealed class RsvpCancelledConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<RsvpCancelledConsumer> logger
) : IdempotentConsumer<RsvpCancelled, PaymentsDbContext>(db, logger)
{
    /// <summary>A free ticket, or one whose policy refunds nothing, owes nothing.</summary>
    protected override bool Concerns(RsvpCancelled message) => message.PaymentId is not null && message.RefundCents > 0;

    protected override async Task HandleAsync(
        ConsumeContext<RsvpCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var paymentId = m.PaymentId!.Value;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null || payment.RefundableCents == 0)
            return;
        Db.AddIntegrationEvent(
            new PaymentRefundRequested(
                Guid.CreateVersion7(),
                clock.GetUtcNow(),
                RefundRules.DeterministicId("rsvp-cancelled:" + m.RegistrationId, paymentId),
                paymentId,
                Math.Min(m.RefundCents, payment.RefundableCents),
                "cancelled_by_attendee",
                m.UserId
            )
        );
    }
}

/// <summary>
/// An event was cancelled: every ticket paid for it is refunded in full, each by its own
/// PaymentRefundRequested, so one slow or failing refund holds up no other; and the seats still held for it are no
/// longer sold (their holds and open checkouts end now), so nobody pays for a ticket only to be refunded, Stripe's fee
/// lost.
/// </summary>
public sealed class EventCancelledConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<EventCancelledConsumer> logger
) : IdempotentConsumer<EventCancelled, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var now = clock.GetUtcNow();
        await Db.Database.LockKeyAsync(EventSales.LockKey(m.EventId), cancellationToken);
        if (!await Db.CancelledEvents.AnyAsync(c => c.EventId == m.EventId, cancellationToken))
            Db.CancelledEvents.Add(new CancelledEvent { EventId = m.EventId, CancelledAt = now });
        var paid = await (
            from p in Db.Payments.AsNoTracking()
            join i in Db.SellableItems.AsNoTracking() on p.ReferenceId equals i.ReferenceId
            where
                i.EventId == m.EventId
                && p.Purpose == PaymentPurposes.EventRegistration
                && p.RefundedCents < p.AmountCents
                && (p.Status == PaymentStatus.Succeeded || p.Status == PaymentStatus.PartiallyRefunded)
            select p.Id
        ).ToListAsync(cancellationToken);
        await Db
            .SellableItems.Where(i =>
                i.EventId == m.EventId
                && i.Purpose == PaymentPurposes.EventRegistration
                && (i.ExpiresAt == null || i.ExpiresAt > now)
            )
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.ExpiresAt, now), cancellationToken);
        // Their checkouts already open end too; one paid anyway settles as a late payment does, and events' refusal
        // of the seat refunds it.
        await Db
            .Payments.Where(p =>
                p.Purpose == PaymentPurposes.EventRegistration
                && Db.SellableItems.Any(i => i.ReferenceId == p.ReferenceId && i.EventId == m.EventId)
            )
            .EndPendingAsync(PaymentStatus.Expired, "event_cancelled", now, cancellationToken);
        foreach (var paymentId in paid)
            Db.AddIntegrationEvent(
                new PaymentRefundRequested(
                    Guid.CreateVersion7(),
                    now,
                    RefundRules.DeterministicId("event-cancelled", paymentId),
                    paymentId,
                    null,
                    "event_cancelled",
                    null
                )
            );
        if (paid.Count > 0)
            logger.LogInformation(
                "Asked for the refund of {Count} tickets of cancelled event {EventId}",
                paid.Count,
                m.EventId
            );
    }
}

/// <summary>What the consumers of a course's enrollments share.</summary>
internal static class CourseSales
{
    /// <summary>The advisory lock a course's enrollments and its withdrawal are written under, one at a time.</summary>
    public static string LockKey(Guid courseId) => "course-sales:" + courseId;
}

/// <summary>What the consumers of an event's seats share.</summary>
internal static class EventSales
{
    /// <summary>The advisory lock an event's holds and its cancellation are written under, one at a time.</summary>
    public static string LockKey(Guid eventId) => "event-sales:" + eventId;
}
