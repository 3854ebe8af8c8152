using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.AiCompanion.Sessions;

public static class SessionsApi
{
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/companion/sessions")
            .DescribesPathParameter("id", "The session's id.")
            .WithTags("Companion limits")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Buy)
            .WithName("BuyCompanionSession")
            .WithSummary(
                "Buy a session with credits (Idempotency-Key header): 202 pending until payments spends the credits, "
                    + "200 the same key again, 409 while another session is open, 422 for a tier without a daily limit"
            )
            .ProducesProblemWith<SessionOpen>(409)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .HonoursIdempotencyKeyItself();
        group
            .MapGet("/{id:guid}", Get)
            .WithName("GetCompanionSession")
            .WithSummary("One of my sessions: pending, active, rejected (not paid, or paid back) or ended");
        return group;
    }

    private static async Task<Results<Accepted<SessionDto>, Ok<SessionDto>>> Buy(
        HttpRequest http,
        ClaimsPrincipal principal,
        SessionPurchases purchases,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var key = IdempotencyKey.Read(http, errors);
        errors.ThrowIfAny();
        var (session, created) = await purchases.RequestAsync(
            principal.UserId(),
            principal.FindFirstValue(ClaimNames.Tier),
            key,
            cancellationToken
        );
        var dto = SessionDto.From(session, clock.GetUtcNow());
        return created ? TypedResults.Accepted($"/api/v1/companion/sessions/{session.Id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Ok<SessionDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        SessionPurchases purchases,
        TimeProvider clock,
        CancellationToken cancellationToken
    ) =>
        await purchases.GetAsync(principal.UserId(), id, cancellationToken) is { } session
            ? TypedResults.Ok(SessionDto.From(session, clock.GetUtcNow()))
            : throw new NotFoundException("No session of yours has this id.");
}
