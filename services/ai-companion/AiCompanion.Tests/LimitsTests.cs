using Community.AiCompanion.Limits;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Community.AiCompanion.Tests;

public sealed class LimitsTests(AllowanceFixture fx) : IClassFixture<AllowanceFixture>
{
    [Theory]
    [InlineData(Tiers.Free, AllowanceFixture.Free)]
    [InlineData(Tiers.Premium, AllowanceFixture.Premium)]
    public async Task A_tier_gets_its_daily_limit_and_is_refused_past_it_until_midnight_utc(string tier, int limit)
    {
        fx.AwayFromMidnight();
        var userId = Guid.NewGuid();
        for (var i = 1; i <= limit; i++)
        {
            var allowed = await fx.ReserveAsync(userId, tier);
            Assert.True(allowed.Allowed);
            Assert.Equal((i, (long?)limit, (Guid?)null), (allowed.UsedToday, allowed.DailyLimit, allowed.SessionId));
        }

        var before = fx.Clock.GetUtcNow();
        var refused = await fx.ReserveAsync(userId, tier);
        var (_, midnight) = AllowanceAccess.DayOf(before);
        Assert.False(refused.Allowed);
        Assert.Equal(limit, refused.UsedToday);
        Assert.InRange(refused.RetryAfter!.Value, midnight - fx.Clock.GetUtcNow(), midnight - before);
        Assert.Equal(
            limit,
            await fx.ScalarAsync<long>("SELECT messages FROM companion_usage WHERE user_id = @u", ("u", userId))
        );

        fx.Clock.Advance(midnight - fx.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        var nextDay = await fx.ReserveAsync(userId, tier);
        Assert.True(nextDay.Allowed);
        Assert.Equal(1, nextDay.UsedToday);
    }

    [Fact]
    public async Task Elite_is_unlimited_and_still_counted()
    {
        var userId = Guid.NewGuid();
        for (var i = 0; i < 30; i++)
            Assert.True((await fx.ReserveAsync(userId, Tiers.Elite)).Allowed);
        var last = await fx.ReserveAsync(userId, Tiers.Elite);
        Assert.Null(last.DailyLimit);
        Assert.Equal(31, last.UsedToday);
    }

    [Fact]
    public async Task A_missing_or_unknown_tier_claim_gets_the_free_limit()
    {
        fx.AwayFromMidnight();
        var userId = Guid.NewGuid();
        for (var i = 0; i < AllowanceFixture.Free; i++)
            Assert.True((await fx.ReserveAsync(userId, "platinum")).Allowed);
        var refused = await fx.ReserveAsync(userId, null!);
        Assert.False(refused.Allowed);
        Assert.Equal(Tiers.Free, refused.Tier);
    }

    [Fact]
    public async Task Twenty_concurrent_reservations_at_the_limit_never_exceed_it()
    {
        fx.AwayFromMidnight();
        var userId = Guid.NewGuid();
        Assert.True((await fx.ReserveAsync(userId, Tiers.Free)).Allowed);

        var all = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(_ => Task.Run(() => fx.ReserveAsync(userId, Tiers.Free)))
        );

        Assert.Equal(AllowanceFixture.Free - 1, all.Count(a => a.Allowed));
        Assert.Equal(
            AllowanceFixture.Free,
            await fx.ScalarAsync<long>("SELECT messages FROM companion_usage WHERE user_id = @u", ("u", userId))
        );
    }

