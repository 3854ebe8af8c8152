using Community.ServiceDefaults.Api;

namespace Community.Payments.Refunds;

/// <summary>
/// Refunds at most what is left in three steps, so no row is locked while the provider is asked: the intent
/// (committed under the payment's lock), the call (keyed by the refund id, so a retry never refunds twice), the answer.
/// </summary>
public sealed class Refunder(
    PaymentsDbContext db,
    PaymentBook book,
    IPaymentProvider provider,
    TimeProvider clock,
    ILogger<Refunder> logger
)
{
    public const int MaxReasonLength = 500;

    // How soon a refund waiting for what the provider refunds by (a subscription's first invoice.paid) is worth asking
    // again; the bus retries on its own schedule, what matters to it is that a Retry-After is set.
    private static readonly TimeSpan AwaitedIntentRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a refund may wait for what the provider refunds by: the first invoice.paid comes within minutes, or
    /// within Stripe's three days of webhook retries. Past this it is recorded failed (PaymentRefundFailed tells
    /// someone to refund from the dashboard), and its amount is refundable again.
    /// </summary>
    public static readonly TimeSpan AwaitedIntentAtMost = TimeSpan.FromDays(3);

    /// <summary>
    /// How long the provider is trusted to remember a refund's idempotency key: Stripe keeps one 24 hours from its
    /// first use, which never comes before the refund was requested; an hour less for the call's travel and clocks. A
    /// refund requested longer ago is looked for at the provider before it is sent again: its key may be forgotten,
    /// and sending it would make a second refund.
    /// </summary>
    public static readonly TimeSpan ProviderKeyKeptFor = TimeSpan.FromHours(23);

    /// <summary>A caller's refund: more than is left is refused (422), as is a key used for another request.</summary>
    public async Task<Refund> RefundAsync(
        Guid paymentId,
        long? amountCents,
        string reason,
        Guid? requestedBy,
        Guid refundId,
        CancellationToken cancellationToken
    )
    {
        var refund =
            await RecordIntentAsync(
                paymentId,
                amountCents,
                reason,
                requestedBy,
                refundId,
                automatic: false,
                cancellationToken
            ) ?? throw new InvalidOperationException("Only an automatic refund finds nothing left without a refusal.");
        return refund.Status == RefundStatus.Requested ? await CompleteAsync(refund, cancellationToken) : refund;
    }

    /// <summary>
    /// A refund nobody waits on (a cancellation's, a purchase not delivered): of at most what is left when its intent
    /// is recorded, under the payment's lock, so a refund committed meanwhile (an organizer's) takes its share rather
    /// than failing this one. Null when nothing is left. Refunds still waiting for the provider's answer are not capped
    /// against: while they stand in its way it is refused as a caller's is (422, 409), so its asker has them answered.
    /// </summary>
    public async Task<Refund?> RefundWhatIsLeftAsync(
        Guid paymentId,
        long? amountCents,
        string reason,
        Guid? requestedBy,
        Guid refundId,
        CancellationToken cancellationToken
    )
    {
        var refund = await RecordIntentAsync(
            paymentId,
            amountCents,
            reason,
            requestedBy,
            refundId,
            automatic: true,
            cancellationToken
        );
        return refund is { Status: RefundStatus.Requested }
            ? await CompleteAsync(refund, cancellationToken, kept: true)
            : refund;
    }

    /// <summary>
    /// Asks the provider again for a refund left requested (a crash or an unanswered call); returns it as it stands
    /// after. A refusal is recorded as failed (PaymentRefundFailed tells someone), and a caller retrying with its key
    /// hears that failure. One still waiting for what the provider refunds by stays requested (a 409 with
    /// Retry-After), and is failed once it has waited too long.
    /// </summary>
    public async Task<Refund?> ResumeAsync(Guid refundId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var refund = await db.Refunds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        return refund is { Status: RefundStatus.Requested }
            ? await CompleteAsync(refund, cancellationToken, kept: true)
            : refund;
    }

    /// <summary>
    /// Step one: the refund row, found (the same id asked before) or written as requested; the lookup runs under the
    /// payment's lock, so concurrent askers with one id all find the first one's row. An
    /// <paramref name="automatic"/> refund takes at most what the refunds made so far leave, and none (null) when they
    /// leave nothing.
    /// </summary>
    private async Task<Refund?> RecordIntentAsync(
        Guid paymentId,
        long? amountCents,
        string reason,
        Guid? requestedBy,
        Guid refundId,
        bool automatic,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException(
                "Refunder asks the payment provider, which must not happen inside a transaction; publish "
                    + "PaymentRefundRequested instead."
            );
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var payment =
            await book.LockAsync(paymentId, cancellationToken)
            ?? throw new NotFoundException("No payment has this id.");
        var existing = await db.Refunds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        // A message's amount is capped at what was left when it ran, so only a caller's key is held to its request.
        if (existing is not null)
            return automatic || IsSameRequest(existing, amountCents, reason)
                ? existing
                : throw new BusinessRuleException(IdempotentRequests.UsedForAnotherRequest);

        // Refunded meanwhile by someone else (the organizer, the dashboard): nothing is owed any more.
        if (automatic && payment.RefundableCents == 0)
            return null;
        if (!payment.IsSettled)
            throw new BusinessRuleException(
                $"The payment is {payment.Status}; only a settled payment can be refunded."
            );
        // Requested refunds are not in refunded_cents until the provider answers, but their money is spoken for.
        var requested = await db
            .Refunds.Where(r => r.PaymentId == payment.Id && r.Status == RefundStatus.Requested)
            .SumAsync(r => r.AmountCents, cancellationToken);
        var refundable = Math.Max(0, payment.RefundableCents - requested);
        if (refundable == 0 && payment.RefundableCents > 0)
            throw new ConflictException(
                "The rest of the payment is being refunded right now; retry to see what is left once that refund "
                    + "is answered."
            )
            {
                RetryAfter = TimeSpan.FromSeconds(5),
            };
        if (amountCents is { } asked)
        {
            var errors = new ValidationErrors();
            errors.ChargeableAmount("amount_cents", asked, payment.Currency);
            errors.ThrowIfAny();
        }
        // A message's amount was capped at what was left when it was read: a refund committed since takes its share.
        // One still requested is not capped against, but refused, so its asker can have it answered first.
        var amount =
            automatic && amountCents is { } wanted
                ? Math.Min(wanted, payment.RefundableCents)
                : amountCents ?? refundable;
        if (amount <= 0 || amount > refundable)
            throw new BusinessRuleException(
                refundable == 0
                    ? "The payment is already fully refunded."
                    : $"amount_cents must be between 1 and {refundable}, what is left to refund."
            )
            {
                Extensions = ProblemResponses.MembersOf(
                    new RefundRefusal(RefundableCents: refundable),
                    leaveOutNulls: true
                ),
            };

        var refund = new Refund
        {
            Id = refundId,
            PaymentId = payment.Id,
            AmountCents = amount,
            Reason = reason,
            RequestedBy = requestedBy,
            Status = RefundStatus.Requested,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Refunds.Add(refund);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return refund;
    }

    /// <summary>
    /// The request that first made <paramref name="existing"/>: the same reason and amount (no amount asks for what
    /// was left, which the first one took).
    /// </summary>
    private static bool IsSameRequest(Refund existing, long? amountCents, string reason) =>
        existing.Reason == reason && (amountCents is null || amountCents == existing.AmountCents);

    /// <summary>
    /// Steps two and three: asks the provider (no transaction open) and records its answer. One requested longer ago
    /// than <see cref="ProviderKeyKeptFor"/> is looked for first, and recorded as found rather than made again.
    /// </summary>
    /// <param name="kept">
    /// Nobody waits on the answer (a cancellation's refund), or the refund was left requested earlier rather than
    /// written by this caller's request just now: one the provider cannot make yet stays requested for the recovery to
    /// ask again, rather than being answered to a caller and dropped. A refusal is recorded as a failed refund
    /// (PaymentRefundFailed) whoever asked.
    /// </param>
    private async Task<Refund> CompleteAsync(Refund refund, CancellationToken cancellationToken, bool kept = false)
    {
        var payment = await db.Payments.AsNoTracking().FirstAsync(p => p.Id == refund.PaymentId, cancellationToken);
        ProviderRefund result;
        try
        {
            var made =
                refund.CreatedAt <= clock.GetUtcNow() - ProviderKeyKeptFor
                    ? await provider.FindRefundAsync(payment, refund.Id, cancellationToken)
                    : null;
            result = made ?? await provider.RefundAsync(payment, refund.AmountCents, refund.Id, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Stripe is still answering a concurrent request with this key: that request records the answer, which is
            // ours too.
            return await WaitForAnswerAsync(refund, cancellationToken)
                ?? throw new ProviderUnavailableException(
                    "The same refund is being made by another request right now; retry with the same "
                        + "Idempotency-Key to see its outcome."
                );
        }
        catch (HttpRequestException exception) when (exception.IsRefusal())
        {
            // Asking again gets the same no: Stripe keeps a refusal under the refund's key and replays it for a day.
            // So the failure is the answer, recorded (a dead-lettered automatic request would tell nobody): the same
            // Idempotency-Key hears it again (a 422 naming the failed refund), a new key asks Stripe anew.
            return await RecordAnswerAsync(
                refund.Id,
                RefundStatus.Failed,
                null,
                $"provider_refused_{(int?)exception.StatusCode}",
                cancellationToken
            );
        }
        catch (HttpRequestException exception)
        {
            // Unanswered: the intent stays, and the next attempt finds whatever the provider did (by the same key, or
            // by looking once the key may be forgotten).
            logger.LogWarning(
                exception,
                "The provider did not answer refund {RefundId} of payment {PaymentId}; it stays requested",
                refund.Id,
                payment.Id
            );
            throw new ProviderUnavailableException(
                "The payment provider did not answer; the refund stays requested and is retried with the same "
                    + "key. Retry with the same Idempotency-Key to see its outcome."
            );
        }
        catch (RefundNotYetPossibleException) when (kept && refund.CreatedAt <= clock.GetUtcNow() - AwaitedIntentAtMost)
        {
            return await RecordAnswerAsync(
                refund.Id,
                RefundStatus.Failed,
                null,
                "payment_intent_never_known",
                cancellationToken
            );
        }
        catch (RefundNotYetPossibleException exception) when (kept)
        {
            // What to refund by is on its way (a subscription's intent comes with its first invoice.paid, which may
            // come after a deleted account's refund is asked): dropping the refund would lose it. It stays requested,
            // its amount spoken for, and RefundIntentRecovery asks again under its key once the intent is known (the
            // request's consumer is done with its message; the 409's Retry-After tells any other caller to wait), for
            // at most AwaitedIntentAtMost.
            logger.LogInformation(
                "Refund {RefundId} of payment {PaymentId} waits for what the provider refunds by: {Reason}",
                refund.Id,
                payment.Id,
                exception.Message
            );
            throw new ConflictException(
                $"Refund {refund.Id} stays requested until the payment provider can make it: {exception.Message}"
            )
            {
                RetryAfter = AwaitedIntentRetryAfter,
            };
        }
        catch (RefundNotYetPossibleException exception)
        {
            // The caller hears it now, and may ask again later: nothing is kept.
            await AbandonAsync(refund, cancellationToken);
            throw new BusinessRuleException(exception.Message);
        }
        return await RecordAnswerAsync(
            refund.Id,
            RefundStatus.FromProvider(result.Status),
            result.RefundId,
            result.FailureReason ?? result.Status,
            cancellationToken
        );
    }

    private async Task<Refund?> WaitForAnswerAsync(Refund intent, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            var refund = await db.Refunds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == intent.Id, cancellationToken);
            if (refund is null)
                throw new ProviderUnavailableException(
                    "The payment provider could not refund now; nothing was refunded. Try again."
                );
            if (refund.Status != RefundStatus.Requested)
                return refund;
        }
        return null;
    }

    /// <summary>
    /// The provider made no refund: the intent goes, and its amount is refundable again; a report of Stripe's read
    /// without it counts again.
    /// </summary>
    private async Task AbandonAsync(Refund intent, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var payment = await book.LockAsync(intent.PaymentId, cancellationToken);
        var removed = await db
            .Refunds.Where(r => r.Id == intent.Id && r.Status == RefundStatus.Requested)
            .ExecuteDeleteAsync(cancellationToken);
        if (payment is not null && removed > 0)
        {
            await book.RecountReportedRefundTotalAsync(payment, null, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<Refund> RecordAnswerAsync(
        Guid refundId,
        string status,
        string? providerRefundId,
        string failureReason,
        CancellationToken cancellationToken
    )
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var refund = await db.Refunds.AsNoTracking().FirstAsync(r => r.Id == refundId, cancellationToken);
        var payment =
            await book.LockAsync(refund.PaymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Payment {refund.PaymentId} of refund {refundId} is gone.");
        refund = await db.Refunds.FirstAsync(r => r.Id == refundId, cancellationToken);
        if (refund.Status != RefundStatus.Requested)
            return refund;
        await book.RecordRefundAnswerAsync(payment, refund, status, providerRefundId, failureReason, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (refund.Status == RefundStatus.Failed)
            logger.LogWarning(
                "The provider failed refund {RefundId} of {Amount} {Currency} on payment {PaymentId} at once; "
                    + "nothing was refunded ({Reason})",
                refund.Id,
                refund.AmountCents,
                payment.Currency,
                payment.Id,
                refund.Reason
            );
        else
            logger.LogInformation(
                "Refund {RefundId} of {Amount} {Currency} on payment {PaymentId}: {Status} ({Reason})",
                refund.Id,
                refund.AmountCents,
                payment.Currency,
                payment.Id,
                refund.Status,
                refund.Reason
            );
        return refund;
    }
}

/// <summary>
/// 422: the provider answered that it will not make this refund (recorded as failed; nothing was
/// refunded, the payment is as refundable as before). Not a 502: the provider did answer, and
/// retrying the same request replays the same recorded failure; a new attempt needs a new key.
/// </summary>
public sealed class RefundFailedException : DomainException
{
    public RefundFailedException(Refund refund)
        : base(
            "The payment provider failed this refund at once; nothing was refunded and the payment can still be "
                + "refunded."
        ) =>
        Extensions = ProblemResponses.MembersOf(
            new RefundRefusal(RefundId: refund.Id, RefundStatus: refund.Status),
            leaveOutNulls: true
        );

    public override int StatusCode => 422;
    public override string Title => "Refund failed";
}

/// <summary>
/// What a 422 of a refund says beside its text: what is left to refund, or the refund the provider failed.
/// </summary>
/// <param name="RefundableCents">
/// What is left to refund, in minor units (an amount outside it, or nothing left).
/// </param>
/// <param name="RefundId">The refund the provider failed at once (nothing refunded).</param>
/// <param name="RefundStatus">That refund's status: failed.</param>
public sealed record RefundRefusal(long? RefundableCents = null, Guid? RefundId = null, string? RefundStatus = null);
