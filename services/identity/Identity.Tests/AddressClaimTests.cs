using System.Text.RegularExpressions;

namespace Community.Identity.Tests;

/// <summary>
/// An e-mail or phone claims nothing until proven: several accounts may give it, the one that proves it owns it.
/// </summary>
public sealed partial class AddressClaimTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;
    private const string Password = "long-enough-1";

    private static string Unique(string stem) => $"{stem}_{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<JsonNode> RegisterAsync(
        string username,
        string? email = null,
        string? phone = null,
        string password = Password
    ) =>
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email,
                    phone,
                    password,
                }
            )
        ).AssertStatus(201);

    private async Task<JsonNode> LoginAsync(string identifier, string password) =>
        await (await Client.PostJson("/api/v1/auth/login", new { identifier, password })).AssertStatus(200);

    private List<SmtpSink.Message> MailsTo(string address) =>
        fx.Smtp.Messages.Where(m => m.To.Any(t => t.Contains(address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>
    /// The confirmation token of the one link e-mail to <paramref name="address"/> that names
    /// <paramref name="username"/>.
    /// </summary>
    private string LinkFor(string address, string username) =>
        ConfirmationToken()
            .Match(
                MailsTo(address)
                    .Single(m => m.Body.Contains($"account {username} ") && m.Body.Contains("Confirmation token: "))
                    .Body
            )
            .Groups[1]
            .Value;

    private static string Id(JsonNode registered) => registered["user"]!["id"]!.GetValue<string>();

    private Task<bool> EmailVerifiedAsync(string username) =>
        fx.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE username = @u", ("u", username));

    [Fact]
    public async Task Of_two_accounts_with_one_unverified_address_the_first_logs_in_by_it_and_both_by_their_names()
    {
        var email = Unique("shared") + "@example.com";
        var (firstName, secondName) = (Unique("first"), Unique("second"));
        var first = await RegisterAsync(firstName, email, password: "first-password-1");
        var second = await RegisterAsync(secondName, email, password: "second-password-2");
        // Nobody proved the address, so each holder got a link.
        Assert.Equal(2, MailsTo(email).Count(m => m.Body.Contains("Confirmation token: ")));

        // A login by the address tries its earliest holder only (AccountQueries.MaxUnverifiedHolders): checking every
        // holder would take as many password checks as there are holders, which a stranger could time.
        Assert.Equal(Id(first), Id(await LoginAsync(email.ToUpperInvariant(), "first-password-1")));
        Assert.Equal(Id(second), Id(await LoginAsync(secondName, "second-password-2")));
        Assert.Equal(Id(first), Id(await LoginAsync(firstName, "first-password-1")));
        var wrong = await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = email, password = "second-password-2" })
        ).AssertProblem(401);
        var unknown = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "nobody@example.com", password = "third-password-3" }
            )
        ).AssertProblem(401);
        Assert.Equal(unknown["detail"]!.GetValue<string>(), wrong["detail"]!.GetValue<string>());

        // Once the second proves the address, it is its owner's, tried first.
        await (
            await Client.PostJson("/api/v1/auth/register/confirm", new { token = LinkFor(email, secondName) })
        ).AssertStatus(200);
        Assert.Equal(Id(second), Id(await LoginAsync(email, "second-password-2")));
        Assert.Equal(Id(first), Id(await LoginAsync(email, "first-password-1")));

        // The same for a phone nobody verified.
        var phone = "+4479" + Random.Shared.Next(10_000_000, 99_999_999);
        var (phoneA, phoneB) = (Unique("phone_a"), Unique("phone_b"));
        var byPhoneA = await RegisterAsync(phoneA, phone: phone, password: "first-password-1");
        var byPhoneB = await RegisterAsync(phoneB, phone: phone, password: "second-password-2");
        Assert.Equal(Id(byPhoneA), Id(await LoginAsync(phone, "first-password-1")));
        Assert.Equal(Id(byPhoneB), Id(await LoginAsync(phoneB, "second-password-2")));
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = phone, password = "second-password-2" })
        ).AssertProblem(401);
    }

    [Fact]
    public async Task Confirming_an_address_another_account_verified_meanwhile_is_409_and_changes_nothing()
    {
        var email = Unique("contested") + "@example.com";
        var (early, late) = (Unique("early"), Unique("late"));
        await RegisterAsync(early, email);
        await RegisterAsync(late, email);
        var earlyToken = LinkFor(email, early);

        await (
            await Client.PostJson("/api/v1/auth/register/confirm", new { token = LinkFor(email, late) })
        ).AssertStatus(200);
        await (await Client.PostJson("/api/v1/auth/register/confirm", new { token = earlyToken })).AssertProblem(409);
        Assert.False(await EmailVerifiedAsync(early));
        Assert.True(await EmailVerifiedAsync(late));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM users WHERE email = @e AND email_verified_at IS NOT NULL",
                ("e", email)
            )
        );
        // Refused, not spent: the same answer again.
        await (await Client.PostJson("/api/v1/auth/register/confirm", new { token = earlyToken })).AssertProblem(409);
    }

    [Fact]
    public async Task A_pre_registered_address_goes_to_whoever_proves_it()
    {
        var email = Unique("victim") + "@example.com";
        var (attacker, victim) = (Unique("attacker"), Unique("victim"));
        // The attacker registers the victim's address first and cannot confirm it (the link goes to the victim).
        await RegisterAsync(attacker, email, password: "attacker-pass-1");
        await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = email })).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.DoesNotContain(MailsTo(email), m => m.Body.Contains("reset the password"));

        var registered = await RegisterAsync(victim, email, password: "victim-pass-22");
        await (
            await Client.PostJson("/api/v1/auth/register/confirm", new { token = LinkFor(email, victim) })
        ).AssertStatus(200);

        Assert.Equal(Id(registered), Id(await LoginAsync(email, "victim-pass-22")));
        // The attacker's own password opens their own account, never the owner's, by the address as by the username:
        // a 401 there would tell whoever holds an address unverified that someone else proved it.
        var own = await LoginAsync(attacker, "attacker-pass-1");
        Assert.Equal(Id(own), Id(await LoginAsync(email, "attacker-pass-1")));
        Assert.NotEqual(Id(registered), Id(own));
        Assert.False(await EmailVerifiedAsync(attacker));
        await (
            await Client.PostJson("/api/v1/auth/register/confirm", new { token = LinkFor(email, attacker) })
        ).AssertProblem(409);

        // A reset by the address reaches its owner's account only.
        await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = email })).AssertStatus(202);
        await fx.MailSentAsync();
        var reset = Assert.Single(MailsTo(email), m => m.Body.Contains("reset the password"));
        Assert.Contains(victim, reset.Body);
        Assert.DoesNotContain(attacker, reset.Body);
    }

    [Fact]
    public async Task Registering_with_an_address_verified_elsewhere_tells_its_owner_and_never_verifies_the_newcomer()
    {
        var owner = Unique("owner");
        var email = $"{owner}@example.com";
        await fx.RegisterAsync(owner);
        var before = MailsTo(email).Count;
        var newcomer = Unique("newcomer");
        var registered = await RegisterAsync(newcomer, email.ToUpperInvariant());
        Assert.False(registered["user"]!["email_verified"]!.GetValue<bool>());

        var sent = MailsTo(email).Skip(before).ToList();
        var note = Assert.Single(sent);
        Assert.Contains($"already belongs to the account {owner}", note.Body);
        Assert.DoesNotContain("Confirmation token", note.Body);
        Assert.DoesNotContain(newcomer, note.Body);

        // Asking again sends the owner the note again (202, as for anyone), never a link.
        var token = registered["access_token"]!.GetValue<string>();
        var resend = await (await Client.PostJson("/api/v1/users/me/email/verification", new { }, token)).AssertStatus(
            202
        );
        Assert.Equal(2, MailsTo(email).Skip(before).Count());
        Assert.All(MailsTo(email).Skip(before), m => Assert.DoesNotContain("Confirmation token", m.Body));
        Assert.False(await EmailVerifiedAsync(newcomer));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM email_verification_tokens WHERE user_id = @id::uuid",
                ("id", Id(registered))
            )
        );

        // A free address gets the same 202, with a link that works.
        var fresh = Unique("fresh");
        var freshRegistered = await RegisterAsync(fresh, $"{fresh}@example.com");
        var freshToken = freshRegistered["access_token"]!.GetValue<string>();
        var freshResend = await (
            await Client.PostJson("/api/v1/users/me/email/verification", new { }, freshToken)
        ).AssertStatus(202);
        Assert.Equal(resend.ToJsonString(), freshResend.ToJsonString());
        Assert.Equal(2, MailsTo($"{fresh}@example.com").Count(m => m.Body.Contains("Confirmation token: ")));
        var me = await (await fx.ConfirmAsync($"{fresh}@example.com")).AssertStatus(200);
        Assert.True(me["email_verified"]!.GetValue<bool>());
        // Now there is nothing left to confirm: the caller's own state, so it may say so.
        await (await Client.PostJson("/api/v1/users/me/email/verification", new { }, freshToken)).AssertProblem(409);
        var phoneOnly = await RegisterAsync(
            Unique("no_mail"),
            phone: "+4478" + Random.Shared.Next(10_000_000, 99_999_999)
        );
        await (
            await Client.PostJson(
                "/api/v1/users/me/email/verification",
                new { },
                phoneOnly["access_token"]!.GetValue<string>()
            )
        ).AssertProblem(409);
    }

    [Fact]
    public async Task A_phone_verified_elsewhere_gets_the_same_answer_no_text_and_cannot_be_taken()
    {
        const string send = "/api/v1/users/me/phone/verification";
        var phone = "+4476" + Random.Shared.Next(10_000_000, 99_999_999);
        var owner = await RegisterAsync(Unique("phone_owner"), phone: phone);
        var rival = await RegisterAsync(Unique("phone_rival"), phone: phone);
        var rivalToken = rival["access_token"]!.GetValue<string>();
        var ownerToken = owner["access_token"]!.GetValue<string>();

        // Before anyone proves it, both get a code; the owner proves it first.
        await (await Client.PostJson(send, new { }, rivalToken)).AssertStatus(202);
        var rivalCode = fx.Sms.LastCodeTo(phone);
        await (await Client.PostJson(send, new { }, ownerToken)).AssertStatus(202);
        var ownerCode = fx.Sms.LastCodeTo(phone);
        await (await Client.PostJson(send + "/confirm", new { code = ownerCode }, ownerToken)).AssertStatus(200);

        // The rival's right code no longer takes the number.
        await (await Client.PostJson(send + "/confirm", new { code = rivalCode }, rivalToken)).AssertProblem(409);
        Assert.False(
            await fx.ScalarAsync<bool>(
                "SELECT phone_verified_at IS NOT NULL FROM users WHERE id = @id::uuid",
                ("id", Id(rival))
            )
        );

        // A later request answers as for a free number, and nothing is texted to the owner.
        var texts = fx.Sms.Messages.Count(m => m.To == phone);
        var late = await RegisterAsync(Unique("phone_late"), phone: phone);
        var lateSent = await (
            await Client.PostJson(send, new { }, late["access_token"]!.GetValue<string>())
        ).AssertStatus(202);
        Assert.NotNull(lateSent["expires_at"]);
        Assert.Equal(texts, fx.Sms.Messages.Count(m => m.To == phone));
        // Every holder has the same password here: the number signs in its verified owner only.
        Assert.Equal(Id(owner), Id(await LoginAsync(phone, Password)));
    }

    // Signing in with a number one holds (unverified) with one's own password answers alike whether or not someone
    // else verified it: a 401 only where it was verified elsewhere told a stranger that the number is someone's.
    [Fact]
    public async Task A_login_tells_no_stranger_whether_a_number_is_verified_elsewhere()
    {
        const string send = "/api/v1/users/me/phone/verification";
        var taken = "+4475" + Random.Shared.Next(10_000_000, 99_999_999);
        var owner = await RegisterAsync(Unique("num_owner"), phone: taken, password: "owners-own-9");
        var ownerToken = owner["access_token"]!.GetValue<string>();
        await (await Client.PostJson(send, new { }, ownerToken)).AssertStatus(202);
        var code = fx.Sms.LastCodeTo(taken);
        await (await Client.PostJson(send + "/confirm", new { code }, ownerToken)).AssertStatus(200);
        var free = "+4475" + Random.Shared.Next(10_000_000, 99_999_999);

        var probeOfTaken = await RegisterAsync(Unique("probe"), phone: taken);
        var probeOfFree = await RegisterAsync(Unique("probe"), phone: free);

        Assert.Equal(Id(probeOfTaken), Id(await LoginAsync(taken, Password)));
        Assert.Equal(Id(probeOfFree), Id(await LoginAsync(free, Password)));
        // The owner still signs in with the number, and a wrong password is refused alike.
        Assert.Equal(Id(owner), Id(await LoginAsync(taken, "owners-own-9")));
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = taken, password = "wrong-one-1" })
        ).AssertProblem(401);
    }

    [GeneratedRegex(@"Confirmation token: (\S+)")]
    private static partial Regex ConfirmationToken();
}
