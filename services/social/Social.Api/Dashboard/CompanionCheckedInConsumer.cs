using Community.Contracts.AiCompanion;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Social.Dashboard;

/// <summary>A day with the AI companion counts toward the emotional path, and is a day of activity too.</summary>
public sealed class CompanionCheckedInConsumer(SocialDbContext db, ILogger<CompanionCheckedInConsumer> logger)
    : IdempotentConsumer<CompanionCheckedIn, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CompanionCheckedIn> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO companion_check_in_days (user_id, day)
            SELECT {m.UserId}, {m.Day} WHERE NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {m.UserId}
                AND deleted_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
    }
}
