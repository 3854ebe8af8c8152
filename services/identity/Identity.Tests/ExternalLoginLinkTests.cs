using System.Web;

namespace Community.Identity.Tests;

/// <summary>
/// A member's outside sign-ins: listed, removed (with the password, and a code when two-factor sign-in is on) and
/// linked on purpose (a start with intent=link, whose link code the signed-in client posts).
/// </summary>
public sealed class ExternalLoginLinkTests(ExternalLoginFixture fx) : IClassFixture<ExternalLoginFixture>
{
    private const string Links = "/api/v1/users/me/external-logins";

    private HttpClient Client => fx.Client;

    private static string NewSubject() => "sub-" + Guid.NewGuid().ToString("N");

    private static string Email(JsonNode registered) => registered["user"]!["email"]!.GetValue<string>();

    private static string Token(JsonNode registered) => registered["access_token"]!.GetValue<string>();

    private static string Id(JsonNode registered) => registered["user"]!["id"]!.GetValue<string>();

    /// <summary>A sign-in up to the callback's 302 (no exchange): where it sent the browser.</summary>
    private async Task<Uri> CallbackAsync(FakeOidcUser user, string? intent = null, string? linkTicket = null)
    {
        var response = await Client.GetAsync(await fx.AuthorizeAsync(user, intent: intent, linkTicket: linkTicket));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    /// <summary>A registered member whose verified e-mail a sign-in with the provider linked; its subject.</summary>
    private async Task<(JsonNode Member, string Subject)> LinkedMemberAsync()
    {
        var member = await fx.RegisterAsync();
        var subject = NewSubject();
        var page = await CallbackAsync(new FakeOidcUser(subject, Email(member)));
        Assert.StartsWith(ExternalLoginFixture.ClientPage + "?code=", page.AbsoluteUri);
        return (member, subject);
    }

    /// <summary>A ticket of the account <paramref name="token"/> signs in to, to start linking a provider.</summary>
    private async Task<string> TicketAsync(string token, string provider = "fake")
    {
        var ticket = await (
            await Client.PostJson($"{Links}/tickets", new { provider, password = "correct-horse-9" }, token)
        ).AssertStatus(201);
        Assert.True(ticket["expires_in"]!.GetValue<int>() > 0);
        return ticket["ticket"]!.GetValue<string>();
    }

    /// <summary>
    /// The link code a sign-in started with intent=link, and a ticket of the account <paramref name="token"/> signs in
    /// to, hands the client page; it signs nobody in.
    /// </summary>
    private async Task<string> LinkCodeAsync(FakeOidcUser user, string token)
    {
        var page = await CallbackAsync(user, "link", await TicketAsync(token));
        Assert.StartsWith(ExternalLoginFixture.ClientPage + "?link_code=", page.AbsoluteUri);
        var query = HttpUtility.ParseQueryString(page.Query);
        Assert.Null(query["code"]);
        return query["link_code"]!;
    }

    private Task<HttpResponseMessage> ConfirmAsync(string code, string? token) =>
        Client.PostJson(Links, new { code }, token);

    private Task<HttpResponseMessage> UnlinkAsync(
        string provider,
        string? token,
        string password = "correct-horse-9",
        string? code = null
    ) => Client.SendJson(HttpMethod.Delete, $"{Links}/{provider}", new { password, code }, token);

    private async Task<JsonArray> ListAsync(string token) =>
        (await (await Client.Get(Links, token)).AssertStatus(200))["items"]!.AsArray();

    private Task<long> AccountsWithEmailAsync(string email) =>
        Sql.ScalarAsync<long>(
            fx.Resources.DatabaseConnectionString,
            "SELECT count(*) FROM users WHERE email = @email",
            ("email", email)
        );

    private Task<long> LinksOfSubjectAsync(string subject) =>
        Sql.ScalarAsync<long>(
            fx.Resources.DatabaseConnectionString,
            "SELECT count(*) FROM external_logins WHERE subject = @subject",
            ("subject", subject)
        );

    [Fact]
    public async Task The_list_shows_the_callers_own_links()
    {
        var member = await fx.RegisterAsync();
        Assert.Empty(await ListAsync(Token(member)));

        var before = fx.Clock.GetUtcNow();
        await CallbackAsync(new FakeOidcUser(NewSubject(), Email(member).ToUpperInvariant()));
        var link = Assert.Single(await ListAsync(Token(member)))!;
        Assert.Equal("fake", link["provider"]!.GetValue<string>());
        Assert.Equal("Fake", link["display_name"]!.GetValue<string>());
        Assert.Equal(Email(member), link["email"]!.GetValue<string>());
        Assert.InRange(
            link["linked_at"]!.GetValue<DateTimeOffset>(),
            before - TimeSpan.FromMilliseconds(1),
            fx.Clock.GetUtcNow()
        );

        // Another member sees none of it.
        var other = await fx.RegisterAsync();
        Assert.Empty(await ListAsync(Token(other)));
    }

    [Fact]
    public async Task Unlinking_removes_the_provider_tells_the_owner_and_a_sign_in_by_the_email_then_links_nothing()
    {
        var (member, subject) = await LinkedMemberAsync();

        // Provider names in any case, as the sign-in's routes take them.
        await (await UnlinkAsync("FAKE", Token(member))).AssertStatus(204);

        Assert.Empty(await ListAsync(Token(member)));
        var notice = await fx.Smtp.WaitForAsync(Email(member), "Fake sign-in was removed from");
        Assert.Contains("Subject: Fake sign-in was removed from your Community account", notice.Data);
        // The session goes on.
        await (await Client.Get("/api/v1/auth/me", Token(member))).AssertStatus(200);

        // The same provider account, and any other with the member's verified e-mail, is not linked again: the browser
        // goes back to the client page saying so, and no account is made.
        foreach (var again in new[] { subject, NewSubject() })
        {
            var page = await CallbackAsync(new FakeOidcUser(again, Email(member)));
            Assert.Equal(ExternalLoginFixture.ClientPage + "?error=link_turned_off", page.AbsoluteUri);
            Assert.Equal(0, await LinksOfSubjectAsync(again));
        }
        Assert.Equal(1, await AccountsWithEmailAsync(Email(member)));
        Assert.Empty(await ListAsync(Token(member)));
        // Another provider still links by the e-mail.
        var slashed = await fx.AuthorizeAsync(new FakeOidcUser(NewSubject(), Email(member)), provider: "slashed");
        Assert.Equal(Id(member), (await fx.FinishAsync(slashed))["user"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unlinking_with_a_wrong_password_keeps_the_link_and_counts_the_failure()
    {
        var (member, _) = await LinkedMemberAsync();

        var problem = await (await UnlinkAsync("fake", Token(member), "wrong-password-1")).AssertProblem(400);
        Assert.Contains("The password is wrong.", problem["errors"]!["password"]!.ToJsonString());
        var missing = await (
            await Client.SendJson(HttpMethod.Delete, $"{Links}/fake", new { }, Token(member))
        ).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["password"]);

        Assert.Single(await ListAsync(Token(member)));
        Assert.Equal(1, await fx.TwoFactorFailuresAsync(Id(member)));
    }

    [Fact]
    public async Task Unlinking_with_two_factor_on_takes_a_code_too()
    {
        var (member, _) = await LinkedMemberAsync();
        var enrolment = await fx.TurnOnTwoFactorAsync(Token(member));

        var missing = await (await UnlinkAsync("fake", Token(member))).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["code"]);
        var wrong = await (await UnlinkAsync("fake", Token(member), code: "000000")).AssertProblem(400);
        Assert.NotNull(wrong["errors"]!["code"]);
        Assert.Single(await ListAsync(Token(member)));

        await (await UnlinkAsync("fake", Token(member), code: fx.NextTwoFactorCode(enrolment.Secret))).AssertStatus(
            204
        );
        Assert.Empty(await ListAsync(Token(member)));
    }

    [Fact]
    public async Task Unlinking_an_unknown_provider_or_one_not_linked_is_404_and_no_route_answers_without_a_token()
    {
        var (member, _) = await LinkedMemberAsync();

        await (await UnlinkAsync("nobody", Token(member))).AssertProblem(404);
        var notLinked = await (await UnlinkAsync("slashed", Token(member))).AssertProblem(404);
        Assert.Contains("No Slashed sign-in is linked", notLinked["detail"]!.GetValue<string>());
        Assert.Single(await ListAsync(Token(member)));

        await (await Client.Get(Links)).AssertProblem(401);
        await (await UnlinkAsync("fake", null)).AssertProblem(401);
        await (await ConfirmAsync("any-code", null)).AssertProblem(401);
    }

    [Fact]
    public async Task Linking_on_purpose_links_the_providers_account_to_the_caller_and_clears_a_removal()
    {
        var (member, subject) = await LinkedMemberAsync();
        await (await UnlinkAsync("fake", Token(member))).AssertStatus(204);

        // Another address at the provider: linked to whoever posts the code, which makes no account of its own.
        var elsewhere = $"elsewhere-{Guid.NewGuid():N}@example.com";
        var other = NewSubject();
        var code = await LinkCodeAsync(new FakeOidcUser(other, elsewhere), Token(member));
        Assert.Equal(0, await AccountsWithEmailAsync(elsewhere));

        var linked = await (await ConfirmAsync(code, Token(member))).AssertStatus(201);
        Assert.Equal("fake", linked["provider"]!.GetValue<string>());
        Assert.Equal("Fake", linked["display_name"]!.GetValue<string>());
        Assert.Equal(elsewhere, linked["email"]!.GetValue<string>());
        Assert.NotNull(linked["linked_at"]);
        Assert.Equal(elsewhere, Assert.Single(await ListAsync(Token(member)))!["email"]!.GetValue<string>());
        var notice = await fx.Smtp.WaitForAsync(Email(member), "linked a Fake account to it");
        Assert.Contains("Subject: Sign-in with Fake was added to your Community account", notice.Data);
        Assert.Equal(
            0L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM external_login_opt_outs WHERE user_id = @id",
                ("id", Guid.Parse(Id(member)))
            )
        );

        // Both sign in to the member: the linked one, and again the one by the verified e-mail.
        foreach (var signIn in new[] { new FakeOidcUser(other, elsewhere), new FakeOidcUser(subject, Email(member)) })
            Assert.Equal(
                Id(member),
                (await fx.FinishAsync(await fx.AuthorizeAsync(signIn)))["user"]!["id"]!.GetValue<string>()
            );
        Assert.Equal(2, (await ListAsync(Token(member))).Count);
    }

    [Fact]
    public async Task A_link_code_works_once_and_never_takes_another_accounts_link()
    {
        var member = await fx.RegisterAsync();
        var subject = NewSubject();
        var user = new FakeOidcUser(subject, $"{subject}@example.com");
        var code = await LinkCodeAsync(user, Token(member));
        await (await ConfirmAsync(code, Token(member))).AssertStatus(201);

        var used = await (await ConfirmAsync(code, Token(member))).AssertProblem(422);
        Assert.Contains("unknown, used or expired", used["detail"]!.GetValue<string>());
        var unknown = await (await ConfirmAsync("not-a-link-code", Token(member))).AssertProblem(422);
        Assert.Contains("unknown, used or expired", unknown["detail"]!.GetValue<string>());

        // The same provider account again: already the member's.
        var again = await (await ConfirmAsync(await LinkCodeAsync(user, Token(member)), Token(member))).AssertStatus(
            200
        );
        Assert.Equal(user.Email, again["email"]!.GetValue<string>());

        // Another member cannot take it over.
        var other = await fx.RegisterAsync();
        var taken = await (await ConfirmAsync(await LinkCodeAsync(user, Token(other)), Token(other))).AssertProblem(
            409
        );
        Assert.Contains("already linked to another account", taken["detail"]!.GetValue<string>());
        Assert.Empty(await ListAsync(Token(other)));
        Assert.Single(await ListAsync(Token(member)));

        // An expired code is refused.
        var late = await LinkCodeAsync(new FakeOidcUser(NewSubject(), "late@example.com"), Token(member));
        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await ConfirmAsync(late, Token(member))).AssertProblem(422);
    }

