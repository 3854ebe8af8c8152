using Community.Contracts.Identity;

namespace Community.Events.Tests;

/// <summary>Creating courses, and listing and reading them.</summary>
public sealed class CoursesTests(EventsFixture fx) : CourseTestsBase, IClassFixture<EventsFixture>
{
    protected override EventsFixture Fixture => fx;

    // ---- creation ----

    [Fact]
    public async Task An_organizer_creates_a_course_with_its_modules_in_order()
    {
        var (organizerId, organizer) = fx.Organizer();
        var response = await fx.Client.PostJson(
            "/api/v1/courses",
            CourseBody(b =>
            {
                b["category"] = "  Growth ";
                b["image_url"] = "https://cdn.example.org/courses/ei.png";
                b["price_cents"] = 1499;
                b["currency"] = "eur";
                b["price_credits"] = 100;
            }),
            organizer
        );
        var course = await response.AssertStatus(201);
        Assert.Equal($"/api/v1/courses/{course["id"]}", response.Headers.Location?.OriginalString);
        Assert.Equal(organizerId, course["organizer_id"]!.GetValue<Guid>());
        Assert.Equal("growth", course["category"]!.GetValue<string>());
        Assert.Equal("EUR", course["currency"]!.GetValue<string>());
        Assert.Equal(100, course["price_credits"]!.GetValue<int>());
        Assert.False(course["is_free"]!.GetValue<bool>());
        Assert.Equal(3, course["total_modules"]!.GetValue<int>());
        Assert.Equal(15 + 20 + 25, course["total_duration_minutes"]!.GetValue<int>());
        var modules = course["modules"]!.AsArray();
        Assert.Equal(
            ["Understanding your emotions", "Naming feelings", "Empathy in practice"],
            modules.Select(m => m!["title"]!.GetValue<string>())
        );
        Assert.Equal([1, 2, 3], modules.Select(m => m!["position"]!.GetValue<int>()));
        Assert.Equal("https://video.example.org/1.mp4", modules[0]!["video_url"]!.GetValue<string>());
        Assert.Equal("Module 2 text", modules[1]!["content"]!.GetValue<string>());
        Assert.False(course["content_locked"]!.GetValue<bool>());
        Assert.False(course["is_enrolled"]!.GetValue<bool>());
        Assert.Null(course["user_progress"]);

        // The organizer reads it back with content; it sits in the list.
        var details = await (await fx.Client.Get($"/api/v1/courses/{course["id"]}", organizer)).AssertStatus(200);
        Assert.Equal("Module 2 text", details["modules"]![1]!["content"]!.GetValue<string>());
        Assert.False(details["content_locked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_free_course_needs_no_currency_and_a_price_of_zero_drops_a_currency_given()
    {
        var (_, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["currency"] = "USD";
                b["price_credits"] = 0;
            }
        );
        Assert.True(course["is_free"]!.GetValue<bool>());
        Assert.Null(course["currency"]);
        Assert.Equal(0, course["price_cents"]!.GetValue<long>());
    }

    [Fact]
    public async Task Invalid_courses_are_refused_with_every_field_named()
    {
        var (_, organizer) = fx.Organizer();
        var body = CourseBody(b =>
        {
            b["title"] = "ab";
            b["description"] = new string('d', 5001);
            b.Remove("category");
            b["image_url"] = "ftp://example.org/x.png";
            b["price_cents"] = 500;
            b["price_credits"] = -1;
            b["modules"] = new JsonArray(
                new JsonObject { ["title"] = " ", ["duration_minutes"] = 10 },
                new JsonObject
                {
                    ["title"] = "Too long",
                    ["duration_minutes"] = 601,
                    ["content"] = new string('c', 20_001),
                },
                new JsonObject
                {
                    ["title"] = "No video",
                    ["duration_minutes"] = 5,
                    ["video_url"] = "not a url",
                },
                new JsonObject { ["title"] = "No duration" }
            );
        });
        var problem = await (await fx.Client.PostJson("/api/v1/courses", body, organizer)).AssertProblem(400);
        var errors = problem["errors"]!.AsObject();
        foreach (
            var field in new[]
            {
                "title",
                "description",
                "category",
                "image_url",
                "currency",
                "price_credits",
                "modules[0].title",
                "modules[1].duration_minutes",
                "modules[1].content",
                "modules[2].video_url",
                "modules[3].duration_minutes",
            }
        )
            Assert.True(errors.ContainsKey(field), $"no error for {field}: {errors.ToJsonString()}");
        Assert.False(errors.ContainsKey("modules[2].title"));
    }

    [Theory]
    [InlineData("no_modules")]
    [InlineData("empty_modules")]
    [InlineData("too_many_modules")]
    [InlineData("null_module")]
    [InlineData("long_category")]
    [InlineData("unknown_currency")]
    [InlineData("credits_zero_for_paid")]
    [InlineData("negative_price")]
    public async Task Other_invalid_inputs_are_400_problems(string variant)
    {
        var (_, organizer) = fx.Organizer();
        var (body, field) = variant switch
        {
            "no_modules" => (CourseBody(b => b.Remove("modules")), "modules"),
            "empty_modules" => (CourseBody(b => b["modules"] = new JsonArray()), "modules"),
            "too_many_modules" => (CourseBody(b => b["modules"] = Modules(101)), "modules"),
            "null_module" => (CourseBody(b => b["modules"]!.AsArray().Add(null)), "modules[3]"),
            "long_category" => (CourseBody(b => b["category"] = new string('c', 51)), "category"),
            "unknown_currency" => (
                CourseBody(b =>
                {
                    b["price_cents"] = 100;
                    b["currency"] = "EURO";
                }),
                "currency"
            ),
            "credits_zero_for_paid" => (
                CourseBody(b =>
                {
                    b["price_cents"] = 100;
                    b["currency"] = "EUR";
                    b["price_credits"] = 0;
                }),
                "price_credits"
            ),
            _ => (CourseBody(b => b["price_cents"] = -1), "price_cents"),
        };
        var problem = await (await fx.Client.PostJson("/api/v1/courses", body, organizer)).AssertProblem(400);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task Unknown_members_and_malformed_json_are_refused()
    {
        var (_, organizer) = fx.Organizer();
        await (
            await fx.Client.PostJson(
                "/api/v1/courses",
                CourseBody(b => b["organizer_id"] = Guid.NewGuid().ToString()),
                organizer
            )
        ).AssertProblem(400);
        await (
            await fx.Client.PostJson("/api/v1/courses", CourseBody(b => b["modules"]![0]!["position"] = 7), organizer)
        ).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/courses", "{\"title\": ", organizer)).AssertProblem(400);
        await (
            await fx.Client.PostJson(
                "/api/v1/courses",
                CourseBody(b => b["modules"]![0]!["duration_minutes"] = "long"),
                organizer
            )
        ).AssertProblem(400);
    }

    [Fact]
    public async Task Members_cannot_create_courses_and_anonymous_callers_are_turned_away()
    {
        var (_, member) = fx.Member();
        var forbidden = await fx.Client.PostJson("/api/v1/courses", CourseBody(), member);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var anonymous = await fx.Client.PostJson("/api/v1/courses", CourseBody());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client.Get("/api/v1/courses")).StatusCode);

        var (_, admin) = fx.Admin();
        await (await fx.Client.PostJson("/api/v1/courses", CourseBody(), admin)).AssertStatus(201);
    }

