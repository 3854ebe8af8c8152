using System.Text.Json.Nodes;

namespace Community.Social.Tests;

public sealed class InnovatorProfilesTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    private static object Full(string skills = "public", string certs = "connections", string awards = "private") =>
        new
        {
            skills = new[] { " PostgreSQL ", "product design", "postgresql" },
            certifications = new[]
            {
                new
                {
                    name = "AWS Solutions Architect",
                    issuer = "Amazon",
                    year = 2024,
                    url = "https://aws.amazon.com/c",
                },
            },
            awards = new[]
            {
                new
                {
                    title = "Best Hack",
                    issuer = "Dubai Tech",
                    year = 2025,
                },
            },
            projects = new[]
            {
                new
                {
                    name = "Solar Scout",
                    description = "Rooftops worth a panel",
                    url = "http://example.org/solar",
                    year = 2025,
                },
            },
            visibility = new
            {
                skills,
                certifications = certs,
                awards,
            },
        };

    [Fact]
    public async Task My_innovator_profile_is_empty_until_I_write_it_and_then_reads_back_as_written()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var empty = await (await fx.Client.Get("/api/v1/profiles/me", me)).AssertStatus(200);
        Assert.Equal(meId.ToString(), empty["user_id"]!.GetValue<string>());
        Assert.Empty(empty["skills"]!.AsArray());
        Assert.Null(empty["updated_at"]);
        Assert.Equal("public", empty["visibility"]!["projects"]!.GetValue<string>());

        var put = await (await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full(), me)).AssertStatus(200);
        var got = await (await fx.Client.Get("/api/v1/profiles/me", me)).AssertStatus(200);
        Assert.Equal(put.ToJsonString(), got.ToJsonString());
        Assert.Equal(["PostgreSQL", "product design"], Strings(got["skills"]));
        Assert.Equal("Amazon", got["certifications"]![0]!["issuer"]!.GetValue<string>());
        Assert.Equal(2025, got["awards"]![0]!["year"]!.GetValue<int>());
        Assert.Equal("http://example.org/solar", got["projects"]![0]!["url"]!.GetValue<string>());
        Assert.Equal("connections", got["visibility"]!["certifications"]!.GetValue<string>());
        Assert.Equal("public", got["visibility"]!["projects"]!.GetValue<string>());
        Assert.NotNull(got["updated_at"]);

        // A PUT replaces the whole profile: absent lists are empty again.
        var replaced = await (
            await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", new { skills = new[] { "Rust" } }, me)
        ).AssertStatus(200);
        Assert.Equal(["Rust"], Strings(replaced["skills"]));
        Assert.Empty(replaced["certifications"]!.AsArray());
        Assert.Equal("public", replaced["visibility"]!["awards"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_public_profile_shows_each_section_as_its_owner_allows()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (friendId, friend, _) = await fx.RegisteredAsync();
        var (_, stranger, _) = await fx.RegisteredAsync();
        var (blockedId, blocked, _) = await fx.RegisteredAsync();
        await PeopleFlow.ConnectAsync(fx, owner, friend, friendId);
        await (await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full(), owner)).AssertStatus(200);

        var seenByStranger = (await (await fx.Client.Get($"/api/v1/profiles/{ownerId}", stranger)).AssertStatus(200))[
            "innovator"
        ]!;
        Assert.Equal(["PostgreSQL", "product design"], Strings(seenByStranger["skills"]));
        Assert.Null(seenByStranger["certifications"]);
        Assert.Null(seenByStranger["awards"]);
        Assert.Equal("Solar Scout", seenByStranger["projects"]![0]!["name"]!.GetValue<string>());

        var seenByFriend = (await (await fx.Client.Get($"/api/v1/profiles/{ownerId}", friend)).AssertStatus(200))[
            "innovator"
        ]!;
        Assert.Equal("AWS Solutions Architect", seenByFriend["certifications"]![0]!["name"]!.GetValue<string>());
        Assert.Null(seenByFriend["awards"]);

        var seenByOwner = (await (await fx.Client.Get($"/api/v1/profiles/{ownerId}", owner)).AssertStatus(200))[
            "innovator"
        ]!;
        Assert.Equal("Best Hack", seenByOwner["awards"]![0]!["title"]!.GetValue<string>());

        // Private for everyone else, whatever the relation; a profile without innovator sections shows empty lists.
        await (
            await fx.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/profiles/me",
                Full(skills: "private", certs: "private", awards: "private"),
                owner
            )
        ).AssertStatus(200);
        var hidden = (await (await fx.Client.Get($"/api/v1/profiles/{ownerId}", friend)).AssertStatus(200))[
            "innovator"
        ]!;
        Assert.Null(hidden["skills"]);
        Assert.Null(hidden["certifications"]);
        var none = (await (await fx.Client.Get($"/api/v1/profiles/{friendId}", owner)).AssertStatus(200))["innovator"]!;
        Assert.Empty(none["skills"]!.AsArray());

        await PeopleFlow.BlockAsync(fx, owner, blockedId);
        await (await fx.Client.Get($"/api/v1/profiles/{ownerId}", blocked)).AssertProblem(404);
    }

    [Fact]
    public async Task A_bad_innovator_profile_is_a_400_naming_each_field_and_changes_nothing()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full(), me)).AssertStatus(200);
        var before = (await (await fx.Client.Get("/api/v1/profiles/me", me)).AssertStatus(200)).ToJsonString();
        var year = fx.Clock.GetUtcNow().Year;
        var cases = new (object Body, string[] Fields)[]
        {
            (new { skills = Enumerable.Range(0, 51).Select(i => "s" + i).ToArray() }, ["skills"]),
            (new { skills = new[] { "ok", "", new string('x', 51) } }, ["skills[1]", "skills[2]"]),
            (
                new
                {
                    certifications = new[]
                    {
                        new
                        {
                            name = "",
                            year = 1899,
                            url = "ftp://example.org/c",
                        },
                    },
                },
                ["certifications[0].name", "certifications[0].year", "certifications[0].url"]
            ),
            (
                new { certifications = new[] { new { name = "A", url = "javascript:alert(1)" } } },
                ["certifications[0].url"]
            ),
            (
                new { awards = new[] { new { title = new string('t', 121), year = year + 1 } } },
                ["awards[0].title", "awards[0].year"]
            ),
            (new { awards = Enumerable.Range(0, 21).Select(i => new { title = "a" + i }).ToArray() }, ["awards"]),
            (
                new
                {
                    projects = new[]
                    {
                        new
                        {
                            name = "P",
                            description = new string('d', 1001),
                            url = "https://e.org/" + new string('u', 500),
                        },
                    },
                },
                ["projects[0].description", "projects[0].url"]
            ),
            (
                new { visibility = new { skills = "friends", awards = "everyone" } },
                ["visibility.skills", "visibility.awards"]
            ),
        };
        foreach (var (body, fields) in cases)
        {
            var problem = await (
                await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", body, me)
            ).AssertProblem(400);
            foreach (var field in fields)
                Assert.True(problem["errors"]?[field] is not null, $"{field} not named in {problem.ToJsonString()}");
        }
        // Malformed JSON: NUL in text, a year beyond any int, a string for a list, a key twice, a null item.
        foreach (
            var raw in new[]
            {
                """{"skills": ["bad\u0000skill"]}""",
                """{"awards": [{"title": "A", "year": 99999999999999999999}]}""",
                """{"skills": "everything"}""",
                """{"skills": ["a"], "skills": ["b"]}""",
                """{"projects": [null]}""",
                """{"skills": [null]}""",
            }
        )
            await (await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", raw, me)).AssertProblem(400);
        Assert.Equal(before, (await (await fx.Client.Get("/api/v1/profiles/me", me)).AssertStatus(200)).ToJsonString());
    }

    [Fact]
    public async Task A_deleted_account_takes_its_innovator_profile_along_and_cannot_write_one_again()
    {
        var (goneId, gone, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full(), gone)).AssertStatus(200);
        Assert.Equal(1L, await CountAsync(goneId));
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), goneId));
        Assert.Equal(0L, await CountAsync(goneId));
        var again = await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full(), fx.TokenFor(goneId));
        Assert.NotEqual(200, (int)again.StatusCode);
        Assert.Equal(0L, await CountAsync(goneId));
    }

    [Fact]
    public async Task The_innovator_profile_needs_a_token()
    {
        Assert.Equal(401, (int)(await fx.Client.Get("/api/v1/profiles/me")).StatusCode);
        Assert.Equal(401, (int)(await fx.Client.SendJson(HttpMethod.Put, "/api/v1/profiles/me", Full())).StatusCode);
    }

    private Task<long> CountAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM innovator_profiles WHERE user_id = @id", ("id", userId));

    private static List<string> Strings(JsonNode? array) =>
        array!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
