using System.Text.Json.Nodes;

namespace Community.Social.Tests;

public sealed class NetworkTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    private sealed record Person(Guid Id, string Token);

    private async Task<Person> PersonAsync()
    {
        var (id, token, _) = await fx.RegisteredAsync();
        return new(id, token);
    }

    private async Task ConnectAsync(Person a, Person b)
    {
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = b.Id }, a.Token)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, b.Token)).AssertStatus(
            200
        );
    }

    private async Task<List<Guid>> PathAsync(Person from, Person to)
    {
        var path = await (await fx.Client.Get($"/api/v1/network/path/{to.Id}", from.Token)).AssertStatus(200);
        var ids = path["path"]!.AsArray().Select(n => Guid.Parse(n!["user_id"]!.GetValue<string>())).ToList();
        Assert.Equal(ids.Count - 1, path["hops"]!.GetValue<int>());
        return ids;
    }

    private async Task Block(Person by, Person whom) =>
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{whom.Id}", null, by.Token)).AssertStatus(204);

    private async Task Unblock(Person by, Person whom) =>
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{whom.Id}", null, by.Token)).AssertStatus(
            204
        );

    [Fact]
    public async Task The_path_is_the_shortest_chain_of_accepted_connections_up_to_three_hops()
    {
        var (a, b, c, d, e) = (
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync()
        );
        await ConnectAsync(a, b);
        await ConnectAsync(b, c);
        await ConnectAsync(c, d);
        await ConnectAsync(d, e);

        Assert.Equal([a.Id, b.Id], await PathAsync(a, b));
        Assert.Equal([a.Id, b.Id, c.Id], await PathAsync(a, c));
        Assert.Equal([a.Id, b.Id, c.Id, d.Id], await PathAsync(a, d));
        Assert.Equal([d.Id, c.Id, b.Id, a.Id], await PathAsync(d, a));
        var summary = (await (await fx.Client.Get($"/api/v1/network/path/{c.Id}", a.Token)).AssertStatus(200))["path"]![
            1
        ]!;
        Assert.NotNull(summary["username"]);
        // Four hops is past the limit.
        await (await fx.Client.Get($"/api/v1/network/path/{e.Id}", a.Token)).AssertProblem(404);

        // A shortcut wins over the long way round, and a pending request is no step.
        await ConnectAsync(a, d);
        Assert.Equal([a.Id, d.Id, e.Id], await PathAsync(a, e));
        var f = await PersonAsync();
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = f.Id }, e.Token)).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/network/path/{f.Id}", a.Token)).AssertProblem(404);
    }

    [Fact]
    public async Task The_path_never_goes_through_someone_on_either_side_of_a_block_with_either_end()
    {
        var (a, b, c, d) = (await PersonAsync(), await PersonAsync(), await PersonAsync(), await PersonAsync());
        await ConnectAsync(a, b);
        await ConnectAsync(b, c);
        await ConnectAsync(c, d);
        Assert.Equal([a.Id, b.Id, c.Id, d.Id], await PathAsync(a, d));

        // The caller blocked the second step, or the second step blocked the caller: no path.
        await Block(a, c);
        await (await fx.Client.Get($"/api/v1/network/path/{d.Id}", a.Token)).AssertProblem(404);
        await Unblock(a, c);
        await Block(c, a);
        await (await fx.Client.Get($"/api/v1/network/path/{d.Id}", a.Token)).AssertProblem(404);
        await Unblock(c, a);
        Assert.Equal([a.Id, b.Id, c.Id, d.Id], await PathAsync(a, d));

        // The first step and the target blocked each other: the path goes the other way round.
        var (x, y) = (await PersonAsync(), await PersonAsync());
        await ConnectAsync(a, x);
        await ConnectAsync(x, y);
        await ConnectAsync(y, d);
        await Block(d, b);
        Assert.Equal([a.Id, x.Id, y.Id, d.Id], await PathAsync(a, d));
        await Block(x, d);
        await (await fx.Client.Get($"/api/v1/network/path/{d.Id}", a.Token)).AssertProblem(404);

        // A target on the other side of a block with the caller is not there at all.
        await (await fx.Client.Get($"/api/v1/network/path/{b.Id}", a.Token)).AssertStatus(200);
        await Block(b, a);
        await (await fx.Client.Get($"/api/v1/network/path/{b.Id}", a.Token)).AssertProblem(404);
    }

    [Fact]
    public async Task A_path_to_myself_or_nobody_is_refused()
    {
        var a = await PersonAsync();
        await (await fx.Client.Get($"/api/v1/network/path/{a.Id}", a.Token)).AssertProblem(422);
        await (await fx.Client.Get($"/api/v1/network/path/{Guid.NewGuid()}", a.Token)).AssertProblem(404);
        await (await fx.Client.Get("/api/v1/network/path/not-a-guid", a.Token)).AssertProblem(404);
    }

    [Fact]
    public async Task Suggestions_are_two_hops_away_ranked_by_mutual_connections()
    {
        var (me, b, c) = (await PersonAsync(), await PersonAsync(), await PersonAsync());
        var (two, one, pending, blocked, blocker, connected) = (
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync(),
            await PersonAsync()
        );
        await ConnectAsync(me, b);
        await ConnectAsync(me, c);
        await ConnectAsync(b, two);
        await ConnectAsync(c, two);
        await ConnectAsync(b, one);
        foreach (var other in new[] { pending, blocked, blocker, connected })
            await ConnectAsync(b, other);
        await ConnectAsync(me, connected);
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = me.Id }, pending.Token)).AssertStatus(
            201
        );
        await Block(me, blocked);
        await Block(blocker, me);

        var items = (await (await fx.Client.Get("/api/v1/network/suggestions", me.Token)).AssertStatus(200))[
            "items"
        ]!.AsArray();
        Assert.Equal([(two.Id, 2), (one.Id, 1)], items.Select(Suggestion).ToList());
        Assert.NotNull(items[0]!["user"]!["username"]);
        Assert.NotNull(items[0]!["compatibility_score"]);
        var first = (await (await fx.Client.Get("/api/v1/network/suggestions?limit=1", me.Token)).AssertStatus(200))[
            "items"
        ]!.AsArray();
        Assert.Equal([(two.Id, 2)], first.Select(Suggestion).ToList());
        Assert.NotNull(
            (await (await fx.Client.Get("/api/v1/network/suggestions?limit=0", me.Token)).AssertProblem(400))[
                "errors"
            ]!["limit"]
        );
        // Someone with no connections has no suggestions.
        var alone = await PersonAsync();
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/network/suggestions", alone.Token)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
    }

    private static (Guid, int) Suggestion(JsonNode? n) =>
        (Guid.Parse(n!["user"]!["user_id"]!.GetValue<string>()), n["mutual_count"]!.GetValue<int>());
}
