using System.Diagnostics.Metrics;
using Community.Contracts.Identity;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Telemetry;

namespace Community.AiCompanion.Conversation.Safety;

/// <summary>Where a text was checked: the user's message (before the model) or the model's reply.</summary>
public enum SafetyStage
{
    Input,
    Output,
}

/// <summary>
/// Records safety hits in <c>safety_events</c> (user, stage, category, time: never the text) and counts them in
/// <c>community.companion.safety_events</c>, tagged by category and stage.
/// </summary>
public sealed class SafetyEvents(CompanionDbContext db, SafetyMetrics metrics, TimeProvider clock)
{
    /// <summary>
    /// Records <paramref name="verdict"/> when it is a hit (an allowed verdict records nothing). Joins the caller's
    /// transaction when one is open.
    /// </summary>
    public async Task RecordAsync(
        Guid userId,
        SafetyStage stage,
        SafetyVerdict verdict,
        CancellationToken cancellationToken
    )
    {
        if (verdict.Allowed || verdict.Category is not { } category)
            return;
        var now = clock.GetUtcNow();
        var (id, stageName) = (NewId.Next(now), Name(stage));
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO safety_events (id, user_id, stage, category, occurred_at)
            VALUES ({id}, {userId}, {stageName}, {category}, {now})
            """,
            cancellationToken
        );
        metrics.Count(stageName, category);
    }

    public static string Name(SafetyStage stage) => stage == SafetyStage.Input ? "input" : "output";
}

/// <summary>The safety counter, on the platform's meter (exported with the others).</summary>
public sealed class SafetyMetrics
{
    public const string CounterName = "community.companion.safety_events";
    private readonly Counter<long> events;

    public SafetyMetrics(IMeterFactory meters) =>
        events = meters
            .Create(DiagnosticNames.Source)
            .CreateCounter<long>(
                CounterName,
                "{event}",
                "Safety hits of the AI companion (crisis protocol, advice and minors' filters)"
            );

    public void Count(string stage, string category) =>
        events.Add(
            1,
            new KeyValuePair<string, object?>("category", category),
            new KeyValuePair<string, object?>("stage", stage)
        );
}

/// <summary>
/// A deleted account takes its break-reminder state with it, before the claims of its sends, as a store locks them.
/// Its safety events go after those claims (ConversationEraser): a store writes its event after taking its claim.
/// </summary>
public sealed class SafetyEraser(CompanionDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM companion_use WHERE user_id = {deleted.UserId}", cancellationToken);
}
