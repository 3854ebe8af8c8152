using Community.Contracts;
using Community.Contracts.Identity;
using Community.Identity.Users;

namespace Community.Identity.Admins;

/// <summary>
/// Makes sure the admins in Identity:Admins exist: an account is promoted only when its username and its verified
/// e-mail both match and, when a password is configured, it holds that password, so nobody becomes admin by
/// registering a configured username first (and having its address confirmed).
/// </summary>
public sealed class AdminSeeder(
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options,
    TimeProvider clock,
    ILogger<AdminSeeder> logger
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Admins.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        foreach (var admin in options.Value.Admins)
        {
            var username = Rules.NormalizeUsername(admin.Username);
            if (string.IsNullOrWhiteSpace(admin.Email))
            {
                logger.LogWarning("Admin {Username} has no email configured; skipped", username);
                continue;
            }
            var email = Rules.NormalizeEmail(admin.Email);
            var user = await db.Users.FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
            var now = clock.GetUtcNow();
            if (user is null)
            {
                if (string.IsNullOrEmpty(admin.Password))
                {
                    logger.LogWarning(
                        "Admin {Username} does not exist and has no password configured; skipped",
                        username
                    );
                    continue;
                }
                var created = new User
                {
                    Id = Guid.CreateVersion7(now),
                    Username = username,
                    Email = email,
                    PasswordHash = PasswordHasher.Hash(admin.Password),
                    Role = Roles.Admin,
                    ReferralCode = "ADM" + Guid.NewGuid().ToString("N")[..7].ToUpperInvariant(),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Users.Add(created);
                db.AddIntegrationEvent(ProfileEvents.Registered(created, now, null));
                logger.LogInformation("Created admin {Username}", username);
            }
            else if (user.Role == Roles.Admin)
            {
                // Seeded at an earlier start (or made admin since): nothing to do, nothing to say.
            }
            else if (user.Email != email || user.EmailVerifiedAt is null)
            {
                // An unverified address claims nothing: anyone could have typed the admin's.
                logger.LogWarning(
                    "Account {Username} exists without the configured admin's e-mail verified; not promoted",
                    username
                );
            }
            else if (!string.IsNullOrEmpty(admin.Password) && !PasswordHasher.Verify(admin.Password, user.PasswordHash))
            {
                // A password configured means the seeder makes the account: one registered first under its name
                // (its address confirmed by a click on a mail naming it) is someone else's unless it holds that
                // password.
                logger.LogWarning(
                    "Account {Username} exists without the configured admin's password; not promoted",
                    username
                );
            }
            else if (user.Role != Roles.Admin)
            {
                db.AddIntegrationEvent(
                    new UserRoleChanged(Guid.CreateVersion7(), now, user.Id, user.Role, Roles.Admin, Guid.Empty)
                );
                user.Role = Roles.Admin;
                user.UpdatedAt = now;
                logger.LogInformation("Promoted {Username} to admin", username);
            }
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another replica seeded the same admin at the same moment; its row is as good as ours.
            logger.LogInformation("Admins were seeded concurrently by another replica");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
