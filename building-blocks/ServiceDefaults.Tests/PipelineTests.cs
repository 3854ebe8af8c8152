using System.Net;
using System.Security.Cryptography;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// The shared pipeline as a service runs it: no Server header, and the token rules a service applies itself (not only
/// the gateway).
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private PipelineHost _host = null!;

    private HttpClient Client => _host.Client;
    private TestTokens Tokens => _host.Tokens;

    public async Task InitializeAsync() =>
        _host = await PipelineHost.StartAsync(app =>
        {
            app.MapGet("/echo", (HttpRequest request) => TypedResults.Ok(request.QueryString.Value?.Length ?? 0))
                .AllowAnonymous()
                .AcceptsQueryParameters("q");
            app.MapGet(
                    "/refused",
                    () =>
                    {
                        throw new Errors.BusinessRuleException("Not today.");
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/database-busy",
                    () =>
                    {
                        throw new InvalidOperationException("EF Core wraps it", new FakeDbException(transient: true));
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/database-broken",
                    () =>
                    {
                        throw new FakeDbException(transient: false);
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/lost-race/unique",
                    () =>
                    {
                        throw new Microsoft.EntityFrameworkCore.DbUpdateException(
                            "An error occurred while saving the entity changes.",
                            new Npgsql.PostgresException(
                                "duplicate key value violates unique constraint",
                                "ERROR",
                                "ERROR",
                                Npgsql.PostgresErrorCodes.UniqueViolation
                            )
                        );
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/lost-race/referenced-row-deleted",
                    () =>
                    {
                        throw new Microsoft.EntityFrameworkCore.DbUpdateException(
                            "An error occurred while saving the entity changes.",
                            new Npgsql.PostgresException(
                                "insert or update on table \"codes\" violates foreign key constraint \"codes_user\"",
                                "ERROR",
                                "ERROR",
                                Npgsql.PostgresErrorCodes.ForeignKeyViolation
                            )
                        );
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/database-delete-refused",
                    () =>
                    {
                        throw new Microsoft.EntityFrameworkCore.DbUpdateException(
                            "An error occurred while saving the entity changes.",
                            new Npgsql.PostgresException(
                                "update or delete on table \"users\" violates foreign key constraint \"codes_user\" "
                                    + "on table \"codes\"",
                                "ERROR",
                                "ERROR",
                                Npgsql.PostgresErrorCodes.ForeignKeyViolation
                            )
                        );
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/lost-race/gone",
                    () =>
                    {
                        throw new Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException(
                            "The database operation was expected to affect 1 row(s), but actually affected 0 row(s)."
                        );
                    }
                )
                .AllowAnonymous();
            app.MapGet(
                    "/database-check-failed",
                    () =>
                    {
                        throw new Microsoft.EntityFrameworkCore.DbUpdateException(
                            "An error occurred while saving the entity changes.",
                            new Npgsql.PostgresException(
                                "new row violates check constraint",
                                "ERROR",
                                "ERROR",
                                Npgsql.PostgresErrorCodes.CheckViolation
                            )
                        );
                    }
                )
                .AllowAnonymous();
            app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => TypedResults.Ok(user.UserId()));
            app.MapGet("/pages/{userId}", (Guid userId, int? limit) => TypedResults.Ok(limit)).AllowAnonymous();
            app.MapPost("/sized", (SizedBody body) => TypedResults.Ok(body.Size)).AllowAnonymous();
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Me(string scheme, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", scheme.Length == 0 ? token : $"{scheme} {token}");
        return Client.SendAsync(request);
    }

    [Theory]
    [InlineData("/pages/0193a000-0000-7000-8000-000000000000?limit=abc", "limit", "limit must be an integer.")]
    [InlineData("/pages/not-a-uuid", "user_id", "user_id must be a UUID.")]
    public async Task A_value_the_binder_cannot_read_is_a_validation_problem_naming_the_field(
        string path,
        string field,
        string message
    )
    {
        var response = await Client.GetAsync(path);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([message], problem["errors"]![field]!.AsArray().Select(m => (string?)m));
        Assert.DoesNotContain("Int32", problem.ToJsonString());
        Assert.DoesNotContain("Nullable", problem.ToJsonString());
    }

    [Fact]
    public async Task A_body_member_of_the_wrong_type_is_a_validation_problem_naming_it()
    {
        var response = await Client.PostAsync(
            "/sized",
            new StringContent("""{"size": "big"}""", System.Text.Encoding.UTF8, "application/json")
        );
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["size has the wrong type."], problem["errors"]!["size"]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task The_problem_type_does_not_depend_on_Accept()
    {
        async Task<string?> TypeFor(string accept)
        {
            var request = new HttpRequestMessage(
                HttpMethod.Get,
                "/pages/0193a000-0000-7000-8000-000000000000?limit=abc"
            );
            request.Headers.TryAddWithoutValidation("Accept", accept);
            var response = await Client.SendAsync(request);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (string?)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"];
        }
        var json = await TypeFor("application/json");
        Assert.NotNull(json);
        Assert.Equal(json, await TypeFor("text/html"));
    }

    [Fact]
    public async Task No_answer_names_the_server()
    {
        var health = await Client.GetAsync("/health/live");
        var missing = await Client.GetAsync("/nothing-here");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(health.Headers.Server);
        Assert.Empty(missing.Headers.Server);
    }

    [Fact]
    public async Task A_busy_database_is_a_503_with_Retry_After_and_another_database_fault_stays_a_500()
    {
        var busy = await Client.GetAsync("/database-busy");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);
        Assert.Contains("try again", await busy.Content.ReadAsStringAsync());

        var broken = await Client.GetAsync("/database-broken");
        Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        Assert.Null(broken.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_dependency_down_is_a_503_said_once_as_a_warning_without_a_stack_not_an_unhandled_error()
    {
        using var logs = new LogCapture();
        await using var host = await PipelineHost.StartAsync(
            app =>
                app.MapGet(
                        "/model-down",
                        IResult () =>
                            throw new ServiceUnavailableException(
                                "The companion cannot answer right now.",
                                TimeSpan.FromSeconds(5),
                                new HttpRequestException("connection refused")
                            )
                    )
                    .AllowAnonymous(),
            services: logs.AddTo
        );
        logs.Clear();

        var response = await host.Client.GetAsync("/model-down");

        await response.AssertProblem(503);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Empty(logs.AtLeast(LogLevel.Error));
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Null(warning.Exception);
        Assert.Contains("The companion cannot answer right now. (cause: connection refused)", warning.Message);
    }

    [Theory]
    [InlineData("/lost-race/unique")]
    [InlineData("/lost-race/referenced-row-deleted")]
    [InlineData("/lost-race/gone")]
    public async Task A_write_that_lost_a_race_with_another_request_is_a_409_problem(string path)
    {
        var response = await Client.GetAsync(path);
        var problem = await response.AssertProblem(409);
        Assert.Contains("changed nothing", problem["detail"]!.GetValue<string>());
        Assert.NotNull(problem["request_id"]);
        // any other refusal of the database stays a 500: a bug to fix, not the client's to retry
        await (await Client.GetAsync("/database-check-failed")).AssertProblem(500);
        await (await Client.GetAsync("/database-delete-refused")).AssertProblem(500);
    }

    [Theory]
    [InlineData("/nothing-here", 404)]
    [InlineData("/refused", 422)]
    [InlineData("/database-busy", 503)]
    [InlineData("/database-broken", 500)]
    public async Task Errors_are_problem_json_whatever_theClient_accepts(string path, int status)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/xml");

        var response = await Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"\"status\":{status}", body);
        Assert.Contains("request_id", body);
    }

    [Fact]
    public async Task Urls_and_headers_over_the_limits_are_414_and_431_problems_and_just_under_passes()
    {
        var underUrl = await Client.GetAsync("/echo?q=" + new string('a', RequestSizeLimits.MaxUrlLength - 100));
        Assert.Equal(HttpStatusCode.OK, underUrl.StatusCode);

        var longUrl = await Client.GetAsync("/echo?q=" + new string('a', RequestSizeLimits.MaxUrlLength + 1));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
        Assert.Equal("application/problem+json", longUrl.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most", await longUrl.Content.ReadAsStringAsync());

        // Far past Kestrel's old 8 KB request line: still our problem, not Kestrel's empty answer.
        var veryLongUrl = await Client.GetAsync("/echo?q=" + new string('a', 3 * RequestSizeLimits.MaxUrlLength));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, veryLongUrl.StatusCode);
        Assert.Equal("application/problem+json", veryLongUrl.Content.Headers.ContentType?.MediaType);

        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        for (var i = 0; i < 5; i++)
            request.Headers.TryAddWithoutValidation($"X-Big-{i}", new string('b', 8000));
        var bigHeaders = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        Assert.Equal("application/problem+json", bigHeaders.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_valid_access_token_is_accepted()
    {
        var user = Guid.NewGuid();
        var response = await Me("Bearer", Tokens.Issue(user));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(user.ToString(), await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> Refused() =>
        new()
        {
            { "sub-not-a-guid", "subject" },
            { "typ-jwt", "typ" },
            { "crit", "critical" },
            { "raw", "Bearer" },
            { "basic", "Bearer" },
        };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Tokens_the_platform_never_issues_are_a_401_problem_not_a_500(string attack, string mention)
    {
        byte[] Sign(byte[] input) => Tokens.Key.SignData(input, HashAlgorithmName.SHA256);
        var response = attack switch
        {
            "sub-not-a-guid" => await Me("Bearer", Tokens.Issue(subject: "admin")),
            "typ-jwt" => await Me(
                "Bearer",
                Tokens.Forge(
                    new
                    {
                        alg = "ES256",
                        typ = "JWT",
                        kid = Tokens.Kid,
                    },
                    Sign
                )
            ),
            "crit" => await Me(
                "Bearer",
                Tokens.Forge(
                    new
                    {
                        alg = "ES256",
                        typ = "at+jwt",
                        kid = Tokens.Kid,
                        crit = new[] { "exp" },
                    },
                    Sign
                )
            ),
            "raw" => await Me("", Tokens.Issue(Guid.NewGuid())),
            _ => await Me("Basic", Convert.ToBase64String("a:b"u8.ToArray())),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mention, await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string, int> LifetimeClaims() =>
        new()
        {
            { "exp", "\"9999999999\"", 401 },
            { "nbf", "\"0\"", 401 },
            { "iat", "\"0\"", 401 },
            { "exp", "true", 401 },
            { "exp", "{\"seconds\": 9999999999}", 401 },
            { "exp", "[9999999999]", 401 },
            { "exp", "null", 401 },
            { "exp", "FUTURE.5", 200 },
        };

    [Theory]
    [MemberData(nameof(LifetimeClaims))]
    public async Task Exp_nbf_and_iat_must_be_json_numbers(string claim, string json, int status)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = TestTokens.Claims(Guid.NewGuid().ToString(), now);
        var future = now.AddMinutes(15).ToUnixTimeSeconds().ToString();
        claims[claim] = System.Text.Json.Nodes.JsonNode.Parse(json.Replace("FUTURE", future));

        var response = await Me("Bearer", TestTokens.Es256(Tokens.Key, Tokens.Kid, claims));

        Assert.Equal(status, (int)response.StatusCode);
        // A string is what the library would take; other kinds it already fails to read as a JWT.
        if (json.StartsWith('"'))
            Assert.Contains("NumericDate", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// A driver exception with the transience a database driver reports (Npgsql: too many clients, an exhausted pool...).
/// </summary>
internal sealed class FakeDbException(bool transient) : System.Data.Common.DbException("database fault")
{
    public override bool IsTransient => transient;
}

public sealed record SizedBody(int Size);
