using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;

namespace Community.Payments;

/// <summary>
/// What a grant, spend or reversal came to: the transaction, whether this call wrote it (false: an earlier call with
/// the same key did), and the user's balance.
/// </summary>
public sealed record CreditPosting(CreditTransaction Transaction, bool Applied, long Balance);

/// <summary>
/// The only writer of the credits ledger. Each posting locks the user's account row, answers an
/// idempotency key seen before with its first transaction, checks the balance (spends), and writes
/// the transaction, its two entries and its integration event in one database transaction, so a
/// balance never goes below zero however many spends race. Joins the caller's transaction when
/// there is one (consumers), otherwise runs in its own.
/// </summary>
public sealed class CreditLedger(PaymentsDbContext db, TimeProvider clock, ILogger<CreditLedger> logger)
{
    /// <summary>The spend of the user's that paid for a thing and stands (not reversed), if any.</summary>
    public static Task<Guid?> PaidSpendAsync(
        PaymentsDbContext db,
        Guid userId,
        string purpose,
        Guid referenceId,
        CancellationToken cancellationToken
    )
    {
        var transactions = db.Set<CreditTransaction>();
        return transactions
            .AsNoTracking()
            .Where(t =>
                t.UserId == userId
                && t.Kind == CreditKinds.Spend
                && t.Purpose == purpose
                && t.ReferenceId == referenceId
                && !transactions.Any(r => r.ReversesTransactionId == t.Id)
            )
            .Select(t => (Guid?)t.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The 409 of a thing paid with credits already, naming the spend.</summary>
    public static ConflictException PaidWithCredits(Guid spendId) =>
        new("This is already paid with credits.")
        {
            Extensions = ProblemResponses.MembersOf(new AlreadyPaidWithCredits(spendId)),
        };

    public Task<long> BalanceAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Set<CreditEntry>().Where(e => e.UserId == userId).SumAsync(e => e.Amount, cancellationToken);

    /// <summary>
    /// Adds credits from the platform (a bought pack, a reward); once per <paramref name="idempotencyKey"/>.
    /// </summary>
    public Task<CreditPosting> GrantAsync(
        Guid userId,
        long amount,
        string reason,
        string idempotencyKey,
        CancellationToken cancellationToken
    ) =>
        db.InTransactionAsync(
            async _ =>
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
                await LockAccountAsync(userId, cancellationToken);
                var balance = await BalanceAsync(userId, cancellationToken);
                return await FindAsync(idempotencyKey, cancellationToken) is { } first
                    ? new CreditPosting(first, false, balance)
                    : Write(userId, CreditKinds.Grant, amount, reason, null, null, idempotencyKey, null, balance);
            },
            cancellationToken
        );

    /// <summary>
    /// Pays for Purpose/ReferenceId and publishes CreditsSpent (its event id is the spend id). The
    /// <paramref name="price"/> is asked only when the key is new: a retry answers what the first
    /// call answered, whatever happened to the thing since. Refused when the balance does not cover
    /// the price, or when the thing is already paid with credits (a spend not reversed).
    /// </summary>
    public Task<CreditPosting> SpendAsync(
        Guid userId,
        string purpose,
        Guid referenceId,
        Func<CancellationToken, Task<long>> price,
        string idempotencyKey,
        CancellationToken cancellationToken
    ) =>
        db.InTransactionAsync(
            async _ =>
            {
                await LockAccountAsync(userId, cancellationToken);
                if (await FindAsync(idempotencyKey, cancellationToken) is { } first)
                {
                    if (
                        first.Kind != CreditKinds.Spend
                        || first.UserId != userId
                        || first.Purpose != purpose
                        || first.ReferenceId != referenceId
                    )
                        throw new BusinessRuleException(IdempotentRequests.UsedForAnotherRequest);
                    return new CreditPosting(first, false, await BalanceAsync(userId, cancellationToken));
                }
                var amount = await price(cancellationToken);
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);

                if (await PaidSpendAsync(db, userId, purpose, referenceId, cancellationToken) is { } spendId)
                    throw PaidWithCredits(spendId);

                var balance = await BalanceAsync(userId, cancellationToken);
                if (balance < amount)
                    throw new InsufficientCreditsException(balance, amount);
                return Write(
                    userId,
                    CreditKinds.Spend,
                    amount,
                    purpose,
                    purpose,
                    referenceId,
                    idempotencyKey,
                    null,
                    balance
                );
            },
            cancellationToken
        );

