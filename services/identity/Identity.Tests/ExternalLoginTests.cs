using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Community.Identity.Tests;

/// <summary>
/// Identity configured with one outside provider, "fake", played by <see cref="FakeOidcProvider"/>; the test client
/// does not follow redirects.
/// </summary>
public sealed class ExternalLoginFixture : IdentityFixture
{
    public const string GatewayUrl = "http://gateway.test";
    public const string ClientPage = "http://app.test/signed-in";

    public FakeOidcProvider Provider { get; private set; } = null!;

    /// <summary>"slashed": a provider whose issuer ends in a slash (as Auth0's), configured as it is written.</summary>
    public FakeOidcProvider Slashed { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Provider = await FakeOidcProvider.StartAsync();
        Slashed = await FakeOidcProvider.StartAsync(issuerEndsInSlash: true);
        await base.InitializeAsync();
    }

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:GatewayUrl"] = GatewayUrl;
        settings["Identity:ExternalLoginClientRedirects:0"] = "http://app.test/";
        settings["Identity:ExternalLogin:fake:Issuer"] = Provider.Issuer;
        settings["Identity:ExternalLogin:fake:ClientId"] = FakeOidcProvider.ClientId;
        settings["Identity:ExternalLogin:fake:ClientSecret"] = Provider.ClientSecret;
        settings["Identity:ExternalLogin:fake:RequireHttps"] = "false";
        settings["Identity:ExternalLogin:slashed:Issuer"] = Slashed.Issuer;
        settings["Identity:ExternalLogin:slashed:ClientId"] = FakeOidcProvider.ClientId;
        settings["Identity:ExternalLogin:slashed:ClientSecret"] = Slashed.ClientSecret;
        settings["Identity:ExternalLogin:slashed:RequireHttps"] = "false";
        // Listed by its display name, never started here; and one without a client id, which is not a provider yet.
        settings["Identity:ExternalLogin:Acme:Issuer"] = "https://id.acme.example";
        settings["Identity:ExternalLogin:Acme:ClientId"] = "community";
        settings["Identity:ExternalLogin:Acme:DisplayName"] = "Acme ID";
        settings["Identity:ExternalLogin:unfinished:Issuer"] = "https://id.unfinished.example";
    }

    /// <summary>The cookies of the fixture's client, which plays the browser that starts sign-ins.</summary>
    public CookieContainer Cookies { get; } = new();

    /// <summary>
    /// Plays the browser up to the provider's redirect back: start (with <paramref name="intent"/> and
    /// <paramref name="linkTicket"/> when given), then
    /// the provider's authorize page. Returns the callback's path and query.
    /// </summary>
    public async Task<string> AuthorizeAsync(
        FakeOidcUser user,
        Func<string, string>? tamper = null,
        string provider = "fake",
        string? intent = null,
        string? linkTicket = null
    )
    {
        var fake = provider == "slashed" ? Slashed : Provider;
        fake.NextUser = user;
        var start = await Client.GetAsync(
            $"/api/v1/auth/external/{provider}/start?redirect_uri="
                + Uri.EscapeDataString(ClientPage)
                + (intent is null ? "" : $"&intent={intent}")
                + (linkTicket is null ? "" : $"&link_ticket={Uri.EscapeDataString(linkTicket)}")
        );
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!.AbsoluteUri;
        Assert.StartsWith(fake.Origin + "/authorize?", authorize);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = await browser.GetAsync(tamper is null ? authorize : tamper(authorize));
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var callback = back.Headers.Location!;
        Assert.StartsWith($"{GatewayUrl}/api/v1/auth/external/{provider}/callback?", callback.AbsoluteUri);
        return callback.PathAndQuery;
    }

    /// <summary>
    /// The callback's 302 to the client page, and the one-time code on it exchanged for the token body.
    /// </summary>
    public async Task<JsonNode> FinishAsync(string callback)
    {
        var response = await Client.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = response.Headers.Location!;
        Assert.StartsWith(ClientPage + "?code=", page.AbsoluteUri);
        Assert.DoesNotContain("token", page.Query);
        var code = HttpUtility.ParseQueryString(page.Query)["code"]!;
        var body = await (await Client.PostJson("/api/v1/auth/external/exchange", new { code })).AssertStatus(200);
        // The code is single use.
        await (await Client.PostJson("/api/v1/auth/external/exchange", new { code })).AssertProblem(401);
        return body;
    }

    protected override HttpClient NewClient(ServiceHost<Program> host) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies })
        {
            BaseAddress = host.BaseAddress,
        };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
        await Slashed.DisposeAsync();
    }
}