    [Fact]
    public async Task A_course_larger_than_the_default_body_limit_is_accepted()
    {
        var (_, organizer) = fx.Organizer();
        var modules = Modules(100);
        foreach (var module in modules)
            module!["content"] = new string('x', 12_000);
        var course = await CreateCourseAsync(organizer, b => b["modules"] = modules);
        Assert.Equal(100, course["modules"]!.AsArray().Count);
        Assert.Equal(100, course["modules"]![99]!["position"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_course_created_while_its_organizers_account_is_erased_waits_for_it_and_is_refused()
    {
        var (organizerId, organizer) = fx.Organizer();

        var created = await fx.WhileErasedAsync(
            organizerId,
            () => fx.Client.PostJson("/api/v1/courses", CourseBody(), organizer)
        );

        var refused = await created.AssertProblem(403);
        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        Assert.Equal(0L, await CoursesOfAsync(organizerId));
    }

    [Fact]
    public async Task An_erased_organizer_whose_token_still_passes_creates_no_course()
    {
        var (organizerId, organizer) = fx.Organizer();
        await CreateCourseAsync(organizer);
        // The instance knows the organizer from that course: their token passes until its revocation arrives.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), organizerId), "UserDeletedConsumer");

        var refused = await (await fx.Client.PostJson("/api/v1/courses", CourseBody(), organizer)).AssertProblem(403);

        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        Assert.Equal(0L, await CoursesOfAsync(organizerId));
    }

    private Task<long> CoursesOfAsync(Guid organizerId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE organizer_id = @u", ("u", organizerId));

    // ---- list and details ----

    [Fact]
    public async Task A_category_with_a_letter_cased_differently_by_the_database_is_stored_and_found()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        // U+0130 (a capital I with a dot): .NET's invariant casing keeps it; PostgreSQL's lower() under C.UTF-8 makes
        // it "i"
        var category = "\u0130stanbul" + Guid.NewGuid().ToString("N")[..8];
        var created = await CreateCourseAsync(organizer, b => b["category"] = category.ToUpperInvariant());
        Assert.Equal(category.ToLowerInvariant(), created["category"]!.GetValue<string>());
        var found = await (
            await fx.Client.Get($"/api/v1/courses?category={Uri.EscapeDataString(category)}", member)
        ).AssertStatus(200);
        Assert.Equal(
            created["id"]!.GetValue<Guid>(),
            Assert.Single(found["items"]!.AsArray())!["id"]!.GetValue<Guid>()
        );
    }

    [Fact]
    public async Task The_list_pages_newest_first_and_filters_by_category()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var category = "cat" + Guid.NewGuid().ToString("N")[..10];
        var titles = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await CreateCourseAsync(
                organizer,
                b =>
                {
                    b["category"] = category.ToUpperInvariant();
                    b["title"] = $"Course number {i}";
                }
            );
            titles.Add(created["title"]!.GetValue<string>());
            fx.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await CreateCourseAsync(organizer, b => b["category"] = "other" + category);

        var first = await (await fx.Client.Get($"/api/v1/courses?category={category}&limit=2", member)).AssertStatus(
            200
        );
        Assert.Equal(3, first["total"]!.GetValue<int>());
        Assert.Equal(2, first["pages"]!.GetValue<int>());
        Assert.Equal(1, first["page"]!.GetValue<int>());
        Assert.Equal(2, first["limit"]!.GetValue<int>());
        Assert.Equal(
            ["Course number 2", "Course number 1"],
            first["items"]!.AsArray().Select(c => c!["title"]!.GetValue<string>())
        );
        var item = first["items"]![0]!;
        Assert.Equal(3, item["total_modules"]!.GetValue<int>());
        Assert.Equal(60, item["total_duration_minutes"]!.GetValue<int>());
        Assert.Null(item["modules"]);

        var second = await (
            await fx.Client.Get($"/api/v1/courses?category={category.ToUpperInvariant()}&limit=2&page=2", member)
        ).AssertStatus(200);
        Assert.Equal(["Course number 0"], second["items"]!.AsArray().Select(c => c!["title"]!.GetValue<string>()));

        var all = await (await fx.Client.Get("/api/v1/courses?limit=100", member)).AssertStatus(200);
        Assert.True(all["total"]!.GetValue<int>() >= 4);
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    public async Task Bad_list_parameters_are_400_problems(string query, string field)
    {
        var (_, member) = fx.Member();
        var problem = await (await fx.Client.Get($"/api/v1/courses?{query}", member)).AssertProblem(400);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field));
    }

    [Fact]
    public async Task Details_hide_content_and_progress_from_those_not_enrolled()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var details = await (await fx.Client.Get($"/api/v1/courses/{course["id"]}", member)).AssertStatus(200);
        Assert.False(details["is_enrolled"]!.GetValue<bool>());
        Assert.True(details.AsObject().ContainsKey("user_progress"));
        Assert.Null(details["user_progress"]);
        Assert.Null(details["enrollment_status"]);
        Assert.True(details["content_locked"]!.GetValue<bool>());
        Assert.All(
            details["modules"]!.AsArray(),
            m =>
            {
                Assert.Null(m!["content"]);
                Assert.Null(m["video_url"]);
                Assert.NotNull(m["title"]);
            }
        );

        await (await fx.Client.Get($"/api/v1/courses/{Guid.NewGuid()}", member)).AssertProblem(404);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client.Get($"/api/v1/courses/{course["id"]}")).StatusCode);
    }
}
