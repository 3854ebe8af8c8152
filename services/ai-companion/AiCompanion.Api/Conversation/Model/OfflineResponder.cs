using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The built-in responder used without a model endpoint (or as the fallback when one fails): deterministic,
/// reflective, two or three sentences, and honest that it is not a language model. It streams word by word.
/// </summary>
public sealed class OfflineResponder : IChatClient
{
    public const string Name = "offline";

    public const string Honesty =
        "I'm the companion's simple offline mode, not a language model, so I can only reflect back what you share.";

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

    /// <summary>
    /// The reply to the newest user message of <paramref name="prompt"/>: the same text always gets the same reply.
    /// </summary>
    public static string ReplyTo(IEnumerable<ChatMessage> prompt)
    {
        var last = prompt.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var hash = Fnv(last);
        return $"{Honesty} {Reflections[hash % (uint)Reflections.Length]} "
            + $"{Questions[(hash / 7) % (uint)Questions.Length]}";
    }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    ) =>
        Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, ReplyTo(messages)))
            {
                ModelId = Name,
                Usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0 },
            }
        );

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var words = ReplyTo(messages).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var word = i == 0 ? words[i] : " " + words[i];
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { ModelId = Name };
            await Task.Yield();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    // string.GetHashCode differs per process; the reply must not.
    private static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text.Trim().ToLowerInvariant())
            hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
