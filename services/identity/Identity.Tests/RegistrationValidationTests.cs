namespace Community.Identity.Tests;

/// <summary>Registrations refused for what they carry: no account is made.</summary>
public sealed class RegistrationValidationTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task An_unknown_field_is_refused_naming_the_valid_ones_and_no_account_is_made()
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "unknown_field",
                email = "unknown.field@example.com",
                password = "long-enough-1",
                tier = "elite",
            }
        );

        var problem = await response.AssertProblem(400);
        Assert.Equal(
            "tier is not a known field; the valid fields are: email, full_name, password, phone, referral_code, role, "
                + "username.",
            problem["errors"]!["tier"]![0]!.GetValue<string>()
        );
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = 'unknown_field'"));
    }

    [Theory]
    [InlineData("ab", "username")]
    [InlineData("has space", "username")]
    [InlineData("UPPER-dash", "username")]
    [InlineData("waaaaaaaaaaaaaaaaaaaaaaaaaaaaaay_too_long", "username")]
    public async Task Bad_usernames_are_refused(string username, string field)
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username,
                email = $"{Guid.NewGuid():N}@example.com",
                password = "long-enough-1",
            }
        );
        var problem = await response.AssertProblem(400);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Theory]
    [InlineData("not-an-email", null, "email")]
    [InlineData("a@b", null, "email")]
    [InlineData(null, "0501234567", "phone")]
    [InlineData(null, "+12", "phone")]
    [InlineData(null, null, "email")]
    public async Task Bad_contact_details_are_refused(string? email, string? phone, string field)
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "contact_" + Guid.NewGuid().ToString("N")[..8],
                email,
                phone,
                password = "long-enough-1",
            }
        );
        var problem = await response.AssertProblem(400);
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username LIKE 'contact_%'"));
    }

    [Theory]
    [InlineData("short1")]
    [InlineData("onlyletterspassword")]
    [InlineData("contains_pw_user_1")]
    public async Task Weak_passwords_are_refused_with_the_policy(string password)
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "pw_user",
                email = "pw@example.com",
                password,
            }
        );
        var problem = await response.AssertProblem(400);
        Assert.Contains("10-128 characters", problem["errors"]!["password"]![0]!.GetValue<string>());
    }

    /// <summary>
    /// The username as stored (trimmed, in lower case, a Kelvin sign a k) is what a password may not hold, at sign-up
    /// as at a change of password.
    /// </summary>
    [Theory]
    [InlineData("  Pw_Spaced  ", "pw_spaced-secret-1")]
    [InlineData("\u212Aelvin_pw", "kelvin_pw-secret-1")]
    public async Task A_password_holding_the_username_as_stored_is_refused(string username, string password)
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username,
                email = $"stored_{Guid.NewGuid():N}@example.com",
                password,
            }
        );
        var problem = await response.AssertProblem(400);
        Assert.Contains("not contain the username", problem["errors"]!["password"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_fields_are_all_reported()
    {
        var response = await Client.PostJson("/api/v1/auth/register", new { });
        var problem = await response.AssertProblem(400);
        Assert.NotNull(problem["errors"]!["username"]);
        Assert.NotNull(problem["errors"]!["password"]);
        Assert.NotNull(problem["errors"]!["email"]);
    }

    [Fact]
    public async Task Admin_role_cannot_be_self_assigned()
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "wannabe_admin",
                email = "wannabe@example.com",
                password = "long-enough-1",
                role = "admin",
            }
        );
        var problem = await response.AssertProblem(400);
        Assert.NotNull(problem["errors"]!["role"]);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = 'wannabe_admin'"));
    }
}
