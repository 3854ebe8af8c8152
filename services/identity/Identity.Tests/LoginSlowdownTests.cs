using System.Diagnostics;

namespace Community.Identity.Tests;

/// <summary>
/// Identity with one password slot and a slowdown to notice: 60 s from an account's third failure, so a sign-in held
/// behind it stands out from one slowed by a loaded machine.
/// </summary>
public sealed class LoginSlowdownFixture : IdentityFixture
{
    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:PasswordWork:PermitLimit"] = "1";
        settings["Identity:LoginThrottle:SlowdownStep"] = "00:01:00";
        settings["Identity:LoginThrottle:MaxSlowdown"] = "00:01:00";
    }
}

/// <summary>
/// A slowed-down login is told when to try again (429 with Retry-After), not held: held, it kept one of the few
/// password slots, and everyone's sign-in, sign-up and reset queued behind a stranger's guesses.
/// </summary>
public sealed class LoginSlowdownTests(LoginSlowdownFixture fx) : IClassFixture<LoginSlowdownFixture>
{
    private const string Password = "correct-horse-9";

    private Task<HttpResponseMessage> Login(string identifier, string password) =>
        fx.Client.PostJson("/api/v1/auth/login", new { identifier, password });

    private Task<bool> SomeAdvisoryLockIsHeldAsync() =>
        fx.ScalarAsync<bool>(
            "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        );

    [Fact]
    public async Task Guesses_slowed_down_on_one_account_are_told_to_wait_and_hold_up_no_other_sign_in()
    {
        await fx.RegisterAsync("slowed_target");
        await fx.RegisterAsync("unrelated_member");
        // Three failures: an attempt on the account within 60 s of the last is slowed down.
        for (var i = 0; i < 3; i++)
            await (await Login("slowed_target", "wrong-password-1")).AssertProblem(401);

        // Two guesses at once, as an attacker keeps them coming; once they are answered or under the account's lock,
        // someone else signs in.
        Task<HttpResponseMessage>[] guesses =
        [
            Login("slowed_target", "wrong-password-2"),
            Login("slowed_target", "wrong-password-3"),
        ];
        await Eventually.TrueAsync(
            async () => guesses.All(g => g.IsCompleted) || await SomeAdvisoryLockIsHeldAsync(),
            "the guesses were neither answered nor under the account's lock"
        );
        var took = Stopwatch.StartNew();
        var unrelated = await Login("unrelated_member", Password);
        took.Stop();

        await unrelated.AssertStatus(200);
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(30), $"the unrelated sign-in took {took.Elapsed}");
        foreach (var guess in await Task.WhenAll(guesses))
        {
            await guess.AssertProblem(429);
            Assert.InRange(int.Parse(guess.Headers.GetValues("Retry-After").Single()), 1, 60);
        }

        // Slowed down, not locked: once the wait is over the owner signs in.
        fx.Clock.Advance(TimeSpan.FromSeconds(60));
        await (await Login("slowed_target", Password)).AssertStatus(200);
    }
}
