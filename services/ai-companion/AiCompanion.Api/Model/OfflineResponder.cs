using System.Runtime.CompilerServices;

namespace Community.AiCompanion.Model;

/// <summary>
/// The built-in responder used without a model endpoint (or as the fallback when one fails): deterministic,
/// reflective, two or three sentences, and honest that it is not a language model. It streams word by word.
/// </summary>
public sealed class OfflineResponder : ICompanionModel
{
    public const string Name = "offline";

    public const string Honesty = "I'm the companion's simple offline mode, not a language model, so I can only reflect back what you share.";

    private static readonly string[] Reflections =
    [
        "It sounds like this matters to you, and it's okay to take a moment with it.",
        "Thank you for putting that into words; noticing how you feel is a real step.",
        "That sounds like a lot to carry, and you don't have to sort it all out at once.",
        "It can help to say things out loud, even when they still feel unfinished.",
    ];

    private static readonly string[] Questions =
    [
        "What part of it feels most important right now?",
        "Is there someone you'd like to share this with?",
        "What would make today a little easier?",
        "What do you think you need most at the moment?",
    ];

    public string Responder => Name;

    /// <summary>The reply to the newest user message of <paramref name="prompt"/>: the same text always gets the same reply.</summary>
    public static string ReplyTo(IReadOnlyList<PromptMessage> prompt)
    {
        var last = prompt.LastOrDefault(m => m.Role == PromptRole.User)?.Text ?? "";
        var hash = Fnv(last);
        return $"{Honesty} {Reflections[hash % (uint)Reflections.Length]} {Questions[(hash / 7) % (uint)Questions.Length]}";
    }

    public Task<ModelReply> CompleteAsync(IReadOnlyList<PromptMessage> prompt, CancellationToken cancellationToken)
    {
        var text = ReplyTo(prompt);
        return Task.FromResult(new ModelReply(text, new ModelUsage(0, 0)));
    }

    public async IAsyncEnumerable<ModelChunk> StreamAsync(IReadOnlyList<PromptMessage> prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var words = ReplyTo(prompt).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ModelChunk(i == 0 ? words[i] : " " + words[i], i == words.Length - 1 ? new ModelUsage(0, 0) : null);
            await Task.Yield();
        }
    }

    // string.GetHashCode differs per process; the reply must not.
    private static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text.Trim().ToLowerInvariant()) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