    /// <summary>
    /// Gives a spend's credits back with a compensating transaction, once however often it is asked,
    /// and takes from them what refunds left owed; null when <paramref name="spendId"/> is no spend.
    /// </summary>
    public async Task<CreditPosting?> ReverseSpendAsync(
        Guid spendId,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var spend = await db.Set<CreditTransaction>()
            .AsNoTracking()
            .FirstOrDefaultAsync(t => t.Id == spendId && t.Kind == CreditKinds.Spend, cancellationToken);
        if (spend is null)
            return null;
        return await db.InTransactionAsync(
            async _ =>
            {
                await LockAccountAsync(spend.UserId, cancellationToken);
                var key = "reversal:" + spend.Id;
                var balance = await BalanceAsync(spend.UserId, cancellationToken);
                if (await FindAsync(key, cancellationToken) is { } first)
                    return new CreditPosting(first, false, balance);
                logger.LogInformation(
                    "Reversing credits spend {SpendId} of {Amount} for {Purpose} {ReferenceId}: {Reason}",
                    spend.Id,
                    spend.Amount,
                    spend.Purpose,
                    spend.ReferenceId,
                    reason
                );
                var reversal = Write(
                    spend.UserId,
                    CreditKinds.Reversal,
                    spend.Amount,
                    reason,
                    spend.Purpose,
                    spend.ReferenceId,
                    key,
                    spend.Id,
                    balance
                );
                return await SettleDebtsAsync(reversal, cancellationToken);
            },
            cancellationToken
        );
    }

    /// <summary>
    /// Under the account's lock, after a reversal: what clawbacks could not take (<see cref="CreditDebt"/>) is taken
    /// from the credits the reversal gave back, oldest debt first, in one clawback naming the reversal. Otherwise a
    /// refunded pack's credits, spent and then paid back, would be the user's again. Answers the reversal with the
    /// balance after it.
    /// </summary>
    private async Task<CreditPosting> SettleDebtsAsync(CreditPosting reversal, CancellationToken cancellationToken)
    {
        var userId = reversal.Transaction.UserId;
        var debts = await db.Set<CreditDebt>()
            .Where(d => d.UserId == userId && d.Owed > 0)
            .OrderBy(d => d.CreatedAt)
            .ThenBy(d => d.GrantId)
            .ToListAsync(cancellationToken);
        var left = reversal.Transaction.Amount;
        var settled = new List<CreditDebt>();
        foreach (var debt in debts.TakeWhile(_ => left > 0))
        {
            var taken = Math.Min(debt.Owed, left);
            debt.Owed -= taken;
            left -= taken;
            settled.Add(debt);
        }
        if (settled.Count == 0)
            return reversal;
        var amount = reversal.Transaction.Amount - left;
        logger.LogInformation(
            "Took {Amount} credits of reversal {ReversalId} from {UserId} for what refunds could not take back "
                + "from grants {GrantIds}",
            amount,
            reversal.Transaction.Id,
            userId,
            settled.Select(d => d.GrantId)
        );
        // As the clawback it completes, it names the grant (the oldest settled) and what earned it.
        var earnedBy = await db.Set<CreditTransaction>()
            .Where(t => t.Id == settled[0].GrantId)
            .Select(t => t.Reason)
            .SingleAsync(cancellationToken);
        var settlement = Write(
            userId,
            CreditKinds.Clawback,
            amount,
            DebtSettled,
            earnedBy,
            settled[0].GrantId,
            "clawback:" + reversal.Transaction.Id,
            reversal.Transaction.Id,
            reversal.Balance
        );
        return reversal with { Balance = settlement.Balance };
    }

