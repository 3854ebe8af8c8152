namespace Community.Identity.Users;

/// <summary>What several identity features need about accounts: finding one by what a person types.</summary>
public static class AccountQueries
{
    /// <summary>
    /// How many unverified accounts holding one address or number a login tries: the earliest. Every login by an
    /// address or number checks this many places after the owner's, against nothing where there is no holder, so the
    /// time it takes cannot count them; the others sign in by their username (or own the address by confirming it).
    /// </summary>
    public const int MaxUnverifiedHolders = 1;

    /// <summary>
    /// The accounts a login with <paramref name="identifier"/> may be for, tried in this order: the username's account;
    /// for an e-mail or phone, the account that verified it (its Owner) first, then the earliest unverified account
    /// holding it (an unverified address claims nothing, so several accounts may give the same one). The holder is
    /// tried whether or not an owner exists: a holder signing in with their own password is answered alike either way,
    /// so a login never tells a stranger that an address or number is someone's (verified elsewhere).
    /// <c>HolderPlaces</c> is how many holder places <see cref="FirstMatch"/> checks: none for a username (its account
    /// is the only one), <see cref="MaxUnverifiedHolders"/> for an address or number.
    /// </summary>
    internal static async Task<(User? Owner, List<User> Candidates, int HolderPlaces)> FindLoginCandidatesAsync(
        IdentityDbContext db,
        string identifier,
        CancellationToken cancellationToken
    )
    {
        var holders = Holders(db, identifier.Trim());
        var owner = await holders.Where(Verified(identifier.Trim())).FirstOrDefaultAsync(cancellationToken);
        if (!IsAddressOrNumber(identifier.Trim()))
            return (owner, owner is null ? [] : [owner], 0);
        var ownerId = owner?.Id;
        var unverified = await holders
            .Where(u => u.Id != ownerId)
            .OrderBy(u => u.CreatedAt)
            .ThenBy(u => u.Id)
            .Take(MaxUnverifiedHolders)
            .ToListAsync(cancellationToken);
        return (owner, owner is null ? unverified : [owner, .. unverified], MaxUnverifiedHolders);
    }

    /// <summary>
    /// The candidate (of <see cref="FindLoginCandidatesAsync"/>) whose password <paramref name="password"/> is, each
    /// checked in order by <paramref name="verify"/> (a password and a stored hash) until one matches. The owner's
    /// place and <paramref name="holderPlaces"/> holders' places are always checked, against nothing where nobody
    /// verified the address or fewer accounts hold it: a wrong password, or a holder signing in, then takes as many
    /// checks (as long) whoever holds or verified the address, so the time tells a stranger neither.
    /// </summary>
    public static TUser? FirstMatch<TUser>(
        string password,
        TUser? owner,
        IReadOnlyList<TUser> candidates,
        int holderPlaces,
        Func<TUser, string> hashOf,
        Func<string, string?, bool> verify
    )
        where TUser : class
    {
        if (owner is null)
            verify(password, null);
        else if (verify(password, hashOf(owner)))
            return owner;
        var holders = owner is null ? candidates : candidates.Skip(1).ToList();
        for (var place = 0; place < Math.Max(holderPlaces, holders.Count); place++)
        {
            if (place >= holders.Count)
                verify(password, null);
            else if (verify(password, hashOf(holders[place])))
                return holders[place];
        }
        return null;
    }

    /// <summary>
    /// The account <paramref name="identifier"/> surely names: the username's, or the one that verified the e-mail or
    /// phone; else null.
    /// </summary>
    internal static Task<User?> FindOwnerAsync(
        IdentityDbContext db,
        string identifier,
        CancellationToken cancellationToken
    ) => Holders(db, identifier.Trim()).Where(Verified(identifier.Trim())).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// <paramref name="identifier"/> as the lookup reads it (an e-mail, a phone or a username, each normalized its own
    /// way): every spelling that finds the same accounts is one text, so counters keyed by it cannot be stepped round.
    /// </summary>
    public static string NormalizeIdentifier(string identifier)
    {
        var value = identifier.Trim();
        return value.Contains('@') ? Rules.NormalizeEmail(value)
            : value.StartsWith('+') ? Rules.NormalizePhone(value)
            : Rules.NormalizeUsername(value);
    }

    private static IQueryable<User> Holders(IdentityDbContext db, string value)
    {
        var normalized = NormalizeIdentifier(value);
        if (value.Contains('@'))
            return db.Users.Where(u => u.Email == normalized);
        if (value.StartsWith('+'))
            return db.Users.Where(u => u.Phone == normalized);
        return db.Users.Where(u => u.Username == normalized);
    }

    private static bool IsAddressOrNumber(string value) => value.Contains('@') || value.StartsWith('+');

    /// <summary>
    /// Holders of the identifier that proved it: for a username, any (usernames are unique from the start).
    /// </summary>
    private static System.Linq.Expressions.Expression<Func<User, bool>> Verified(string value) =>
        value.Contains('@') ? u => u.EmailVerifiedAt != null
        : value.StartsWith('+') ? u => u.PhoneVerifiedAt != null
        : u => true;
}