    [Fact]
    public async Task A_sign_in_started_to_link_signs_nobody_in()
    {
        var email = $"link-only-{Guid.NewGuid():N}@example.com";
        var member = await fx.RegisterAsync();
        var code = await LinkCodeAsync(new FakeOidcUser(NewSubject(), email), Token(member));

        // Not a sign-in code, and without a token it links nothing.
        await (await Client.PostJson("/api/v1/auth/external/exchange", new { code })).AssertProblem(401);
        await (await ConfirmAsync(code, null)).AssertProblem(401);
        Assert.Equal(0, await AccountsWithEmailAsync(email));

        // Nor does an intent the start does not know.
        var unknown = await (
            await Client.GetAsync(
                "/api/v1/auth/external/fake/start?intent=merge&redirect_uri="
                    + Uri.EscapeDataString(ExternalLoginFixture.ClientPage)
            )
        ).AssertProblem(400);
        Assert.NotNull(unknown["errors"]!["intent"]);
    }

    [Fact]
    public async Task A_link_code_made_from_another_accounts_ticket_links_nothing()
    {
        // Someone starts a link for their own account and their own provider account, then gets the code's page
        // opened by a member whose client posts it: the provider account would sign in to the member's account.
        var attacker = await fx.RegisterAsync();
        var member = await fx.RegisterAsync();
        var subject = NewSubject();
        var forwarded = await LinkCodeAsync(new FakeOidcUser(subject, $"{subject}@example.com"), Token(attacker));

        var refused = await (await ConfirmAsync(forwarded, Token(member))).AssertProblem(422);
        Assert.Contains("not made for your account", refused["detail"]!.GetValue<string>());
        Assert.Empty(await ListAsync(Token(member)));
        Assert.Equal(0, await LinksOfSubjectAsync(subject));
        // Spent: not even its own account may use it now.
        await (await ConfirmAsync(forwarded, Token(attacker))).AssertProblem(422);
    }

