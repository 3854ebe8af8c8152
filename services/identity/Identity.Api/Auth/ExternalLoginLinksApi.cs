using System.Security.Claims;
using System.Security.Cryptography;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

/// <summary>
/// The outside sign-ins linked to the caller's account: listed, linked on purpose (the link code of a sign-in started
/// with intent=link, posted by the signed-in client) and removed (proven as turning two-factor sign-in off is).
/// </summary>
public static class ExternalLoginLinksApi
{
    private const string Path = "/api/v1/users/me/external-logins";

    public static RouteGroupBuilder MapExternalLoginLinksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup(Path)
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems()
            .DescribesPathParameter(
                "provider",
                "A provider's name as /api/v1/auth/external/providers lists it, in any case."
            );
        group
            .MapGet("", List)
            .WithName("ListMyExternalLogins")
            .WithSummary("The outside sign-ins (OpenID Connect providers) linked to my account");
        group
            .MapPost("/tickets", NewTicket)
            .HashesPasswords()
            .WithName("NewExternalLoginLinkTicket")
            .WithSummary(
                "A ticket to start linking an outside provider to my account: the browser then goes to GET "
                    + "/api/v1/auth/external/{provider}/start?intent=link&link_ticket=<ticket>&redirect_uri=<page>"
            )
            .WithDescription(
                "The password, and a code when two-factor sign-in is on, as removing a link takes them: a link is a "
                    + "lasting way in that an access token alone must not add (an account made through an outside "
                    + "provider sets a password first through \"forgot password\"). Single use, valid for minutes "
                    + "(expires_in). The link_code the provider's way back yields links only to this account, posted "
                    + "by its client: a link started by someone else, whose link_code reaches this account's client, "
                    + "is refused. 404 for a provider that is not configured."
            )
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("", Link)
            .WithName("LinkExternalLogin")
            .WithSummary(
                "Link an outside provider's account to mine with the link_code of a sign-in started with intent=link: "
                    + "201, or 200 when it is linked to mine already"
            )
            .WithDescription(
                "The link goes only to the account whose ticket started it, posted by its client. 422 when the code "
                    + "is unknown, used, expired or was made for another account (it is spent then); 409 when that "
                    + "provider's account is linked to another account. Clears my earlier removal of the provider, "
                    + "so a sign-in with it finds my account again."
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapDelete("/{provider}", Unlink)
            .HashesPasswords()
            .WithName("UnlinkExternalLogin")
            .WithSummary(
                "Remove a provider's sign-in from my account (the password, and a code when two-factor sign-in is on): "
                    + "every link of that provider goes, and it is not linked again by my e-mail on its own"
            )
            .WithDescription(
                "The password proves the caller holds the account, and the account still signs in with it afterwards. "
                    + "An account made through an outside provider has no password it knows: it sets one first "
                    + "through \"forgot password\" (until then a password is wrong, 400). A wrong password or code "
                    + "counts against the account as at the other changes that ask for them. 404 when no sign-in of "
                    + "that provider is linked. Sessions go on; the owner is told by e-mail."
            )
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    /// <summary>The caller's links, by provider, oldest first.</summary>
    private static async Task<Ok<LinkedExternalLoginsDto>> List(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ExternalProviders providers,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var links = await db
            .ExternalLogins.AsNoTracking()
            .Where(l => l.UserId == userId)
            .OrderBy(l => l.Provider)
            .ThenBy(l => l.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(
            new LinkedExternalLoginsDto([.. links.Select(l => LinkedExternalLoginDto.From(l, providers))])
        );
    }

    /// <summary>
    /// A link ticket for the caller's account and the provider, stored hashed, once the password (and a code with
    /// two-factor sign-in on) is right: a link is a lasting way in, which an access token alone (a stolen one) must not
    /// add, as it may not remove one.
    /// </summary>
    private static async Task<Created<ExternalLoginLinkTicketDto>> NewTicket(
        NewExternalLoginLinkTicketRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ExternalProviders providers,
        ReauthenticationAccess reauthentication,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Provider))
            errors.Add("provider", "provider is required.");
        errors.MaxLength("provider", request.Provider, 64);
        ReauthenticationAccess.Validate(errors, request.Password, request.Code);
        errors.ThrowIfAny();
        providers.Get(request.Provider!);
        var userId = principal.UserId();
        await using var proof = await reauthentication.ProveAsync(
            userId,
            request.Password!,
            request.Code,
            cancellationToken
        );
        var now = clock.GetUtcNow();
        var ticket = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.ExternalLoginLinkTickets.Add(
            new ExternalLoginLinkTicket
            {
                TicketHash = Hashing.Sha256(ticket),
                UserId = userId,
                Provider = request.Provider!.ToLowerInvariant(),
                ExpiresAt = now + TicketLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        await proof.Transaction.CommitAsync(cancellationToken);
        return TypedResults.Created(
            $"{Path}/tickets",
            new ExternalLoginLinkTicketDto(ticket, (int)TicketLifetime.TotalSeconds)
        );
    }

    /// <summary>How long a link ticket may wait for its start: the browser goes there at once.</summary>
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Links the provider's subject the link code holds to the caller's account. The code names no account: a code made
    /// in someone's browser from another's start links only to the account of the client that posts it.
    /// </summary>
    private static async Task<Results<Created<LinkedExternalLoginDto>, Ok<LinkedExternalLoginDto>>> Link(
        LinkExternalLoginRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ExternalProviders providers,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Code))
            errors.Add("code", "code is required.");
        errors.MaxLength("code", request.Code, 100);
        errors.ThrowIfAny();

        var hash = Hashing.Sha256(request.Code!);
        var now = clock.GetUtcNow();
        var userId = principal.UserId();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The account's row first, as a deletion and an unlink take it: the code's row (which a deletion's cascade
        // takes after it) only then. NO KEY UPDATE: a sign-in linking a provider to the account at the same moment
        // (its insert's key share on the row) is not waited for here while it waits for this link.
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE id = {userId} FOR NO KEY UPDATE",
            cancellationToken
        );
        var grant = await db
            .ExternalLoginLinkCodes.AsNoTracking()
            .FirstOrDefaultAsync(c => c.CodeHash == hash && c.ExpiresAt > now, cancellationToken);
        // Of two concurrent confirmations of one code, only the one that deletes the row goes on.
        if (
            grant is null
            || await db.ExternalLoginLinkCodes.Where(c => c.CodeHash == hash).ExecuteDeleteAsync(cancellationToken) != 1
        )
            throw new BusinessRuleException(
                "The link code is unknown, used or expired; start linking the provider again."
            );
        // A link started for another account (its ticket's): a code someone forwarded, which would otherwise link their
        // provider account to this one. Spent all the same.
        if (grant.UserId != userId)
        {
            await transaction.CommitAsync(cancellationToken);
            throw new BusinessRuleException(
                "This link code was not made for your account; start linking the provider again from your settings."
            );
        }
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var existing = await db
            .ExternalLogins.AsNoTracking()
            .FirstOrDefaultAsync(l => l.Provider == grant.Provider && l.Subject == grant.Subject, cancellationToken);
        if (existing is not null && existing.UserId != userId)
        {
            // The code is spent all the same.
            await transaction.CommitAsync(cancellationToken);
            throw AlreadyLinkedElsewhere(providers.DisplayName(grant.Provider));
        }
        await db
            .ExternalLoginOptOuts.Where(o => o.UserId == userId && o.Provider == grant.Provider)
            .ExecuteDeleteAsync(cancellationToken);
        if (existing is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Ok(LinkedExternalLoginDto.From(existing, providers));
        }

        var link = new ExternalLogin
        {
            Provider = grant.Provider,
            Subject = grant.Subject,
            UserId = userId,
            Email = grant.Email,
            CreatedAt = now,
        };
        db.ExternalLogins.Add(link);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another account linked the same subject at the same moment (or a sign-in made one for it) and went first.
            throw AlreadyLinkedElsewhere(providers.DisplayName(grant.Provider));
        }
        await transaction.CommitAsync(cancellationToken);
        notices.ExternalLoginLinkedInSettings(user, providers.DisplayName(grant.Provider));
        return TypedResults.Created(Path, LinkedExternalLoginDto.From(link, providers));
    }

    /// <summary>
    /// Removes every link of the provider from the caller's account once the password (and the code, when two-factor
    /// sign-in is on) is right, and records the removal: a sign-in with the provider by the account's verified e-mail
    /// then links nothing. Sessions are left as they are.
    /// </summary>
    private static async Task<NoContent> Unlink(
        string provider,
        [FromBody] UnlinkExternalLoginRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ExternalProviders providers,
        ReauthenticationAccess reauthentication,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        // Not providers.Get: a provider taken out of the configuration still lists its links, and they are removed as
        // any other (configured again, it would sign in with them).
        var name = provider.ToLowerInvariant();
        var errors = new ValidationErrors();
        errors.MaxLength("provider", provider, 64);
        ReauthenticationAccess.Validate(errors, request.Password, request.Code);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        // Locks the account's row: a link confirmed for the account at the same moment is made before or after this.
        await using var proof = await reauthentication.ProveAsync(
            userId,
            request.Password!,
            request.Code,
            cancellationToken
        );
        var removed = await db
            .ExternalLogins.Where(l => l.UserId == userId && l.Provider == name)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
            throw new NotFoundException($"No {providers.DisplayName(name)} sign-in is linked to your account.");
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO external_login_opt_outs (user_id, provider, created_at) VALUES ({userId}, {name}, {now})
            ON CONFLICT (user_id, provider) DO UPDATE SET created_at = excluded.created_at
            """,
            cancellationToken
        );
        await proof.Transaction.CommitAsync(cancellationToken);
        notices.ExternalLoginRemoved(proof.User, providers.DisplayName(name));
        return TypedResults.NoContent();
    }

    private static ConflictException AlreadyLinkedElsewhere(string provider) =>
        new($"This {provider} account is already linked to another account.");
}
