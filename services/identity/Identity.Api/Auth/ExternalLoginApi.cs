using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Community.Identity.Suspensions;
using Community.Identity.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

public sealed record ExternalLoginExchangeRequest([Required] string? Code);

/// <summary>What a started outside sign-in is for: signing in, or linking the provider to an account.</summary>
public static class ExternalLoginIntents
{
    public const string SignIn = "sign_in";
    public const string Link = "link";
    public static readonly string[] All = [SignIn, Link];
}

/// <summary>
/// Sign-in with an outside OpenID Connect provider (authorization code with PKCE). The callback never
/// puts tokens in a URL: it sends the browser back to the client page with a one-time code (60 s,
/// single use) that the client posts to /exchange for the same body a login answers.
/// </summary>
public static class ExternalLoginApi
{
    // Without 0, o, 1, i and l: a username is read and typed by people.
    private const string UsernameAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public static RouteGroupBuilder MapExternalLoginApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/auth/external")
            .WithTags("Auth")
            .WithStandardProblems()
            .AllowAnonymous()
            .DescribesPathParameter(
                "provider",
                "A provider's name as /api/v1/auth/external/providers lists it, in any case."
            );
        group
            .MapGet("/providers", Providers)
            .WithName("ExternalLoginProviders")
            .WithSummary("The outside providers one may sign in with here, for a client's sign-in buttons");
        group
            .MapGet("/{provider}/start", Start)
            .WithName("ExternalLoginStart")
            .WithSummary("Start signing in with an outside provider (or linking it): 302 to its authorization page")
            .WithDescription(
                "Sets a cookie (HttpOnly, SameSite=Lax, path /api/v1/auth/external/) that binds the sign-in to this "
                    + "browser: the callback is answered only in the browser that started it. With intent=link the "
                    + "callback signs nobody in and returns a link_code for POST /api/v1/users/me/external-logins."
            )
            .Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group
            .MapGet("/{provider}/callback", Callback)
            // A first sign-in makes an account, with a random password hashed as a sign-up's is.
            .HashesPasswords()
            // The provider writes this URL: Google adds scope, authuser and prompt, Microsoft session_state and iss,
            // a refusal error_description.
            .AcceptsAnyQueryParameters()
            .WithName("ExternalLoginCallback")
            .WithSummary(
                "Where the provider returns: 302 to the client page with a one-time code (a link_code when the start's "
                    + "intent was link)"
            )
            .WithDescription(
                "400 when the state is unknown, used or expired, or when this browser did not start the sign-in (its "
                    + "cookie from the start is missing or another's): a link someone else's sign-in produced signs "
                    + "nobody in here. The client page gets ?code= (a sign-in), ?link_code= (intent=link: nobody is "
                    + "signed in and nothing is linked until a signed-in client posts it to POST "
                    + "/api/v1/users/me/external-logins), or ?error= (the provider's error, temporarily_unavailable, "
                    + "or link_turned_off: the account with this verified e-mail unlinked this provider, so the "
                    + "sign-in made and linked nothing; its owner signs in with the password and links the provider "
                    + "from the account's settings)."
            )
            .Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapPost("/exchange", Exchange)
            .WithName("ExternalLoginExchange")
            .WithSummary("Exchange the one-time code from an outside sign-in for a token pair")
            .AnswersTokensOrChallenge()
            .ProducesProblemWith<SuspendedSignInDto>(StatusCodes.Status403Forbidden);
        return group;
    }

    /// <summary>Every configured provider (an issuer and a client id), by name.</summary>
    private static Ok<ExternalProvidersDto> Providers(ExternalProviders providers) =>
        TypedResults.Ok(new ExternalProvidersDto(providers.Configured()));

    private static async Task<RedirectHttpResult> Start(
        string provider,
        [Description(
            "The client page to return to with the one-time code (required): one of the pages this service is "
                + "configured to return to (Identity:ExternalLoginClientRedirects; one ending in / allows the pages "
                + "below it), any query, without a fragment."
        )]
        [RequiredParameter]
            string? redirect_uri,
        [Description(
            "sign_in (the default) signs the person in. link signs nobody in: the callback returns to the client page "
                + "with ?link_code=<one-time code>, which a signed-in client posts to POST "
                + "/api/v1/users/me/external-logins to link the provider to its own account."
        )]
        [ValuesOf(typeof(ExternalLoginIntents))]
            string? intent,
        [Description(
            "With intent=link (required then): the ticket a signed-in client got from POST "
                + "/api/v1/users/me/external-logins/tickets for this provider (single use, minutes). The link code "
                + "the way back yields links the provider to that ticket's account only."
        )]
            string? link_ticket,
        HttpContext http,
        IdentityDbContext db,
        ExternalProviders providers,
        IOptions<IdentityOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        providers.Get(provider);
        var clientRedirect =
            AllowedClientRedirect(redirect_uri, options.Value.ExternalLoginClientRedirects)
            ?? throw new RequestValidationException(
                "redirect_uri",
                "redirect_uri must be one of the client pages this service may return to."
            );
        intent ??= ExternalLoginIntents.SignIn;
        if (!ExternalLoginIntents.All.Contains(intent))
            throw new RequestValidationException("intent", "intent must be sign_in or link.");

        var now = clock.GetUtcNow();
        Guid? linkUserId = null;
        if (intent == ExternalLoginIntents.Link)
            linkUserId =
                await ClaimLinkTicketAsync(db, provider.ToLowerInvariant(), link_ticket, now, cancellationToken)
                ?? throw new RequestValidationException(
                    "link_ticket",
                    "The link ticket is missing, unknown, used, expired or another provider's; ask for a new one."
                );
        var state = NewSecret();
        var nonce = NewSecret();
        var verifier = NewSecret();
        var binding = NewSecret();
        db.ExternalLoginStates.Add(
            new ExternalLoginState
            {
                StateHash = Hashing.Sha256(state),
                Provider = provider.ToLowerInvariant(),
                BrowserBindingHash = Hashing.Sha256(binding),
                Nonce = nonce,
                CodeVerifier = verifier,
                ClientRedirectUri = clientRedirect,
                Intent = intent,
                LinkUserId = linkUserId,
                CreatedAt = now,
                ExpiresAt = now + options.Value.ExternalLoginStateLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        http.Response.Cookies.Append(
            BindingCookieName(state),
            binding,
            BindingCookie(options.Value, options.Value.ExternalLoginStateLifetime)
        );
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return TypedResults.Redirect(
            await providers.AuthorizationUrlAsync(provider, state, nonce, challenge, cancellationToken)
        );
    }

    private static async Task<RedirectHttpResult> Callback(
        string provider,
        [Description("The provider's authorization code (required unless error is given).")] string? code,
        [Description("The state this service gave the provider at the start (required; good once, for minutes).")]
        [RequiredParameter]
            string? state,
        [Description(
            "The provider's error (e.g. access_denied), with the state: the browser goes back to the client page with "
                + "it (sign_in_failed for one that is not up to 64 of a-z and _)."
        )]
            string? error,
        HttpContext http,
        IdentityDbContext db,
        ExternalProviders providers,
        SecurityNotices notices,
        IOptions<IdentityOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        providers.Get(provider);
        if (string.IsNullOrEmpty(state))
            throw new RequestValidationException("state", "state is required.");
        var started =
            await ClaimStateAsync(db, provider, state, clock, cancellationToken)
            ?? throw new RequestValidationException(
                "state",
                "The sign-in state is unknown, used or expired; start again."
            );
        // Login CSRF: the provider's way back from someone else's sign-in, opened here, would sign this browser in
        // as them. Only the browser holding the start's cookie goes on; the state is spent either way.
        var cookieName = BindingCookieName(state);
        var binding = http.Request.Cookies[cookieName];
        http.Response.Cookies.Delete(cookieName, BindingCookie(options.Value, null));
        if (
            started.BrowserBindingHash is null
            || binding is null
            || !CryptographicOperations.FixedTimeEquals(Hashing.Sha256(binding), started.BrowserBindingHash)
        )
            throw new RequestValidationException(
                "state",
                "This sign-in was not started in this browser (or its cookie is gone); start again here."
            );
        var separator = started.ClientRedirectUri.Contains('?') ? '&' : '?';
        // The person cancelled or the provider refused: the browser goes back to the client page, which shows why.
        if (!string.IsNullOrEmpty(error))
            return TypedResults.Redirect($"{started.ClientRedirectUri}{separator}error={ProviderErrorCode(error)}");
        if (string.IsNullOrEmpty(code))
            throw new RequestValidationException("code", "code is required.");

        ExternalIdentity identity;
        try
        {
            identity = await providers.SignInAsync(
                provider,
                code,
                started.CodeVerifier,
                started.Nonce,
                cancellationToken
            );
        }
        catch (ServiceUnavailableException)
        {
            // The provider out of reach: this state is spent, so the browser goes back to the client page, which
            // offers a new start (OAuth's temporarily_unavailable).
            return TypedResults.Redirect($"{started.ClientRedirectUri}{separator}error=temporarily_unavailable");
        }
        if (started is { Intent: ExternalLoginIntents.Link, LinkUserId: { } linkUserId })
        {
            var linkCode = await NewLinkCodeAsync(db, linkUserId, identity, options.Value, clock, cancellationToken);
            return TypedResults.Redirect(
                $"{started.ClientRedirectUri}{separator}link_code={Uri.EscapeDataString(linkCode)}"
            );
        }
        // The owner of the verified e-mail unlinked this provider: only linking it from the settings links it again.
        if (await AccountForAsync(db, identity, clock, cancellationToken) is not (var user, var created, var linked))
            return TypedResults.Redirect($"{started.ClientRedirectUri}{separator}error=link_turned_off");
        // Told once the link is committed (AccountForAsync saved it), whatever happens to the rest of this sign-in.
        if (linked)
            notices.ExternalLoginLinked(user, providers.DisplayName(provider));

        var oneTimeCode = NewSecret();
        db.ExternalLoginCodes.Add(
            new ExternalLoginCode
            {
                CodeHash = Hashing.Sha256(oneTimeCode),
                UserId = user.Id,
                Created = created,
                ExpiresAt = clock.GetUtcNow() + options.Value.ExternalLoginCodeLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Redirect($"{started.ClientRedirectUri}{separator}code={Uri.EscapeDataString(oneTimeCode)}");
    }

    /// <summary>
    /// A one-time code for the provider's subject, for a signed-in client to link to its account (stored hashed; as
    /// short-lived as a sign-in's code). Links nothing and signs nobody in.
    /// </summary>
    private static async Task<string> NewLinkCodeAsync(
        IdentityDbContext db,
        Guid userId,
        ExternalIdentity identity,
        IdentityOptions options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var code = NewSecret();
        db.ExternalLoginLinkCodes.Add(
            new ExternalLoginLinkCode
            {
                CodeHash = Hashing.Sha256(code),
                UserId = userId,
                Provider = identity.Provider,
                Subject = identity.Subject,
                Email = Rules.NormalizeEmail(identity.Email),
                ExpiresAt = now + options.ExternalLoginCodeLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        return code;
    }

    /// <summary>
    /// The account a link ticket for <paramref name="provider"/> was given to, the ticket spent; null when it is
    /// missing, unknown, used, expired or another provider's (spent all the same).
    /// </summary>
    private static async Task<Guid?> ClaimLinkTicketAsync(
        IdentityDbContext db,
        string provider,
        string? ticket,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > 100)
            return null;
        var hash = Hashing.Sha256(ticket);
        var found = await db
            .ExternalLoginLinkTickets.AsNoTracking()
            .FirstOrDefaultAsync(t => t.TicketHash == hash && t.ExpiresAt > now, cancellationToken);
        // Of two starts with one ticket, only the one that deletes the row goes on.
        if (
            found is null
            || await db.ExternalLoginLinkTickets.Where(t => t.TicketHash == hash).ExecuteDeleteAsync(cancellationToken)
                != 1
        )
            return null;
        return found.Provider == provider ? found.UserId : null;
    }

    /// <summary>
    /// An OAuth error code (RFC 6749 4.1.2.1: lower-case letters and underscores) passed on as is; anything else is
    /// sign_in_failed.
    /// </summary>
    private static string ProviderErrorCode(string error) =>
        error.Length <= 64 && error.All(c => c is (>= 'a' and <= 'z') or '_') ? error : "sign_in_failed";

    /// <summary>
    /// The one-time code for the tokens; for an account with two-factor sign-in on, for a challenge to answer with a
    /// code at /api/v1/auth/login/two-factor (the provider's sign-in is the first factor).
    /// </summary>
    private static async Task<Results<Ok<AuthResponse>, Ok<TwoFactorChallengeResponse>>> Exchange(
        ExternalLoginExchangeRequest request,
        IdentityDbContext db,
        TokenIssuer tokens,
        TwoFactorCodes twoFactor,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(request.Code))
            throw new RequestValidationException("code", "code is required.");
        var hash = Hashing.Sha256(request.Code);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var grant = await db
            .ExternalLoginCodes.AsNoTracking()
            .FirstOrDefaultAsync(c => c.CodeHash == hash && c.ExpiresAt > now, cancellationToken);
        // Of two concurrent exchanges of one code, only the one that deletes the row goes on.
        if (
            grant is null
            || await db.ExternalLoginCodes.Where(c => c.CodeHash == hash).ExecuteDeleteAsync(cancellationToken) != 1
        )
            throw new UnauthorizedException("The sign-in code is invalid, used or expired.");
        var user = await db.Users.FirstAsync(u => u.Id == grant.UserId, cancellationToken);
        SuspensionRules.ThrowIfSuspended(user, now);
        if (await twoFactor.IsOnAsync(user.Id, cancellationToken))
        {
            var challenge = await twoFactor.StartChallengeAsync(user.Id, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Ok(challenge);
        }
        var pair = await tokens.IssueAsync(db, user, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair));
    }

    /// <summary>
    /// The started sign-in <paramref name="state"/> names, removed so it answers one callback; null when unknown, used,
    /// expired or another provider's.
    /// </summary>
    private static async Task<ExternalLoginState?> ClaimStateAsync(
        IdentityDbContext db,
        string provider,
        string state,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var hash = Hashing.Sha256(state);
        var now = clock.GetUtcNow();
        var name = provider.ToLowerInvariant();
        var started = await db
            .ExternalLoginStates.AsNoTracking()
            .FirstOrDefaultAsync(
                s => s.StateHash == hash && s.Provider == name && s.ExpiresAt > now,
                cancellationToken
            );
        if (started is null)
            return null;
        var claimed = await db
            .ExternalLoginStates.Where(s => s.StateHash == hash)
            .ExecuteDeleteAsync(cancellationToken);
        return claimed == 1 ? started : null;
    }

    /// <summary>
    /// The account the provider's subject is linked to, else the one that verified its e-mail (now linked: Linked),
    /// else a new one that claims the e-mail (Created); null when the account that verified the e-mail unlinked this
    /// provider (nothing is made or linked then).
    /// </summary>
    private static async Task<(User User, bool Created, bool Linked)?> AccountForAsync(
        IdentityDbContext db,
        ExternalIdentity identity,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var email = Rules.NormalizeEmail(identity.Email);
        // The link and its account in one statement: an account deleted meanwhile takes its link with it (cascade), and
        // the person then signs in as someone new.
        var linked = await db.Users.FirstOrDefaultAsync(
            u =>
                db.ExternalLogins.Any(l =>
                    l.UserId == u.Id && l.Provider == identity.Provider && l.Subject == identity.Subject
                ),
            cancellationToken
        );
        if (linked is not null)
            return (linked, false, false);

        // Only an account that proved the address is that person's; an unverified holder may be anyone who typed it.
        var user = await db.Users.FirstOrDefaultAsync(
            u => u.Email == email && u.EmailVerifiedAt != null,
            cancellationToken
        );
        if (
            user is not null
            && await db.ExternalLoginOptOuts.AnyAsync(
                o => o.UserId == user.Id && o.Provider == identity.Provider,
                cancellationToken
            )
        )
            return null;
        var created = user is null;
        if (user is null)
        {
            user = new User
            {
                Id = Guid.CreateVersion7(now),
                Username = await FreeUsernameAsync(db, cancellationToken),
                Email = email,
                // No password yet: an unguessable one, replaced through "forgot password" if the member wants one.
                PasswordHash = PasswordHasher.Hash(NewSecret()),
                FullName = AcceptableName(identity.Name),
                ReferralCode = AuthApi.NewReferralCode(),
                // The provider verified the address, so this account claims it.
                EmailVerifiedAt = now,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Users.Add(user);
            db.AddIntegrationEvent(ProfileEvents.Registered(user, now, null));
        }
        db.ExternalLogins.Add(
            new ExternalLogin
            {
                Provider = identity.Provider,
                Subject = identity.Subject,
                UserId = user.Id,
                Email = email,
                CreatedAt = now,
            }
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with a parallel sign-in of the same person: the next attempt finds the account.
            throw new ConflictException("This account was being signed in elsewhere at the same moment; try again.");
        }
        return (user, created, !created);
    }

    /// <summary>
    /// The provider's name for the new account when it passes the rules a name typed at registration must (one line,
    /// no control or invisible-only text, 100 characters); otherwise none, and the member sets one.
    /// </summary>
    private static string? AcceptableName(string? name)
    {
        name = name?.Trim();
        if (name is not { Length: > 0 and <= 100 })
            return null;
        return new ValidationErrors().OneLine("full_name", name) && SafeText.Problem(name) is null ? name : null;
    }

    /// <summary>
    /// A neutral username, member_ and eight random letters and digits: usernames are public, and one made from the
    /// e-mail's local part (john.smith.1987) would show most of the address to everyone.
    /// </summary>
    private static async Task<string> FreeUsernameAsync(IdentityDbContext db, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var candidate = "member_" + RandomNumberGenerator.GetString(UsernameAlphabet, 8);
            if (!await db.Users.AnyAsync(u => u.Username == candidate, cancellationToken))
                return candidate;
        }
        throw new ConflictException("No free username could be made for this account; try again.");
    }

    /// <summary>
    /// The normalized redirect when it is an allowed client page (same scheme, host and port, and the same path; an
    /// entry ending in / allows every path below it), with any query; else null.
    /// </summary>
    public static string? AllowedClientRedirect(string? value, IEnumerable<string> allowed)
    {
        if (
            string.IsNullOrWhiteSpace(value)
            || value.Length > 2000
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Fragment.Length > 0
            || uri.UserInfo.Length > 0
        )
            return null;
        foreach (var entry in allowed)
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var page))
                continue;
            if (
                Uri.Compare(
                    uri,
                    page,
                    UriComponents.SchemeAndServer,
                    UriFormat.Unescaped,
                    StringComparison.OrdinalIgnoreCase
                ) == 0
                && (
                    page.AbsolutePath.EndsWith('/')
                        ? uri.AbsolutePath.StartsWith(page.AbsolutePath, StringComparison.Ordinal)
                        : uri.AbsolutePath == page.AbsolutePath
                )
            )
                return uri.AbsoluteUri;
        }
        return null;
    }

    /// <summary>
    /// The binding cookie's name, one per started sign-in (two tabs may sign in at once): named by the state's hash,
    /// which the state's holder knows but cannot set in another's browser.
    /// </summary>
    private static string BindingCookieName(string state) =>
        "community_sign_in_" + Base64UrlEncoder.Encode(Hashing.Sha256(state))[..16];

    private static CookieOptions BindingCookie(IdentityOptions options, TimeSpan? lifetime) =>
        new()
        {
            Path = "/api/v1/auth/external/",
            HttpOnly = true,
            // Lax: sent on the provider's top-level redirect back, not on other sites' requests.
            SameSite = SameSiteMode.Lax,
            Secure = options.GatewayUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase),
            MaxAge = lifetime,
            IsEssential = true,
        };

    private static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
