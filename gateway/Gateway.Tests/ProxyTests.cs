using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Community.Gateway.Tests;

public sealed class ProxyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    /// <summary>
    /// YARP's affinity policies take a protector at start: with the default file key ring the gateway wrote a key to
    /// its home folder (read-only in the pod) and warned at each start that it was stored unencrypted.
    /// </summary>
    [Fact]
    public void The_gateway_keeps_its_data_protection_keys_in_memory()
    {
        var services = _.Gateway.Services;
        var protector = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("affinity", protector.Unprotect(protector.Protect("affinity")));
        var ring = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
        Assert.NotNull(ring);
        Assert.IsNotType<FileSystemXmlRepository>(ring);
        Assert.NotEmpty(ring.GetAllElements()); // the key made at start is there, and only there
    }

    [Theory]
    [InlineData("POST", "/api/v1/auth/register")]
    [InlineData("POST", "/api/v1/auth/login")]
    [InlineData("POST", "/api/v1/auth/refresh")]
    [InlineData("POST", "/api/v1/auth/password/forgot")]
    [InlineData("POST", "/api/v1/auth/password/reset")]
    [InlineData("GET", "/api/v1/auth/external/google/start")]
    [InlineData("GET", "/api/v1/auth/external/google/callback")]
    [InlineData("POST", "/api/v1/auth/external/exchange")]
    [InlineData("POST", "/api/v1/waitlist")]
    [InlineData("GET", "/api/v1/waitlist/status")]
    [InlineData("GET", "/api/v1/events")]
    [InlineData("GET", "/api/v1/events/nearby")]
    [InlineData("GET", "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("GET", "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e.ics")]
    public async Task Anonymous_routes_pass_without_a_token(string method, string path)
    {
        var echo = await GatewayFixture.EchoOf(await _.SendAsync(new HttpMethod(method), path));

        Assert.Equal(method, echo.Method);
        Assert.Equal(path, echo.Path);
        Assert.Null(echo.Header("Authorization"));
    }

    [Fact]
    public async Task Jwks_is_served_anonymously_from_identity()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_.Tokens.Kid, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/users/me")]
    [InlineData("GET", "/api/v1/users/me/external-logins")]
    [InlineData("POST", "/api/v1/users/me/external-logins")]
    [InlineData("DELETE", "/api/v1/users/me/external-logins/google")]
    [InlineData("GET", "/api/v1/auth/login")] // the allow-list is per method
    [InlineData("GET", "/api/v1/waitlist")]
    [InlineData("DELETE", "/api/v1/referrals/abc")]
    [InlineData("POST", "/api/v1/events")] // public reads are anonymous, writes are not
    [InlineData("GET", "/api/v1/events/my")]
    [InlineData("GET", "/api/v1/events/42")]
    [InlineData("GET", "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e/attendees")]
    [InlineData("DELETE", "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e")]
    [InlineData("GET", "/api/v1/events/42/registrations")]
    [InlineData("GET", "/api/v1/courses")]
    [InlineData("GET", "/hubs/chat/negotiate")]
    [InlineData("GET", "/api/v1/messages/unread-count")]
    [InlineData("POST", "/api/v1/conversations/0f8fad5b-d9cb-469f-a165-70867728950e/attachments")]
    [InlineData("GET", "/api/v1/search/semantic?q=hiking")]
    public async Task Protected_routes_answer_401_problem_without_a_token(string method, string path)
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(new HttpMethod(method), path);

        await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(before, _.Backend.Received.Count);
    }

    [Fact]
    public async Task Photo_uploads_may_be_larger_than_the_default_body_limit_and_other_routes_may_not()
    {
        var token = _.Tokens.Issue();
        var photo = new byte[3 * 1024 * 1024];

        using var upload = _.Request(
            HttpMethod.Post,
            "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e/photos",
            token
        );
        upload.Content = new ByteArrayContent(photo);
        var echo = await GatewayFixture.EchoOf(await _.Client.SendAsync(upload));
        Assert.Equal(photo.Length, echo.BodyBytes);

        using var other = _.Request(HttpMethod.Post, "/api/v1/events", token);
        other.Content = new ByteArrayContent(photo);
        other.Headers.ExpectContinue = true; // so the early 413 cannot race the body
        await GatewayFixture.ProblemOf(await _.Client.SendAsync(other), HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData(
        "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e/cover",
        5 * 1024 * 1024,
        GatewayRoutes.CoverUploadBytes
    )]
    [InlineData("/api/v1/users/me/picture", 2 * 1024 * 1024, GatewayRoutes.PictureUploadBytes)]
    [InlineData(
        "/api/v1/conversations/0f8fad5b-d9cb-469f-a165-70867728950e/attachments",
        10 * 1024 * 1024,
        GatewayRoutes.AttachmentUploadBytes,
        "POST"
    )]
    public async Task Cover_and_picture_uploads_get_their_own_body_limit_and_no_more(
        string path,
        int image,
        long limit,
        string method = "PUT"
    )
    {
        var token = _.Tokens.Issue();

        using var upload = _.Request(new HttpMethod(method), path, token);
        upload.Content = new ByteArrayContent(new byte[image]);
        Assert.Equal(image, (await GatewayFixture.EchoOf(await _.Client.SendAsync(upload))).BodyBytes);

        using var tooLarge = _.Request(new HttpMethod(method), path, token);
        tooLarge.Content = new ByteArrayContent(new byte[limit + 1]);
        tooLarge.Headers.ExpectContinue = true; // so the early 413 cannot race the body
        await GatewayFixture.ProblemOf(await _.Client.SendAsync(tooLarge), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_event_cover_is_read_without_a_token_like_the_event_itself()
    {
        var echo = await GatewayFixture.EchoOf(
            await _.SendAsync(HttpMethod.Get, "/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e/cover")
        );
        Assert.Equal("/api/v1/events/0f8fad5b-d9cb-469f-a165-70867728950e/cover", echo.Path);
    }

    [Fact]
    public async Task A_valid_token_passes_and_the_backend_sees_it()
    {
        var token = _.Tokens.Issue();

        var echo = await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Get, "/api/v1/events/42?page=2", token));

        Assert.Equal("/api/v1/events/42", echo.Path);
        Assert.Equal("?page=2", echo.Query);
        Assert.Equal("Bearer " + token, echo.Header("Authorization"));
        Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
        Assert.Equal(_.Gateway.Address.Authority, echo.Header("X-Forwarded-Host"));
        Assert.Equal("http", echo.Header("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task The_prefix_itself_is_routed_as_well_as_paths_below_it()
    {
        var token = _.Tokens.Issue();

        Assert.Equal(
            "/api/v1/courses",
            (await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Get, "/api/v1/courses", token))).Path
        );
        Assert.Equal(
            "/api/v1/users/me/avatar",
            (await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Put, "/api/v1/users/me/avatar", token))).Path
        );
    }

    [Fact]
    public async Task An_invalid_token_on_an_anonymous_route_is_refused()
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(HttpMethod.Post, "/api/v1/auth/login", "not-a-jwt");

        await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal(before, _.Backend.Received.Count);
    }

    [Fact]
    public async Task A_service_without_an_address_answers_503_problem_naming_it()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/api/v1/feed", _.Tokens.Issue());

        var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The social service is unavailable.", problem.GetProperty("detail").GetString());
        Assert.Equal(
            response.Headers.GetValues("X-Request-Id").Single(),
            problem.GetProperty("request_id").GetString()
        );
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_gives_503_problem_naming_it()
    {
        var response = await _.SendAsync(HttpMethod.Post, "/api/v1/payments/checkout", _.Tokens.Issue());

        var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The payments service is unavailable.", problem.GetProperty("detail").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Anonymous_routes_of_an_unavailable_service_give_503_not_401()
    {
        var response = await _.SendAsync(HttpMethod.Post, "/webhooks/stripe");

        var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The payments service is unavailable.", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("valid")]
    public async Task Unknown_paths_are_404_problem(string? token)
    {
        var response = await _.SendAsync(
            HttpMethod.Get,
            "/api/v1/nothing-here/x.json",
            token is null ? null : _.Tokens.Issue()
        );

        await GatewayFixture.ProblemOf(response, HttpStatusCode.NotFound);
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task A_wrong_method_on_a_method_only_route_is_405_problem()
    {
        var response = await _.SendAsync(HttpMethod.Put, "/.well-known/jwks.json");

        await GatewayFixture.ProblemOf(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task The_request_id_the_backend_gets_is_the_one_on_the_response()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/api/v1/events", _.Tokens.Issue());

        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.False(string.IsNullOrWhiteSpace(id));
        Assert.Equal(id, (await GatewayFixture.EchoOf(response)).Header("X-Request-Id"));
    }

    [Fact]
    public async Task A_sane_request_id_from_the_caller_is_kept()
    {
        var request = _.Request(HttpMethod.Post, "/api/v1/auth/login");
        request.Headers.Add("X-Request-Id", "client-trace-123");

        var response = await _.Client.SendAsync(request);

        Assert.Equal("client-trace-123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-trace-123", (await GatewayFixture.EchoOf(response)).Header("X-Request-Id"));
    }

    [Theory]
    [InlineData("GET", "/health/live")]
    [InlineData("GET", "/api/v1/users/me")]
    [InlineData("GET", "/api/v1/feed")]
    [InlineData("GET", "/missing")]
    [InlineData("GET", "/swagger/index.html")]
    public async Task Every_response_carries_a_request_id(string method, string path)
    {
        var response = await _.SendAsync(new HttpMethod(method), path);

        Assert.False(string.IsNullOrWhiteSpace(response.Headers.GetValues("X-Request-Id").Single()));
    }

    [Fact]
    public async Task The_gateways_own_health_is_anonymous()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_allowed_origins_there_are_no_cors_headers()
    {
        var preflight = _.Request(HttpMethod.Options, "/api/v1/events");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");

        var response = await _.Client.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Query_parameters_pass_through_unchecked_because_the_service_behind_decides()
    {
        var echo = await GatewayFixture.EchoOf(
            await _.SendAsync(HttpMethod.Get, "/api/v1/events?start_after=2030-01-01")
        );
        Assert.Equal("?start_after=2030-01-01", echo.Query);

        var page = await _.SendAsync(HttpMethod.Get, "/swagger/index.html?urls.primaryName=events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Swagger_ui_is_served_anonymously()
    {
        var redirect = await _.SendAsync(HttpMethod.Get, "/swagger");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);

        var page = await _.SendAsync(HttpMethod.Get, "/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync());

        var assets = await _.SendAsync(HttpMethod.Get, "/swagger/swagger-ui-bundle.js");
        Assert.Equal(HttpStatusCode.OK, assets.StatusCode);
    }

    [Fact]
    public async Task Swagger_ui_lists_one_document_per_service_with_an_address()
    {
        var config = await (await _.SendAsync(HttpMethod.Get, "/swagger/index.js")).Content.ReadAsStringAsync();

        Assert.Contains("/openapi/identity.json", config);
        Assert.Contains("/openapi/events.json", config);
        Assert.Contains("/openapi/payments.json", config);
        Assert.DoesNotContain("/openapi/social.json", config);
    }

    [Fact]
    public async Task A_services_openapi_document_is_proxied_anonymously_from_its_v1_document()
    {
        var echo = await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Get, "/openapi/identity.json"));

        Assert.Equal("/openapi/v1.json", echo.Path);
        Assert.Equal(_.Gateway.Address.Authority, echo.Header("Host"));
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/openapi/nothing.json")]
    [InlineData("/openapi/%3Cb%3E.json")]
    public async Task A_document_the_gateway_does_not_route_is_the_problem_of_a_route_that_does_not_exist(string path)
    {
        var response = await _.SendAsync(HttpMethod.Get, path);

        var problem = await response.AssertProblem(404);
        Assert.NotNull(problem["request_id"]);
    }
}
