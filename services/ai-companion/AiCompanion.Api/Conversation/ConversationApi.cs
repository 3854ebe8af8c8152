using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Community.AiCompanion.Conversation.Model;
using Community.AiCompanion.Limits;
using Community.AiCompanion.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;
using Microsoft.OpenApi;

namespace Community.AiCompanion.Conversation;

public static class ConversationApi
{
    /// <summary>
    /// Documents the stream's events (OpenAPI 3.1 has no keyword for server-sent events): each event's data a schema
    /// of its own in the components, and the 200's schema naming them by event in <c>x-events</c>.
    /// </summary>
    private static RouteHandlerBuilder DocumentsStreamEvents(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(
            async (operation, context, cancellationToken) =>
            {
                if (
                    operation.Responses?.TryGetValue("200", out var ok) != true
                    || ok is not OpenApiResponse { Content: { } content }
                    || !content.TryGetValue(ReplyStream.ContentType, out var media)
                    || media.Schema is not OpenApiSchema schema
                )
                    return;
                var events = new JsonObject();
                foreach (var (name, type) in ReplyStream.Events)
                {
                    if (context.Document!.Components?.Schemas?.ContainsKey(type.Name) != true)
                        context.Document.AddComponent(
                            type.Name,
                            await context.GetOrCreateSchemaAsync(type, null, cancellationToken)
                        );
                    events[name] = new JsonObject { ["$ref"] = "#/components/schemas/" + type.Name };
                }
                schema.Description =
                    "Server-sent events, each a name and one line of JSON data; "
                    + "x-events names each event's data schema.";
                schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                schema.Extensions["x-events"] = new JsonNodeExtension(events);
            }
        );

    public static RouteGroupBuilder MapConversationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/companion")
            .WithTags("Companion")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/conversation", History)
            .WithName("GetCompanionConversation")
            .WithSummary("My conversation with the companion (an AI, not a person), newest message first");
        group
            .MapDelete("/conversation", Delete)
            .WithName("DeleteCompanionConversation")
            .WithSummary("Forget my whole conversation with the companion, irreversibly");
        group
            .MapPost("/messages", Send)
            .WithName("SendCompanionMessage")
            .WithSummary(
                "Say something to the companion: my message and its reply (201); the same client_txn_id again "
                    + "returns the first answer (200)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblemWith<AllowanceUsedDto>(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group
            .MapPost("/messages/stream", Stream)
            .WithName("StreamCompanionMessage")
            .WithSummary(
                "As SendCompanionMessage, the reply as server-sent events: delta events, replace (a safety hit: show "
                    + "its text instead), reminder, then done (stored ids, usage) or error"
            )
            .Produces(StatusCodes.Status200OK, typeof(string), ReplyStream.ContentType)
            .DocumentsStreamEvents()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblemWith<AllowanceUsedDto>(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group
            .MapGet("/settings", GetSettings)
            .WithName("GetCompanionSettings")
            .AnswersETag()
            .WithSummary("What I let the companion know");
        group
            .MapPut("/settings", PutSettings)
            .WithName("PutCompanionSettings")
            .HonoursIfMatch()
            .WithSummary("Change what I let the companion know");
        return group;
    }

    private static async Task<Ok<ConversationHistory>> History(
        [AsParameters] ConversationQuery query,
        ClaimsPrincipal principal,
        CompanionConversation conversation,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors, CompanionConversation.DefaultHistoryLimit);
        var before = Keyset.After(
            query.Cursor,
            text =>
                long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : (long?)null,
            errors
        );
        errors.ThrowIfAny();
        return TypedResults.Ok(await conversation.HistoryAsync(principal.UserId(), before, limit, cancellationToken));
    }

    private static async Task<NoContent> Delete(
        ClaimsPrincipal principal,
        CompanionConversation conversation,
        CancellationToken cancellationToken
    )
    {
        await conversation.DeleteAsync(principal.UserId(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<CompanionExchange>, Ok<CompanionExchange>, ProblemHttpResult>> Send(
        SendCompanionMessage body,
        ClaimsPrincipal principal,
        CompanionConversation conversation,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var (exchange, created) = await conversation.SendAsync(
                principal.UserId(),
                principal.FindFirstValue(ClaimNames.Tier),
                body,
                cancellationToken
            );
            return created
                ? TypedResults.Created("/api/v1/companion/conversation", exchange)
                : TypedResults.Ok(exchange);
        }
        catch (MessageRefusedException refused)
        {
            // Answered, not thrown: the exception handler logs a 5xx as our error; it was logged for what it is.
            return ProblemResponses.Refusal(refused);
        }
    }

    private static async Task<Results<ReplyStream, ProblemHttpResult>> Stream(
        SendCompanionMessage body,
        ClaimsPrincipal principal,
        CompanionConversation conversation,
        IChatClient model,
        OfflineResponder offline,
        CancellationToken cancellationToken
    )
    {
        var (send, earlier) = await conversation.PrepareAsync(
            principal.UserId(),
            principal.FindFirstValue(ClaimNames.Tier),
            body,
            cancellationToken
        );
        if (earlier is not null)
            return ReplyStream.Stored(earlier, replayed: true);
        if (!send.InputVerdict.Allowed)
        {
            var (exchange, created) = await conversation.AnswerWithoutModelAsync(send, cancellationToken);
            return ReplyStream.Stored(exchange, replayed: !created);
        }
        try
        {
            // Not cancelled with the request: a reply the client stops reading is still finished and stored, so it is
            // answered (and counted) once, and a retry of its client_txn_id replays it.
            return await ReplyStream.StartAsync(send, model, offline, conversation, CancellationToken.None);
        }
        catch (MessageRefusedException refused)
        {
            await conversation.ReleaseAsync(send);
            return ProblemResponses.Refusal(refused);
        }
        catch
        {
            await conversation.ReleaseAsync(send);
            throw;
        }
    }

    private static async Task<Ok<CompanionSettingsDto>> GetSettings(
        ClaimsPrincipal principal,
        CompanionDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var row = await db
            .CompanionSettings.AsNoTracking()
            .Where(s => s.UserId == userId)
            .SingleOrDefaultAsync(cancellationToken);
        EntityTag.Set(response, row?.Version ?? 0);
        return TypedResults.Ok(new CompanionSettingsDto(row?.ShareProfile ?? false));
    }

    private static async Task<Ok<CompanionSettingsDto>> PutSettings(
        UpdateCompanionSettings body,
        ClaimsPrincipal principal,
        CompanionDbContext db,
        TimeProvider clock,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (body.ShareProfile is null)
            errors.Add("share_profile", "share_profile is required.");
        errors.ThrowIfAny();
        var (userId, share, now) = (principal.UserId(), body.ShareProfile!.Value, clock.GetUtcNow());
        await using var precondition = await db.Database.BeginTransactionAsync(cancellationToken);
        await ErasedAccounts.RefuseErasedAsync(db, userId, cancellationToken);
        // Settings never saved have no row for FOR UPDATE to lock: two first saves would both match the defaults' tag.
        await db.Database.LockKeyAsync("companion-settings:" + userId, cancellationToken);
        var current = await db
            .Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM companion_settings WHERE user_id = {userId} FOR UPDATE"
            )
            .ToListAsync(cancellationToken);
        // Settings never saved are the defaults, version 0.
        EntityTag.Check(http.Request, current.Count > 0 ? (uint)current[0] : 0);
        var version = await db
            .Database.SqlQuery<long>(
                $"""
                INSERT INTO companion_settings (user_id, share_profile, updated_at) VALUES ({userId}, {share}, {now})
                ON CONFLICT (user_id) DO UPDATE SET share_profile = EXCLUDED.share_profile,
                    updated_at = EXCLUDED.updated_at
                RETURNING xmin::text::bigint AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        await precondition.CommitAsync(cancellationToken);
        EntityTag.Set(http.Response, (uint)version[0]);
        return TypedResults.Ok(new CompanionSettingsDto(share));
    }
}