    [Fact]
    public async Task A_released_reservation_does_not_count_and_releasing_a_refusal_changes_nothing()
    {
        fx.AwayFromMidnight();
        var userId = Guid.NewGuid();
        AllowanceAccess.Allowance last = null!;
        for (var i = 0; i < AllowanceFixture.Free; i++)
            last = await fx.ReserveAsync(userId, Tiers.Free);
        var refused = await fx.ReserveAsync(userId, Tiers.Free);

        await fx.ReleaseAsync(refused);
        Assert.Equal(
            AllowanceFixture.Free,
            await fx.ScalarAsync<long>("SELECT messages FROM companion_usage WHERE user_id = @u", ("u", userId))
        );
        await fx.ReleaseAsync(last);
        Assert.Equal(
            AllowanceFixture.Free - 1,
            await fx.ScalarAsync<long>("SELECT messages FROM companion_usage WHERE user_id = @u", ("u", userId))
        );

        Assert.True((await fx.ReserveAsync(userId, Tiers.Free)).Allowed);
        Assert.False((await fx.ReserveAsync(userId, Tiers.Free)).Allowed);
    }

    [Fact]
    public async Task A_refusal_is_a_429_problem_with_retry_after_and_what_a_session_costs()
    {
        fx.AwayFromMidnight();
        var userId = Guid.NewGuid();
        for (var i = 0; i < AllowanceFixture.Free; i++)
            await fx.ReserveAsync(userId, Tiers.Free);
        var refused = await fx.ReserveAsync(userId, Tiers.Free);

        await using var scope = fx.Host.Services.CreateAsyncScope();
        var allowance = scope.ServiceProvider.GetRequiredService<AllowanceAccess>();
        allowance.ThrowIfRefused(await fx.ReserveAsync(Guid.NewGuid(), Tiers.Free)); // an allowed one passes
        var thrown = Assert.Throws<TooManyRequestsException>(() => allowance.ThrowIfRefused(refused));

        // Rendered by the platform's exception handler, as a send endpoint would answer.
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Accept = "application/problem+json";
        http.Response.Body = new MemoryStream();
        foreach (var handler in scope.ServiceProvider.GetServices<IExceptionHandler>())
            if (await handler.TryHandleAsync(http, thrown, CancellationToken.None))
                break;

        Assert.Equal(429, http.Response.StatusCode);
        var seconds = int.Parse(http.Response.Headers.RetryAfter.ToString());
        Assert.InRange(seconds, 1, (int)Math.Ceiling(refused.RetryAfter!.Value.TotalSeconds));
        http.Response.Body.Position = 0;
        var problem = (await JsonNode.ParseAsync(http.Response.Body))!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Equal(AllowanceFixture.Free, problem["used_today"]!.GetValue<long>());
        Assert.Equal(AllowanceFixture.Free, problem["daily_limit"]!.GetValue<long>());
        Assert.Equal(AllowanceFixture.SessionCredits, problem["session_price_credits"]!.GetValue<long>());
        Assert.Equal(refused.ResetsAt, problem["resets_at"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Usage_shows_todays_count_the_tiers_limit_and_when_it_resets()
    {
        fx.AwayFromMidnight();
        var (userId, token) = await fx.RegisteredAsync(Tiers.Free);
        await fx.ReserveAsync(userId, Tiers.Free);
        await fx.ReserveAsync(userId, Tiers.Free);

        var usage = await (await fx.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200);
        Assert.Equal(2, usage["used_today"]!.GetValue<long>());
        Assert.Equal(AllowanceFixture.Free, usage["daily_limit"]!.GetValue<long>());
        Assert.Equal("free", usage["tier"]!.GetValue<string>());
        Assert.Null(usage["session"]);
        Assert.Equal(
            AllowanceAccess.DayOf(fx.Clock.GetUtcNow()).ResetsAt,
            usage["resets_at"]!.GetValue<DateTimeOffset>()
        );

        // The tier is the token's claim: the same user with an elite token is unlimited.
        var elite = await (
            await fx.Client.Get("/api/v1/companion/usage", fx.Tokens.Issue(userId, Roles.Member, Tiers.Elite))
        ).AssertStatus(200);
        Assert.Null(elite["daily_limit"]);
        Assert.Equal("elite", elite["tier"]!.GetValue<string>());

        await (await fx.Client.Get("/api/v1/companion/usage")).AssertStatus(401);
    }
}
