namespace Community.Payments.Boosts;

/// <summary>
/// How a bought boost's days add up: money (<see cref="BoostPaymentConsumer"/>) and credits buy them alike.
/// </summary>
public static class BoostRules
{
    /// <summary>
    /// The days run from <paramref name="from"/>, or from the end of the boost still running; one
    /// statement, so two boosts bought at once both count. BoostPurchased goes out with the caller's transaction.
    /// </summary>
    public static async Task<Boost> AddDaysAsync(
        PaymentsDbContext db,
        Guid userId,
        DateTimeOffset from,
        int days,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var length = TimeSpan.FromDays(days);
        var boost = (
            await db.Set<Boost>()
                .FromSql(
                    $"""
                    INSERT INTO boosts (user_id, boosted_until, updated_at) VALUES ({userId}, {from + length}, {now})
                    ON CONFLICT (user_id) DO UPDATE
                    SET boosted_until = GREATEST(boosts.boosted_until, {from}) + {length},
                        updated_at = GREATEST(boosts.updated_at + interval '1 microsecond', {now})
                    RETURNING *
                    """
                )
                .AsNoTracking()
                .ToListAsync(cancellationToken)
        ).Single();
        // As of the row's change, later than any change before it: of two purchases (or a purchase and a refund) at
        // once, the one that wrote last is the one discovery keeps, though its clock was read first.
        db.AddIntegrationEvent(new BoostPurchased(Guid.CreateVersion7(), boost.UpdatedAt, userId, boost.BoostedUntil));
        return boost;
    }
}
