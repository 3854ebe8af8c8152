using System.Text.Json.Nodes;

namespace Community.Social.Tests;

/// <summary>The OpenAPI document lists the problem answers a client must handle, not just the happy path.</summary>
public sealed class OpenApiTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Operations_document_their_4xx_problem_responses_and_need_a_token()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        Assert.Superset(
            new HashSet<string> { "200", "201", "400", "401", "403", "404", "409", "422" },
            Codes(document, "/api/v1/connections", "post")
        );
        Assert.Superset(
            new HashSet<string> { "200", "400", "401", "403", "404" },
            Codes(document, "/api/v1/discover", "get")
        );
        Assert.Superset(
            new HashSet<string> { "204", "401", "404", "422" },
            Codes(document, "/api/v1/blocks/{user_id}", "put")
        );
        Assert.Superset(
            new HashSet<string> { "200", "401", "404" },
            Codes(document, "/api/v1/profiles/by-username/{username}", "get")
        );
        Assert.Superset(
            new HashSet<string> { "200", "201", "202", "400", "401", "402", "403", "404" },
            Codes(document, "/api/v1/groups/{id}/join", "post")
        );
        Assert.Superset(
            new HashSet<string> { "204", "401", "404", "409" },
            Codes(document, "/api/v1/groups/{id}/leave", "post")
        );
        Assert.Superset(
            new HashSet<string> { "200", "201", "400", "401", "403", "404", "409", "422", "429" },
            Codes(document, "/api/v1/groups/{id}/invitations", "post")
        );
        Assert.Superset(
            new HashSet<string> { "204", "401", "403", "404", "422" },
            Codes(document, "/api/v1/groups/{id}/members/{user_id}", "delete")
        );
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
            Assert.True(operation!["security"] is not null, $"{method} {path} does not require a token");
    }

    [Fact]
    public async Task A_group_s_read_declares_its_ETag_and_its_update_If_Match_and_412()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var read = document["paths"]!["/api/v1/groups/{id}"]!["get"]!;
        var update = document["paths"]!["/api/v1/groups/{id}"]!["patch"]!;

        Assert.NotNull(read["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(update["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.Contains(
            update["parameters"]!.AsArray(),
            p => p!["name"]!.GetValue<string>() == "If-Match" && p["in"]!.GetValue<string>() == "header"
        );
        Assert.Contains("412", Codes(document, "/api/v1/groups/{id}", "patch"));
        Assert.DoesNotContain(
            document["paths"]!["/api/v1/groups/{id}/members/{user_id}"]!["patch"]!["parameters"]!.AsArray(),
            p => p!["name"]!.GetValue<string>() == "If-Match"
        );
    }

    [Fact]
    public async Task My_groups_list_by_standing_and_a_groups_members_by_role_invited_too()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        List<string> Values(string path, string name) =>
            [
                .. document["paths"]![path]!["get"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == name)![
                    "schema"
                ]!["enum"]!
                    .AsArray()
                    .Select(v => (string)v!),
            ];

        Assert.Equal(["member", "pending", "invited"], Values("/api/v1/groups/mine", "status"));
        Assert.Equal(
            ["owner", "moderator", "member", "pending", "invited"],
            Values("/api/v1/groups/{id}/members", "role")
        );
    }

    [Fact]
    public async Task A_decline_documents_its_409_for_an_accepted_request_and_an_accept_none()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        Assert.Contains("409", Codes(document, "/api/v1/connections/{id}/decline", "post"));
        // Accepting a request already accepted answers it again: an accept is never a conflict.
        Assert.DoesNotContain("409", Codes(document, "/api/v1/connections/{id}/accept", "post"));
    }

    [Fact]
    public async Task A_join_s_202_carries_the_pending_membership_as_its_200_and_201_do()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var responses = document["paths"]!["/api/v1/groups/{id}/join"]!["post"]!["responses"]!;

        foreach (var status in new[] { "200", "201", "202" })
            Assert.Equal(
                "#/components/schemas/GroupMembershipDto",
                (string?)responses[status]!["content"]?["application/json"]?["schema"]?["$ref"]
            );
    }

    private static HashSet<string> Codes(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
}
