using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

/// <summary>Identity with one password slot and a queue of one, so the test can fill both.</summary>
public sealed class PasswordWorkFixture : IdentityFixture
{
    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:PasswordWork:PermitLimit"] = "1";
        settings["Identity:PasswordWork:QueueLimit"] = "1";
    }
}

/// <summary>Password work queues in turn; past the queue it is told when to retry; nothing half-done.</summary>
public sealed class PasswordWorkTests(PasswordWorkFixture fx) : IClassFixture<PasswordWorkFixture>
{
    private Task<HttpResponseMessage> RegisterAsync(string username) =>
        fx.Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username,
                email = $"{username}@example.com",
                password = "correct-horse-9",
            }
        );

    [Fact]
    public async Task A_queued_sign_up_waits_its_turn_and_one_past_the_queue_gets_503_with_retry_after()
    {
        var work = fx.Host.Services.GetRequiredService<PasswordWork>();
        var (held, _) = await work.EnterAsync(CancellationToken.None);
        Task<HttpResponseMessage> queued;
        try
        {
            queued = RegisterAsync("queued_member");
            // The queued request holds the one place in the queue; the next is refused at once.
            await Eventually.TrueAsync(() => Task.FromResult(work.Waiting == 1), "the sign-up never queued");
            var refused = await RegisterAsync("refused_member");
            var problem = await refused.AssertProblem(503);
            Assert.Contains("try again", problem["detail"]!.GetValue<string>());
            Assert.NotNull(problem["request_id"]);
            Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single()), 1, 30);
            Assert.False(queued.IsCompleted);
        }
        finally
        {
            held!.Dispose();
        }

        await (await queued).AssertStatus(201);
        // The refused sign-up changed nothing: the name is free and taken now.
        await (await RegisterAsync("refused_member")).AssertStatus(201);
    }

    [Fact]
    public async Task Login_waits_for_a_slot_too()
    {
        await (await RegisterAsync("slot_login")).AssertStatus(201);
        var work = fx.Host.Services.GetRequiredService<PasswordWork>();
        var (held, _) = await work.EnterAsync(CancellationToken.None);
        var login = fx.Client.PostJson(
            "/api/v1/auth/login",
            new { identifier = "slot_login", password = "correct-horse-9" }
        );
        await Eventually.TrueAsync(() => Task.FromResult(work.Waiting == 1), "the login never queued");
        Assert.False(login.IsCompleted);
        held!.Dispose();
        await (await login).AssertStatus(200);
    }
}
