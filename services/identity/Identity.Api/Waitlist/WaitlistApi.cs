using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Community.Identity.Users;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Mail;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Waitlist;

public sealed record JoinWaitlistRequest([Required] string? Email, string? Source);

public sealed record WaitlistStatus(string Email, long WaitlistPosition, DateTimeOffset JoinedAt);

public sealed record WaitlistStatusSent(string Message)
{
    public static readonly WaitlistStatusSent CheckYourEmail = new(
        "If this address is on the waitlist, its place is on its way to it by e-mail."
    );
    public static readonly WaitlistStatusSent Joined = new(
        "Check your e-mail: your place on the waitlist and a link to follow it are on their way."
    );
}

/// <summary>
/// The launch waitlist. Joining answers the same whether or not the address is already listed;
/// the place and its status token go to the address by e-mail, and a place is shown only to the
/// holder of that token or mailed to the address itself, so nobody learns another address's place.
/// </summary>
public static class WaitlistApi
{
    public static RouteGroupBuilder MapWaitlistApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/waitlist").WithTags("Waitlist").AllowAnonymous().WithStandardProblems();
        group
            .MapPost("", Join)
            .WithName("JoinWaitlist")
            .WithSummary(
                "Join the launch waitlist: 202 either way; the place and a status link are mailed to the address "
                    + "(an address already listed gets its place again; 429 when one address is asked for too often)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapGet("/status", Status)
            .WithName("WaitlistStatus")
            // The mailed link: a mail service may add its own tags (utm_source=...) to it.
            .AcceptsAnyQueryParameters()
            .WithSummary(
                "The place of the holder of a status token (?token=), or e-mail an address its place (?email=, 202; "
                    + "429 when one address is asked for too often, as for joins)"
            )
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<Accepted<WaitlistStatusSent>> Join(
        JoinWaitlistRequest request,
        IdentityDbContext db,
        RegistrationThrottle throttle,
        HttpContext http,
        IEmailSender sender,
        IOptions<IdentityOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (errors.Required("email", request.Email))
            errors.Email("email", request.Email);
        errors.MaxLength("source", request.Source, 100);
        errors.ThrowIfAny();

        var email = Rules.NormalizeEmail(request.Email!);
        // Each join mails the address: a loop of them must not flood someone's inbox.
        await throttle.CountWaitlistMailAsync(
            email,
            ClientAddress.Of(http),
            ClientAddress.NetworkOf(http),
            cancellationToken
        );
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        // The row commits only once its mail is sent: a mail server that is down (503) leaves no place whose token
        // nobody got.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        int inserted;
        Place? entry;
        // An address already listed is read after its insert was skipped; if its entry was erased in between (its
        // owner's account deleted), the address joins afresh.
        var attempts = 0;
        do
        {
            if (++attempts > 3)
                throw new ConflictException("The waitlist changed while joining: try again.");
            inserted = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO waitlist_entries (email, source, created_at, status_token_hash)
                VALUES ({email}, {request.Source?.Trim()}, {clock.GetUtcNow()}, {Hashing.Sha256(token)})
                ON CONFLICT (email) DO NOTHING
                """,
                cancellationToken
            );
            entry = await PositionAsync(db, w => w.Email == email, cancellationToken);
        } while (entry is null);
        // The first joiner's mail holds the token; a second join only re-sends the place, so the answer never tells
        // them apart.
        if (inserted == 0)
            await sender.SendAsync(StatusMessage(entry), cancellationToken);
        else
            await sender.SendAsync(
                new EmailMessage(
                    email,
                    "You are on the Community waitlist",
                    $"You are number {entry.Position} on the Community waitlist. See your place any time:\n\n"
                        + $"{options.Value.WaitlistStatusUrl}{token}\n\n"
                        + $"Status token: {token}"
                ),
                cancellationToken
            );
        // Sent is sent: a caller gone meanwhile (a client or proxy timeout) must not undo the place the mail names.
        await transaction.CommitAsync(CancellationToken.None);
        return TypedResults.Accepted((string?)null, WaitlistStatusSent.Joined);
    }

    private static async Task<Results<Ok<WaitlistStatus>, Accepted<WaitlistStatusSent>>> Status(
        [Description(
            "The status token from the e-mail sent on joining: its place (200); one that holds none is a 404."
        )]
            string? token,
        [Description("Without a token: the address to e-mail its place to (202, the same whether it is on the list).")]
            string? email,
        IdentityDbContext db,
        RegistrationThrottle throttle,
        HttpContext http,
        MailInBackground mail,
        CancellationToken cancellationToken
    )
    {
        if (!string.IsNullOrWhiteSpace(token))
        {
            var hash = Hashing.Sha256(token);
            var entry =
                await PositionAsync(db, w => w.StatusTokenHash == hash, cancellationToken)
                ?? throw new NotFoundException("No waitlist place has this status token.");
            return TypedResults.Ok(new WaitlistStatus(entry.Email, entry.Position, entry.JoinedAt));
        }

        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(email))
            errors.Add("token", "Give the status token you got when joining, or an email to send the place to.");
        else
            errors.Email("email", email);
        errors.ThrowIfAny();

        var normalized = Rules.NormalizeEmail(email!);
        await throttle.CountWaitlistMailAsync(
            normalized,
            ClientAddress.Of(http),
            ClientAddress.NetworkOf(http),
            cancellationToken
        );
        // Queued, not awaited: only a listed address's request reaches the mail server, and waiting for it (or a 503
        // when it is down) would tell that the address is listed.
        if (await PositionAsync(db, w => w.Email == normalized, cancellationToken) is { } place)
            mail.Send(StatusMessage(place), "a waitlist status");
        // The same answer whether or not the address is on the waitlist.
        return TypedResults.Accepted((string?)null, WaitlistStatusSent.CheckYourEmail);
    }

    private static EmailMessage StatusMessage(Place place) =>
        new(
            place.Email,
            "Your place on the Community waitlist",
            $"You are number {place.Position} on the Community waitlist (joined {place.JoinedAt:yyyy-MM-dd}). "
                + "Use the status token from your first waitlist e-mail to check it without waiting for e-mail."
        );

    private sealed record Place(string Email, long Position, DateTimeOffset JoinedAt);

    // Places are ranks, not raw sequence numbers, so the gaps a sequence leaves never show.
    private static async Task<Place?> PositionAsync(
        IdentityDbContext db,
        System.Linq.Expressions.Expression<Func<WaitlistEntry, bool>> which,
        CancellationToken cancellationToken
    )
    {
        var entry = await db.WaitlistEntries.AsNoTracking().FirstOrDefaultAsync(which, cancellationToken);
        if (entry is null)
            return null;
        var position = await db.WaitlistEntries.LongCountAsync(w => w.Sequence <= entry.Sequence, cancellationToken);
        return new Place(entry.Email, position, entry.CreatedAt);
    }
}
