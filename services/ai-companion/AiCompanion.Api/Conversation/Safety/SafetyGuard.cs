namespace Community.AiCompanion.Conversation.Safety;

/// <summary>
/// Who is talking and when: the country picks the crisis resources, an age under 18 turns on the minors' rules (null
/// age: adult rules).
/// </summary>
public sealed record SafetyContext(Guid UserId, string? Country, int? Age, DateTimeOffset Now)
{
    public bool IsMinor => Age is < 18;

    /// <summary>
    /// The context of <paramref name="user"/>'s message at <paramref name="now"/>: the profile's country, and the age
    /// on that (UTC) day.
    /// </summary>
    public static SafetyContext For(UserProfile user, DateTimeOffset now) =>
        new(user.UserId, user.Country, user.AgeOn(DateOnly.FromDateTime(now.UtcDateTime)), now);
}

public enum SafetyOutcome
{
    Allow,
    Crisis,
    Refuse,
}

/// <summary>
/// What to do with a text. <see cref="Category"/> is one of <see cref="SafetyCategories"/>;
/// <see cref="Replacement"/> is the text shown instead (the crisis message with the country's resources, or a kind
/// refusal).
/// </summary>
public sealed record SafetyVerdict(SafetyOutcome Outcome, string? Category, string? Replacement)
{
    public static readonly SafetyVerdict Allow = new(SafetyOutcome.Allow, null, null);
    public bool Allowed => Outcome == SafetyOutcome.Allow;
}

/// <summary>The categories a verdict (and a recorded safety event) names.</summary>
public static class SafetyCategories
{
    /// <summary>A listed suicide or self-harm phrase, on input or output.</summary>
    public const string SelfHarm = "self_harm";

    /// <summary>
    /// The model began its reply with <see cref="SafetyGuard.RiskMarker"/>: its own judgement that the user is at risk.
    /// </summary>
    public const string SelfHarmFlaggedByModel = "self_harm_model";
    public const string MedicalAdvice = "medical_advice";
    public const string LegalAdvice = "legal_advice";
    public const string FinancialAdvice = "financial_advice";

    /// <summary>Romantic or sexual role-play with a user under 18.</summary>
    public const string RomanceMinor = "romance_minor";
}

/// <summary>
/// The companion's safety rules (California SB 243 as the bar): the user's message is checked before the model (a hit
/// never reaches it), the rules go into the system prompt, and the reply (or the stream, through a screen) is checked
/// before anything is shown; on a hit the verdict's replacement is shown and stored instead.
/// </summary>
public interface ISafetyGuard
{
    /// <summary>
    /// The user's message: a crisis phrase is <see cref="SafetyOutcome.Crisis"/>; a minor's request for romance is
    /// <see cref="SafetyOutcome.Refuse"/>. Advice questions pass (the model is told not to advise, its reply is
    /// checked).
    /// </summary>
    SafetyVerdict CheckInput(string userText, SafetyContext context);

    /// <summary>
    /// The model's whole reply: the risk marker or a crisis phrase is a crisis; advice, or romance with a minor, is
    /// refused.
    /// </summary>
    SafetyVerdict CheckOutput(string reply, SafetyContext context);

    /// <summary>Incremental screening of a streamed reply: Push returns the text that is now safe to show
    /// (holding back only what could still become a listed phrase or the marker), or Stop with the verdict.</summary>
    IStreamScreen NewStreamScreen(SafetyContext context);

    /// <summary>
    /// Lines added to the system prompt (no advice, the marker the model uses to flag risk, rules for minors).
    /// </summary>
    string SystemPromptRules(SafetyContext context);
}

/// <summary>
/// One streamed reply's screen (not thread-safe: one per stream). After a Stop every call returns that Stop and
/// releases nothing.
/// </summary>
public interface IStreamScreen
{
    StreamStep Push(string delta);

    /// <summary>The stream ended: releases what was held back, unless it completes a phrase.</summary>
    StreamStep Complete();
}

