using Community.Identity.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Identity.Users;

/// <summary>What several identity features need about accounts: finding one by what a person types, and the date ages count from.</summary>
public static class Accounts
{
    internal static Task<User?> FindByIdentifierAsync(IdentityDbContext db, string identifier, CancellationToken cancellationToken)
    {
        var value = identifier.Trim();
        if (value.Contains('@'))
        {
            var email = Rules.NormalizeEmail(value);
            return db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        }
        if (value.StartsWith('+'))
        {
            var phone = Rules.NormalizePhone(value);
            return db.Users.FirstOrDefaultAsync(u => u.Phone == phone, cancellationToken);
        }
        var username = Rules.NormalizeUsername(value);
        return db.Users.FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
    }

    internal static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
