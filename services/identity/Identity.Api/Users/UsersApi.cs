using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Contracts.Identity;
using Community.Identity.Admins;
using Community.Identity.Auth;
using Community.Identity.Blocks;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Mvc;

namespace Community.Identity.Users;

public sealed record ChangeRoleRequest([Required, ValuesOf(typeof(Roles))] string? Role);

/// <summary>Deletes the account: its profile, picture and sessions go; other services erase what they hold.</summary>
/// <param name="Password">
/// The account's password. An account made through an outside provider sets one first through "forgot password".
/// </param>
/// <param name="Code">
/// Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code.
/// </param>
public sealed record DeleteAccountRequest([Required] string? Password, string? Code)
    : IRequestExample<DeleteAccountRequest>
{
    public static DeleteAccountRequest Example => new("sunny-dunes-42", null);
}

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/users")
            .DescribesPathParameter("id", "The user's id.")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group.MapGet("/me", GetMe).WithName("GetMyProfile").AnswersETag().WithSummary("My full profile");
        group
            .MapPatch("/me", UpdateMe)
            .WithName("UpdateMyProfile")
            .HonoursIfMatch()
            .WithSummary("Change profile fields (JSON merge: absent keeps, null clears)")
            .Accepts<ProfileChanges>("application/json");
        group
            .MapDelete("/me", DeleteMe)
            .HashesPasswords()
            .WithName("DeleteMyAccount")
            .WithSummary(
                "Delete my account for good (the password, and a code when two-factor sign-in is on, prove it is the "
                    + "owner asking); not the last admin in force"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapGet("/{id:guid}", GetPublic)
            .WithName("GetPublicProfile")
            .AnswersETag()
            .WithSummary("Another member's public profile");
        group
            .MapPut("/{id:guid}/role", ChangeRole)
            .RequireAuthorization(Policies.Admin)
            .WithName("ChangeRole")
            .HonoursIfMatch()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Set a user's role (admin; not your own admin role)");
        return group;
    }

    private static async Task<Ok<UserDto>> GetMe(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TimeProvider clock,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var user = await FindAsync(db, principal.UserId(), cancellationToken);
        EntityTag.Set(response, user.Version);
        return TypedResults.Ok(UserDto.From(user, Rules.Today(clock)));
    }

    /// <summary>A member's public profile; 404 between a blocked pair, whichever blocked the other.</summary>
    private static async Task<Ok<PublicProfileDto>> GetPublic(
        Guid id,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TimeProvider clock,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("No member has this id.");
        var callerId = principal.UserId();
        if (callerId != id && await BlockQueries.EitherBlockedAsync(db, callerId, id, cancellationToken))
            throw new NotFoundException("No member has this id.");
        var profile = PublicProfileDto.From(user, Rules.Today(clock));
        // The account's version for an admin (their If-Match on its role) and its owner; anyone else is given a tag
        // of what they are shown, which changes with it alone: the version would tell them of every private change
        // (a password, a tier, a suspension).
        if (callerId == id || principal.IsInRole(Roles.Admin))
            EntityTag.Set(response, user.Version);
        else
            response.Headers.ETag =
                $"\"{Convert.ToHexStringLower(Hashing.Sha256(JsonSerializer.Serialize(profile)), 0, 16)}\"";
        return TypedResults.Ok(profile);
    }

    private static async Task<Ok<UserDto>> UpdateMe(
        JsonObject body,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TimeProvider clock,
        IBlobStore blobs,
        ILoggerFactory loggers,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var today = Rules.Today(clock);
        string? clearedPicture = null;
        var user = await db.InTransactionAsync(
            async ct =>
            {
                // Locked before it is read, as a picture upload locks it: the event below carries the whole profile,
                // and the picture key read here is the one deleted when the patch clears it.
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", ct);
                await db.CheckIfMatchAsync<User>(http.Request, userId, ct);
                var found = await FindAsync(db, userId, ct);
                var uploadedPicture = found.ProfileImageKey;
                var changed = ProfilePatch.Apply(found, body, today);
                // Written down with the change: once no row names it, an instance stopping after the commit would
                // leave it in the bucket for good.
                clearedPicture = found.ProfileImageKey is null ? uploadedPicture : null;
                if (clearedPicture is not null)
                    await db.Database.WriteDownAsync(
                        [clearedPicture],
                        "a profile picture cleared or replaced by a link",
                        ct
                    );
                if (changed.Count > 0)
                {
                    var now = clock.GetUtcNow();
                    found.UpdatedAt = now;
                    db.AddIntegrationEvent(ProfileEvents.Updated(found, now, changed));
                }
                return found;
            },
            cancellationToken
        );
        if (clearedPicture is not null)
            await blobs.DeleteWrittenDownAsync(
                db.Database,
                [clearedPicture],
                loggers.CreateLogger(typeof(UsersApi)),
                cancellationToken
            );
        EntityTag.Set(http.Response, user.Version);
        return TypedResults.Ok(UserDto.From(user, today));
    }

    /// <summary>
    /// Deletes the caller's account once the password is right, and the code when two-factor sign-in is on: an access
    /// token alone (a stolen one, say) cannot.
    /// </summary>
    private static async Task<NoContent> DeleteMe(
        [FromBody] DeleteAccountRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ReauthenticationAccess reauthentication,
        SessionEnding sessions,
        TimeProvider clock,
        IBlobStore blobs,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        ReauthenticationAccess.Validate(errors, request.Password, request.Code);
        errors.ThrowIfAny();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A login's lock before the row, in the order a login takes them: it clears counters erased below, then locks
        // the row to issue tokens.
        await db.Database.LockKeyAsync(ThrottleCounters.AccountLockKey(principal.UserId()), cancellationToken);
        // An admin's deletion waits for the other changes that can take an admin away (role changes, suspensions), in
        // the order they take their locks, after the login's: the platform keeps an admin in force.
        // The role read unlocked too: made an admin since the token was issued, the deletion must not lock the admins
        // after its own row, which every other holder of the admins' lock takes after them.
        var admin =
            principal.IsInRole(Roles.Admin)
            || await db.Users.AnyAsync(u => u.Id == principal.UserId() && u.Role == Roles.Admin, cancellationToken);
        if (admin)
            await AdminRules.LockAdminsAsync(db, cancellationToken);
        // Then the row: a second deletion at the same moment waits, then finds the account gone (404).
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE id = {principal.UserId()} FOR UPDATE",
            cancellationToken
        );
        var user = await FindAsync(db, principal.UserId(), cancellationToken);
        await reauthentication.CheckPasswordAndCodeAsync(
            user,
            request.Password!,
            request.Code,
            transaction,
            cancellationToken
        );
        if (user.Role == Roles.Admin && !admin)
            throw new ConflictException("Your role changed while your account was being deleted; try again.");
        if (await AdminRules.IsLastInForceAsync(db, user, clock.GetUtcNow(), cancellationToken))
            throw new ConflictException(
                "You are the last admin in force: make someone else an admin before deleting your account."
            );
        db.Users.Remove(user);
        db.AddIntegrationEvent(new UserDeleted(Guid.CreateVersion7(), clock.GetUtcNow(), user.Id));
        // Here, not in an eraser: UserDeleted carries the id alone, and the counters' keys hold e-mails and phones.
        await ThrottleCounters.EraseAsync(db, user, cancellationToken);
        // The address's waitlist place too (its status link would show the address, and mail it): only an address the
        // account proved, as for the counters, so no one erases another's place by typing their address.
        if (user is { EmailVerifiedAt: not null, Email: { } verified })
            await db.WaitlistEntries.Where(w => w.Email == verified).ExecuteDeleteAsync(cancellationToken);
        // The refresh tokens before the revocation feed's lock, in the order a logout takes them (the user's delete
        // below would reach them by cascade only after the feed's lock: a logout at that moment deadlocked with it).
        await sessions.RevokeRefreshTokensAsync(db, user.Id, cancellationToken);
        await sessions.EndAllAsync(db, user.Id, SessionEnding.UserDeleted, cancellationToken);
        // Its events already sent (or parked) go too: the outbox keeps sent rows a week to look into, and those carry
        // what the account told us (e-mail, phone, name, bio, birth date). Rows not yet sent still go out, before
        // UserDeleted, whose consumers erase what they brought.
        await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM outbox_messages WHERE payload->>'userId' = {user.Id.ToString()}
              AND (published_at IS NOT NULL OR failed_at IS NOT NULL)
            """,
            cancellationToken
        );
        // The picture goes with the account, written down with it so that it goes even if nothing after the commit
        // runs; deleted only after the commit: a leftover file is a lesser evil than an undone deletion.
        string[] picture = user.ProfileImageKey is { } key ? [key] : [];
        await db.Database.WriteDownAsync(picture, "a deleted account's profile picture", cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await blobs.DeleteWrittenDownAsync(
            db.Database,
            picture,
            loggers.CreateLogger(typeof(UsersApi)),
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UserDto>> ChangeRole(
        Guid id,
        ChangeRoleRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        SessionEnding sessions,
        TimeProvider clock,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var role = request.Role?.Trim().ToLowerInvariant();
        if (role is null || !Roles.All.Contains(role))
            throw new RequestValidationException("role", "role must be member, organizer or admin.");
        var callerId = principal.UserId();
        if (id == callerId && role != Roles.Admin)
            throw new ConflictException("You cannot give up your own admin role; another admin may change it.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Admins change roles one at a time (and suspend one another in turn): two demoting each other at once would
        // leave the platform with none.
        await AdminRules.LockAdminsAsync(db, callerId, clock.GetUtcNow(), cancellationToken);
        // The account too (an admin's is locked already): tokens issued meanwhile carry the role as it ends up.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {id} FOR UPDATE", cancellationToken);
        await db.CheckIfMatchAsync<User>(http.Request, id, cancellationToken);
        var user =
            await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("No member has this id.");
        if (user.Role != role)
        {
            var now = clock.GetUtcNow();
            db.AddIntegrationEvent(
                new UserRoleChanged(Guid.CreateVersion7(), now, user.Id, user.Role, role, principal.UserId())
            );
            user.Role = role;
            user.UpdatedAt = now;
            // Tokens carrying the old role stop working; the user's next refresh carries the new one.
            await sessions.EndAllAsync(db, user.Id, SessionEnding.RoleChanged, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        EntityTag.Set(http.Response, user.Version);
        return TypedResults.Ok(UserDto.From(user, Rules.Today(clock)));
    }

    private static async Task<User> FindAsync(IdentityDbContext db, Guid id, CancellationToken cancellationToken) =>
        await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
        ?? throw new NotFoundException("The account no longer exists.");
}

/// <summary>
/// The members a profile merge patch may carry (absent keeps, null clears): what OpenAPI shows of
/// <see cref="ProfilePatch"/>.
/// </summary>
public sealed record ProfileChanges(
    string? FullName = null,
    string? Bio = null,
    string? Region = null,
    string? City = null,
    string? Country = null,
    [property: ValuesOf(typeof(Genders))] string? Gender = null,
    [property: System.ComponentModel.Description("YYYY-MM-DD")] DateOnly? DateOfBirth = null,
    IReadOnlyList<string>? Interests = null,
    IReadOnlyList<string>? Languages = null,
    string? ProfileImageUrl = null,
    string? LinkedinUrl = null,
    string? GithubUrl = null,
    string? IdentityBadge = null
);

/// <summary>
/// Applies a JSON merge patch of profile fields. Only the fields listed here can change; the
/// others a client might try (role, tier, id, email...) are refused like any unknown field, never applied.
/// </summary>
public static class ProfilePatch
{
    private static readonly string[] Fields =
    [
        "full_name",
        "bio",
        "region",
        "city",
        "country",
        "gender",
        "date_of_birth",
        "interests",
        "languages",
        "profile_image_url",
        "linkedin_url",
        "github_url",
        "identity_badge",
    ];

    public static List<string> Apply(User user, JsonObject body, DateOnly today)
    {
        var errors = new ValidationErrors();
        var changed = new List<string>();
        JsonMergePatch.ApplyMembers(
            body,
            Fields,
            errors,
            (field, node) => ApplyField(user, field, node, today, errors, changed)
        );
        return changed;
    }

    private static void ApplyField(
        User user,
        string field,
        JsonNode? node,
        DateOnly today,
        ValidationErrors errors,
        List<string> changed
    )
    {
        string? Text(int max)
        {
            var value = node?.GetValue<string>()?.Trim();
            errors.MaxLength(field, value, max);
            return string.IsNullOrEmpty(value) ? null : value;
        }
        void Set<T>(T current, T value, Action<T> assign)
        {
            if (EqualityComparer<T>.Default.Equals(current, value))
                return;
            assign(value);
            changed.Add(field);
        }

        switch (field)
        {
            case "full_name":
                var fullName = Text(100);
                // One line, unless kept as it is (a name stored before the rule, sent back with the rest).
                if (fullName != user.FullName)
                    errors.OneLine(field, fullName);
                Set(user.FullName, fullName, v => user.FullName = v);
                break;
            case "bio":
                Set(user.Bio, Text(500), v => user.Bio = v);
                break;
            case "region":
                Set(user.Region, Text(100), v => user.Region = v);
                break;
            case "city":
                Set(user.City, Text(100), v => user.City = v);
                break;
            case "country":
                Set(user.Country, Text(100), v => user.Country = v);
                break;
            case "gender":
                var gender = Text(30)?.ToLowerInvariant();
                errors.OneOf(field, gender, Rules.Genders);
                Set(user.Gender, gender, v => user.Gender = v);
                break;
            case "date_of_birth":
                var text = node?.GetValue<string>();
                DateOnly? born = text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd");
                if (born is { } b && (b > today || Rules.Age(b, today) > 120))
                    errors.Add(field, "date_of_birth is not a plausible birth date.");
                else if (born is { } d && Rules.Age(d, today) < Rules.MinimumAge)
                    errors.Add(field, $"Members must be at least {Rules.MinimumAge} years old.");
                Set(user.DateOfBirth, born, v => user.DateOfBirth = v);
                break;
            case "interests":
                var interests = Rules.Tags(
                    errors,
                    field,
                    node?.AsArray().Select(n => n?.GetValue<string>()) ?? [],
                    Rules.MaxInterests,
                    40
                );
                if (!interests.SequenceEqual(user.Interests))
                {
                    user.Interests = interests;
                    changed.Add(field);
                }
                break;
            case "languages":
                var languages = Rules.Tags(
                    errors,
                    field,
                    node?.AsArray().Select(n => n?.GetValue<string>()) ?? [],
                    10,
                    35
                );
                if (!languages.SequenceEqual(user.Languages))
                {
                    user.Languages = languages;
                    changed.Add(field);
                }
                break;
            case "profile_image_url":
                var image = Text(500);
                // The stored value passes as it is: an uploaded picture's address is relative (the service's content
                // route).
                if (image != user.ProfileImageUrl)
                    errors.Url(field, image, Rules.MaxUrlLength);
                // A new address replaces an uploaded picture: its blob is the caller's to delete.
                Set(user.ProfileImageUrl, image, v => (user.ProfileImageUrl, user.ProfileImageKey) = (v, null));
                break;
            case "linkedin_url":
                var linkedin = Text(500);
                errors.Url(field, linkedin, Rules.MaxUrlLength, "linkedin.com");
                Set(user.LinkedinUrl, linkedin, v => user.LinkedinUrl = v);
                break;
            case "github_url":
                var github = Text(500);
                errors.Url(field, github, Rules.MaxUrlLength, "github.com");
                Set(user.GithubUrl, github, v => user.GithubUrl = v);
                break;
            case "identity_badge":
                var badge = Text(30);
                errors.OneOf(field, badge, Rules.IdentityBadges);
                Set(user.IdentityBadge, badge, v => user.IdentityBadge = v);
                break;
            default:
                // ApplyMembers refused every member not in Fields before calling here.
                throw new System.Diagnostics.UnreachableException($"{field} is not in ProfilePatch.Fields.");
        }
    }
}
