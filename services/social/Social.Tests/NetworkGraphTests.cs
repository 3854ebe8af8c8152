using System.Text.Json.Nodes;

namespace Community.Social.Tests;

public sealed class NetworkGraphTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task The_graph_is_my_two_hop_neighbourhood_with_the_connections_among_it_and_nobody_blocked()
    {
        var (me, meToken, myName) = await fx.RegisteredAsync();
        var (a, aToken, _) = await fx.RegisteredAsync();
        var (b, bToken, _) = await fx.RegisteredAsync();
        var (c, cToken, _) = await fx.RegisteredAsync();
        var (d, dToken, _) = await fx.RegisteredAsync();
        var (x, xToken, _) = await fx.RegisteredAsync();
        var (y, yToken, _) = await fx.RegisteredAsync();
        await PeopleFlow.ConnectAsync(fx, meToken, aToken, a);
        await PeopleFlow.ConnectAsync(fx, meToken, bToken, b);
        await PeopleFlow.ConnectAsync(fx, aToken, bToken, b);
        await PeopleFlow.ConnectAsync(fx, aToken, cToken, c);
        await PeopleFlow.ConnectAsync(fx, cToken, bToken, b);
        await PeopleFlow.ConnectAsync(fx, cToken, dToken, d); // three hops: not drawn
        await PeopleFlow.ConnectAsync(fx, aToken, xToken, x);
        await PeopleFlow.ConnectAsync(fx, bToken, yToken, y);
        await PeopleFlow.BlockAsync(fx, xToken, me); // x blocked me: never shown to me
        await PeopleFlow.BlockAsync(fx, meToken, y); // I blocked y: never shown either

        var graph = await (await fx.Client.Get("/api/v1/network/graph", meToken)).AssertStatus(200);
        Assert.False(graph["truncated"]!.GetValue<bool>());
        var nodes = graph["nodes"]!
            .AsArray()
            .ToDictionary(n => Guid.Parse(n!["id"]!.GetValue<string>()), n => n!["hop"]!.GetValue<int>());
        Assert.Equal(
            new Dictionary<Guid, int>
            {
                [me] = 0,
                [a] = 1,
                [b] = 1,
                [c] = 2,
            },
            nodes
        );
        Assert.Equal(
            myName,
            graph["nodes"]!.AsArray().Single(n => n!["hop"]!.GetValue<int>() == 0)!["username"]!.GetValue<string>()
        );
        var edges = graph["edges"]!
            .AsArray()
            .Select(e => (Guid.Parse(e!["from"]!.GetValue<string>()), Guid.Parse(e["to"]!.GetValue<string>())))
            .ToHashSet();
        var (ab1, ab2) = a.CompareTo(b) < 0 ? (a, b) : (b, a);
        Assert.Equal(new HashSet<(Guid, Guid)> { (me, a), (me, b), (ab1, ab2), (a, c), (b, c) }, edges);

        // The same neighbourhood seen from c: c's connections first, mine never past two hops, nobody else's blocks.
        var fromC = await (await fx.Client.Get("/api/v1/network/graph", cToken)).AssertStatus(200);
        var cNodes = fromC["nodes"]!
            .AsArray()
            .ToDictionary(n => Guid.Parse(n!["id"]!.GetValue<string>()), n => n!["hop"]!.GetValue<int>());
        Assert.Equal(1, cNodes[d]);
        Assert.Equal(2, cNodes[me]);
        Assert.Equal(2, cNodes[x]);

        // Alone: just me.
        var (_, loner, _) = await fx.RegisteredAsync();
        var alone = await (await fx.Client.Get("/api/v1/network/graph", loner)).AssertStatus(200);
        Assert.Single(alone["nodes"]!.AsArray());
        Assert.Empty(alone["edges"]!.AsArray());
        Assert.Equal(401, (int)(await fx.Client.Get("/api/v1/network/graph")).StatusCode);
    }

    [Fact]
    public async Task The_graph_stops_at_50_first_hop_and_200_nodes_and_says_it_was_truncated()
    {
        var (me, meToken, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        var first = Enumerable.Range(0, 55).Select(_ => Guid.NewGuid()).ToList();
        foreach (var (f, i) in first.Select((f, i) => (f, i)))
        {
            await PersonAsync(f);
            await ConnectedAsync(me, f, now.AddMinutes(-i));
            for (var j = 0; j < 4; j++)
            {
                var friend = Guid.NewGuid();
                await PersonAsync(friend);
                await ConnectedAsync(f, friend, now);
            }
        }

        var graph = await (await fx.Client.Get("/api/v1/network/graph", meToken)).AssertStatus(200);
        Assert.True(graph["truncated"]!.GetValue<bool>());
        var nodes = graph["nodes"]!.AsArray();
        Assert.Equal(200, nodes.Count);
        var firstHop = nodes.Where(n => n!["hop"]!.GetValue<int>() == 1).Select(Id).ToHashSet();
        // The 50 newest connections, the 5 oldest cut.
        Assert.Equal(first.Take(50).ToHashSet(), firstHop);
        Assert.Equal(149, nodes.Count(n => n!["hop"]!.GetValue<int>() == 2));
        var ids = nodes.Select(Id).ToHashSet();
        Assert.All(
            graph["edges"]!.AsArray(),
            e =>
                Assert.True(
                    ids.Contains(Guid.Parse(e!["from"]!.GetValue<string>()))
                        && ids.Contains(Guid.Parse(e["to"]!.GetValue<string>()))
                )
        );
    }

    [Fact]
    public async Task Network_connections_is_the_connections_list_under_seed_004_s_name()
    {
        var (_, meToken, _) = await fx.RegisteredAsync();
        for (var i = 0; i < 3; i++)
        {
            var (other, otherToken, _) = await fx.RegisteredAsync();
            await PeopleFlow.ConnectAsync(fx, meToken, otherToken, other);
        }
        var alias = await (await fx.Client.Get("/api/v1/network/connections?limit=2", meToken)).AssertStatus(200);
        var list = await (await fx.Client.Get("/api/v1/connections?limit=2", meToken)).AssertStatus(200);
        Assert.Equal(list.ToJsonString(), alias.ToJsonString());
        Assert.Equal(2, alias["items"]!.AsArray().Count);
        var next = alias["next_cursor"]!.GetValue<string>();
        var rest = await (
            await fx.Client.Get($"/api/v1/network/connections?limit=2&cursor={next}", meToken)
        ).AssertStatus(200);
        Assert.Single(rest["items"]!.AsArray());
        var bad = await (
            await fx.Client.Get("/api/v1/network/connections?status=friends&limit=0", meToken)
        ).AssertProblem(400);
        Assert.NotNull(bad["errors"]!["status"]);
        Assert.NotNull(bad["errors"]!["limit"]);
        Assert.Equal(401, (int)(await fx.Client.Get("/api/v1/network/connections")).StatusCode);
    }

    private static Guid Id(JsonNode? n) => Guid.Parse(n!["id"]!.GetValue<string>());

    private Task PersonAsync(Guid id) =>
        fx.ExecuteAsync(
            "INSERT INTO user_profiles (user_id, username) VALUES (@id, @name)",
            ("id", id),
            ("name", "g" + id.ToString("N")[..12])
        );

    private Task ConnectedAsync(Guid a, Guid b, DateTimeOffset at) =>
        fx.ExecuteAsync(
            """
            INSERT INTO connections (id, requester_id, addressee_id, status, created_at, accepted_at)
            VALUES (@id, @a, @b, 'accepted', @at, @at)
            """,
            ("id", Guid.CreateVersion7()),
            ("a", a),
            ("b", b),
            ("at", at)
        );
}
