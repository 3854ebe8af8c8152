using Community.Identity.Users;

namespace Community.Identity.Tests;

/// <summary>
/// How many password checks a login makes (each one a PBKDF2 hash, the time a stranger measures): for an e-mail or
/// phone, the same whether or not someone verified it and whether or not an account holds it unverified.
/// </summary>
public sealed class LoginCandidateTests
{
    private sealed record Account(string Name, string Hash);

    private static (Account? Match, int Checks) Try(
        string password,
        Account? owner,
        Account[] holders,
        int holderPlaces = AccountQueries.MaxUnverifiedHolders
    )
    {
        var checks = 0;
        List<Account> candidates = owner is null ? [.. holders] : [owner, .. holders];
        var match = AccountQueries.FirstMatch(
            password,
            owner,
            candidates,
            holderPlaces,
            a => a.Hash,
            (typed, hash) =>
            {
                checks++;
                return hash == typed;
            }
        );
        return (match, checks);
    }

    private static readonly Account Owner = new("owner", "owner-password");
    private static readonly Account Holder = new("holder", "holder-password");

    [Fact]
    public void A_holder_signing_in_takes_as_many_checks_whether_or_not_the_address_is_verified_by_someone()
    {
        var withOwner = Try("holder-password", Owner, [Holder]);
        var withoutOwner = Try("holder-password", null, [Holder]);

        Assert.Equal(Holder, withOwner.Match);
        Assert.Equal(Holder, withoutOwner.Match);
        Assert.Equal(withOwner.Checks, withoutOwner.Checks);
        Assert.Equal(2, withoutOwner.Checks);
    }

    [Fact]
    public void A_wrong_password_for_an_address_takes_as_many_checks_whoever_holds_or_verified_it()
    {
        var expected = 1 + AccountQueries.MaxUnverifiedHolders;
        Assert.Equal((null, expected), Try("guess", null, []));
        Assert.Equal((null, expected), Try("guess", null, [Holder]));
        Assert.Equal((null, expected), Try("guess", Owner, []));
        Assert.Equal((null, expected), Try("guess", Owner, [Holder]));
    }

    [Fact]
    public void The_owner_is_tried_first_and_a_username_is_one_check()
    {
        Assert.Equal((Owner, 1), Try("owner-password", Owner, [Holder]));
        Assert.Equal((null, 1), Try("guess", Owner, [], holderPlaces: 0));
        Assert.Equal((null, 1), Try("guess", null, [], holderPlaces: 0));
    }
}
