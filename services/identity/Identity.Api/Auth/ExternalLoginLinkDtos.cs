using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity.Auth;

/// <summary>The outside sign-ins linked to the caller's account; empty when none is.</summary>
public sealed record LinkedExternalLoginsDto(IReadOnlyList<LinkedExternalLoginDto> Items);

/// <summary>An outside provider's account that signs in to the caller's account.</summary>
/// <param name="Provider">
/// The provider's name as GET /api/v1/auth/external/providers lists it; DELETE
/// /api/v1/users/me/external-logins/{provider} removes it.
/// </param>
/// <param name="DisplayName">How to name it to a person ("Google").</param>
/// <param name="Email">The e-mail address the provider vouched for when it was linked.</param>
/// <param name="LinkedAt">When it was linked.</param>
public sealed record LinkedExternalLoginDto(string Provider, string DisplayName, string Email, DateTimeOffset LinkedAt)
{
    public static LinkedExternalLoginDto From(ExternalLogin link, ExternalProviders providers) =>
        new(link.Provider, providers.DisplayName(link.Provider), link.Email, link.CreatedAt);
}

/// <summary>Links an outside provider's account to the caller's account.</summary>
/// <param name="Code">
/// The link_code the client page received from a sign-in started with intent=link (single use, valid 60 s).
/// </param>
public sealed record LinkExternalLoginRequest([Required] string? Code) : IRequestExample<LinkExternalLoginRequest>
{
    public static LinkExternalLoginRequest Example => new("q5Xw0Jt3yB8uN1mR7kZc2vL9pH4sD6fA0gE3iO8uY1w");
}

/// <summary>Removes an outside provider's sign-in from the caller's account.</summary>
/// <param name="Password">
/// The account's password. An account made through an outside provider sets one first through "forgot password".
/// </param>
/// <param name="Code">
/// Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code.
/// </param>
public sealed record UnlinkExternalLoginRequest([Required] string? Password, string? Code)
    : IRequestExample<UnlinkExternalLoginRequest>
{
    public static UnlinkExternalLoginRequest Example => new("sunny-dunes-42", null);
}

/// <summary>Asks for a ticket to start linking an outside provider to the caller's account.</summary>
/// <param name="Provider">A provider's name as GET /api/v1/auth/external/providers lists it, in any case.</param>
/// <param name="Password">
/// The account's password. An account made through an outside provider sets one first through "forgot password".
/// </param>
/// <param name="Code">
/// Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code.
/// </param>
public sealed record NewExternalLoginLinkTicketRequest(
    [Required] string? Provider,
    [Required] string? Password,
    string? Code
) : IRequestExample<NewExternalLoginLinkTicketRequest>
{
    public static NewExternalLoginLinkTicketRequest Example => new("google", "sunny-dunes-42", null);
}

/// <summary>
/// A ticket to start linking a provider: the link_ticket of GET /api/v1/auth/external/{provider}/start.
/// </summary>
/// <param name="Ticket">Single use; the start spends it.</param>
/// <param name="ExpiresIn">Seconds until it can no longer start a link.</param>
public sealed record ExternalLoginLinkTicketDto(string Ticket, int ExpiresIn);
