namespace Community.AiCompanion.Conversation;

/// <summary><c>Companion:SendClaims</c>: the claims of sends being answered (<c>companion_sends</c>).</summary>
public sealed class SendClaimsOptions
{
    public const string Section = "Companion:SendClaims";

    /// <summary>
    /// How often every instance ends the claims of sends whose process died mid-reply, giving their messages back.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