    /// <summary>A credit pack's grant: its reason, and the purpose of a clawback taking it back.</summary>
    public const string CreditPackGrant = "credit_pack";

    /// <summary>A referral reward's grant, for the referrer's side or the referred member's.</summary>
    public static string ReferralGrant(string side) => "referral_" + side;

    /// <summary>What earns a grant (its reason), named as the purpose of a clawback taking one back.</summary>
    public static readonly string[] GrantReasons =
    [
        CreditPackGrant,
        ReferralGrant("referrer"),
        ReferralGrant("referred"),
    ];

    /// <summary>The reason of a clawback taking back, from a reversal, what an earlier clawback could not.</summary>
    public const string DebtSettled = "refunded_credits_already_spent";

    /// <summary>
    /// Takes back the grant written with <paramref name="grantKey"/> because what earned it was
    /// refunded: as much of it as the balance still holds (the balance never goes below zero), once
    /// per grant however often it is asked; the rest is owed (<see cref="CreditDebt"/>) and taken
    /// when spends are paid back. Null when there is no such grant or nothing could be taken now.
    /// </summary>
    public async Task<CreditPosting?> ClawBackAsync(string grantKey, string reason, CancellationToken cancellationToken)
    {
        var grant = await FindAsync(grantKey, cancellationToken);
        if (grant is not { Kind: CreditKinds.Grant })
            return null;
        return await db.InTransactionAsync<CreditPosting?>(
            async _ =>
            {
                await LockAccountAsync(grant.UserId, cancellationToken);
                var key = "clawback:" + grant.Id;
                var balance = await BalanceAsync(grant.UserId, cancellationToken);
                if (await FindAsync(key, cancellationToken) is { } first)
                    return new CreditPosting(first, false, balance);
                var debts = db.Set<CreditDebt>();
                // A clawback that could take nothing left only its debt.
                if (await debts.AnyAsync(d => d.GrantId == grant.Id, cancellationToken))
                    return null;
                var amount = Math.Min(grant.Amount, balance);
                if (amount < grant.Amount)
                {
                    logger.LogInformation(
                        "Clawing back grant {GrantId} of {UserId}: {Spent} of its {Amount} credits were already "
                            + "spent; they are owed, and taken from spends paid back later",
                        grant.Id,
                        grant.UserId,
                        grant.Amount - amount,
                        grant.Amount
                    );
                    debts.Add(
                        new CreditDebt
                        {
                            GrantId = grant.Id,
                            UserId = grant.UserId,
                            Owed = grant.Amount - amount,
                            CreatedAt = clock.GetUtcNow(),
                        }
                    );
                }
                if (amount == 0)
                    return null;
                return Write(
                    grant.UserId,
                    CreditKinds.Clawback,
                    amount,
                    reason,
                    grant.Reason,
                    grant.Id,
                    key,
                    grant.Id,
                    balance
                );
            },
            cancellationToken
        );
    }

    private Task<CreditTransaction?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        db.Set<CreditTransaction>()
            .AsNoTracking()
            .FirstOrDefaultAsync(t => t.IdempotencyKey == idempotencyKey, cancellationToken);