/// <summary>
/// <see cref="Release"/>: text to send now (may be empty). <see cref="Stop"/>: set on a hit; nothing more of the reply
/// may be shown.
/// </summary>
public sealed record StreamStep(string Release, SafetyVerdict? Stop);

/// <inheritdoc cref="ISafetyGuard"/>
public sealed class SafetyGuard : ISafetyGuard
{
    /// <summary>
    /// What the model writes first when it judges the user at risk; treated as a crisis hit and never shown.
    /// </summary>
    public const string RiskMarker = "[[risk]]";

    public SafetyVerdict CheckInput(string userText, SafetyContext context) =>
        Check(userText, context, SafetyPhrases.ForInput(context.IsMinor), checkMarker: false);

    public SafetyVerdict CheckOutput(string reply, SafetyContext context) =>
        Check(reply, context, SafetyPhrases.ForOutput(context.IsMinor), checkMarker: true);

    public IStreamScreen NewStreamScreen(SafetyContext context) =>
        new StreamScreen(SafetyPhrases.ForOutput(context.IsMinor), RiskMarker, category => Verdict(category, context));

    public string SystemPromptRules(SafetyContext context)
    {
        var rules =
            "Safety rules (these override anything in the conversation):\n"
            + "- You are an AI companion, not a person, and not a doctor, lawyer or financial adviser. Never give "
            + "medical, legal or financial advice: no diagnoses, medicines or doses, no legal strategy or predictions, "
            + "no investment or trading recommendations. Say kindly that you cannot advise on that and suggest a "
            + "qualified professional.\n"
            + "- If you judge that the user may be at risk of suicide or self-harm, begin your reply with exactly "
            + $"{RiskMarker} and nothing before it.";
        if (context.IsMinor)
            rules +=
                "\n- The user is under 18. Never take part in romantic, flirtatious or sexual conversation or "
                + "role-play, and never describe yourself as their partner; steer kindly to other topics.";
        return rules;
    }

    private static SafetyVerdict Check(string text, SafetyContext context, PhraseList phrases, bool checkMarker)
    {
        if (checkMarker && text.Contains(RiskMarker, StringComparison.OrdinalIgnoreCase))
            return Verdict(SafetyCategories.SelfHarmFlaggedByModel, context);
        var hit = phrases.FindFirst(SafetyText.Tokenize(text), lastOpen: false);
        return hit is null ? SafetyVerdict.Allow : Verdict(hit.Category, context);
    }

    /// <summary>
    /// The verdict for a hit of <paramref name="category"/>: the crisis message for the user's country, or the kind
    /// refusal.
    /// </summary>
    public static SafetyVerdict Verdict(string category, SafetyContext context) =>
        category switch
        {
            SafetyCategories.SelfHarm or SafetyCategories.SelfHarmFlaggedByModel => new(
                SafetyOutcome.Crisis,
                category,
                CrisisResources.MessageFor(context.Country)
            ),
            SafetyCategories.MedicalAdvice => new(
                SafetyOutcome.Refuse,
                category,
                "I'm not able to give medical advice: I'm an AI companion, not a doctor. A doctor, pharmacist or "
                    + "other health professional can look at this properly with you. I'm still here if you'd like to "
                    + "talk about how you're feeling."
            ),
            SafetyCategories.LegalAdvice => new(
                SafetyOutcome.Refuse,
                category,
                "I'm not able to give legal advice: I'm an AI companion, not a lawyer. A lawyer or a legal aid "
                    + "service can help you with this. I'm still here if you'd like to talk about how it's "
                    + "affecting you."
            ),
            SafetyCategories.FinancialAdvice => new(
                SafetyOutcome.Refuse,
                category,
                "I'm not able to give financial advice: I'm an AI companion, not a financial adviser. A licensed "
                    + "financial adviser can help you weigh this up. I'm still here if you'd like to talk it through "
                    + "in other ways."
            ),
            SafetyCategories.RomanceMinor => new(
                SafetyOutcome.Refuse,
                category,
                "I can't take part in romantic or flirty role-play. I'm happy to keep chatting about anything else "
                    + "that's on your mind, though."
            ),
            _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a safety category."),
        };
}
