using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Auth;

/// <summary>The users a service has heard of from identity (see <c>EventBusBuilder.RequireKnownUsers</c>).</summary>
public interface IKnownSubjects
{
    /// <summary>
    /// Whether identity announced <paramref name="userId"/> and did not delete it; a subject not announced yet is
    /// waited for a few seconds (a token is issued as the account is created, before its event arrives).
    /// </summary>
    ValueTask<bool> IsKnownAsync(Guid userId, CancellationToken cancellationToken);
}

public static class KnownSubjectGate
{
    /// <summary>
    /// A write (any method but GET, HEAD, OPTIONS and TRACE) to an endpoint that needs a signed-in user is refused
    /// with 403, and changes nothing, when the token's subject is a user identity never announced: a validly
    /// signed token is not enough to act as nobody. Reads are not held up (they show nothing of a user that does
    /// not exist). Only in services that register <see cref="IKnownSubjects"/>; runs after authorization.
    /// </summary>
    public static IApplicationBuilder UseKnownSubjectsForWrites(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<IKnownSubjects>() is not { } known)
            return app;
        return app.Use(
            async (context, next) =>
            {
                if (
                    IsWrite(context.Request.Method)
                    && context.GetEndpoint() is { } endpoint
                    && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
                    && endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
                    && context.User.TryUserId() is { } userId
                    && !await known.IsKnownAsync(userId, context.RequestAborted)
                )
                    throw new ForbiddenException(
                        "This account is not known to the platform: it does not exist or was deleted."
                    );
                await next(context);
            }
        );
    }

    private static bool IsWrite(string method) =>
        !(
            HttpMethods.IsGet(method)
            || HttpMethods.IsHead(method)
            || HttpMethods.IsOptions(method)
            || HttpMethods.IsTrace(method)
        );
}
