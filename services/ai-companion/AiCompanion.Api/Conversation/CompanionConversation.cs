using System.ClientModel;
using Community.AiCompanion.Conversation.Model;
using Community.AiCompanion.Conversation.Safety;
using Community.AiCompanion.Limits;
using Community.AiCompanion.Users;
using Community.Contracts.AiCompanion;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>
/// A user's conversation with the companion. The model is asked with no transaction open and the message and its
/// reply are stored together once the reply exists, so a failed reply stores nothing and the same client_txn_id
/// returns the stored exchange. The safety guard answers a crisis before the allowance is counted, so no limit ever
/// holds back the crisis resources; a counted message whose reply failed is given back, one whose reply was written but
/// not kept (the conversation deleted meanwhile) still counts: the model was asked.
/// </summary>
public sealed class CompanionConversation(
    CompanionDbContext db,
    IChatClient model,
    OfflineResponder offline,
    IOptions<CompanionModelOptions> options,
    TimeProvider clock,
    ISafetyGuard guard,
    SafetyEvents safetyEvents,
    BreakReminders breakReminders,
    AllowanceAccess allowances,
    SendClaimsAccess claims,
    ILogger<CompanionConversation> logger
)
{
    public const int MaxTextLength = 2000;
    public const int MaxClientTxnIdLength = 100;
    public const int DefaultHistoryLimit = 50;

    /// <summary>What a reply that reports no usage (the offline responder, the safety protocol) is stored as.</summary>
    public static UsageDetails NoUsage => new() { InputTokenCount = 0, OutputTokenCount = 0 };

    public async Task<ConversationHistory> HistoryAsync(
        Guid userId,
        long? beforeSeq,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var messages = db.CompanionMessages.AsNoTracking().Where(m => m.UserId == userId);
        if (beforeSeq is { } before)
            messages = messages.Where(m => m.Seq < before);
        var rows = await messages
            .OrderByDescending(m => m.Seq)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        var page = Keyset.Page(
            rows,
            limit,
            m => m.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ToDto
        );
        return new ConversationHistory(CompanionDisclosure.Text, page.Items, page.NextCursor);
    }

    /// <summary>
    /// The earlier answer to this client_txn_id (null when none); a different text under the same id is a 409.
    /// </summary>
    public async Task<CompanionExchange?> FindEarlierAsync(
        Guid userId,
        string text,
        string clientTxnId,
        CancellationToken cancellationToken
    )
    {
        var sent = await db
            .CompanionMessages.AsNoTracking()
            .SingleOrDefaultAsync(
                m => m.UserId == userId && m.Role == MessageRoles.User && m.ClientTxnId == clientTxnId,
                cancellationToken
            );
        if (sent is null)
            return null;
        if (sent.Text != text)
            throw new ConflictException("client_txn_id was already used for a different message.");
        // Gone since the first read (the conversation forgotten, the account erased meanwhile): no earlier answer.
        var reply = await db
            .CompanionMessages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.ReplyTo == sent.Id, cancellationToken);
        return reply is null ? null : ToExchange(sent, reply);
    }

    /// <summary>
    /// Validates the send, answers a client_txn_id answered before (Earlier), checks the user's message, and, when the
    /// model is to be asked, builds its context and counts the message against the tier's daily limit (429 past it).
    /// </summary>
    public async Task<(PreparedSend Send, CompanionExchange? Earlier)> PrepareAsync(
        Guid userId,
        string? tier,
        SendCompanionMessage input,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var text = input.Text?.Trim();
        if (
            errors.Required("text", text)
            && errors.MaxLength("text", text, MaxTextLength)
            && SafeText.Problem(text!) is { } problem
        )
            errors.Add("text", $"text {problem}.");
        if (errors.Required("client_txn_id", input.ClientTxnId))
            errors.MaxLength("client_txn_id", input.ClientTxnId, MaxClientTxnIdLength);
        errors.ThrowIfAny();
        var txn = input.ClientTxnId!;
        var now = clock.GetUtcNow();

        var earlier = await ClaimOrFindEarlierAsync(userId, text!, txn, now, cancellationToken);
        if (earlier is not null)
            return (
                new PreparedSend(
                    userId,
                    text!,
                    txn,
                    [],
                    false,
                    new SafetyContext(userId, null, null, now),
                    SafetyVerdict.Allow,
                    null,
                    null
                ),
                earlier
            );
        try
        {
            return await PrepareClaimedAsync(userId, tier, text!, txn, now, cancellationToken);
        }
        catch
        {
            await UnclaimAsync(userId, txn, now);
            throw;
        }
    }

    /// <summary>
    /// The send whose client_txn_id this request claimed: checked, its prompt built, its message counted.
    /// </summary>
    private async Task<(PreparedSend Send, CompanionExchange? Earlier)> PrepareClaimedAsync(
        Guid userId,
        string? tier,
        string text,
        string txn,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var user = await db
            .UserProfiles.AsNoTracking()
            .SingleOrDefaultAsync(u => u.UserId == userId && u.DeletedAt == null, cancellationToken);
        // A user the projection has not heard of yet gets adult rules and the default crisis resources.
        var safety = user is null ? new SafetyContext(userId, null, null, now) : SafetyContext.For(user, now);
        List<CompanionMessage> window;
        bool firstReply;
        await using (var reading = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Not while the conversation is being deleted (DeleteAsync): read before, this send's claim (taken already)
            // is marked forgotten by it and nothing is kept; read after, the history is the new conversation's. Never
            // the messages about to go, in a reply kept into the next conversation without its disclosure.
            await db.Database.LockKeySharedAsync(ConversationLock(userId), cancellationToken);
            // An exchange the safety protocol answered stays out of the model's context: a message that hit on input
            // never reaches the model, not on a later turn either, and neither does the reply put in place of one that
            // hit.
            window = await db
                .CompanionMessages.AsNoTracking()
                .Where(m =>
                    m.UserId == userId
                    && m.Responder != ReplyToStore.SafetyResponder
                    && !db.CompanionMessages.Any(r => r.ReplyTo == m.Id && r.Responder == ReplyToStore.SafetyResponder)
                )
                .OrderByDescending(m => m.Seq)
                .Take(CompanionPrompt.HistoryWindow)
                .ToListAsync(cancellationToken);
            window.Reverse();
            // The first reply of the conversation, also when all before it were left out of the window.
            firstReply =
                window.Count == 0 && !await db.CompanionMessages.AnyAsync(m => m.UserId == userId, cancellationToken);
            await reading.CommitAsync(cancellationToken);
        }
        var verdict = guard.CheckInput(text, safety);
        if (!verdict.Allowed)
            return (new PreparedSend(userId, text, txn, [], firstReply, safety, verdict, null, now), null);

        var shares = await db
            .CompanionSettings.AsNoTracking()
            .AnyAsync(s => s.UserId == userId && s.ShareProfile, cancellationToken);
        var (profile, rules) = (shares ? user : null, guard.SystemPromptRules(safety));
        var prompt = CompanionPrompt.Build(window, text, profile, rules, options.Value.PromptCharacters);
        // Asked once more when the endpoint's context is smaller than the budget: none of the history.
        var withoutHistory = CompanionPrompt.Build([], text, profile, rules, options.Value.PromptCharacters);
        // Counted last, so only the model call and the store stand between the reservation and its release on failure.
        // Noted on the claim in the same transaction: whoever ends the claim without storing the reply gives the
        // message back (this send on a failure, or the retry that takes over the claim of a send whose process died).
        AllowanceAccess.Allowance allowance;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // An erased account (a token not yet revoked) is refused before the model is asked. The gate is held to the
            // commit and taken before the claim, as the erasure takes them: one under way is waited for and seen, one
            // that comes later waits for this count and deletes it.
            await ErasedAccounts.RefuseErasedAsync(db, userId, cancellationToken);
            // The claim before the count, in the order a takeover, a release and the account's erasure take them. Gone
            // (taken over after a prepare slower than any reply): nothing is counted.
            var held = await db
                .Database.SqlQuery<int>(
                    $"""
                    SELECT 1 AS "Value" FROM companion_sends
                    WHERE user_id = {userId} AND client_txn_id = {txn} AND claimed_at = {now} FOR UPDATE
                    """
                )
                .ToListAsync(cancellationToken);
            if (held.Count == 0)
                throw new ConflictException("This message is no longer being answered here: a retry of it took over.");
            await RefuseBeyondLiveSendsAsync(userId, txn, now, cancellationToken);
            allowance = await allowances.ReserveAsync(userId, tier, cancellationToken);
            if (allowance.Allowed)
                await db.Database.ExecuteSqlAsync(
                    $"""
                    UPDATE companion_sends SET counted_day = {allowance.Day}, counted_session_id = {allowance.SessionId}
                    WHERE user_id = {userId} AND client_txn_id = {txn} AND claimed_at = {now}
                    """,
                    cancellationToken
                );
            await transaction.CommitAsync(CancellationToken.None);
        }
        allowances.ThrowIfRefused(allowance);
        return (
            new PreparedSend(userId, text, txn, prompt, firstReply, safety, verdict, allowance, now)
            {
                PromptWithoutHistory = withoutHistory.Count < prompt.Count ? withoutHistory : null,
            },
            null
        );
    }

    /// <summary>
    /// Refuses (429) a send while the user has Companion:Model:LiveSends others the model is answering: a stream is
    /// read to its end after its client leaves, so streams opened and dropped would pile up model calls. Counted under
    /// a lock per user held to the commit that marks this one counted, so concurrent sends cannot pass it together.
    /// </summary>
    private async Task RefuseBeyondLiveSendsAsync(
        Guid userId,
        string txn,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var model = options.Value;
        // The offline responder costs nothing and answers at once.
        if (!model.UsesModel)
            return;
        await db.Database.LockKeyAsync("companion-live-sends:" + userId, cancellationToken);
        var abandoned = claims.AbandonedBefore(now);
        var live = await db
            .Database.SqlQuery<int>(
                $"""
                SELECT count(*)::int AS "Value" FROM companion_sends
                WHERE user_id = {userId} AND client_txn_id <> {txn} AND counted_day IS NOT NULL
                    AND claimed_at >= {abandoned}
                """
            )
            .SingleAsync(cancellationToken);
        if (live >= model.LiveSends)
            throw new TooManyRequestsException(
                $"The companion is still answering {live} of your messages; send this one once a reply has come.",
                LiveSendsRetryAfter
            );
    }

    /// <summary>
    /// How often a send waiting for another send of its client_txn_id (SendClaimsAccess.ClaimWait) looks.
    /// </summary>
    private static readonly TimeSpan ClaimPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How soon a send that waited in vain for another send of its client_txn_id is told to ask again.
    /// </summary>
    private static readonly TimeSpan InProgressRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>How soon a send refused for the replies already being written is told to ask again.</summary>
    private static readonly TimeSpan LiveSendsRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The earlier answer to this client_txn_id, or null once this send has claimed the id (then nobody else answers
    /// it until this send is stored or given up). While another send of the id is being answered, this one waits for
    /// that answer, which is its own: one reply, counted once, however many retries come at once.
    /// </summary>
    private async Task<CompanionExchange?> ClaimOrFindEarlierAsync(
        Guid userId,
        string text,
        string txn,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await FindEarlierAsync(userId, text, txn, cancellationToken) is { } earlier)
                return earlier;
            if (await ClaimAsync(userId, txn, now, cancellationToken))
                break;
            if (waited.Elapsed >= SendClaimsAccess.ClaimWait)
                throw new ConflictException(
                    "A message with this client_txn_id is still being answered; ask again in a moment for its reply."
                )
                {
                    RetryAfter = InProgressRetryAfter,
                };
            await Task.Delay(ClaimPoll, cancellationToken);
        }
        // Claimed: an answer stored between the look and the claim is still this id's answer.
        try
        {
            var stored = await FindEarlierAsync(userId, text, txn, cancellationToken);
            if (stored is not null)
                await UnclaimAsync(userId, txn, now);
            return stored;
        }
        catch
        {
            await UnclaimAsync(userId, txn, now);
            throw;
        }
    }

    /// <summary>
    /// Claims the user's client_txn_id for this send (false when another send of it is being answered). A claim older
    /// than any live send holds one (SendClaimsAccess) is a send that died with its process, and is taken over: the
    /// message it counted is given back in the same transaction, as its own failure would have (and that send, if it is
    /// alive after all, finds its claim gone and gives back nothing).
    /// </summary>
    private async Task<bool> ClaimAsync(
        Guid userId,
        string clientTxnId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO companion_sends (user_id, client_txn_id, claimed_at) VALUES ({userId}, {clientTxnId}, {now})
            ON CONFLICT (user_id, client_txn_id) DO NOTHING
            """,
            cancellationToken
        );
        if (inserted == 1)
            return true;
        // Looked at without a lock first: a send waiting for a live one polls with this one statement.
        var abandoned = claims.AbandonedBefore(now);
        var claimedAt = await db
            .Database.SqlQuery<DateTimeOffset>(
                $"""
                SELECT claimed_at AS "Value" FROM companion_sends
                WHERE user_id = {userId} AND client_txn_id = {clientTxnId}
                """
            )
            .ToListAsync(cancellationToken);
        if (claimedAt is not [var at] || at >= abandoned)
            return false;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The account's profile first, as the store and the account's erasure take it; without a profile row the
        // erasure deletes claims before usage and sessions, so it waits for this takeover's claim, never the reverse.
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM user_profiles WHERE user_id = {userId} FOR SHARE",
            cancellationToken
        );
        // Locked: of retries taking over at once, one does, and the others then see its claim, not the old one.
        var held = await db
            .Database.SqlQuery<HeldClaim>(
                $"""
                SELECT claimed_at, counted_day, counted_session_id
                FROM companion_sends WHERE user_id = {userId} AND client_txn_id = {clientTxnId} FOR UPDATE
                """
            )
            .ToListAsync(cancellationToken);
        if (held is not [{ } old] || old.ClaimedAt >= abandoned)
            return false;
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE companion_sends
            SET claimed_at = {now}, counted_day = NULL, counted_session_id = NULL, forgotten = false
            WHERE user_id = {userId} AND client_txn_id = {clientTxnId}
            """,
            cancellationToken
        );
        await GiveBackAsync(userId, old.CountedDay, old.CountedSessionId, cancellationToken);
        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>A claim on a client_txn_id, and what its send counted.</summary>
    private sealed record HeldClaim(DateTimeOffset ClaimedAt, DateOnly? CountedDay, Guid? CountedSessionId);

    /// <summary>Gives back a message a claim counted (nothing when it counted none).</summary>
    private Task GiveBackAsync(Guid userId, DateOnly? day, Guid? sessionId, CancellationToken cancellationToken) =>
        day is { } counted
            ? allowances.ReleaseAsync(
                new AllowanceAccess.Allowance(true, 0, null, null, sessionId) { UserId = userId, Day = counted },
                cancellationToken
            )
            : Task.CompletedTask;

    /// <summary>
    /// Ends the claims older than the longest reply that no retry took over (their sends' processes died, and their
    /// clients moved on to new client_txn_ids), giving back what each counted unless its message was stored after all.
    /// Each in a transaction of its own that takes the locks of a takeover in its order (the account's profile, then
    /// the claim, then the count), so a takeover, a store, a release or the account's erasure under way is waited for
    /// and its claim is then found young or gone; one that comes later finds the claim gone, and gives back nothing.
    /// </summary>
    public async Task<(int Ended, int GivenBack)> EndAbandonedClaimsAsync(CancellationToken cancellationToken)
    {
        var abandoned = claims.AbandonedBefore(clock.GetUtcNow());
        var (ended, givenBack) = (0, 0);
        List<ClaimOf> due;
        int endedNow;
        do
        {
            due = await db
                .Database.SqlQuery<ClaimOf>(
                    $"""
                    SELECT user_id, client_txn_id FROM companion_sends WHERE claimed_at < {abandoned}
                    ORDER BY claimed_at LIMIT {AbandonedBatch}
                    """
                )
                .ToListAsync(cancellationToken);
            endedNow = 0;
            foreach (var claim in due)
            {
                if (await EndAbandonedClaimAsync(claim, abandoned, cancellationToken) is not { } gaveBack)
                    continue;
                endedNow++;
                givenBack += gaveBack ? 1 : 0;
            }
            ended += endedNow;
        } while (due.Count == AbandonedBatch && endedNow > 0);
        return (ended, givenBack);
    }

    private const int AbandonedBatch = 100;

    /// <summary>A claim by its key.</summary>
    private sealed record ClaimOf(Guid UserId, string ClientTxnId);

    /// <summary>What an abandoned claim counted, and whether its message was stored (then it counts).</summary>
    private sealed record EndedClaim(DateOnly? CountedDay, Guid? CountedSessionId, bool Answered);

    /// <summary>
    /// Ends one claim if it is still abandoned; null when it is not (taken over, stored, released or erased since),
    /// else whether a message was given back.
    /// </summary>
    private async Task<bool?> EndAbandonedClaimAsync(
        ClaimOf claim,
        DateTimeOffset abandoned,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM user_profiles WHERE user_id = {claim.UserId} FOR SHARE",
            cancellationToken
        );
        // Its age checked again under the row's lock: a takeover that committed meanwhile made it young.
        var ended = await db
            .Database.SqlQuery<EndedClaim>(
                $"""
                DELETE FROM companion_sends s
                WHERE user_id = {claim.UserId} AND client_txn_id = {claim.ClientTxnId} AND claimed_at < {abandoned}
                RETURNING counted_day, counted_session_id, EXISTS (SELECT 1 FROM companion_messages m
                    WHERE m.user_id = s.user_id AND m.role = 'user' AND m.client_txn_id = s.client_txn_id) AS answered
                """
            )
            .ToListAsync(cancellationToken);
        if (ended is not [{ } old])
            return null;
        var giveBack = !old.Answered && old.CountedDay is not null;
        if (giveBack)
            await GiveBackAsync(claim.UserId, old.CountedDay, old.CountedSessionId, cancellationToken);
        await transaction.CommitAsync(CancellationToken.None);
        return giveBack;
    }

    /// <summary>Gives up this send's claim (never cancelled: a client that left leaves its id free).</summary>
    private Task UnclaimAsync(Guid userId, string clientTxnId, DateTimeOffset claimedAt) =>
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM companion_sends WHERE user_id = {userId} AND client_txn_id = {clientTxnId}
                AND claimed_at = {claimedAt}
            """,
            CancellationToken.None
        );

    /// <summary>
    /// Asks the model for the whole reply and stores the exchange (Created false: an earlier or concurrent send of the
    /// same id).
    /// </summary>
    public async Task<(CompanionExchange Exchange, bool Created)> SendAsync(
        Guid userId,
        string? tier,
        SendCompanionMessage input,
        CancellationToken cancellationToken
    )
    {
        var (send, earlier) = await PrepareAsync(userId, tier, input, cancellationToken);
        if (earlier is not null)
            return (earlier, false);
        if (!send.InputVerdict.Allowed)
            return await AnswerWithoutModelAsync(send, cancellationToken);
        (CompanionExchange Exchange, bool Created) stored;
        // From here not cancelled with the request, as a stream is not: a reply the client hangs up on is still
        // finished, stored and counted once (a retry of its client_txn_id replays it); given back, hanging up before
        // each reply came made every model call free. The model's own deadlines bound it.
        var unbound = CancellationToken.None;
        var answered = false;
        try
        {
            ChatResponse reply;
            string responder;
            string text;
            try
            {
                reply = await AskAsync(send, unbound);
                responder = ModelSetup.ResponderOf(model);
                // What a model writes is not checked as a client's text is: what cannot be stored goes (NUL, half a
                // pair); a reply of nothing else is none, as a blank one is (ModelDeadlines).
                text = SafeText.Clean(reply.Text).Trim();
                if (text.Length == 0)
                    throw new ModelUnavailableException("The model answered with no text.");
            }
            catch (ModelRefusedException e)
            {
                throw Refused(e);
            }
            catch (ModelUnavailableException e)
            {
                if (!FallsBack(e))
                    throw Unavailable(e);
                reply = await offline.GetResponseAsync(send.Prompt, cancellationToken: unbound);
                responder = OfflineResponder.Name;
                text = SafeText.Clean(reply.Text).Trim();
            }
            // Checked before anything is stored or shown: on a hit the responder's text is dropped here.
            var verdict = guard.CheckOutput(text, send.Safety);
            var usage = reply.Usage ?? NoUsage;
            answered = true;
            stored = await StoreAsync(
                send,
                ReplyToStore.From(text, responder, usage, verdict, SafetyStage.Output),
                unbound
            );
        }
        catch (DomainException) when (answered)
        {
            // Written but not kept (the conversation deleted meanwhile, or a retry took the send over): it counts, as a
            // streamed reply the client read does; given back, deleting the conversation mid-reply made it free.
            await ReleaseClaimAsync(send);
            throw;
        }
        catch
        {
            await ReleaseAsync(send);
            throw;
        }
        // A concurrent send of the same client_txn_id stored its reply first and was counted for it.
        if (!stored.Created)
            await ReleaseAsync(send);
        return stored;
    }

    /// <summary>
    /// The model's whole reply to the send's prompt, or, when the endpoint refuses it as longer than its context, to
    /// the prompt without the earlier messages (asked once: the message is counted once, whichever answers).
    /// </summary>
    private async Task<ChatResponse> AskAsync(PreparedSend send, CancellationToken cancellationToken)
    {
        try
        {
            return await model.GetResponseAsync(send.Prompt, cancellationToken: cancellationToken);
        }
        catch (ModelRefusedException e) when (e.ContextTooLong && send.PromptWithoutHistory is { } shorter)
        {
            LogContextTooLong(e);
            return await model.GetResponseAsync(shorter, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// A prompt the endpoint refused as too long for its context, asked again without the earlier messages: the
    /// operator's PromptCharacters is more than the model takes.
    /// </summary>
    public void LogContextTooLong(ModelRefusedException e) =>
        logger.LogWarning(
            "The companion's model endpoint refused a prompt as longer than its context ({Status}); asked again "
                + "without the earlier messages: lower Companion:Model:PromptCharacters",
            e.Status
        );

    /// <summary>
    /// The safety protocol's answer to a user's message that hit (crisis or refusal): stored and recorded, the model
    /// never asked.
    /// </summary>
    public async Task<(CompanionExchange Exchange, bool Created)> AnswerWithoutModelAsync(
        PreparedSend send,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var stored = await StoreAsync(
                send,
                ReplyToStore.From("", ReplyToStore.SafetyResponder, NoUsage, send.InputVerdict, SafetyStage.Input),
                cancellationToken
            );
            if (!stored.Created)
                await ReleaseAsync(send);
            return stored;
        }
        catch
        {
            await ReleaseAsync(send);
            throw;
        }
    }

    /// <summary>
    /// Gives back the message counted for a send whose reply was not stored, and its client_txn_id, in one transaction;
    /// never cancelled, so a client that left still gets them back. Only while the send still holds its claim: a retry
    /// that took the claim over gave the message back already, and an erased account's counts are gone.
    /// </summary>
    public async Task ReleaseAsync(PreparedSend send)
    {
        if (send.ClaimedAt is not { } claimedAt)
            return;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var released = await db
            .Database.SqlQuery<HeldClaim>(
                $"""
                DELETE FROM companion_sends WHERE user_id = {send.UserId} AND client_txn_id = {send.ClientTxnId}
                    AND claimed_at = {claimedAt}
                RETURNING claimed_at, counted_day, counted_session_id
                """
            )
            .ToListAsync(CancellationToken.None);
        if (released is [{ } claim])
            await GiveBackAsync(send.UserId, claim.CountedDay, claim.CountedSessionId, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>
    /// Frees the send's client_txn_id only: its message still counts (a reply written, then not kept, or read by the
    /// client of a stream).
    /// </summary>
    public async Task ReleaseClaimAsync(PreparedSend send)
    {
        if (send.ClaimedAt is { } claimedAt)
            await UnclaimAsync(send.UserId, send.ClientTxnId, claimedAt);
    }

    /// <summary>A reply the model gave that the database could not take.</summary>
    public void LogStoreFailure(Exception e) =>
        logger.LogWarning(e, "A companion reply of a streamed send could not be stored: the database failed");

    /// <summary>
    /// The reply's text as stored and shown: the disclosure first in the first reply of a conversation.
    /// </summary>
    public static string ReplyText(PreparedSend send, string text) =>
        send.FirstReply ? CompanionDisclosure.FirstReply + text : text;

    /// <summary>
    /// Whether a failed model call is answered by the offline responder (Companion:Model:FallbackToOffline) rather than
    /// a 503.
    /// </summary>
    public bool FallsBack(ModelUnavailableException e)
    {
        LogFailure(e);
        return options.Value.FallbackToOffline;
    }

    /// <summary>
    /// Logs a failed model call by its cause's type and our own message only (an endpoint's error text is not ours to
    /// log).
    /// </summary>
    public void LogFailure(ModelUnavailableException e)
    {
        // A key, model, address or parameter the endpoint does not take fails every message until the operator fixes
        // it. Its error's code is a machine field, not its text.
        if (e.InnerException is ClientResultException { Status: >= 400 and < 500 and not 408 and not 429 } refused)
            logger.LogError(
                "The companion's model endpoint refused the call with {Status} ({Code}): check Companion:Model's "
                    + "endpoint, model, key and settings",
                refused.Status,
                ModelDeadlines.ErrorCode(refused) ?? "no code"
            );
        else
            logger.LogWarning(
                "Companion model call failed ({Cause}): {Reason}",
                e.InnerException?.GetType().Name ?? "none",
                e.Message
            );
    }

    public ServiceUnavailableException Unavailable(ModelUnavailableException e) =>
        new(
            "The companion cannot answer right now; please try again shortly.",
            e.RetryAfter is { } after && after > TimeSpan.Zero ? after : options.Value.RetryAfter
        );

    /// <summary>
    /// The 502 of a message the model endpoint refused: sent again unchanged it is refused again, so no Retry-After and
    /// no offline reply. Nobody's error to act on: logged as information.
    /// </summary>
    public MessageRefusedException Refused(ModelRefusedException e)
    {
        logger.LogInformation(
            "The companion's model endpoint refused a message with {Status} (a content filter or its length)",
            e.Status
        );
        return new MessageRefusedException(
            "The companion could not answer this message; sending it again unchanged will not help. Please rephrase "
                + "it or make it shorter."
        );
    }

    /// <summary>
    /// Stores the user's message, the reply with the break reminder due (minors), and its safety event (no text) in one
    /// transaction, so a reply not stored uses up no reminder. A concurrent send of the same client_txn_id that
    /// committed first wins: its exchange is returned (Created false) and this reply is dropped.
    /// </summary>
    public async Task<(CompanionExchange Exchange, bool Created)> StoreAsync(
        PreparedSend send,
        ReplyToStore reply,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        // As stored (microseconds), so the answer shows what the history will.
        now = now.AddTicks(-(now.Ticks % 10));
        var (messageId, replyId) = (NewId.Next(now), NewId.Next(now));
        var (replyText, safety) = (ReplyText(send, reply.Text), ReplyToStore.Flag(reply.Verdict));
        CompanionMessage sent,
            stored;
        var (promptTokens, completionTokens) = (
            Tokens(reply.Usage.InputTokenCount),
            Tokens(reply.Usage.OutputTokenCount)
        );
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The account's profile first, which its erasure writes first: an erasure under way is waited for, and the
            // claim below then sees the account deleted, so nothing of this send outlives the erasure. With no profile
            // row yet (the user known before it came) the claim alone orders the two: see below.
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM user_profiles WHERE user_id = {send.UserId} FOR SHARE",
                cancellationToken
            );
            // Used up only if this commits. Locked before the claim, in the order the account's erasure takes them
            // (companion_use, then companion_sends), so the two cannot deadlock.
            var reminder = await breakReminders.ObserveAsync(send.Safety, cancellationToken);
            // Then the claim: forgetting the conversation marks it and erasing the account takes it (each waits for
            // this transaction when it is here first, then deletes the exchange below, and the erasure its safety
            // event too), so a reply written meanwhile is not kept after them; a retry that took it over (this send's
            // process thought dead) answers the message instead.
            var claimed = await db.Database.ExecuteSqlAsync(
                $"""
                DELETE FROM companion_sends WHERE user_id = {send.UserId} AND client_txn_id = {send.ClientTxnId}
                    AND claimed_at = {send.ClaimedAt} AND NOT forgotten AND NOT EXISTS (SELECT 1 FROM user_profiles
                        WHERE user_id = {send.UserId} AND deleted_at IS NOT NULL)
                """,
                cancellationToken
            );
            if (claimed == 0)
            {
                // Erased since the count (its claim gone with it): refused as the account's other writes are.
                var erased = await db.UserProfiles.AnyAsync(
                    u => u.UserId == send.UserId && u.DeletedAt != null,
                    cancellationToken
                );
                await transaction.RollbackAsync(cancellationToken);
                if (erased)
                    throw ErasedAccounts.Refusal();
                throw new ConflictException(
                    "This reply was not kept: the conversation was deleted while it was being written, or a retry of "
                        + "the message took it over."
                );
            }
            // Two numbers of the user's conversation; the row lock orders concurrent sends, a rollback returns them.
            var lastSeq = await db
                .Database.SqlQuery<long>(
                    $"""
                    INSERT INTO conversation_sequences AS s (user_id, last_seq) VALUES ({send.UserId}, 2)
                    ON CONFLICT (user_id) DO UPDATE SET last_seq = s.last_seq + 2
                    RETURNING last_seq AS "Value"
                    """
                )
                .ToListAsync(cancellationToken);
            var (sentSeq, replySeq) = (lastSeq.Single() - 1, lastSeq.Single());
            var inserted = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO companion_messages (id, user_id, seq, role, text, client_txn_id, created_at)
                VALUES ({messageId}, {send.UserId}, {sentSeq}, 'user', {send.Text}, {send.ClientTxnId}, {now})
                ON CONFLICT (user_id, client_txn_id) WHERE role = 'user' DO NOTHING
                """,
                cancellationToken
            );
            if (inserted == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return (
                    await FindEarlierAsync(send.UserId, send.Text, send.ClientTxnId, cancellationToken)
                        ?? throw new InvalidOperationException(
                            $"client_txn_id {send.ClientTxnId} of {send.UserId} conflicted but its message "
                                + "cannot be read."
                        ),
                    false
                );
            }
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO companion_messages (id, user_id, seq, role, text, reply_to, responder, prompt_tokens,
                    completion_tokens, safety, reminder, created_at)
                VALUES ({replyId}, {send.UserId}, {replySeq}, 'assistant', {replyText}, {messageId}, {reply.Responder},
                        {promptTokens}, {completionTokens}, {safety}, {reminder}, {now})
                """,
                cancellationToken
            );
            await safetyEvents.RecordAsync(send.UserId, reply.Stage, reply.Verdict, cancellationToken);
            await AnnounceCheckInAsync(send.UserId, messageId, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            sent = new CompanionMessage
            {
                Id = messageId,
                UserId = send.UserId,
                Seq = sentSeq,
                Role = MessageRoles.User,
                Text = send.Text,
                ClientTxnId = send.ClientTxnId,
                CreatedAt = now,
            };
            stored = new CompanionMessage
            {
                Id = replyId,
                UserId = send.UserId,
                Seq = replySeq,
                Role = MessageRoles.Assistant,
                Text = replyText,
                ReplyTo = messageId,
                Responder = reply.Responder,
                PromptTokens = promptTokens,
                CompletionTokens = completionTokens,
                Safety = safety,
                Reminder = reminder,
                CreatedAt = now,
            };
        }
        // Stored: answered with the two rows as written, not read back, so a deletion of the conversation (or the
        // account's erasure) committing right after cannot turn a stored reply into a failure that gives its message
        // back and has it asked of the model again.
        return (ToExchange(sent, stored), true);
    }

    /// <summary>
    /// The user's first message of the UTC day is a check-in (social's dashboard counts the days); the conversation's
    /// sequence row, locked by this transaction, keeps two first messages from both announcing it.
    /// </summary>
    private async Task AnnounceCheckInAsync(
        Guid userId,
        Guid messageId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var earlier = await db.CompanionMessages.AnyAsync(
            m => m.UserId == userId && m.Role == MessageRoles.User && m.CreatedAt >= dayStart && m.Id != messageId,
            cancellationToken
        );
        if (earlier)
            return;
        db.AddIntegrationEvent(new CompanionCheckedIn(Guid.CreateVersion7(now), now, userId, day));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Forgets the whole conversation, irreversibly, with the replies being written meanwhile (their claims are marked
    /// first so none is stored after; each send then ends its own claim, its message counted when the model's reply
    /// was written, given back when it failed); the settings (the user's consent) stay.
    /// </summary>
    public async Task DeleteAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // First: a send reading the history meanwhile has its claim taken already, so the mark below reaches it.
        await db.Database.LockKeyAsync(ConversationLock(userId), cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE companion_sends SET forgotten = true WHERE user_id = {userId}",
            cancellationToken
        );
        await db.CompanionMessages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // The stored answers to keyed sends hold the messages and replies too: a retried key is not a way back to them.
        await db.Database.ExecuteSqlAsync(
            $"DELETE FROM idempotent_requests WHERE user_id = {userId}",
            cancellationToken
        );
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The advisory lock a conversation's deletion takes, and each send's read of its history shares.
    /// </summary>
    private static string ConversationLock(Guid userId) => "companion-conversation:" + userId;

    private static int Tokens(long? count) => (int)Math.Min(count ?? 0, int.MaxValue);

    private static CompanionExchange ToExchange(CompanionMessage sent, CompanionMessage reply) =>
        new(
            ToDto(sent),
            ToDto(reply),
            new TokenUsageDto(reply.PromptTokens ?? 0, reply.CompletionTokens ?? 0),
            CompanionDisclosure.Text
        );

    public static CompanionMessageDto ToDto(CompanionMessage m) =>
        new(m.Id, m.Seq, m.Role, m.Text, m.ClientTxnId, m.ReplyTo, m.Responder, m.CreatedAt, m.Safety, m.Reminder);
}
