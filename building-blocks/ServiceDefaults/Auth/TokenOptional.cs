using Microsoft.AspNetCore.Builder;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// An endpoint anonymous callers may use and whose answer a caller's token changes (a private event shown to its
/// invited members). Its contract says both, <c>security: [{}, {bearer: []}]</c>, so a client sends the token it holds;
/// an endpoint that only allows anonymous callers says <c>security: []</c>, and clients send none.
/// </summary>
public sealed class TokenOptional
{
    private TokenOptional() { }

    internal static readonly TokenOptional Instance = new();
}

public static class TokenOptionalExtensions
{
    /// <summary>
    /// Allows anonymous callers and declares that a token, when sent, is read (<see cref="TokenOptional"/>).
    /// </summary>
    public static RouteHandlerBuilder AllowAnonymousWithOptionalToken(this RouteHandlerBuilder builder) =>
        builder.AllowAnonymous().WithMetadata(TokenOptional.Instance);
}