    /// <summary>
    /// Takes the user's account lock for the rest of the transaction (creating the row on first use).
    /// </summary>
    private async Task LockAccountAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO credit_accounts (user_id, created_at) VALUES ({userId}, {clock.GetUtcNow()})
            ON CONFLICT (user_id) DO NOTHING
            """,
            cancellationToken
        );
        await db
            .Database.SqlQuery<Guid>(
                $"SELECT user_id AS \"Value\" FROM credit_accounts WHERE user_id = {userId} FOR UPDATE"
            )
            .ToListAsync(cancellationToken);
    }

    /// <summary>Queues the transaction, its two entries and its event; they are saved together.</summary>
    private CreditPosting Write(
        Guid userId,
        string kind,
        long amount,
        string reason,
        string? purpose,
        Guid? referenceId,
        string idempotencyKey,
        Guid? reverses,
        long balance
    )
    {
        var now = clock.GetUtcNow();
        var transaction = new CreditTransaction
        {
            Id = NewId.Next(now),
            UserId = userId,
            Kind = kind,
            Amount = amount,
            Reason = reason,
            Purpose = purpose,
            ReferenceId = referenceId,
            IdempotencyKey = idempotencyKey,
            ReversesTransactionId = reverses,
            CreatedAt = now,
        };
        var toUser = kind is CreditKinds.Spend or CreditKinds.Clawback ? -amount : amount;
        var counter = kind is CreditKinds.Grant or CreditKinds.Clawback
            ? CreditAccounts.Grants
            : CreditAccounts.Spending;
        db.Set<CreditTransaction>().Add(transaction);
        db.Set<CreditEntry>()
            .AddRange(
                new CreditEntry
                {
                    TransactionId = transaction.Id,
                    Account = CreditAccounts.Of(userId),
                    UserId = userId,
                    Amount = toUser,
                    CreatedAt = now,
                },
                new CreditEntry
                {
                    TransactionId = transaction.Id,
                    Account = counter,
                    Amount = -toUser,
                    CreatedAt = now,
                }
            );
        db.AddIntegrationEvent(
            kind switch
            {
                CreditKinds.Spend => new CreditsSpent(
                    transaction.Id,
                    now,
                    userId,
                    amount,
                    purpose!,
                    referenceId!.Value
                ),
                CreditKinds.Clawback => new CreditsRevoked(
                    transaction.Id,
                    now,
                    userId,
                    amount,
                    reason,
                    referenceId!.Value
                ),
                _ => new CreditsGranted(transaction.Id, now, userId, amount, reason, idempotencyKey),
            }
        );
        return new CreditPosting(transaction, true, balance + toUser);
    }
}

/// <summary>
/// 422: the balance does not cover a spend; the problem says how much there is and how much was needed.
/// </summary>
public sealed class InsufficientCreditsException : DomainException
{
    public InsufficientCreditsException(long balance, long required)
        : base($"This costs {required} credits; your balance is {balance}.")
    {
        (Balance, Required) = (balance, required);
        Extensions = ProblemResponses.MembersOf(new CreditsShort(balance, required));
    }

    public long Balance { get; }
    public long Required { get; }

    public override int StatusCode => 422;
    public override string Title => "Insufficient credits";
}

/// <summary>What a 409 of a spend names: the spend that already paid for it.</summary>
/// <param name="SpendId">The credit spend that paid it.</param>
public sealed record AlreadyPaidWithCredits(Guid SpendId);

/// <summary>What the 409 of a thing paid for already names: the payment that went through.</summary>
/// <param name="PaidPaymentId">
/// The payment being confirmed: follow it (GET /api/v1/payments/{id}) rather than opening another checkout.
/// </param>
public sealed record PaidAlreadyMembers(Guid PaidPaymentId);

/// <summary>
/// What a checkout's 409 may name, one of the two: the payment of the thing paid for already, or the credit spend that
/// paid the course. Other 409s (a checkout still being opened, with Retry-After) name neither.
/// </summary>
/// <param name="PaidPaymentId">
/// The payment being confirmed: follow it (GET /api/v1/payments/{id}) rather than opening another checkout.
/// </param>
/// <param name="SpendId">The credit spend that paid the course.</param>
public sealed record CheckoutConflictMembers(Guid PaidPaymentId, Guid SpendId);

/// <summary>What a 422 of a spend the balance does not cover says: how much there is and how much was needed.</summary>
/// <param name="Balance">The balance now.</param>
/// <param name="Required">What the spend costs.</param>
public sealed record CreditsShort(long Balance, long Required);
