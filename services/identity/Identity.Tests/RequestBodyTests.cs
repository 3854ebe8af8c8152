using System.Text;

namespace Community.Identity.Tests;

/// <summary>What a request body that is not a well-formed JSON registration gets.</summary>
public sealed class RequestBodyTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Malformed_json_is_a_problem_not_a_crash()
    {
        var response = await Client.PostJson("/api/v1/auth/register", "{\"username\": \"x\", ");
        var problem = await response.AssertProblem(400);
        Assert.Contains("not valid JSON", problem["errors"]!.ToJsonString());
    }

    [Fact]
    public async Task Wrong_json_types_are_a_problem()
    {
        var response = await Client.PostJson("/api/v1/auth/register", "{\"username\": 42, \"password\": []}");
        await response.AssertProblem(400);
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_before_they_are_read()
    {
        var huge = "{\"username\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        // Expect: 100-continue, as a well-behaved client sends: else the early 413 races the write (a broken pipe).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = new StringContent(huge, Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var response = await Client.SendAsync(request);
        await response.AssertProblem(413);
    }

    [Fact]
    public async Task Non_json_content_type_is_refused()
    {
        using var content = new StringContent("username=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        var response = await Client.PostAsync("/api/v1/auth/register", content);
        await response.AssertProblem(415);
    }
}
