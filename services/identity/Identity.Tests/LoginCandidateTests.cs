using Community.Identity.Users;

namespace Community.Identity.Tests;

/// <summary>
/// How many password checks a login by e-mail or phone makes (each one a PBKDF2 hash, the time a stranger measures):
/// the same whether or not someone verified the address.
/// </summary>
public sealed class LoginCandidateTests
{
    private sealed record Account(string Name, string Hash);

    private static (Account? Match, int Checks) Try(string password, Account? owner, params Account[] holders)
    {
        var checks = 0;
        List<Account> candidates = owner is null ? [.. holders] : [owner, .. holders];
        var match = AccountQueries.FirstMatch(
            password,
            owner,
            candidates,
            a => a.Hash,
            (typed, hash) =>
            {
                checks++;
                return hash == typed;
            }
        );
        return (match, checks);
    }

    [Fact]
    public void A_holder_signing_in_takes_as_many_checks_whether_or_not_the_address_is_verified_by_someone()
    {
        var owner = new Account("owner", "owner-password");
        var holder = new Account("holder", "holder-password");

        var withOwner = Try("holder-password", owner, holder);
        var withoutOwner = Try("holder-password", null, holder);

        Assert.Equal(holder, withOwner.Match);
        Assert.Equal(holder, withoutOwner.Match);
        Assert.Equal(withOwner.Checks, withoutOwner.Checks);
        Assert.Equal(2, withoutOwner.Checks);
    }

    [Fact]
    public void A_wrong_password_takes_as_many_checks_whether_or_not_the_address_is_verified_by_someone()
    {
        var owner = new Account("owner", "owner-password");
        var holder = new Account("holder", "holder-password");

        Assert.Equal(Try("guess", owner, holder).Checks, Try("guess", null, holder).Checks);
        Assert.Equal((null, 1), Try("guess", null));
        Assert.Equal((null, 1), Try("guess", owner));
        Assert.Equal((owner, 1), Try("owner-password", owner, holder));
    }
}
