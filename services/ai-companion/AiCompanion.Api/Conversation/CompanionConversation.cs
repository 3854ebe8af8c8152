using Community.AiCompanion.Data;
using Community.AiCompanion.Model;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The send's validated input and what the model is asked.</summary>
public sealed record PreparedSend(Guid UserId, string Text, string ClientTxnId, IReadOnlyList<PromptMessage> Prompt, bool FirstReply);

/// <summary>
/// A user's conversation with the companion. A send asks the model with no transaction open and stores the user's
/// message and the reply together once the reply exists: a failed reply stores nothing (the user simply sends again),
/// and the same client_txn_id, also one racing the first attempt, returns the stored exchange.
/// </summary>
public sealed class CompanionConversation(
    CompanionDbContext db, ICompanionModel model, OfflineResponder offline, IOptions<CompanionModelOptions> options, TimeProvider clock,
    ILogger<CompanionConversation> logger)
{
    public const int MaxTextLength = 2000;
    public const int MaxClientTxnIdLength = 100;
    public const int DefaultHistoryLimit = 50;

    public async Task<ConversationHistory> HistoryAsync(Guid userId, long? beforeSeq, int limit, CancellationToken cancellationToken)
    {
        var messages = db.Messages.AsNoTracking().Where(m => m.UserId == userId);
        if (beforeSeq is { } before) messages = messages.Where(m => m.Seq < before);
        var rows = await messages.OrderByDescending(m => m.Seq).Take(Keyset.Probe(limit)).ToListAsync(cancellationToken);
        var page = Keyset.Page(rows, limit, m => m.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), ToDto);
        return new ConversationHistory(CompanionDisclosure.Text, page.Items, page.NextCursor);
    }

    /// <summary>The earlier answer to this client_txn_id (null when none); a different text under the same id is a 409.</summary>
    public async Task<CompanionExchange?> FindEarlierAsync(Guid userId, string text, string clientTxnId, CancellationToken cancellationToken)
    {
        var sent = await db.Messages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.UserId == userId && m.Role == MessageRoles.User && m.ClientTxnId == clientTxnId, cancellationToken);
        if (sent is null) return null;
        if (sent.Text != text) throw new ConflictException("client_txn_id was already used for a different message.");
        var reply = await db.Messages.AsNoTracking().SingleAsync(m => m.ReplyTo == sent.Id, cancellationToken);
        return ToExchange(sent, reply);
    }

    /// <summary>Validates the send and builds the model's context; the earlier exchange when the client_txn_id was answered already.</summary>
    public async Task<(PreparedSend Send, CompanionExchange? Earlier)> PrepareAsync(Guid userId, SendCompanionMessage input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var text = input.Text?.Trim();
        if (errors.Required("text", text) && errors.MaxLength("text", text, MaxTextLength) && SafeText.Problem(text!) is { } problem)
            errors.Add("text", $"text {problem}.");
        if (errors.Required("client_txn_id", input.ClientTxnId)) errors.MaxLength("client_txn_id", input.ClientTxnId, MaxClientTxnIdLength);
        errors.ThrowIfAny();
        var txn = input.ClientTxnId!;

        var earlier = await FindEarlierAsync(userId, text!, txn, cancellationToken);
        if (earlier is not null) return (new PreparedSend(userId, text!, txn, [], false), earlier);

        // Send path, before the model is asked: the lead wires Safety's ISafetyGuard.CheckInput here (a crisis or refusal
        // answers without the model) and Limits' CompanionAllowance.ReserveAsync / ThrowIfRefused (ReleaseAsync when the reply fails).
        var window = await db.Messages.AsNoTracking().Where(m => m.UserId == userId)
            .OrderByDescending(m => m.Seq).Take(CompanionPrompt.HistoryWindow).ToListAsync(cancellationToken);
        window.Reverse();
        var shares = await db.Settings.AsNoTracking().AnyAsync(s => s.UserId == userId && s.ShareProfile, cancellationToken);
        var profile = shares ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == userId && !u.Deleted, cancellationToken) : null;
        return (new PreparedSend(userId, text!, txn, CompanionPrompt.Build(window, text!, profile), FirstReply: window.Count == 0), null);
    }

    /// <summary>Asks the model for the whole reply and stores the exchange (Created false: an earlier or concurrent send of the same id).</summary>
    public async Task<(CompanionExchange Exchange, bool Created)> SendAsync(Guid userId, SendCompanionMessage input, CancellationToken cancellationToken)
    {
        var (send, earlier) = await PrepareAsync(userId, input, cancellationToken);
        if (earlier is not null) return (earlier, false);
        ModelReply reply;
        string responder;
        try
        {
            reply = await model.CompleteAsync(send.Prompt, cancellationToken);
            responder = model.Responder;
        }
        catch (ModelUnavailableException e)
        {
            if (!FallsBack(e)) throw Unavailable(e);
            reply = await offline.CompleteAsync(send.Prompt, cancellationToken);
            responder = offline.Responder;
        }
        // Send path, after the model answered: the lead wires Safety's CheckOutput here, before anything is stored or shown.
        var text = send.FirstReply ? CompanionDisclosure.FirstReply + reply.Text : reply.Text;
        return await StoreAsync(send, text, responder, reply.Usage, cancellationToken);
    }

    /// <summary>Whether a failed model call is answered by the offline responder (Companion:Model:FallbackToOffline) rather than a 503.</summary>
    public bool FallsBack(ModelUnavailableException e)
    {
        LogFailure(e);
        return options.Value.FallbackToOffline;
    }

    /// <summary>Logs a failed model call by its cause's type and our own message only (an endpoint's error text is not ours to log).</summary>
    public void LogFailure(ModelUnavailableException e) =>
        logger.LogWarning("Companion model call failed ({Cause}): {Reason}", e.InnerException?.GetType().Name ?? "none", e.Message);

    public ServiceUnavailableException Unavailable(ModelUnavailableException e) =>
        new("The companion cannot answer right now; please try again shortly.", e.RetryAfter is { } after && after > TimeSpan.Zero ? after : options.Value.RetryAfter);

    /// <summary>
    /// Stores the user's message and the reply in one transaction. A concurrent send of the same client_txn_id that committed
    /// first wins: its exchange is returned (Created false) and this reply is dropped.
    /// </summary>
    public async Task<(CompanionExchange Exchange, bool Created)> StoreAsync(
        PreparedSend send, string replyText, string responder, ModelUsage usage, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (messageId, replyId) = (NewId.Next(now), NewId.Next(now));
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO companion_messages (id, user_id, role, text, client_txn_id, created_at)
                VALUES ({messageId}, {send.UserId}, 'user', {send.Text}, {send.ClientTxnId}, {now})
                ON CONFLICT (user_id, client_txn_id) WHERE role = 'user' DO NOTHING
                """, cancellationToken);
            if (inserted == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (await FindEarlierAsync(send.UserId, send.Text, send.ClientTxnId, cancellationToken)
                    ?? throw new InvalidOperationException($"client_txn_id {send.ClientTxnId} of {send.UserId} conflicted but its message cannot be read."), false);
            }
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO companion_messages (id, user_id, role, text, reply_to, responder, prompt_tokens, completion_tokens, created_at)
                VALUES ({replyId}, {send.UserId}, 'assistant', {replyText}, {messageId}, {responder}, {usage.PromptTokens}, {usage.CompletionTokens}, {now})
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var rows = await db.Messages.AsNoTracking().Where(m => m.Id == messageId || m.Id == replyId).ToListAsync(cancellationToken);
        return (ToExchange(rows.Single(m => m.Id == messageId), rows.Single(m => m.Id == replyId)), true);
    }

    /// <summary>Forgets the whole conversation, irreversibly; the settings (the user's consent) stay.</summary>
    public Task DeleteAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Messages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    private static CompanionExchange ToExchange(CompanionMessage sent, CompanionMessage reply) =>
        new(ToDto(sent), ToDto(reply), new UsageDto(reply.PromptTokens ?? 0, reply.CompletionTokens ?? 0), CompanionDisclosure.Text);

    public static CompanionMessageDto ToDto(CompanionMessage m) =>
        new(m.Id, m.Seq, m.Role, m.Text, m.ClientTxnId, m.ReplyTo, m.Responder, m.CreatedAt);
}