    [Fact]
    public async Task A_link_starts_only_with_a_ticket_of_that_provider_used_once()
    {
        var member = await fx.RegisterAsync();
        string Start(string? ticket, string provider = "fake") =>
            $"/api/v1/auth/external/{provider}/start?intent=link&redirect_uri="
            + Uri.EscapeDataString(ExternalLoginFixture.ClientPage)
            + (ticket is null ? "" : $"&link_ticket={Uri.EscapeDataString(ticket)}");

        var missing = await (await Client.GetAsync(Start(null))).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["link_ticket"]);
        await (await Client.GetAsync(Start("not-a-ticket"))).AssertProblem(400);
        // Another provider's ticket.
        var slashed = await TicketAsync(Token(member), "slashed");
        await (await Client.GetAsync(Start(slashed))).AssertProblem(400);

        var ticket = await TicketAsync(Token(member));
        Assert.Equal(HttpStatusCode.Redirect, (await Client.GetAsync(Start(ticket))).StatusCode);
        await (await Client.GetAsync(Start(ticket))).AssertProblem(400);

        // Tickets are for signed-in members who give their password, and for configured providers only: an access
        // token alone (a stolen one) adds no way in.
        const string password = "correct-horse-9";
        await (await Client.PostJson($"{Links}/tickets", new { provider = "fake", password })).AssertProblem(401);
        var without = await (
            await Client.PostJson($"{Links}/tickets", new { provider = "fake" }, Token(member))
        ).AssertProblem(400);
        Assert.NotNull(without["errors"]!["password"]);
        var wrong = await (
            await Client.PostJson(
                $"{Links}/tickets",
                new { provider = "fake", password = "wrong-horse-9" },
                Token(member)
            )
        ).AssertProblem(400);
        Assert.NotNull(wrong["errors"]!["password"]);
        await (
            await Client.PostJson($"{Links}/tickets", new { provider = "nope", password }, Token(member))
        ).AssertProblem(404);
        await (await Client.PostJson($"{Links}/tickets", new { provider = "", password }, Token(member))).AssertProblem(
            400
        );
    }

    [Fact]
    public async Task Two_confirmations_of_one_code_link_once()
    {
        var member = await fx.RegisterAsync();
        var code = await LinkCodeAsync(new FakeOidcUser(NewSubject(), "twice@example.com"), Token(member));

        var answers = await Task.WhenAll(ConfirmAsync(code, Token(member)), ConfirmAsync(code, Token(member)));

        Assert.Equal([201, 422], answers.Select(a => (int)a.StatusCode).Order());
        Assert.Single(await ListAsync(Token(member)));
    }

    [Fact]
    public async Task Of_two_accounts_linking_one_provider_account_at_once_the_later_gets_409()
    {
        var first = await fx.RegisterAsync();
        var second = await fx.RegisterAsync();
        var subject = NewSubject();
        var code = await LinkCodeAsync(new FakeOidcUser(subject, $"{subject}@example.com"), Token(second));

        // The first's link made and not yet committed when the second's is: the second meets it at the insert.
        var (waited, answer) = await Sql.CheckDuringWriteAsync(
            fx.Resources.DatabaseConnectionString,
            "INSERT INTO external_logins (provider, subject, user_id, email, created_at) "
                + "VALUES ('fake', @subject, @user, 'first@example.com', now())",
            [("subject", subject), ("user", Guid.Parse(Id(first)))],
            () => ConfirmAsync(code, Token(second))
        );

        Assert.True(waited, "the second link did not wait for the first");
        var problem = await answer.AssertProblem(409);
        Assert.Contains("already linked to another account", problem["detail"]!.GetValue<string>());
        Assert.Empty(await ListAsync(Token(second)));
        Assert.Single(await ListAsync(Token(first)));
    }
}
