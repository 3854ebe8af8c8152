using System.Net.Http.Json;
using Community.Identity.Verification;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.Identity.Tests;

public sealed class VerificationTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;
    private const string Send = "/api/v1/users/me/phone/verification";
    private const string Confirm = "/api/v1/users/me/phone/verification/confirm";

    private static string Token(JsonNode registered) => registered["access_token"]!.GetValue<string>();

    private static string NewPhone() => "+4477" + Random.Shared.Next(10_000_000, 99_999_999);

    /// <summary>A member registered with a phone alone (201 at once, nothing proven yet).</summary>
    private async Task<(JsonNode Registered, string Phone)> RegisterByPhoneAsync(
        string? phone = null,
        string? from = null
    )
    {
        phone ??= NewPhone();
        var username = "p_" + Guid.NewGuid().ToString("N")[..12];
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = JsonContent.Create(
                new
                {
                    username,
                    phone,
                    password = "long-enough-1",
                }
            ),
        };
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        var registered = await (await Client.SendAsync(request)).AssertStatus(201);
        return (registered, phone);
    }

    /// <summary>Asks for a code for <paramref name="registered"/>'s phone from the client address
    /// <paramref name="from"/>.</summary>
    private Task<HttpResponseMessage> SendCodeFrom(JsonNode registered, string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Send) { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", Token(registered));
        request.Headers.Add("X-Forwarded-For", from);
        return Client.SendAsync(request);
    }

    /// <summary>The payload of the user's UserProfileUpdated in the outbox that changed exactly these fields.</summary>
    private async Task<JsonNode> ProfileUpdateAsync(string userId, string changedFields)
    {
        var payload = await fx.ScalarAsync<string>(
            "SELECT payload::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                + "AND payload->>'userId' = @id AND payload->'changedFields' = @changed::jsonb",
            ("id", userId),
            ("changed", changedFields)
        );
        Assert.NotNull(payload);
        return JsonNode.Parse(payload!)!;
    }

    [Fact]
    public async Task Following_the_mailed_link_verifies_the_email_and_says_so_to_other_services()
    {
        var registered = await fx.RegisterAsync();
        var user = registered["user"]!;
        Assert.True(user["is_verified"]!.GetValue<bool>());
        Assert.True(user["email_verified"]!.GetValue<bool>());
        Assert.False(user["phone_verified"]!.GetValue<bool>());

        var id = user["id"]!.GetValue<string>();
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT email_verified_at IS NOT NULL FROM users WHERE id = @id::uuid",
                ("id", id)
            )
        );
        // Registered unverified; the link's confirmation publishes the verified mark.
        Assert.Equal(
            "false",
            await fx.ScalarAsync<string>(
                "SELECT payload->>'isVerified' FROM outbox_messages WHERE type LIKE '%UserRegistered,%' "
                    + "AND payload->>'userId' = @id",
                ("id", id)
            )
        );
        Assert.Equal(
            "[\"is_verified\", \"email_verified\"]",
            await fx.ScalarAsync<string>(
                "SELECT (payload->'changedFields')::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                    + "AND payload->>'userId' = @id "
                    + "AND (payload->>'isVerified')::boolean AND (payload->>'emailVerified')::boolean",
                ("id", id)
            )
        );
        var other = await fx.RegisterAsync();
        var shown = await (await Client.Get($"/api/v1/users/{id}", Token(other))).AssertStatus(200);
        Assert.True(shown["is_verified"]!.GetValue<bool>());
        Assert.Null(shown["email_verified"]);
    }

    [Fact]
    public async Task A_texted_code_verifies_the_phone_once()
    {
        var (registered, phone) = await RegisterByPhoneAsync();
        var token = Token(registered);
        Assert.False(registered["user"]!["is_verified"]!.GetValue<bool>());

        var sent = await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        Assert.NotNull(sent["expires_at"]);
        var code = fx.Sms.LastCodeTo(phone);
        Assert.Matches("^[0-9]{6}$", code);
        var id = registered["user"]!["id"]!.GetValue<string>();
        // Only a hash is stored: the code itself is nowhere in the database.
        Assert.Equal(
            32,
            await fx.ScalarAsync<int>(
                "SELECT length(code_hash) FROM phone_verification_codes WHERE user_id = @id::uuid",
                ("id", id)
            )
        );

        var wrong = code == "000000" ? "111111" : "000000";
        Assert.NotNull(
            (await (await Client.PostJson(Confirm, new { code = wrong }, token)).AssertProblem(400))["errors"]!["code"]
        );
        var me = await (await Client.PostJson(Confirm, new { code }, token)).AssertStatus(200);
        Assert.True(me["phone_verified"]!.GetValue<bool>());
        Assert.True(me["is_verified"]!.GetValue<bool>());
        Assert.False(me["email_verified"]!.GetValue<bool>());
        Assert.True(
            (await (await Client.Get("/api/v1/users/me", token)).AssertStatus(200))["phone_verified"]!.GetValue<bool>()
        );
        Assert.Equal(
            "[\"is_verified\"]",
            await fx.ScalarAsync<string>(
                "SELECT (payload->'changedFields')::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                    + "AND payload->>'userId' = @id "
                    + "AND (payload->>'isVerified')::boolean",
                ("id", id)
            )
        );

        await (await Client.PostJson(Confirm, new { code }, token)).AssertProblem(400); // spent
        await (await Client.PostJson(Send, new { }, token)).AssertProblem(409); // nothing left to verify
    }

    [Fact]
    public async Task A_verified_phone_does_not_prove_the_email_and_confirming_the_email_later_is_announced()
    {
        // Anyone can register someone else's e-mail beside their own phone, and prove the phone.
        var phone = NewPhone();
        var username = "b_" + Guid.NewGuid().ToString("N")[..12];
        var email = $"{username}@example.com";
        var registered = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email,
                    phone,
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        var token = Token(registered);
        var id = registered["user"]!["id"]!.GetValue<string>();
        await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        await (await Client.PostJson(Confirm, new { code = fx.Sms.LastCodeTo(phone) }, token)).AssertStatus(200);

        Assert.Equal(
            "false",
            await fx.ScalarAsync<string>(
                "SELECT payload->>'emailVerified' FROM outbox_messages WHERE type LIKE '%UserRegistered,%' "
                    + "AND payload->>'userId' = @id",
                ("id", id)
            )
        );
        var phoneProven = await ProfileUpdateAsync(id, "[\"is_verified\"]");
        Assert.True(phoneProven["isVerified"]!.GetValue<bool>());
        Assert.False(phoneProven["emailVerified"]!.GetValue<bool>());

        // The account was verified already, yet the proven address is news: only it may be mailed.
        await (await fx.ConfirmAsync(email)).AssertStatus(200);
        var emailProven = await ProfileUpdateAsync(id, "[\"email_verified\"]");
        Assert.True(emailProven["isVerified"]!.GetValue<bool>());
        Assert.True(emailProven["emailVerified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_code_and_an_old_code_expires()
    {
        var (registered, phone) = await RegisterByPhoneAsync();
        var token = Token(registered);
        await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        var code = fx.Sms.LastCodeTo(phone);
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
            await (await Client.PostJson(Confirm, new { code = wrong }, token)).AssertProblem(400);
        await (await Client.PostJson(Confirm, new { code }, token)).AssertProblem(400);

        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        var fresh = fx.Sms.LastCodeTo(phone);
        fx.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await (await Client.PostJson(Confirm, new { code = fresh }, token)).AssertProblem(400);
        Assert.False(
            (await (await Client.Get("/api/v1/users/me", token)).AssertStatus(200))["phone_verified"]!.GetValue<bool>()
        );
    }

    [Fact]
    public async Task Codes_are_sent_at_most_once_a_minute_and_five_an_hour()
    {
        var (registered, phone) = await RegisterByPhoneAsync();
        // Tokens last 15 minutes; a fresh login after the clock moves keeps the member signed in.
        var token = Token(registered);
        await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        var tooSoon = await Client.PostJson(Send, new { }, token);
        await tooSoon.AssertProblem(429);
        Assert.InRange(int.Parse(tooSoon.Headers.GetValues("Retry-After").Single()), 1, 60);
        for (var i = 0; i < 4; i++)
        {
            fx.Clock.Advance(TimeSpan.FromSeconds(61));
            token = await fx.LoginAsync(phone, "long-enough-1");
            await (await Client.PostJson(Send, new { }, token)).AssertStatus(202);
        }
        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        token = await fx.LoginAsync(phone, "long-enough-1");
        var sixth = await Client.PostJson(Send, new { }, token);
        await sixth.AssertProblem(429);
        // the test clock also runs in real time: a slow machine spends some seconds of the hour between the sends
        Assert.InRange(int.Parse(sixth.Headers.GetValues("Retry-After").Single()), 60 * 60 - 5 * 61 - 60, 60 * 60);
        Assert.Equal(5, fx.Sms.Messages.Count(m => m.To == phone));
    }

    [Fact]
    public async Task Accounts_giving_one_number_from_one_address_share_its_five_texts_an_hour()
    {
        // An unverified number claims nothing: anyone may register accounts naming a stranger's phone. Every request
        // here comes from one client address, so none is an address's first past the five (those are spares).
        var phone = NewPhone();
        for (var i = 0; i < 5; i++)
        {
            var (registered, _) = await RegisterByPhoneAsync(phone);
            await (await Client.PostJson(Send, new { }, Token(registered))).AssertStatus(202);
        }
        var (sixthAccount, _) = await RegisterByPhoneAsync(phone);
        var sixth = await Client.PostJson(Send, new { }, Token(sixthAccount));
        await sixth.AssertProblem(429);
        Assert.InRange(int.Parse(sixth.Headers.GetValues("Retry-After").Single()), 1, 60 * 60);
        Assert.Equal(5, fx.Sms.Messages.Count(m => m.To == phone));
    }

    [Fact]
    public async Task A_stranger_who_spent_a_numbers_texts_does_not_keep_its_owner_from_their_code()
    {
        var phone = NewPhone();
        // Accounts made from one address to name a stranger's number spend its five texts; the sixth is refused.
        for (var i = 0; i < 5; i++)
        {
            var (registered, _) = await RegisterByPhoneAsync(phone, "203.0.113.200");
            await (await SendCodeFrom(registered, "203.0.113.200")).AssertStatus(202);
        }
        var (sixth, _) = await RegisterByPhoneAsync(phone, "203.0.113.200");
        await (await SendCodeFrom(sixth, "203.0.113.200")).AssertProblem(429);
        Assert.Equal(5, fx.Sms.Messages.Count(m => m.To == phone));

        // The owner, asking from their own address, is still texted a code.
        var (owner, _) = await RegisterByPhoneAsync(phone, "198.51.100.200");
        await (await SendCodeFrom(owner, "198.51.100.200")).AssertStatus(202);
        Assert.Equal(6, fx.Sms.Messages.Count(m => m.To == phone));
        var ownersCode = fx.Sms.LastCodeTo(phone);

        // Each new address's first code goes, five in all past the five: ten texts an hour at most. Each address is in
        // a network of its own (a /48), whose share of the spares is not what this counts.
        for (var i = 0; i < 5; i++)
        {
            var (stranger, _) = await RegisterByPhoneAsync(phone, $"2001:db8:{201 + i}::1");
            var sent = await SendCodeFrom(stranger, $"2001:db8:{201 + i}::1");
            Assert.Equal(i < 4 ? HttpStatusCode.Accepted : HttpStatusCode.TooManyRequests, sent.StatusCode);
        }
        Assert.Equal(10, fx.Sms.Messages.Count(m => m.To == phone));

        await (await Client.PostJson(Confirm, new { code = ownersCode }, Token(owner))).AssertStatus(200);
    }

    /// <summary>
    /// One home is given a /56 of IPv6, 256 /64s each keyed as a client address of its own: past a number's spent
    /// texts, their first codes get only their network's (the /48's) one of the five spares, and the owner asking from
    /// elsewhere is still texted.
    /// </summary>
    [Fact]
    public async Task One_networks_many_addresses_spend_only_its_share_of_a_numbers_spare_texts()
    {
        var phone = NewPhone();
        string Home(int i) => $"2001:db8:99:{0xff00 + i:x}::1";
        for (var i = 0; i < 5; i++)
        {
            var (registered, _) = await RegisterByPhoneAsync(phone, Home(0));
            await (await SendCodeFrom(registered, Home(0))).AssertStatus(202);
        }
        // Six more of the home's /64s: the first's code goes, the network's one spare; the others are refused.
        for (var i = 1; i <= 6; i++)
        {
            var (stranger, _) = await RegisterByPhoneAsync(phone, Home(i));
            var sent = await SendCodeFrom(stranger, Home(i));
            Assert.Equal(i == 1 ? HttpStatusCode.Accepted : HttpStatusCode.TooManyRequests, sent.StatusCode);
        }
        Assert.Equal(6, fx.Sms.Messages.Count(m => m.To == phone));

        // The owner, asking from another network, is still texted a code, and it proves the number.
        var (owner, _) = await RegisterByPhoneAsync(phone, "2001:db8:9a::1");
        await (await SendCodeFrom(owner, "2001:db8:9a::1")).AssertStatus(202);
        Assert.Equal(7, fx.Sms.Messages.Count(m => m.To == phone));
        var code = fx.Sms.LastCodeTo(phone);
        await (await Client.PostJson(Confirm, new { code }, Token(owner))).AssertStatus(200);
    }

    [Fact]
    public async Task The_waitlist_confirmation_goes_through_the_smtp_sender_with_a_working_link()
    {
        var email = $"w_{Guid.NewGuid():N}@example.com";
        await (await Client.PostJson("/api/v1/waitlist", new { email })).AssertStatus(202);
        var mail = await fx.Smtp.WaitForAsync(email);
        var link = System.Text.RegularExpressions.Regex.Match(
            mail.Body,
            @"http://\S+/api/v1/waitlist/status\?token=(\S+)"
        );
        Assert.True(link.Success, mail.Body);
        Assert.Contains($"Status token: {link.Groups[1].Value}", mail.Body);
        var status = await (await Client.Get($"/api/v1/waitlist/status?token={link.Groups[1].Value}")).AssertStatus(
            200
        );
        Assert.Equal(email, status["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_requests_are_refused()
    {
        var noPhone = await fx.RegisterAsync();
        await (await Client.PostJson(Send, new { }, Token(noPhone))).AssertProblem(409);
        await (await Client.PostJson(Confirm, new { code = "12345" }, Token(noPhone))).AssertProblem(400);
        await (await Client.PostJson(Confirm, new { code = "abcdef" }, Token(noPhone))).AssertProblem(400);
        await (await Client.PostJson(Confirm, new { code = "123456" }, Token(noPhone))).AssertProblem(400);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.PostJson(Send, new { })).StatusCode);
    }

    [Fact]
    public async Task Without_a_way_to_text_every_number_is_refused_alike_and_nothing_is_counted()
    {
        var (holder, phone) = await RegisterByPhoneAsync();
        await (await Client.PostJson(Send, new { }, Token(holder))).AssertStatus(202);
        await (await Client.PostJson(Confirm, new { code = fx.Sms.LastCodeTo(phone) }, Token(holder))).AssertStatus(
            200
        );
        var (sameNumber, _) = await RegisterByPhoneAsync(phone);
        var (otherNumber, _) = await RegisterByPhoneAsync();

        fx.Sms.Unavailable = true;
        try
        {
            // A number another account verified is texted nothing, yet answered as any other: no provider, no text.
            var held = await (await Client.PostJson(Send, new { }, Token(sameNumber))).AssertProblem(503);
            var free = await (await Client.PostJson(Send, new { }, Token(otherNumber))).AssertProblem(503);
            Assert.Equal(free["detail"]!.GetValue<string>(), held["detail"]!.GetValue<string>());
        }
        finally
        {
            fx.Sms.Unavailable = false;
        }
        // Nothing was counted: once texts go out, asking again is answered at once, with no wait before a resend.
        await (await Client.PostJson(Send, new { }, Token(otherNumber))).AssertStatus(202);
        await (await Client.PostJson(Send, new { }, Token(sameNumber))).AssertStatus(202);
    }

    [Fact]
    public async Task The_log_sender_writes_the_code_in_Development_only()
    {
        var message = new SmsMessage("+971501234567", "Your Community verification code is 424242.");
        var development = new CapturingLogger();
        await new LogSmsSender(new Environment(Environments.Development), development).SendAsync(
            message,
            CancellationToken.None
        );
        Assert.Contains(development.Lines, l => l.Contains("424242"));

        foreach (var name in new[] { Environments.Production, Environments.Staging })
        {
            var logger = new CapturingLogger();
            var sender = new LogSmsSender(new Environment(name), logger);
            for (var i = 0; i < 3; i++)
            {
                var refused = await Assert.ThrowsAsync<SmsUnavailableException>(() =>
                    sender.SendAsync(message, CancellationToken.None)
                );
                Assert.Equal(503, refused.StatusCode);
            }
            await Assert.ThrowsAsync<SmsUnavailableException>(() =>
                sender.EnsureAvailableAsync(CancellationToken.None)
            );
            Assert.DoesNotContain(logger.Lines, l => l.Contains("424242") || l.Contains("+971501234567"));
            // The operator is told once, whoever asks how often; the rest are at Debug.
            Assert.Equal([LogLevel.Warning, LogLevel.Debug, LogLevel.Debug, LogLevel.Debug], logger.Levels);
        }
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "identity";
        public string ContentRootPath { get; set; } = "";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    private sealed class CapturingLogger : ILogger<LogSmsSender>
    {
        public List<string> Lines { get; } = [];

        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            Lines.Add(formatter(state, exception));
            Levels.Add(logLevel);
        }
    }
}