public sealed class ExternalLoginTests(ExternalLoginFixture fx) : IClassFixture<ExternalLoginFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task The_configured_providers_are_listed_for_a_clients_buttons_without_a_token()
    {
        var listed = await (await Client.GetAsync("/api/v1/auth/external/providers")).AssertStatus(200);

        Assert.Equal(
            ["acme: Acme ID", "fake: Fake", "slashed: Slashed"],
            listed["items"]!.AsArray().Select(p => $"{p!["name"]}: {p["display_name"]}")
        );
        // Each name starts its sign-in.
        var start = await Client.GetAsync(
            $"/api/v1/auth/external/fake/start?redirect_uri={Uri.EscapeDataString(ExternalLoginFixture.ClientPage)}"
        );
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
    }

    private static string NewSubject() => "sub-" + Guid.NewGuid().ToString("N");

    private Task<string> AuthorizeAsync(
        FakeOidcUser user,
        Func<string, string>? tamper = null,
        string provider = "fake"
    ) => fx.AuthorizeAsync(user, tamper, provider);

    private Task<JsonNode> FinishAsync(string callback) => fx.FinishAsync(callback);

    private async Task<JsonNode> SignInAsync(FakeOidcUser user) => await FinishAsync(await AuthorizeAsync(user));

    /// <summary>
    /// A first sign-in with a provider makes an account and hashes its random password: it waits for a password slot
    /// as a sign-up does, so a burst of them does not take the cores from every request.
    /// </summary>
    [Fact]
    public async Task A_first_outside_sign_in_waits_for_a_password_slot_as_a_sign_up_does()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), $"slot-{Guid.NewGuid():N}@example.com"));
        var work = fx.Host.Services.GetRequiredService<PasswordWork>();
        var held = new List<IDisposable>();
        Task<HttpResponseMessage> signingIn;
        try
        {
            // Every slot taken (one a core, unless configured).
            for (var i = 0; i < Environment.ProcessorCount; i++)
                held.Add((await work.EnterAsync(CancellationToken.None)).Slot!);
            signingIn = Client.GetAsync(callback);
            await Eventually.TrueAsync(
                () => Task.FromResult(work.Waiting == 1),
                "the first sign-in never waited for a password slot"
            );
            Assert.False(signingIn.IsCompleted);
        }
        finally
        {
            foreach (var slot in held)
                slot.Dispose();
        }

        Assert.Equal(HttpStatusCode.Redirect, (await signingIn).StatusCode);
    }

    [Fact]
    public async Task A_provider_out_of_reach_answers_503_not_500()
    {
        // acme's issuer does not resolve here: its discovery document cannot be read
        var start = await Client.GetAsync(
            $"/api/v1/auth/external/acme/start?redirect_uri={Uri.EscapeDataString(ExternalLoginFixture.ClientPage)}"
        );

        var problem = await start.AssertProblem(503);
        Assert.Contains("cannot be reached", problem["detail"]!.GetValue<string>());
        Assert.NotNull(start.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_provider_out_of_reach_at_the_callback_sends_the_browser_back_saying_so()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), $"down-{Guid.NewGuid():N}@example.com"));
        fx.Provider.TokenEndpointDown = true;
        HttpResponseMessage response;
        try
        {
            response = await Client.GetAsync(callback);
        }
        finally
        {
            fx.Provider.TokenEndpointDown = false;
        }

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(
            ExternalLoginFixture.ClientPage + "?error=temporarily_unavailable",
            response.Headers.Location!.AbsoluteUri
        );
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"id_token\"")]
    [InlineData("{\"id_token\": 123}")]
    [InlineData("{\"id_token\": {\"value\": \"x\"}}")]
    [InlineData("{\"id_token\": null}")]
    [InlineData("not json")]
    public async Task A_token_answer_of_another_shape_is_no_id_token_and_signs_nobody_in(string answer)
    {
        var email = $"shape-{Guid.NewGuid():N}@example.com";
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), email));
        fx.Provider.TokenAnswerOverride = answer;
        HttpResponseMessage response;
        try
        {
            response = await Client.GetAsync(callback);
        }
        finally
        {
            fx.Provider.TokenAnswerOverride = null;
        }

        var problem = await response.AssertProblem(401);
        Assert.Equal("The sign-in provider returned no ID token.", problem["detail"]!.GetValue<string>());
        Assert.Equal(0, await AccountsWithEmailAsync(email));
    }

    [Fact]
    public async Task A_provider_whose_issuer_ends_in_a_slash_signs_people_in()
    {
        var email = $"slash-{Guid.NewGuid():N}@example.com";
        var body = await FinishAsync(await AuthorizeAsync(new FakeOidcUser(NewSubject(), email), provider: "slashed"));

        Assert.False(string.IsNullOrEmpty(body["access_token"]!.GetValue<string>()));
        Assert.Equal(1L, await AccountsWithEmailAsync(email));
    }

    [Theory]
    [InlineData("nul", "The sign-in provider shared no usable e-mail address.")]
    [InlineData("not an address", "The sign-in provider shared no usable e-mail address.")]
    [InlineData("long", "The sign-in provider shared no usable e-mail address.")]
    [InlineData("subject", "The sign-in provider's ID token names no usable subject.")]
    public async Task A_providers_email_or_subject_a_registration_could_not_store_signs_nobody_in(
        string what,
        string detail
    )
    {
        var email = what switch
        {
            "nul" => $"nul-{Guid.NewGuid():N}\u0000@example.com",
            "long" => new string('a', 300) + "@example.com",
            "subject" => $"subject-{Guid.NewGuid():N}@example.com",
            _ => what,
        };
        var stored = NewSubject();
        var subject = what == "subject" ? stored + "\u0000" : stored;
        var callback = await AuthorizeAsync(new FakeOidcUser(subject, email));

        var problem = await (await Client.GetAsync(callback)).AssertProblem(401);
        Assert.Equal(detail, problem["detail"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM external_logins WHERE starts_with(subject, @subject)",
                ("subject", stored)
            )
        );
    }

    private Task<long> AccountsWithEmailAsync(string email) =>
        Sql.ScalarAsync<long>(
            fx.Resources.DatabaseConnectionString,
            "SELECT count(*) FROM users WHERE email = @email",
            ("email", email)
        );

    [Theory]
    [InlineData("Two\nLines")]
    [InlineData("Evil\u202Eeman")]
    [InlineData("\u3164\u3164")]
    [InlineData("   ")]
    public async Task A_providers_name_a_registration_would_refuse_is_not_taken(string name)
    {
        var user = new FakeOidcUser(NewSubject(), $"{NewSubject()}@example.com", Name: name);
        var first = await SignInAsync(user);
        Assert.Null(first["user"]!["full_name"]);
        var stored = await Sql.ScalarAsync<string>(
            fx.Resources.DatabaseConnectionString,
            "SELECT coalesce(full_name, '(none)') FROM users WHERE id = @id",
            ("id", Guid.Parse(first["user"]!["id"]!.GetValue<string>()))
        );
        Assert.Equal("(none)", stored);
    }

    [Fact]
    public async Task A_first_sign_in_creates_an_account_and_a_second_finds_it()
    {
        var user = new FakeOidcUser(NewSubject(), "New.Person+x@Example.com", Name: "New Person");
        var first = await SignInAsync(user);
        Assert.Equal("new.person+x@example.com", first["user"]!["email"]!.GetValue<string>());
        // Usernames are public: the e-mail shows in none.
        Assert.Matches("^member_[a-z2-9]{8}$", first["user"]!["username"]!.GetValue<string>());
        Assert.Equal("New Person", first["user"]!["full_name"]!.GetValue<string>());
        Assert.Equal("bearer", first["token_type"]!.GetValue<string>());
        var me = await (await Client.Get("/api/v1/auth/me", first["access_token"]!.GetValue<string>())).AssertStatus(
            200
        );
        Assert.Equal(first["user"]!["id"]!.GetValue<string>(), me["id"]!.GetValue<string>());

        var authorize = fx.Provider.Received.Last(r => r.Endpoint == "authorize").Fields;
        Assert.Equal("S256", authorize["code_challenge_method"]);
        Assert.Equal(
            $"{ExternalLoginFixture.GatewayUrl}/api/v1/auth/external/fake/callback",
            authorize["redirect_uri"]
        );
        var token = fx.Provider.Received.Last(r => r.Endpoint == "token").Fields;
        Assert.Equal(fx.Provider.ClientSecret, token["client_secret"]);
        Assert.True(token["code_verifier"].Length >= 43);

        var second = await SignInAsync(user with { Email = "changed-later@example.com" });
        Assert.Equal(first["user"]!["id"]!.GetValue<string>(), second["user"]!["id"]!.GetValue<string>());
        Assert.Equal(1, await AccountsWithEmailAsync("new.person+x@example.com"));
        // A new account is not "linked": its maker is not told anything was added.
        await fx.MailSentAsync();
        Assert.DoesNotContain(fx.Smtp.Messages, m => m.To.Any(t => t.Contains("new.person+x@example.com")));
    }

    /// <summary>The callback's one-time code, exchanged once: the raw answer.</summary>
    private async Task<HttpResponseMessage> ExchangeAsync(FakeOidcUser user)
    {
        var page = (await Client.GetAsync(await AuthorizeAsync(user))).Headers.Location!;
        var code = HttpUtility.ParseQueryString(page.Query)["code"]!;
        return await Client.PostJson("/api/v1/auth/external/exchange", new { code });
    }

    [Fact]
    public async Task An_account_with_two_factor_on_is_asked_for_its_second_factor()
    {
        var registered = await fx.RegisterAsync();
        var email = registered["user"]!["email"]!.GetValue<string>();
        var token = registered["access_token"]!.GetValue<string>();
        var secret = (
            await (
                await Client.PostJson("/api/v1/users/me/two-factor", new { password = "correct-horse-9" }, token)
            ).AssertStatus(200)
        )["secret"]!.GetValue<string>();
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret));
        fx.Clock.Advance(TimeSpan.FromSeconds(30));
        var recovery = (
            await (
                await Client.PostJson(
                    "/api/v1/users/me/two-factor/confirm",
                    new { code = totp.ComputeTotp(fx.Clock.GetUtcNow().UtcDateTime) },
                    token
                )
            ).AssertStatus(200)
        )["recovery_codes"]![0]!.GetValue<string>();

        var answer = await (await ExchangeAsync(new FakeOidcUser(NewSubject(), email))).AssertStatus(200);
        Assert.True(answer["two_factor_required"]!.GetValue<bool>());
        Assert.Null(answer["access_token"]);
        var signedIn = await (
            await Client.PostJson(
                "/api/v1/auth/login/two-factor",
                new { challenge = answer["challenge"]!.GetValue<string>(), code = recovery }
            )
        ).AssertStatus(200);
        Assert.Equal(registered["user"]!["id"]!.GetValue<string>(), signedIn["user"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_suspended_account_gets_no_tokens_from_an_outside_sign_in()
    {
        var registered = await fx.RegisterAsync();
        var admin = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/admin/users/{registered["user"]!["id"]}/suspension",
                new { reason = "spam" },
                admin
            )
        ).AssertStatus(200);

        var user = new FakeOidcUser(NewSubject(), registered["user"]!["email"]!.GetValue<string>());
        var problem = await (await ExchangeAsync(user)).AssertProblem(403);
        Assert.Contains("suspended", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_new_accounts_username_is_neutral_and_tells_nothing_of_the_email()
    {
        var first = await SignInAsync(new FakeOidcUser(NewSubject(), "john.smith.1987@elsewhere.example"));
        var second = await SignInAsync(new FakeOidcUser(NewSubject(), "john.smith.1987@other.example"));
        var usernames = new[] { first, second }.Select(b => b["user"]!["username"]!.GetValue<string>()).ToList();
        Assert.All(usernames, u => Assert.Matches("^member_[a-z2-9]{8}$", u));
        Assert.All(usernames, u => Assert.DoesNotContain("smith", u));
        Assert.NotEqual(usernames[0], usernames[1]);
        // Public, as every username is: what other members see of the account.
        var profile = await (
            await Client.Get($"/api/v1/users/{first["user"]!["id"]}", second["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(usernames[0], profile["username"]!.GetValue<string>());
        Assert.Null(profile["email"]);
    }

    [Fact]
    public async Task An_existing_password_account_with_the_verified_email_is_linked()
    {
        var registered = await fx.RegisterAsync("has_password");
        var subject = NewSubject();
        var body = await SignInAsync(new FakeOidcUser(subject, "HAS_PASSWORD@example.com"));
        Assert.Equal(registered["user"]!["id"]!.GetValue<string>(), body["user"]!["id"]!.GetValue<string>());
        Assert.Equal("has_password", body["user"]!["username"]!.GetValue<string>());
        Assert.Equal(1, await AccountsWithEmailAsync("has_password@example.com"));
        Assert.Equal(
            1,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM external_logins WHERE user_id = @id AND provider = 'fake'",
                ("id", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
            )
        );
        // The password still works.
        await fx.LoginAsync("has_password", "correct-horse-9");

        // Its owner is told, once: a second sign-in finds the link and tells nobody again.
        var notice = await fx.Smtp.WaitForAsync("has_password@example.com", "that sign-in was linked to has_password");
        Assert.Contains("Subject: Sign-in with Fake was added to your Community account", notice.Data);
        await SignInAsync(new FakeOidcUser(subject, "has_password@example.com"));
        await fx.MailSentAsync();
        Assert.Single(
            fx.Smtp.Messages,
            m => m.To.Any(t => t.Contains("has_password@example.com")) && m.Body.Contains("was linked to")
        );
    }

    [Fact]
    public async Task A_local_account_that_never_verified_the_email_is_not_linked_and_the_new_account_claims_it()
    {
        // Anyone can type an address at registration: it names its holder only once proven.
        var squatter = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "squatter_acct",
                    email = "real.owner@example.com",
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        var body = await SignInAsync(new FakeOidcUser(NewSubject(), "Real.Owner@example.com"));
        Assert.NotEqual(squatter["user"]!["id"]!.GetValue<string>(), body["user"]!["id"]!.GetValue<string>());
        Assert.True(body["user"]!["email_verified"]!.GetValue<bool>());
        Assert.Equal(2, await AccountsWithEmailAsync("real.owner@example.com"));
        Assert.Equal(
            0,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM external_logins WHERE user_id = @id",
                ("id", Guid.Parse(squatter["user"]!["id"]!.GetValue<string>()))
            )
        );
        Assert.Equal(
            "true",
            await Sql.ScalarAsync<string>(
                fx.Resources.DatabaseConnectionString,
                "SELECT payload->>'isVerified' FROM outbox_messages WHERE type LIKE '%UserRegistered,%' "
                    + "AND payload->>'userId' = @id",
                ("id", body["user"]!["id"]!.GetValue<string>())
            )
        );
        // The squatter's link for the address now meets its verified owner: refused, nothing changed.
        await (await fx.ConfirmAsync("real.owner@example.com")).AssertProblem(409);
        Assert.False(
            await Sql.ScalarAsync<bool>(
                fx.Resources.DatabaseConnectionString,
                "SELECT email_verified_at IS NOT NULL FROM users WHERE username = 'squatter_acct'"
            )
        );
    }

    [Fact]
    public async Task An_unverified_email_is_refused_and_creates_no_account()
    {
        var callback = await AuthorizeAsync(
            new FakeOidcUser(NewSubject(), "unverified@example.com", EmailVerified: false)
        );
        await (await Client.GetAsync(callback)).AssertProblem(401);
        Assert.Equal(0, await AccountsWithEmailAsync("unverified@example.com"));
    }

    [Fact]
    public async Task An_unverified_email_does_not_take_over_an_existing_account()
    {
        await fx.RegisterAsync("victim_acct");
        var callback = await AuthorizeAsync(
            new FakeOidcUser(NewSubject(), "victim_acct@example.com", EmailVerified: false)
        );
        await (await Client.GetAsync(callback)).AssertProblem(401);
        Assert.Equal(
            0,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM external_logins WHERE email = 'victim_acct@example.com'"
            )
        );
    }

    [Fact]
    public async Task A_refusal_at_the_provider_sends_the_browser_back_to_the_client_page_with_the_error()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "cancelled@example.com"));
        var cancelled = System.Text.RegularExpressions.Regex.Replace(callback, "code=[^&]+", "error=access_denied");
        var response = await Client.GetAsync(cancelled);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(
            ExternalLoginFixture.ClientPage
                + (ExternalLoginFixture.ClientPage.Contains('?') ? "&" : "?")
                + "error=access_denied",
            response.Headers.Location!.ToString()
        );
        Assert.Equal(0, await AccountsWithEmailAsync("cancelled@example.com"));
        // The state answered once: the same callback cannot be replayed, and an odd error value is not reflected.
        await (await Client.GetAsync(cancelled)).AssertProblem(400);
        var odd = System.Text.RegularExpressions.Regex.Replace(
            await AuthorizeAsync(new FakeOidcUser(NewSubject(), "odd@example.com")),
            "code=[^&]+",
            "error=%3Cscript%3E"
        );
        Assert.EndsWith("error=sign_in_failed", (await Client.GetAsync(odd)).Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_wrong_state_is_refused()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "wrong.state@example.com"));
        var forged = System.Text.RegularExpressions.Regex.Replace(callback, "state=[^&]+", "state=forged-state-value");
        await (await Client.GetAsync(forged)).AssertProblem(400);
        Assert.Equal(0, await AccountsWithEmailAsync("wrong.state@example.com"));
    }

    [Fact]
    public async Task The_way_back_from_a_sign_in_started_elsewhere_signs_nobody_in()
    {
        // Login CSRF: an attacker signs in at the provider, stops at its redirect back and has the victim open it.
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "attacker@example.com"));
        using var victim = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = Client.BaseAddress,
        };
        var refused = await (await victim.GetAsync(callback)).AssertProblem(400);
        Assert.Contains("not started in this browser", refused.ToJsonString());
        Assert.Equal(0, await AccountsWithEmailAsync("attacker@example.com"));
        // The state is spent: not even the browser that started it can use it now.
        await (await Client.GetAsync(callback)).AssertProblem(400);

        // A cookie of that name with another value is no better.
        var before = BindingCookieNames();
        var again = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "attacker@example.com"));
        var name = Assert.Single(BindingCookieNames().Except(before));
        using var forged = new HttpRequestMessage(HttpMethod.Get, again);
        forged.Headers.Add("Cookie", $"{name}=forged-binding-value");
        await (await victim.SendAsync(forged)).AssertProblem(400);
        Assert.Equal(0, await AccountsWithEmailAsync("attacker@example.com"));
    }

    [Fact]
    public async Task Two_sign_ins_started_in_one_browser_each_finish_with_their_own_cookie()
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = Client.BaseAddress,
        };
        var start = await browser.GetAsync(
            $"/api/v1/auth/external/fake/start?redirect_uri={Uri.EscapeDataString(ExternalLoginFixture.ClientPage)}"
        );
        var cookie = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("community_sign_in_", cookie);
        Assert.Contains("path=/api/v1/auth/external/", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=lax", cookie);
        Assert.Contains("max-age=600", cookie);

        var before = BindingCookieNames();
        var first = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "tab.one@example.com"));
        var second = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "tab.two@example.com"));
        Assert.Equal(2, BindingCookieNames().Except(before).Count());
        Assert.Equal("tab.two@example.com", (await FinishAsync(second))["user"]!["email"]!.GetValue<string>());
        Assert.Equal("tab.one@example.com", (await FinishAsync(first))["user"]!["email"]!.GetValue<string>());
        // Each callback deleted its own cookie.
        Assert.Empty(BindingCookieNames().Except(before));
    }

    /// <summary>The binding cookies the shared test client (the browser) holds for the sign-in routes.</summary>
    private List<string> BindingCookieNames() =>
        fx
            .Cookies.GetCookies(new Uri(Client.BaseAddress!, "/api/v1/auth/external/fake/callback"))
            .Select(c => c.Name)
            .Where(n => n.StartsWith("community_sign_in_", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public async Task A_replayed_state_is_refused()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "replayed@example.com"));
        await FinishAsync(callback);
        await (await Client.GetAsync(callback)).AssertProblem(400);
    }

    [Fact]
    public async Task An_expired_state_is_refused()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "slow.person@example.com"));
        fx.Clock.Advance(TimeSpan.FromMinutes(11));
        try
        {
            await (await Client.GetAsync(callback)).AssertProblem(400);
        }
        finally
        {
            fx.Clock.Advance(TimeSpan.FromMinutes(-11));
        }
        Assert.Equal(0, await AccountsWithEmailAsync("slow.person@example.com"));
    }

    [Fact]
    public async Task A_wrong_nonce_is_refused()
    {
        var callback = await AuthorizeAsync(new FakeOidcUser(NewSubject(), "wrong.nonce@example.com"));
        fx.Provider.NonceOverride = "someone-elses-nonce";
        try
        {
            await (await Client.GetAsync(callback)).AssertProblem(401);
        }
        finally
        {
            fx.Provider.NonceOverride = null;
        }
        Assert.Equal(0, await AccountsWithEmailAsync("wrong.nonce@example.com"));
    }

    [Fact]
    public async Task A_code_obtained_with_another_challenge_is_refused()
    {
        // An attacker who swaps the challenge holds a code that this sign-in's verifier cannot redeem.
        var other = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            System.Security.Cryptography.SHA256.HashData("attacker-verifier"u8.ToArray())
        );
        var callback = await AuthorizeAsync(
            new FakeOidcUser(NewSubject(), "bad.verifier@example.com"),
            url => System.Text.RegularExpressions.Regex.Replace(url, "code_challenge=[^&]+", "code_challenge=" + other)
        );
        await (await Client.GetAsync(callback)).AssertProblem(401);
        Assert.Equal(0, await AccountsWithEmailAsync("bad.verifier@example.com"));
    }

    [Theory]
    [InlineData("https://app.example.com/app/signed-in", true)]
    [InlineData("https://app.example.com/app/signed-in?state=abc", true)]
    [InlineData("https://app.example.com/app/signed-in/", false)]
    [InlineData("https://app.example.com/app/signed-inX", false)]
    [InlineData("https://app.example.com/app/signed-in/../leaky", false)]
    [InlineData("https://app.example.com/app/other", false)]
    [InlineData("https://app.example.com:444/app/signed-in", false)]
    [InlineData("https://app.example.com/app/signed-in#code", false)]
    [InlineData("https://dev.example.com/anything/below", true)]
    [InlineData("https://dev.example.com/", true)]
    [InlineData("https://dev.example.com.evil.test/", false)]
    public void A_client_page_is_the_exact_page_listed_or_below_an_entry_ending_in_a_slash(string page, bool allowed)
    {
        string[] listed = ["https://app.example.com/app/signed-in", "https://dev.example.com/"];
        Assert.Equal(allowed, Community.Identity.Auth.ExternalLoginApi.AllowedClientRedirect(page, listed) is not null);
    }

    [Fact]
    public async Task Start_refuses_an_unknown_provider_and_a_foreign_redirect()
    {
        await (
            await Client.GetAsync(
                "/api/v1/auth/external/nobody/start?redirect_uri="
                    + Uri.EscapeDataString(ExternalLoginFixture.ClientPage)
            )
        ).AssertProblem(404);
        var foreign = await (
            await Client.GetAsync(
                $"/api/v1/auth/external/fake/start?redirect_uri={Uri.EscapeDataString("http://evil.test/steal")}"
            )
        ).AssertProblem(400);
        Assert.NotNull(foreign["errors"]!["redirect_uri"]);
        await (
            await Client.GetAsync("/api/v1/auth/external/fake/start?redirect_uri=http%3A%2F%2Fapp.test%2Fok&extra=1")
        ).AssertProblem(400);
    }

    [Fact]
    public async Task The_configured_client_pages_are_the_only_ones_and_no_built_in_localhost_is_added()
    {
        // The configuration binder adds configured items to the list an options object starts with: a default page
        // there would stay allowed next to every environment's own (production's included).
        Assert.Equal(
            ["http://app.test/"],
            fx.Host.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.ExternalLoginClientRedirects
        );
        var local = await (
            await Client.GetAsync(
                $"/api/v1/auth/external/fake/start?redirect_uri={Uri.EscapeDataString("http://localhost:8080/")}"
            )
        ).AssertProblem(400);
        Assert.NotNull(local["errors"]!["redirect_uri"]);
    }

    [Fact]
    public async Task An_unknown_exchange_code_is_refused()
    {
        await (await Client.PostJson("/api/v1/auth/external/exchange", new { code = "not-a-code" })).AssertProblem(401);
    }
}
