namespace Community.Events.Courses;

/// <summary>
/// How a payment settles a pending enrollment: the rule the money and the credits consumers both apply.
/// </summary>
public sealed class CoursePaymentRules(EventsDbContext db, TimeProvider clock)
{
    public enum CourseConfirmation
    {
        Activated,
        AlreadyActive,
        NotFound,
        Rejected,
    }

    /// <summary>What became of a payment for a pending enrollment; Rejected means the payer must be refunded.</summary>
    public sealed record CourseConfirmationResult(
        CourseConfirmation Outcome,
        CourseEnrollment? Enrollment,
        string? Reason = null
    );

    /// <summary>How a pending enrollment was paid: money captured by a payment, or credits spent.</summary>
    public abstract record CoursePayment(Guid Reference)
    {
        public sealed record Money(Guid PaymentId, long AmountCents, string Currency) : CoursePayment(PaymentId);

        public sealed record Credits(Guid SpendId, long Amount) : CoursePayment(SpendId);
    }

    /// <summary>
    /// Activates a pending enrollment once its payment settled; idempotent per payment (the same
    /// reference again answers AlreadyActive and publishes nothing). A payment that does not
    /// match the price taken at enrollment, or that arrives for an enrollment already active
    /// through another payment, is Rejected: the caller refunds it. Joins an ambient transaction.
    /// </summary>
    public async Task<CourseConfirmationResult> ConfirmPaidAsync(
        Guid enrollmentId,
        CoursePayment payment,
        CancellationToken cancellationToken
    )
    {
        return await db.InTransactionAsync<CourseConfirmationResult>(
            async _ =>
            {
                var locked = await db
                    .Database.SqlQuery<Guid>(
                        $"SELECT id AS \"Value\" FROM course_enrollments WHERE id = {enrollmentId} FOR UPDATE"
                    )
                    .ToListAsync(cancellationToken);
                if (locked.Count == 0)
                    return new(CourseConfirmation.NotFound, null, "No course enrollment has this id.");
                var enrollment = await db.Set<CourseEnrollment>()
                    .FirstAsync(e => e.Id == enrollmentId, cancellationToken);
                await db.Entry(enrollment).ReloadAsync(cancellationToken);

                if (enrollment.IsActive)
                    return enrollment.PaymentId == payment.Reference
                        ? new(CourseConfirmation.AlreadyActive, enrollment)
                        : await RefusedAsync(
                            enrollment,
                            payment,
                            "The enrollment is already active through another payment (or was free).",
                            cancellationToken
                        );
                // An enroll racing the withdrawal can leave a pending enrollment behind; the course is not sold any
                // more.
                if (
                    await db.Set<Course>()
                        .AnyAsync(c => c.Id == enrollment.CourseId && c.WithdrawnAt != null, cancellationToken)
                )
                    return await RefusedAsync(
                        enrollment,
                        payment,
                        "The course was withdrawn; it takes no new learners.",
                        cancellationToken
                    );

                var mismatch = payment switch
                {
                    CoursePayment.Money when enrollment.PriceCents == 0 => "This course is not sold for money.",
                    CoursePayment.Money money
                        when money.AmountCents != enrollment.PriceCents
                            || !string.Equals(
                                money.Currency,
                                enrollment.Currency,
                                StringComparison.OrdinalIgnoreCase
                            ) => $"The payment ({money.AmountCents} {money.Currency}) does not match the price "
                        + $"({enrollment.PriceCents} {enrollment.Currency}).",
                    CoursePayment.Credits when enrollment.PriceCredits is not > 0 =>
                        "This course is not sold for credits.",
                    CoursePayment.Credits credits when credits.Amount != enrollment.PriceCredits =>
                        $"{credits.Amount} credits were spent; the course costs {enrollment.PriceCredits}.",
                    _ => null,
                };
                if (mismatch is not null)
                    return await RefusedAsync(enrollment, payment, mismatch, cancellationToken);

                CourseEnrollments.Activate(
                    db,
                    enrollment,
                    clock.GetUtcNow(),
                    payment is CoursePayment.Credits ? PaidWith.Credits : PaidWith.Money,
                    payment.Reference
                );
                return new CourseConfirmationResult(CourseConfirmation.Activated, enrollment);
            },
            cancellationToken
        );
    }

    /// <summary>
    /// Rejected: the caller has it refunded. A money payment is remembered as refused (once, in the enrollment's
    /// transaction), so its refund is not taken for one of the enrollment's (<see cref="CourseRefundRules"/>).
    /// </summary>
    private async Task<CourseConfirmationResult> RefusedAsync(
        CourseEnrollment enrollment,
        CoursePayment payment,
        string reason,
        CancellationToken cancellationToken
    )
    {
        if (payment is CoursePayment.Money money)
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO refused_course_payments (payment_id, enrollment_id, refused_at)
                VALUES ({money.PaymentId}, {enrollment.Id}, {clock.GetUtcNow()})
                ON CONFLICT (payment_id) DO NOTHING
                """,
                cancellationToken
            );
        return new(CourseConfirmation.Rejected, enrollment, reason);
    }
}
