using Community.AiCompanion.Limits;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The companion with small limits (free 3, premium 5, elite unlimited by default) and sessions of 30 credits, 60
/// minutes, 2 messages.
/// </summary>
public class AllowanceFixture : CompanionFixture
{
    public const int Free = 3,
        Premium = 5,
        SessionCredits = 30,
        SessionMessages = 2;

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            ["Companion:Limits:free"] = Free.ToString(),
            ["Companion:Limits:premium"] = Premium.ToString(),
            ["Companion:Sessions:Credits"] = SessionCredits.ToString(),
            ["Companion:Sessions:Minutes"] = "60",
            ["Companion:Sessions:Messages"] = SessionMessages.ToString(),
        };

    /// <summary>One reservation, through the service as the send path makes it.</summary>
    public async Task<AllowanceAccess.Allowance> ReserveAsync(Guid userId, string tier)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<AllowanceAccess>()
            .ReserveAsync(userId, tier, CancellationToken.None);
    }

    public async Task ReleaseAsync(AllowanceAccess.Allowance allowance)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await scope
            .ServiceProvider.GetRequiredService<AllowanceAccess>()
            .ReleaseAsync(allowance, CancellationToken.None);
    }
}
