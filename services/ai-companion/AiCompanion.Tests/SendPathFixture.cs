namespace Community.AiCompanion.Tests;

/// <summary>
/// The fake model behind the real gateway, with small daily limits (free 3, premium 5, sessions of 2 messages past the
/// limit).
/// </summary>
public sealed class SendPathFixture : ModelFixture
{
    public const int Free = 3,
        Premium = 5,
        SessionCredits = 30,
        SessionMessages = 2;

    protected override void ConfigureModel(IDictionary<string, string?> settings)
    {
        settings["Companion:Limits:free"] = Free.ToString();
        settings["Companion:Limits:premium"] = Premium.ToString();
        settings["Companion:Sessions:Credits"] = SessionCredits.ToString();
        settings["Companion:Sessions:Messages"] = SessionMessages.ToString();
        // The tests sweep abandoned sends when they mean to (AbandonedSendSweeper.SweepOnceAsync), not on a timer.
        settings["Companion:SendClaims:SweepInterval"] = "01:00:00";
    }
}
