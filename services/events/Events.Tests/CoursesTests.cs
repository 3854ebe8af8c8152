using System.Net;
using System.Text.Json.Nodes;
using Community.Events.Courses;
using Community.Events.Users;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Events.Tests;

public sealed class CoursesTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    // ---- creation ----

    [Fact]
    public async Task An_organizer_creates_a_course_with_its_modules_in_order()
    {
        var (organizerId, organizer) = fx.Organizer();
        var response = await fx.Client.PostJson("/api/v1/courses", CourseBody(b =>
        {
            b["category"] = "  Growth ";
            b["image_url"] = "https://cdn.example.org/courses/ei.png";
            b["price_cents"] = 1499;
            b["currency"] = "eur";
            b["price_credits"] = 100;
        }), organizer);
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
        Assert.Equal(["Understanding your emotions", "Naming feelings", "Empathy in practice"], modules.Select(m => m!["title"]!.GetValue<string>()));
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
        var course = await CreateCourseAsync(organizer, b => { b["currency"] = "USD"; b["price_credits"] = 0; });
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
                new JsonObject { ["title"] = "Too long", ["duration_minutes"] = 601, ["content"] = new string('c', 20_001) },
                new JsonObject { ["title"] = "No video", ["duration_minutes"] = 5, ["video_url"] = "not a url" },
                new JsonObject { ["title"] = "No duration" });
        });
        var problem = await (await fx.Client.PostJson("/api/v1/courses", body, organizer)).AssertProblem(400);
        var errors = problem["errors"]!.AsObject();
        foreach (var field in new[]
        {
            "title", "description", "category", "image_url", "currency", "price_credits", "modules[0].title",
            "modules[1].duration_minutes", "modules[1].content", "modules[2].video_url", "modules[3].duration_minutes",
        })
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
            "unknown_currency" => (CourseBody(b => { b["price_cents"] = 100; b["currency"] = "EURO"; }), "currency"),
            "credits_zero_for_paid" => (CourseBody(b => { b["price_cents"] = 100; b["currency"] = "EUR"; b["price_credits"] = 0; }), "price_credits"),
            _ => (CourseBody(b => b["price_cents"] = -1), "price_cents"),
        };
        var problem = await (await fx.Client.PostJson("/api/v1/courses", body, organizer)).AssertProblem(400);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task Unknown_members_and_malformed_json_are_refused()
    {
        var (_, organizer) = fx.Organizer();
        await (await fx.Client.PostJson("/api/v1/courses", CourseBody(b => b["organizer_id"] = Guid.NewGuid().ToString()), organizer)).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/courses", CourseBody(b => b["modules"]![0]!["position"] = 7), organizer)).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/courses", "{\"title\": ", organizer)).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/courses", CourseBody(b => b["modules"]![0]!["duration_minutes"] = "long"), organizer)).AssertProblem(400);
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
        foreach (var module in modules) module!["content"] = new string('x', 12_000);
        var course = await CreateCourseAsync(organizer, b => b["modules"] = modules);
        Assert.Equal(100, course["modules"]!.AsArray().Count);
        Assert.Equal(100, course["modules"]![99]!["position"]!.GetValue<int>());
    }

    // ---- list and details ----

    [Fact]
    public async Task The_list_pages_newest_first_and_filters_by_category()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var category = "cat" + Guid.NewGuid().ToString("N")[..10];
        var titles = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await CreateCourseAsync(organizer, b => { b["category"] = category.ToUpperInvariant(); b["title"] = $"Course number {i}"; });
            titles.Add(created["title"]!.GetValue<string>());
            fx.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await CreateCourseAsync(organizer, b => b["category"] = "other" + category);

        var first = await (await fx.Client.Get($"/api/v1/courses?category={category}&limit=2", member)).AssertStatus(200);
        Assert.Equal(3, first["total"]!.GetValue<int>());
        Assert.Equal(2, first["pages"]!.GetValue<int>());
        Assert.Equal(1, first["page"]!.GetValue<int>());
        Assert.Equal(2, first["limit"]!.GetValue<int>());
        Assert.Equal(["Course number 2", "Course number 1"], first["items"]!.AsArray().Select(c => c!["title"]!.GetValue<string>()));
        var item = first["items"]![0]!;
        Assert.Equal(3, item["total_modules"]!.GetValue<int>());
        Assert.Equal(60, item["total_duration_minutes"]!.GetValue<int>());
        Assert.Null(item["modules"]);

        var second = await (await fx.Client.Get($"/api/v1/courses?category={category.ToUpperInvariant()}&limit=2&page=2", member)).AssertStatus(200);
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
        Assert.All(details["modules"]!.AsArray(), m => { Assert.Null(m!["content"]); Assert.Null(m["video_url"]); Assert.NotNull(m["title"]); });

        await (await fx.Client.Get($"/api/v1/courses/{Guid.NewGuid()}", member)).AssertProblem(404);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client.Get($"/api/v1/courses/{course["id"]}")).StatusCode);
    }

    // ---- enrollment ----

    [Fact]
    public async Task A_free_enroll_activates_once_and_again_answers_the_same_enrollment()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();

        var created = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(201);
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal(memberId, created["user_id"]!.GetValue<Guid>());
        Assert.NotNull(created["activated_at"]);
        var again = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(200);
        Assert.Equal(created["id"]!.GetValue<Guid>(), again["id"]!.GetValue<Guid>());

        Assert.Equal(1, await EnrollmentRowsAsync(id, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", created["id"]!.GetValue<Guid>()));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrollmentPending", created["id"]!.GetValue<Guid>()));

        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.True(details["is_enrolled"]!.GetValue<bool>());
        Assert.Equal("active", details["enrollment_status"]!.GetValue<string>());
        Assert.False(details["content_locked"]!.GetValue<bool>());
        Assert.Equal("Module 1 text", details["modules"]![0]!["content"]!.GetValue<string>());
        var progress = details["user_progress"]!;
        Assert.Equal(0, progress["progress"]!.GetValue<int>());
        Assert.Empty(progress["completed_modules"]!.AsArray());
        Assert.Equal(details["modules"]![0]!["id"]!.GetValue<Guid>(), progress["current_module"]!.GetValue<Guid>());

        await (await fx.Client.PostJson($"/api/v1/courses/{Guid.NewGuid()}/enroll", new { }, member)).AssertProblem(404);
    }

    [Fact]
    public async Task A_paid_enroll_is_pending_and_answers_402_with_how_to_pay_the_same_each_time()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => { b["price_cents"] = 1499; b["currency"] = "USD"; b["price_credits"] = 100; });
        var id = course["id"]!.GetValue<Guid>();

        var problem = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402);
        var enrollmentId = problem["enrollment_id"]!.GetValue<Guid>();
        Assert.Equal(id, problem["course_id"]!.GetValue<Guid>());
        Assert.Equal("pending_payment", problem["enrollment_status"]!.GetValue<string>());
        Assert.Equal(1499, problem["price_cents"]!.GetValue<long>());
        Assert.Equal("USD", problem["currency"]!.GetValue<string>());
        Assert.Equal(100, problem["price_credits"]!.GetValue<int>());
        Assert.Equal(["money", "credits"], problem["payment_methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("course", problem["checkout"]!["purpose"]!.GetValue<string>());
        Assert.Equal(enrollmentId, problem["checkout"]!["reference_id"]!.GetValue<Guid>());

        var again = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402);
        Assert.Equal(enrollmentId, again["enrollment_id"]!.GetValue<Guid>());
        Assert.Equal(1, await EnrollmentRowsAsync(id, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var pending = await fx.ScalarAsync<string>(
            "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrollmentPending,%' AND (payload::jsonb ->> 'enrollmentId')::uuid = @id",
            ("id", enrollmentId));
        var payload = JsonNode.Parse(pending!)!;
        Assert.Equal(1499, payload["priceCents"]!.GetValue<long>());
        Assert.Equal("USD", payload["currency"]!.GetValue<string>());
        Assert.Equal(100, payload["priceCredits"]!.GetValue<int>());
        Assert.Equal(memberId, payload["userId"]!.GetValue<Guid>());
        Assert.Equal(id, payload["courseId"]!.GetValue<Guid>());

        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.False(details["is_enrolled"]!.GetValue<bool>());
        Assert.Equal("pending_payment", details["enrollment_status"]!.GetValue<string>());
        Assert.Null(details["user_progress"]);
        Assert.True(details["content_locked"]!.GetValue<bool>());

        var moduleId = course["modules"]![0]!["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = moduleId, completed = true }, member)).AssertProblem(403);
    }

    [Fact]
    public async Task A_credits_only_course_is_paid_and_offers_credits_only()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => b["price_credits"] = 50);
        Assert.False(course["is_free"]!.GetValue<bool>());
        var problem = await (await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)).AssertProblem(402);
        Assert.Equal(0, problem["price_cents"]!.GetValue<long>());
        Assert.Null(problem["currency"]);
        Assert.Equal(["credits"], problem["payment_methods"]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task Concurrent_enrolls_by_one_user_leave_one_enrollment()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var free = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();
        var paid = (await CreateCourseAsync(organizer, b => { b["price_cents"] = 900; b["currency"] = "EUR"; }))["id"]!.GetValue<Guid>();

        var freeAnswers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => fx.Client.PostJson($"/api/v1/courses/{free}/enroll", new { }, member)));
        Assert.All(freeAnswers, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(freeAnswers, r => r.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(freeAnswers.Select(async r => (await r.Body())["id"]!.GetValue<Guid>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await EnrollmentRowsAsync(free, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", ids[0]));

        var paidAnswers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => fx.Client.PostJson($"/api/v1/courses/{paid}/enroll", new { }, member)));
        var pendingIds = await Task.WhenAll(paidAnswers.Select(async r => (await r.AssertProblem(402))["enrollment_id"]!.GetValue<Guid>()));
        Assert.Single(pendingIds.Distinct());
        Assert.Equal(1, await EnrollmentRowsAsync(paid, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", pendingIds[0]));
    }

    [Fact]
    public async Task An_enroll_that_loses_the_insert_race_answers_the_winners_enrollment()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var courseId = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();
        var enrolledBefore = await fx.OutboxCountAsync("CourseEnrolled");

        // A concurrent enroll, held uncommitted: ours does not see it, inserts, and waits on the unique constraint.
        var winnerId = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO course_enrollments (id, course_id, user_id, status, created_at, activated_at) VALUES (@id, @c, @u, 'active', now(), now())",
            connection, transaction))
        {
            insert.Parameters.AddWithValue("id", winnerId);
            insert.Parameters.AddWithValue("c", courseId);
            insert.Parameters.AddWithValue("u", memberId);
            await insert.ExecuteNonQueryAsync();
        }
        var enrolling = fx.Client.PostJson($"/api/v1/courses/{courseId}/enroll", new { }, member);
        await Eventually.TrueAsync(async () => await fx.ScalarAsync<long>("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO course_enrollments%'
            """) == 1, "the enroll never waited on the concurrent insert");
        await transaction.CommitAsync();

        var answer = await (await enrolling).AssertStatus(200);
        Assert.Equal(winnerId, answer["id"]!.GetValue<Guid>());
        Assert.Equal(1, await EnrollmentRowsAsync(courseId, memberId));
        Assert.Equal(enrolledBefore, await fx.OutboxCountAsync("CourseEnrolled"));
    }

    // ---- confirmation of paid enrollments (called by the payments flow) ----

    [Fact]
    public async Task ConfirmPaid_activates_a_pending_enrollment_once_and_refuses_wrong_payments()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => { b["price_cents"] = 2500; b["currency"] = "EUR"; });
        var id = course["id"]!.GetValue<Guid>();
        var enrollmentId = (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402))["enrollment_id"]!.GetValue<Guid>();
        var paymentId = Guid.NewGuid();

        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2400, "EUR"))).Outcome);
        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2500, "USD"))).Outcome);
        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(Guid.NewGuid(), 100))).Outcome);
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));

        var activated = await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2500, "eur"));
        Assert.Equal(CourseConfirmation.Activated, activated.Outcome);
        Assert.Equal(EnrollmentStatus.Active, activated.Enrollment!.Status);
        Assert.Equal(paymentId, activated.Enrollment.PaymentId);
        Assert.Equal(PaidWith.Money, activated.Enrollment.PaidWith);

        var repeated = await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2500, "EUR"));
        Assert.Equal(CourseConfirmation.AlreadyActive, repeated.Outcome);
        var secondPayment = await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 2500, "EUR"));
        Assert.Equal(CourseConfirmation.Rejected, secondPayment.Outcome);
        Assert.Equal(CourseConfirmation.NotFound, (await ConfirmAsync(Guid.NewGuid(), new CoursePayment.Money(paymentId, 2500, "EUR"))).Outcome);

        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var enrolled = JsonNode.Parse((await fx.ScalarAsync<string>(
            "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrolled,%' AND (payload::jsonb ->> 'enrollmentId')::uuid = @id",
            ("id", enrollmentId)))!)!;
        Assert.Equal(2500, enrolled["priceCents"]!.GetValue<long>());
        Assert.Equal("EUR", enrolled["currency"]!.GetValue<string>());
        Assert.Equal(memberId, enrolled["userId"]!.GetValue<Guid>());

        // The learner now sees the course as theirs; enrolling again is a plain 200.
        var again = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(200);
        Assert.Equal("active", again["status"]!.GetValue<string>());
        Assert.Equal(enrollmentId, again["id"]!.GetValue<Guid>());
        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.True(details["is_enrolled"]!.GetValue<bool>());
        Assert.Equal(0, details["user_progress"]!["progress"]!.GetValue<int>());
    }

    [Fact]
    public async Task ConfirmPaid_with_credits_matches_the_credit_price()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => { b["price_cents"] = 1000; b["currency"] = "GBP"; b["price_credits"] = 80; });
        var enrollmentId = (await (await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)).AssertProblem(402))["enrollment_id"]!.GetValue<Guid>();
        var spendId = Guid.NewGuid();

        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 79))).Outcome);
        var activated = await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 80));
        Assert.Equal(CourseConfirmation.Activated, activated.Outcome);
        Assert.Equal(PaidWith.Credits, activated.Enrollment!.PaidWith);
        Assert.Equal(CourseConfirmation.AlreadyActive, (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 80))).Outcome);

        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var enrolled = JsonNode.Parse((await fx.ScalarAsync<string>(
            "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrolled,%' AND (payload::jsonb ->> 'enrollmentId')::uuid = @id",
            ("id", enrollmentId)))!)!;
        Assert.Equal(0, enrolled["priceCents"]!.GetValue<long>());
        Assert.Null(enrolled["currency"]);
        Assert.Equal(80, enrolled["priceCredits"]!.GetValue<int>());
    }

    [Fact]
    public async Task ConfirmPaid_refuses_a_payment_for_a_free_enrollment()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var enrollmentId = (await (await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)).AssertStatus(201))["id"]!.GetValue<Guid>();
        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 100, "EUR"))).Outcome);
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
    }

    // ---- progress ----

    [Fact]
    public async Task Progress_counts_completed_modules_and_points_at_the_first_open_one()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = course["modules"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToArray();
        var url = $"/api/v1/courses/{id}/progress";

        await (await fx.Client.PostJson(url, new { module_id = m[0], completed = true }, member)).AssertProblem(403);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(201);

        var second = await (await fx.Client.PostJson(url, new { module_id = m[1], completed = true }, member)).AssertStatus(200);
        AssertProgress(second, 33, [m[1]], m[0]);
        AssertProgress(await (await fx.Client.PostJson(url, new { module_id = m[1], completed = true }, member)).AssertStatus(200), 33, [m[1]], m[0]);
        AssertProgress(await (await fx.Client.PostJson(url, new { module_id = m[0], completed = true }, member)).AssertStatus(200), 66, [m[0], m[1]], m[2]);
        AssertProgress(await (await fx.Client.PostJson(url, new { module_id = m[2], completed = true }, member)).AssertStatus(200), 100, [m[0], m[1], m[2]], null);
        AssertProgress(await (await fx.Client.PostJson(url, new { module_id = m[0], completed = false }, member)).AssertStatus(200), 66, [m[1], m[2]], m[0]);
        AssertProgress(await (await fx.Client.PostJson(url, new { module_id = m[0], completed = false }, member)).AssertStatus(200), 66, [m[1], m[2]], m[0]);

        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        AssertProgress(details["user_progress"]!, 66, [m[1], m[2]], m[0]);

        // Another learner's progress is their own.
        var (_, other) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, other)).AssertStatus(201);
        var theirs = await (await fx.Client.Get($"/api/v1/courses/{id}", other)).AssertStatus(200);
        AssertProgress(theirs["user_progress"]!, 0, [], m[0]);
    }

    [Fact]
    public async Task Bad_progress_updates_are_problems()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var otherCourse = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var url = $"/api/v1/courses/{id}/progress";
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(201);

        var foreign = otherCourse["modules"]![0]!["id"]!.GetValue<Guid>();
        var problem = await (await fx.Client.PostJson(url, new { module_id = foreign, completed = true }, member)).AssertProblem(400);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("module_id"));
        var missing = await (await fx.Client.PostJson(url, new { }, member)).AssertProblem(400);
        Assert.True(missing["errors"]!.AsObject().ContainsKey("module_id"));
        Assert.True(missing["errors"]!.AsObject().ContainsKey("completed"));
        await (await fx.Client.PostJson(url, new { module_id = foreign, completed = true, progress = 50 }, member)).AssertProblem(400);
        await (await fx.Client.PostJson($"/api/v1/courses/{Guid.NewGuid()}/progress", new { module_id = foreign, completed = true }, member)).AssertProblem(404);
    }

    // ---- edits ----

    [Fact]
    public async Task The_organizer_edits_a_course_and_its_modules_and_an_admin_may_too()
    {
        var (organizerId, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        fx.Clock.Advance(TimeSpan.FromMinutes(1));

        var changed = await (await PatchAsync(id, new JsonObject
        {
            ["title"] = "  Feelings, named ", ["description"] = null, ["category"] = "Wellness", ["image_url"] = "https://cdn.example.org/c.png",
        }, organizer)).AssertStatus(200);
        Assert.Equal("Feelings, named", changed["title"]!.GetValue<string>());
        Assert.Equal("", changed["description"]!.GetValue<string>());
        Assert.Equal("wellness", changed["category"]!.GetValue<string>());
        Assert.Equal("https://cdn.example.org/c.png", changed["image_url"]!.GetValue<string>());
        Assert.Equal(m, ModuleIds(changed));
        Assert.Equal("Module 2 text", changed["modules"]![1]!["content"]!.GetValue<string>());
        Assert.True(changed["updated_at"]!.GetValue<DateTimeOffset>() > course["updated_at"]!.GetValue<DateTimeOffset>());
        Assert.Null(changed["withdrawn_at"]);

        // Nobody enrolled yet: modules may be reordered, edited, added and removed, and the price may change.
        var reshaped = await (await PatchAsync(id, new JsonObject
        {
            ["price_cents"] = 900, ["currency"] = "eur",
            ["modules"] = new JsonArray(
                new JsonObject { ["id"] = m[2], ["title"] = "Empathy, first", ["duration_minutes"] = 30, ["content"] = "New text" },
                new JsonObject { ["id"] = m[0], ["title"] = "Understanding your emotions", ["duration_minutes"] = 15 },
                new JsonObject { ["title"] = "A new ending", ["duration_minutes"] = 5, ["video_url"] = "https://video.example.org/9.mp4" }),
        }, organizer)).AssertStatus(200);
        var modules = reshaped["modules"]!.AsArray();
        Assert.Equal(m[2], modules[0]!["id"]!.GetValue<Guid>());
        Assert.Equal(m[0], modules[1]!["id"]!.GetValue<Guid>());
        Assert.DoesNotContain(modules[2]!["id"]!.GetValue<Guid>(), m);
        Assert.Equal([1, 2, 3], modules.Select(x => x!["position"]!.GetValue<int>()));
        Assert.Equal(["Empathy, first", "Understanding your emotions", "A new ending"], modules.Select(x => x!["title"]!.GetValue<string>()));
        Assert.Equal("New text", modules[0]!["content"]!.GetValue<string>());
        Assert.Equal("", modules[1]!["content"]!.GetValue<string>()); // a module is sent whole
        Assert.Equal(30 + 15 + 5, reshaped["total_duration_minutes"]!.GetValue<int>());
        Assert.Equal(900, reshaped["price_cents"]!.GetValue<long>());
        Assert.Equal("EUR", reshaped["currency"]!.GetValue<string>());
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM course_modules WHERE id = @m", ("m", m[1])));

        var read = await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200);
        Assert.Equal(ModuleIds(reshaped), ModuleIds(read));
        Assert.Equal("Feelings, named", read["title"]!.GetValue<string>());

        var (_, admin) = fx.Admin();
        var moderated = await (await PatchAsync(id, new JsonObject { ["title"] = "Moderated title" }, admin)).AssertStatus(200);
        Assert.Equal("Moderated title", moderated["title"]!.GetValue<string>());
        Assert.Equal(organizerId, moderated["organizer_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Only_the_organizer_or_an_admin_may_change_or_delete_a_course()
    {
        var (_, organizer) = fx.Organizer();
        var (_, stranger) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();

        await (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, stranger)).AssertProblem(403);
        await (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, member)).AssertProblem(403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, null)).StatusCode);
        await (await DeleteAsync(id, stranger)).AssertProblem(403);
        await (await DeleteAsync(id, member)).AssertProblem(403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeleteAsync(id, null)).StatusCode);

        var read = await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200);
        Assert.Equal(course["title"]!.GetValue<string>(), read["title"]!.GetValue<string>());
        Assert.Equal(course["updated_at"]!.GetValue<DateTimeOffset>(), read["updated_at"]!.GetValue<DateTimeOffset>());

        var (_, admin) = fx.Admin();
        await (await PatchAsync(Guid.NewGuid(), new JsonObject { ["title"] = "Nobody's" }, admin)).AssertProblem(404);
        await (await DeleteAsync(Guid.NewGuid(), admin)).AssertProblem(404);
        await (await DeleteAsync(id, admin)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertProblem(404);
    }

    [Fact]
    public async Task The_price_is_fixed_once_anyone_enrolled_even_pending()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => { b["price_cents"] = 1500; b["currency"] = "EUR"; b["price_credits"] = 100; });
        var id = course["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402);

        foreach (var change in new[]
        {
            new JsonObject { ["price_cents"] = 2000 },
            new JsonObject { ["currency"] = "USD" },
            new JsonObject { ["price_credits"] = null },
            new JsonObject { ["price_cents"] = 0, ["price_credits"] = null, ["title"] = "Free for all now" },
        })
        {
            var problem = await (await PatchAsync(id, change, organizer)).AssertProblem(409);
            Assert.Contains("price", problem["detail"]!.GetValue<string>());
        }
        // The same price sent back is no change; other fields still change.
        var renamed = await (await PatchAsync(id, new JsonObject { ["title"] = "Still 15 euros", ["price_cents"] = 1500, ["currency"] = "eur" }, organizer))
            .AssertStatus(200);
        Assert.Equal("Still 15 euros", renamed["title"]!.GetValue<string>());
        var read = await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200);
        Assert.Equal(1500, read["price_cents"]!.GetValue<long>());
        Assert.Equal("EUR", read["currency"]!.GetValue<string>());
        Assert.Equal(100, read["price_credits"]!.GetValue<int>());

        // A free course with a learner cannot start charging either.
        var free = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{free}/enroll", new { }, member)).AssertStatus(201);
        await (await PatchAsync(free, new JsonObject { ["price_credits"] = 10 }, organizer)).AssertProblem(409);
    }

    [Fact]
    public async Task Once_anyone_enrolled_modules_change_but_none_goes_and_progress_follows_the_new_order()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(201);
        foreach (var module in m[..2])
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = module, completed = true }, member)).AssertStatus(200);

        var dropping = new JsonObject
        {
            ["title"] = "Dropping one",
            ["modules"] = new JsonArray(
                new JsonObject { ["id"] = m[0], ["title"] = "One", ["duration_minutes"] = 10 },
                new JsonObject { ["id"] = m[2], ["title"] = "Three", ["duration_minutes"] = 10 }),
        };
        var refused = await (await PatchAsync(id, dropping, organizer)).AssertProblem(409);
        Assert.Contains("removed", refused["detail"]!.GetValue<string>());
        var unchanged = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.Equal(m, ModuleIds(unchanged));
        Assert.Equal(course["title"]!.GetValue<string>(), unchanged["title"]!.GetValue<string>());
        AssertProgress(unchanged["user_progress"]!, 66, [m[0], m[1]], m[2]);

        var reordered = await (await PatchAsync(id, new JsonObject
        {
            ["modules"] = new JsonArray(
                new JsonObject { ["id"] = m[2], ["title"] = "Empathy in practice", ["duration_minutes"] = 25, ["content"] = "Module 3 text" },
                new JsonObject { ["id"] = m[1], ["title"] = "Naming feelings", ["duration_minutes"] = 20, ["content"] = "Module 2 text" },
                new JsonObject { ["id"] = m[0], ["title"] = "Understanding emotions, revised", ["duration_minutes"] = 15, ["content"] = "Revised" },
                new JsonObject { ["title"] = "Bonus", ["duration_minutes"] = 5 }),
        }, organizer)).AssertStatus(200);
        var bonus = ModuleIds(reordered)[3];
        Assert.Equal([m[2], m[1], m[0], bonus], ModuleIds(reordered));

        // The learner keeps what they completed; the percent and the next module follow the new list.
        var mine = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        AssertProgress(mine["user_progress"]!, 50, [m[1], m[0]], m[2]);
        Assert.Equal("Revised", mine["modules"]![2]!["content"]!.GetValue<string>());
        AssertProgress(await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = bonus, completed = true }, member))
            .AssertStatus(200), 75, [m[1], m[0], bonus], m[2]);
    }

    [Fact]
    public async Task Bad_changes_are_400_problems_and_change_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        var foreign = ModuleIds(await CreateCourseAsync(organizer))[0];
        JsonObject Module(Guid? moduleId) => moduleId is { } known
            ? new JsonObject { ["id"] = known, ["title"] = "Kept", ["duration_minutes"] = 10 }
            : new JsonObject { ["title"] = "New", ["duration_minutes"] = 10 };

        var cases = new (JsonObject Body, string Field)[]
        {
            (new JsonObject { ["title"] = "ab", ["description"] = new string('d', 5001) }, "description"),
            (new JsonObject { ["title"] = null }, "title"),
            (new JsonObject { ["category"] = " " }, "category"),
            (new JsonObject { ["image_url"] = "ftp://example.org/x.png" }, "image_url"),
            (new JsonObject { ["price_cents"] = 100 }, "currency"),
            (new JsonObject { ["price_cents"] = -1 }, "price_cents"),
            (new JsonObject { ["modules"] = null }, "modules"),
            (new JsonObject { ["modules"] = new JsonArray() }, "modules"),
            (new JsonObject { ["modules"] = Modules(101) }, "modules"),
            (new JsonObject { ["modules"] = new JsonArray(Module(foreign)) }, "modules[0].id"),
            (new JsonObject { ["modules"] = new JsonArray(Module(m[0]), Module(m[0])) }, "modules[1].id"),
            (new JsonObject { ["modules"] = new JsonArray(Module(null), new JsonObject { ["title"] = "No duration" }) }, "modules[1].duration_minutes"),
            (new JsonObject { ["organizer_id"] = Guid.NewGuid().ToString() }, "organizer_id"),
            (new JsonObject { ["modules"] = new JsonArray(new JsonObject { ["title"] = "Placed", ["duration_minutes"] = 5, ["position"] = 1 }) }, "modules[0].position"),
            (new JsonObject { ["price_cents"] = "cheap" }, "price_cents"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await (await PatchAsync(id, body, organizer)).AssertProblem(400);
            Assert.True(problem["errors"]?[field] is not null, $"no error for {field}: {problem.ToJsonString()}");
        }
        foreach (var raw in new[] { "{\"title\": ", "[\"title\"]", "\"title\"" })
            await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{id}", raw, organizer)).AssertProblem(400);

        var read = await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200);
        Assert.Equal(course["title"]!.GetValue<string>(), read["title"]!.GetValue<string>());
        Assert.Equal(course["description"]!.GetValue<string>(), read["description"]!.GetValue<string>());
        Assert.Equal(0, read["price_cents"]!.GetValue<long>());
        Assert.Equal(m, ModuleIds(read));
        Assert.Equal(course["updated_at"]!.GetValue<DateTimeOffset>(), read["updated_at"]!.GetValue<DateTimeOffset>());
    }

    // ---- delete and withdrawal ----

    [Fact]
    public async Task Deleting_a_course_nobody_enrolled_in_removes_it()
    {
        var (_, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();

        await (await DeleteAsync(id, organizer)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertProblem(404);
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", id)));
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM course_modules WHERE course_id = @c", ("c", id)));
        Assert.Equal(0, await OutboxForCourseAsync("CourseWithdrawn", id));
        await (await DeleteAsync(id, organizer)).AssertProblem(404);
        await (await PatchAsync(id, new JsonObject { ["title"] = "Gone" }, organizer)).AssertProblem(404);
    }

    [Fact]
    public async Task Deleting_a_course_with_learners_withdraws_it_and_ends_unpaid_enrollments()
    {
        var (organizerId, organizer) = fx.Organizer();
        var (learnerId, learner) = fx.Member();
        var (_, unpaid) = fx.Member();
        var (_, stranger) = fx.Member();
        var category = "w" + Guid.NewGuid().ToString("N")[..10];
        var course = await CreateCourseAsync(organizer, b => { b["category"] = category; b["price_cents"] = 1200; b["currency"] = "EUR"; });
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        var paidId = (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, learner)).AssertProblem(402))["enrollment_id"]!.GetValue<Guid>();
        Assert.Equal(CourseConfirmation.Activated, (await ConfirmAsync(paidId, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = m[0], completed = true }, learner)).AssertStatus(200);
        var pendingId = (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, unpaid)).AssertProblem(402))["enrollment_id"]!.GetValue<Guid>();

        await (await DeleteAsync(id, learner)).AssertProblem(403); // a learner sees it but does not manage it
        await (await DeleteAsync(id, organizer)).AssertStatus(204);

        // Out of the list; closed to newcomers, and the unpaid enrollment is gone.
        Assert.Equal(0, (await (await fx.Client.Get($"/api/v1/courses?category={category}", stranger)).AssertStatus(200))["total"]!.GetValue<int>());
        await (await fx.Client.Get($"/api/v1/courses/{id}", stranger)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, stranger)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = m[0], completed = true }, stranger)).AssertProblem(404);
        await (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, stranger)).AssertProblem(404);
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE id = @e", ("e", pendingId)));
        await (await fx.Client.Get($"/api/v1/courses/{id}", unpaid)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, unpaid)).AssertProblem(404);
        // A payment still arriving for it finds nothing to confirm, so payments gives it back.
        Assert.Equal(CourseConfirmation.NotFound, (await ConfirmAsync(pendingId, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome);

        // The paid learner keeps the course, its content and their progress.
        var kept = await (await fx.Client.Get($"/api/v1/courses/{id}", learner)).AssertStatus(200);
        Assert.NotNull(kept["withdrawn_at"]);
        Assert.True(kept["is_enrolled"]!.GetValue<bool>());
        Assert.False(kept["content_locked"]!.GetValue<bool>());
        AssertProgress(kept["user_progress"]!, 33, [m[0]], m[1]);
        AssertProgress(await (await fx.Client.PostJson($"/api/v1/courses/{id}/progress", new { module_id = m[1], completed = true }, learner))
            .AssertStatus(200), 66, [m[0], m[1]], m[2]);
        Assert.Equal(paidId, (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, learner)).AssertStatus(200))["id"]!.GetValue<Guid>());

        // The organizer still reads it but cannot change it; deleting again changes nothing while a learner is left.
        Assert.NotNull((await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200))["withdrawn_at"]);
        await (await PatchAsync(id, new JsonObject { ["title"] = "Back again" }, organizer)).AssertProblem(409);
        await (await DeleteAsync(id, organizer)).AssertStatus(204);
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", id)));

        Assert.Equal(1, await OutboxForCourseAsync("CourseWithdrawn", id));
        var withdrawn = JsonNode.Parse((await fx.ScalarAsync<string>(
            "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseWithdrawn,%' AND (payload::jsonb ->> 'courseId')::uuid = @id", ("id", id)))!)!;
        Assert.Equal(organizerId, withdrawn["organizerUserId"]!.GetValue<Guid>());
        Assert.Equal([pendingId], withdrawn["cancelledEnrollmentIds"]!.AsArray().Select(x => x!.GetValue<Guid>()));

        // An enroll that raced the withdrawal may leave a pending enrollment; its payment is refused.
        var straggler = Guid.NewGuid();
        await Sql.ExecuteAsync(fx.Resources.DatabaseConnectionString,
            "INSERT INTO course_enrollments (id, course_id, user_id, status, price_cents, currency, created_at) VALUES (@e, @c, @u, 'pending_payment', 1200, 'EUR', now())",
            ("e", straggler), ("c", id), ("u", Guid.NewGuid()));
        Assert.Equal(CourseConfirmation.Rejected, (await ConfirmAsync(straggler, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome);
        await Sql.ExecuteAsync(fx.Resources.DatabaseConnectionString, "DELETE FROM course_enrollments WHERE id = @e", ("e", straggler));

        // Once no learner is left, deleting removes it.
        using (var scope = fx.Host.Services.CreateScope())
            await scope.ServiceProvider.GetServices<IUserDataEraser>().OfType<CourseLearnerEraser>().Single().EraseAsync(learnerId, CancellationToken.None);
        await (await DeleteAsync(id, organizer)).AssertStatus(204);
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", id)));
    }

    [Fact]
    public async Task A_delete_waits_for_an_enroll_in_flight_and_then_withdraws_instead()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, _) = fx.Member();
        var courseId = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();

        // An enroll, held uncommitted: its foreign key check holds the course row, so the delete's lock waits for it.
        var enrollmentId = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO course_enrollments (id, course_id, user_id, status, created_at, activated_at) VALUES (@id, @c, @u, 'active', now(), now())",
            connection, transaction))
        {
            insert.Parameters.AddWithValue("id", enrollmentId);
            insert.Parameters.AddWithValue("c", courseId);
            insert.Parameters.AddWithValue("u", memberId);
            await insert.ExecuteNonQueryAsync();
        }
        var deleting = DeleteAsync(courseId, organizer);
        await Eventually.TrueAsync(async () => await fx.ScalarAsync<long>("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM courses WHERE id = % FOR UPDATE%'
            """) == 1, "the delete never waited on the enroll in flight");
        await transaction.CommitAsync();

        await (await deleting).AssertStatus(204);
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE id = @e", ("e", enrollmentId)));
        Assert.NotNull(await fx.ScalarAsync<DateTime?>("SELECT withdrawn_at FROM courses WHERE id = @c", ("c", courseId)));
    }

    // ---- deleted users ----

    [Fact]
    public async Task The_eraser_removes_a_deleted_users_enrollments_and_progress_only()
    {
        var (_, organizer) = fx.Organizer();
        var (leaverId, leaver) = fx.Member();
        var (stayerId, stayer) = fx.Member();
        var free = await CreateCourseAsync(organizer);
        var freeId = free["id"]!.GetValue<Guid>();
        var paidId = (await CreateCourseAsync(organizer, b => { b["price_cents"] = 500; b["currency"] = "EUR"; }))["id"]!.GetValue<Guid>();
        var moduleId = free["modules"]![0]!["id"]!.GetValue<Guid>();
        foreach (var token in new[] { leaver, stayer })
        {
            await (await fx.Client.PostJson($"/api/v1/courses/{freeId}/enroll", new { }, token)).AssertStatus(201);
            await (await fx.Client.PostJson($"/api/v1/courses/{freeId}/progress", new { module_id = moduleId, completed = true }, token)).AssertStatus(200);
        }
        await (await fx.Client.PostJson($"/api/v1/courses/{paidId}/enroll", new { }, leaver)).AssertProblem(402);
        Assert.Equal(2, await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", leaverId)));

        using (var scope = fx.Host.Services.CreateScope())
        {
            var eraser = scope.ServiceProvider.GetServices<IUserDataEraser>().OfType<CourseLearnerEraser>().Single();
            await eraser.EraseAsync(leaverId, CancellationToken.None);
        }

        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", leaverId)));
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", stayerId)));
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM module_progress WHERE module_id = @m", ("m", moduleId)));
        var details = await (await fx.Client.Get($"/api/v1/courses/{freeId}", stayer)).AssertStatus(200);
        Assert.Equal(33, details["user_progress"]!["progress"]!.GetValue<int>());
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", freeId)));
    }

    // ---- helpers ----

    private static void AssertProgress(JsonNode progress, int percent, Guid[] completed, Guid? current)
    {
        Assert.Equal(percent, progress["progress"]!.GetValue<int>());
        Assert.Equal(completed, progress["completed_modules"]!.AsArray().Select(x => x!.GetValue<Guid>()));
        if (current is null) Assert.Null(progress["current_module"]);
        else Assert.Equal(current, progress["current_module"]!.GetValue<Guid>());
    }

    private async Task<CourseConfirmationResult> ConfirmAsync(Guid enrollmentId, CoursePayment payment)
    {
        using var scope = fx.Host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<CourseEnrollments>().ConfirmPaidAsync(enrollmentId, payment, CancellationToken.None);
    }

    private Task<HttpResponseMessage> PatchAsync(Guid id, JsonObject body, string? token) =>
        fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{id}", body, token);

    private Task<HttpResponseMessage> DeleteAsync(Guid id, string? token) =>
        fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/courses/{id}", null, token);

    private static Guid[] ModuleIds(JsonNode course) => course["modules"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToArray();

    private Task<long> OutboxForCourseAsync(string eventType, Guid courseId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND (payload::jsonb ->> 'courseId')::uuid = @id",
            ("type", eventType), ("id", courseId));

    private Task<long> EnrollmentRowsAsync(Guid courseId, Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE course_id = @c AND user_id = @u", ("c", courseId), ("u", userId));

    private Task<long> OutboxForEnrollmentAsync(string eventType, Guid enrollmentId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND (payload::jsonb ->> 'enrollmentId')::uuid = @id",
            ("type", eventType), ("id", enrollmentId));

    private async Task<JsonNode> CreateCourseAsync(string token, Action<JsonObject>? change = null) =>
        await (await fx.Client.PostJson("/api/v1/courses", CourseBody(change), token)).AssertStatus(201);

    /// <summary>A valid free course with three modules (15, 20 and 25 minutes); <paramref name="change"/> edits it.</summary>
    private static JsonObject CourseBody(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["title"] = "Emotional intelligence " + Guid.NewGuid().ToString("N")[..6],
            ["description"] = "Build deeper self-awareness and empathy.",
            ["category"] = "growth",
            ["modules"] = new JsonArray(
                new JsonObject { ["title"] = "Understanding your emotions", ["duration_minutes"] = 15, ["content"] = "Module 1 text", ["video_url"] = "https://video.example.org/1.mp4" },
                new JsonObject { ["title"] = "Naming feelings", ["duration_minutes"] = 20, ["content"] = "Module 2 text" },
                new JsonObject { ["title"] = "Empathy in practice", ["duration_minutes"] = 25, ["content"] = "Module 3 text", ["video_url"] = null }),
        };
        change?.Invoke(body);
        return body;
    }

    private static JsonArray Modules(int count) =>
        new([.. Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject { ["title"] = $"Module {i}", ["duration_minutes"] = 10 })]);
}
