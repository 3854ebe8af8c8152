using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Community.AiCompanion.Conversation.Safety;

namespace Community.AiCompanion.Tests;

public sealed class SafetyEventsTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task RecordAsync(Guid userId, SafetyStage stage, SafetyVerdict verdict) =>
        InScopeAsync(async services =>
        {
            await services.GetRequiredService<SafetyEvents>().RecordAsync(userId, stage, verdict, default);
            return 0;
        });

    [Fact]
    public async Task A_recorded_event_keeps_no_text_is_counted_and_is_erased_when_the_user_is_deleted()
    {
        var (id, _) = await fixture.RegisteredAsync();
        var (other, _) = await fixture.RegisteredAsync();
        var counted = new ConcurrentBag<(long Value, string? Category, string? Stage)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == SafetyMetrics.CounterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (_, value, tags, _) =>
            {
                string? category = null,
                    stage = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "category")
                        category = tag.Value as string;
                    if (tag.Key == "stage")
                        stage = tag.Value as string;
                }
                counted.Add((value, category, stage));
            }
        );
        listener.Start();

        var guard = fixture.Host.Services.GetRequiredService<ISafetyGuard>();
        var context = new SafetyContext(id, "US", 30, fixture.Clock.GetUtcNow());
        const string Said = "I want to kill myself";
        await RecordAsync(id, SafetyStage.Input, guard.CheckInput(Said, context));
        await RecordAsync(id, SafetyStage.Output, guard.CheckOutput("You should sue them.", context));
        await RecordAsync(id, SafetyStage.Output, guard.CheckOutput("That sounds lovely.", context));
        await RecordAsync(other, SafetyStage.Input, guard.CheckInput("kms", context with { UserId = other }));

        Assert.Equal(
            "input:self_harm,output:legal_advice",
            await fixture.ScalarAsync<string>(
                "SELECT string_agg(stage || ':' || category, ',' ORDER BY stage) FROM safety_events "
                    + "WHERE user_id = @id",
                ("id", id)
            )
        );
        // The table has no column that could hold what was said.
        Assert.Equal(
            "category,id,occurred_at,stage,user_id",
            await fixture.ScalarAsync<string>(
                "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE "
                    + "table_name = 'safety_events'"
            )
        );
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM safety_events e WHERE (e.*)::text ILIKE '%kill%' OR (e.*)::text ILIKE '%sue%'"
            )
        );
        Assert.Contains((1L, "self_harm", "input"), counted);
        Assert.Contains((1L, "legal_advice", "output"), counted);

        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), id));

        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM safety_events WHERE user_id = @id", ("id", id))
        );
        Assert.Equal(
            1,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM safety_events WHERE user_id = @id", ("id", other))
        );
    }

    /// <summary>
    /// The erasure of a user known before their profile came (known users have a consumer of their own): a crisis
    /// answer's store locks no profile row, so only its claim orders it with the erasure, which then waits for it and
    /// deletes its safety event with its messages.
    /// </summary>
    [Fact]
    public async Task A_safety_event_stored_while_an_account_without_a_profile_row_is_erased_goes_with_it()
    {
        const string Messages = "/api/v1/companion/messages";
        var (id, token) = await fixture.RegisteredAsync();
        await (
            await fixture.Client.PostJson(Messages, new { text = "hello", client_txn_id = "first" }, token)
        ).AssertStatus(201);
        // Known to the gate, its profile not come yet.
        await fixture.ExecuteAsync("DELETE FROM user_profiles WHERE user_id = @id", ("id", id));
        // The crisis answer's store is held past its claim, at the conversation's numbers, whose row the test holds.
        await using var held = await fixture.HoldAsync(
            "SELECT 1 FROM conversation_sequences WHERE user_id = @u FOR UPDATE",
            ("u", id)
        );
        var sending = fixture.Client.PostJson(
            Messages,
            new { text = "I want to kill myself", client_txn_id = "crisis" },
            token
        );
        await fixture.WaitingOnALockAsync("%conversation_sequences%", 1, "the store never reached its numbers");
        var erasing = fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), id));
        await fixture.WaitingOnALockAsync("%DELETE FROM companion_sends%", 1, "the erasure never met the claim");
        await held.CommitAsync();
        await (await sending).AssertStatus(201);
        await erasing;

        foreach (var table in new[] { "safety_events", "companion_messages", "companion_sends" })
            Assert.Equal(
                0,
                await fixture.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", ("id", id))
            );
    }

    [Fact]
    public async Task A_minor_gets_a_break_reminder_after_3_hours_of_continuous_use_and_the_state_goes_with_the_user()
    {
        var (minor, _) = await fixture.RegisteredAsync();
        var (adult, _) = await fixture.RegisteredAsync();
        var start = fixture.Clock.GetUtcNow();
        Task<string?> ObserveAsync(Guid user, int? age, int minutes) =>
            InScopeAsync(services =>
                services
                    .GetRequiredService<BreakReminders>()
                    .ObserveAsync(new SafetyContext(user, "US", age, start.AddMinutes(minutes)), default)
            );

        var reminders = new List<int>();
        foreach (var minute in new[] { 0, 25, 50, 75, 100, 125, 150, 175, 185, 200, 240, 271 })
        {
            if (await ObserveAsync(minor, 16, minute) is { } text)
            {
                Assert.Contains("take a break", text);
                reminders.Add(minute);
            }
            Assert.Null(await ObserveAsync(adult, 40, minute));
        }
        Assert.Equal([185], reminders);
        Assert.Equal(
            1,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_use WHERE user_id = @id", ("id", minor))
        );
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_use WHERE user_id = @id", ("id", adult))
        );

        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), minor));
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_use WHERE user_id = @id", ("id", minor))
        );
    }
}
