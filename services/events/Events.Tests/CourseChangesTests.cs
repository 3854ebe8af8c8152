using Community.Contracts.Identity;
using Community.Events.Courses;
using Community.ServiceDefaults.Messaging;
using Npgsql;
using static Community.Events.Courses.CoursePaymentRules;

namespace Community.Events.Tests;

/// <summary>Changing and deleting courses, and erasing a deleted user's enrollments.</summary>
public sealed class CourseChangesTests(EventsFixture fx) : CourseTestsBase, IClassFixture<EventsFixture>
{
    protected override EventsFixture Fixture => fx;

    // ---- edits ----

    [Fact]
    public async Task Creating_a_course_announces_it_once_with_its_category()
    {
        var (organizerId, organizer) = fx.Organizer();
        var id = (await CreateCourseAsync(organizer, b => b["category"] = "Wellness"))["id"]!.GetValue<Guid>();
        Assert.Equal(1, await OutboxForCourseAsync("CoursePublished", id));
        var published = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.CoursePublished,%' AND "
                        + "(payload::jsonb ->> 'courseId')::uuid = @id",
                    ("id", id)
                )
            )!
        )!;
        Assert.Equal("wellness", published["category"]!.GetValue<string>());
        Assert.Equal(organizerId, published["organizerUserId"]!.GetValue<Guid>());

        await (await PatchAsync(id, new JsonObject { ["title"] = "Renamed" }, organizer)).AssertStatus(200);
        Assert.Equal(1, await OutboxForCourseAsync("CoursePublished", id));
    }

    [Fact]
    public async Task The_organizer_edits_a_course_and_its_modules_and_an_admin_may_too()
    {
        var (organizerId, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        fx.Clock.Advance(TimeSpan.FromMinutes(1));

        var changed = await (
            await PatchAsync(
                id,
                new JsonObject
                {
                    ["title"] = "  Feelings, named ",
                    ["description"] = null,
                    ["category"] = "Wellness",
                    ["image_url"] = "https://cdn.example.org/c.png",
                },
                organizer
            )
        ).AssertStatus(200);
        Assert.Equal("Feelings, named", changed["title"]!.GetValue<string>());
        Assert.Equal("", changed["description"]!.GetValue<string>());
        Assert.Equal("wellness", changed["category"]!.GetValue<string>());
        Assert.Equal("https://cdn.example.org/c.png", changed["image_url"]!.GetValue<string>());
        Assert.Equal(m, ModuleIds(changed));
        Assert.Equal("Module 2 text", changed["modules"]![1]!["content"]!.GetValue<string>());
        Assert.True(
            changed["updated_at"]!.GetValue<DateTimeOffset>() > course["updated_at"]!.GetValue<DateTimeOffset>()
        );
        Assert.Null(changed["withdrawn_at"]);

        // Nobody enrolled yet: modules may be reordered, edited, added and removed, and the price may change.
        var reshaped = await (
            await PatchAsync(
                id,
                new JsonObject
                {
                    ["price_cents"] = 900,
                    ["currency"] = "eur",
                    ["modules"] = new JsonArray(
                        new JsonObject
                        {
                            ["id"] = m[2],
                            ["title"] = "Empathy, first",
                            ["duration_minutes"] = 30,
                            ["content"] = "New text",
                        },
                        new JsonObject
                        {
                            ["id"] = m[0],
                            ["title"] = "Understanding your emotions",
                            ["duration_minutes"] = 15,
                        },
                        new JsonObject
                        {
                            ["title"] = "A new ending",
                            ["duration_minutes"] = 5,
                            ["video_url"] = "https://video.example.org/9.mp4",
                        }
                    ),
                },
                organizer
            )
        ).AssertStatus(200);
        var modules = reshaped["modules"]!.AsArray();
        Assert.Equal(m[2], modules[0]!["id"]!.GetValue<Guid>());
        Assert.Equal(m[0], modules[1]!["id"]!.GetValue<Guid>());
        Assert.DoesNotContain(modules[2]!["id"]!.GetValue<Guid>(), m);
        Assert.Equal([1, 2, 3], modules.Select(x => x!["position"]!.GetValue<int>()));
        Assert.Equal(
            ["Empathy, first", "Understanding your emotions", "A new ending"],
            modules.Select(x => x!["title"]!.GetValue<string>())
        );
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
        var moderated = await (
            await PatchAsync(id, new JsonObject { ["title"] = "Moderated title" }, admin)
        ).AssertStatus(200);
        Assert.Equal("Moderated title", moderated["title"]!.GetValue<string>());
        Assert.Equal(organizerId, moderated["organizer_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_strangers_change_is_refused_without_waiting_on_the_organizers_change_in_flight()
    {
        var (_, organizer) = fx.Organizer();
        var (_, stranger) = fx.Organizer();
        var id = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();

        // The organizer's change holds the course row, not yet committed.
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (
            var lockRow = new NpgsqlCommand("SELECT 1 FROM courses WHERE id = @id FOR UPDATE", connection, transaction)
        )
        {
            lockRow.Parameters.AddWithValue("id", id);
            await lockRow.ExecuteNonQueryAsync();
        }

        // A stranger's requests neither wait for it nor take the lock themselves (they would queue the organizer's
        // next change, and every enroll, behind theirs).
        var patching = PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, stranger);
        var deleting = DeleteAsync(id, stranger);
        var answered = Task.WhenAll(patching, deleting);
        Assert.Same(answered, await Task.WhenAny(answered, Task.Delay(TimeSpan.FromSeconds(30))));
        await (await patching).AssertProblem(403);
        await (await deleting).AssertProblem(403);
        await transaction.RollbackAsync();
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
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, null)).StatusCode
        );
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
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 1500;
                b["currency"] = "EUR";
                b["price_credits"] = 100;
            }
        );
        var id = course["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402);

        foreach (
            var change in new[]
            {
                new JsonObject { ["price_cents"] = 2000 },
                new JsonObject { ["currency"] = "USD" },
                new JsonObject { ["price_credits"] = null },
                new JsonObject
                {
                    ["price_cents"] = 0,
                    ["price_credits"] = null,
                    ["title"] = "Free for all now",
                },
            }
        )
        {
            var problem = await (await PatchAsync(id, change, organizer)).AssertProblem(409);
            Assert.Contains("price", problem["detail"]!.GetValue<string>());
        }
        // The same price sent back is no change; other fields still change.
        var renamed = await (
            await PatchAsync(
                id,
                new JsonObject
                {
                    ["title"] = "Still 15 euros",
                    ["price_cents"] = 1500,
                    ["currency"] = "eur",
                },
                organizer
            )
        ).AssertStatus(200);
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
            await (
                await fx.Client.PostJson(
                    $"/api/v1/courses/{id}/progress",
                    new { module_id = module, completed = true },
                    member
                )
            ).AssertStatus(200);

        var dropping = new JsonObject
        {
            ["title"] = "Dropping one",
            ["modules"] = new JsonArray(
                new JsonObject
                {
                    ["id"] = m[0],
                    ["title"] = "One",
                    ["duration_minutes"] = 10,
                },
                new JsonObject
                {
                    ["id"] = m[2],
                    ["title"] = "Three",
                    ["duration_minutes"] = 10,
                }
            ),
        };
        var refused = await (await PatchAsync(id, dropping, organizer)).AssertProblem(409);
        Assert.Contains("removed", refused["detail"]!.GetValue<string>());
        var unchanged = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.Equal(m, ModuleIds(unchanged));
        Assert.Equal(course["title"]!.GetValue<string>(), unchanged["title"]!.GetValue<string>());
        AssertProgress(unchanged["user_progress"]!, 66, [m[0], m[1]], m[2]);

        var reordered = await (
            await PatchAsync(
                id,
                new JsonObject
                {
                    ["modules"] = new JsonArray(
                        new JsonObject
                        {
                            ["id"] = m[2],
                            ["title"] = "Empathy in practice",
                            ["duration_minutes"] = 25,
                            ["content"] = "Module 3 text",
                        },
                        new JsonObject
                        {
                            ["id"] = m[1],
                            ["title"] = "Naming feelings",
                            ["duration_minutes"] = 20,
                            ["content"] = "Module 2 text",
                        },
                        new JsonObject
                        {
                            ["id"] = m[0],
                            ["title"] = "Understanding emotions, revised",
                            ["duration_minutes"] = 15,
                            ["content"] = "Revised",
                        },
                        new JsonObject { ["title"] = "Bonus", ["duration_minutes"] = 5 }
                    ),
                },
                organizer
            )
        ).AssertStatus(200);
        var bonus = ModuleIds(reordered)[3];
        Assert.Equal([m[2], m[1], m[0], bonus], ModuleIds(reordered));

        // The learner keeps what they completed; the percent and the next module follow the new list.
        var mine = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        AssertProgress(mine["user_progress"]!, 50, [m[1], m[0]], m[2]);
        Assert.Equal("Revised", mine["modules"]![2]!["content"]!.GetValue<string>());
        AssertProgress(
            await (
                await fx.Client.PostJson(
                    $"/api/v1/courses/{id}/progress",
                    new { module_id = bonus, completed = true },
                    member
                )
            ).AssertStatus(200),
            75,
            [m[1], m[0], bonus],
            m[2]
        );
    }

    [Fact]
    public async Task Bad_changes_are_400_problems_and_change_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        var foreign = ModuleIds(await CreateCourseAsync(organizer))[0];
        JsonObject Module(Guid? moduleId) =>
            moduleId is { } known
                ? new JsonObject
                {
                    ["id"] = known,
                    ["title"] = "Kept",
                    ["duration_minutes"] = 10,
                }
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
            (
                new JsonObject
                {
                    ["modules"] = new JsonArray(Module(null), new JsonObject { ["title"] = "No duration" }),
                },
                "modules[1].duration_minutes"
            ),
            (new JsonObject { ["organizer_id"] = Guid.NewGuid().ToString() }, "organizer_id"),
            (
                new JsonObject
                {
                    ["modules"] = new JsonArray(
                        new JsonObject
                        {
                            ["title"] = "Placed",
                            ["duration_minutes"] = 5,
                            ["position"] = 1,
                        }
                    ),
                },
                "modules[0].position"
            ),
            (new JsonObject { ["price_cents"] = "cheap" }, "price_cents"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await (await PatchAsync(id, body, organizer)).AssertProblem(400);
            Assert.True(problem["errors"]?[field] is not null, $"no error for {field}: {problem.ToJsonString()}");
        }
        foreach (var raw in new[] { "{\"title\": ", "[\"title\"]", "\"title\"" })
            await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{id}", raw, organizer)).AssertProblem(
                400
            );

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
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_modules WHERE course_id = @c", ("c", id))
        );
        // Announced as withdrawn, so what told people of it (the companion's suggestions) takes it back.
        Assert.Equal(1, await OutboxForCourseAsync("CourseWithdrawn", id));
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
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["category"] = category;
                b["price_cents"] = 1200;
                b["currency"] = "EUR";
            }
        );
        var id = course["id"]!.GetValue<Guid>();
        var m = ModuleIds(course);
        var paidId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, learner)).AssertProblem(402)
        )["enrollment_id"]!.GetValue<Guid>();
        Assert.Equal(
            CourseConfirmation.Activated,
            (await ConfirmAsync(paidId, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome
        );
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{id}/progress",
                new { module_id = m[0], completed = true },
                learner
            )
        ).AssertStatus(200);
        var pendingId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, unpaid)).AssertProblem(402)
        )["enrollment_id"]!.GetValue<Guid>();

        await (await DeleteAsync(id, learner)).AssertProblem(403); // a learner sees it but does not manage it
        await (await DeleteAsync(id, organizer)).AssertStatus(204);

        // Out of the list; closed to newcomers, and the unpaid enrollment is gone.
        Assert.Equal(
            0,
            (await (await fx.Client.Get($"/api/v1/courses?category={category}", stranger)).AssertStatus(200))[
                "total"
            ]!.GetValue<int>()
        );
        await (await fx.Client.Get($"/api/v1/courses/{id}", stranger)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, stranger)).AssertProblem(404);
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{id}/progress",
                new { module_id = m[0], completed = true },
                stranger
            )
        ).AssertProblem(404);
        await (await PatchAsync(id, new JsonObject { ["title"] = "Hijacked" }, stranger)).AssertProblem(404);
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE id = @e", ("e", pendingId))
        );
        await (await fx.Client.Get($"/api/v1/courses/{id}", unpaid)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, unpaid)).AssertProblem(404);
        // A payment still arriving for it finds nothing to confirm, so payments gives it back.
        Assert.Equal(
            CourseConfirmation.NotFound,
            (await ConfirmAsync(pendingId, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome
        );

        // The paid learner keeps the course, its content and their progress.
        var kept = await (await fx.Client.Get($"/api/v1/courses/{id}", learner)).AssertStatus(200);
        Assert.NotNull(kept["withdrawn_at"]);
        Assert.True(kept["is_enrolled"]!.GetValue<bool>());
        Assert.False(kept["content_locked"]!.GetValue<bool>());
        AssertProgress(kept["user_progress"]!, 33, [m[0]], m[1]);
        AssertProgress(
            await (
                await fx.Client.PostJson(
                    $"/api/v1/courses/{id}/progress",
                    new { module_id = m[1], completed = true },
                    learner
                )
            ).AssertStatus(200),
            66,
            [m[0], m[1]],
            m[2]
        );
        Assert.Equal(
            paidId,
            (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, learner)).AssertStatus(200))[
                "id"
            ]!.GetValue<Guid>()
        );

        // The organizer still reads it but cannot change it; deleting again changes nothing while a learner is left.
        Assert.NotNull(
            (await (await fx.Client.Get($"/api/v1/courses/{id}", organizer)).AssertStatus(200))["withdrawn_at"]
        );
        await (await PatchAsync(id, new JsonObject { ["title"] = "Back again" }, organizer)).AssertProblem(409);
        await (await DeleteAsync(id, organizer)).AssertStatus(204);
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", id)));

        Assert.Equal(1, await OutboxForCourseAsync("CourseWithdrawn", id));
        var withdrawn = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseWithdrawn,%' AND (payload::jsonb "
                        + "->> 'courseId')::uuid = @id",
                    ("id", id)
                )
            )!
        )!;
        Assert.Equal(organizerId, withdrawn["organizerUserId"]!.GetValue<Guid>());
        Assert.Equal([pendingId], withdrawn["cancelledEnrollmentIds"]!.AsArray().Select(x => x!.GetValue<Guid>()));

        // An enroll that raced the withdrawal may leave a pending enrollment; its payment is refused.
        var straggler = Guid.NewGuid();
        await Sql.ExecuteAsync(
            fx.Resources.DatabaseConnectionString,
            "INSERT INTO course_enrollments (id, course_id, user_id, status, price_cents, currency, created_at) "
                + "VALUES (@e, @c, @u, 'pending_payment', 1200, 'EUR', now())",
            ("e", straggler),
            ("c", id),
            ("u", Guid.NewGuid())
        );
        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(straggler, new CoursePayment.Money(Guid.NewGuid(), 1200, "EUR"))).Outcome
        );
        await Sql.ExecuteAsync(
            fx.Resources.DatabaseConnectionString,
            "DELETE FROM course_enrollments WHERE id = @e",
            ("e", straggler)
        );

        // Once no learner is left, deleting removes it.
        using (var scope = fx.Host.Services.CreateScope())
            await scope
                .ServiceProvider.GetServices<IUserDataEraser>()
                .OfType<CourseLearnerEraser>()
                .Single()
                .EraseAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), learnerId), CancellationToken.None);
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
        await using (
            var insert = new NpgsqlCommand(
                "INSERT INTO course_enrollments (id, course_id, user_id, status, created_at, activated_at) VALUES "
                    + "(@id, @c, @u, 'active', now(), now())",
                connection,
                transaction
            )
        )
        {
            insert.Parameters.AddWithValue("id", enrollmentId);
            insert.Parameters.AddWithValue("c", courseId);
            insert.Parameters.AddWithValue("u", memberId);
            await insert.ExecuteNonQueryAsync();
        }
        var deleting = DeleteAsync(courseId, organizer);
        await fx.WaitingOnALockAsync(
            "%FROM courses WHERE id = % FOR UPDATE%",
            1,
            "the delete never waited on the enroll in flight"
        );
        await transaction.CommitAsync();

        await (await deleting).AssertStatus(204);
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE id = @e", ("e", enrollmentId))
        );
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>("SELECT withdrawn_at FROM courses WHERE id = @c", ("c", courseId))
        );
    }

    // ---- deleted users ----

    [Fact]
    public async Task A_deleted_organizers_courses_come_off_sale_and_their_learners_keep_theirs()
    {
        var (organizerId, organizer) = fx.Organizer();
        var (_, learner) = fx.Member();
        var (_, stranger) = fx.Member();
        var category = "o" + Guid.NewGuid().ToString("N")[..10];
        var unsold = (await CreateCourseAsync(organizer, b => b["category"] = category))["id"]!.GetValue<Guid>();
        var taken = (await CreateCourseAsync(organizer, b => b["category"] = category))["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{taken}/enroll", new { }, learner)).AssertStatus(201);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), organizerId), "UserDeletedConsumer");

        // Neither is listed or sold any more: the one nobody took is gone, the other withdrawn.
        Assert.Equal(
            0,
            (await (await fx.Client.Get($"/api/v1/courses?category={category}", stranger)).AssertStatus(200))[
                "total"
            ]!.GetValue<int>()
        );
        await (await fx.Client.PostJson($"/api/v1/courses/{unsold}/enroll", new { }, stranger)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/courses/{taken}/enroll", new { }, stranger)).AssertProblem(404);
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", unsold)));
        Assert.Equal(1, await OutboxForCourseAsync("CourseWithdrawn", unsold));
        Assert.Equal(1, await OutboxForCourseAsync("CourseWithdrawn", taken));

        // Its learner keeps the course, as after the organizer's own delete.
        var kept = await (await fx.Client.Get($"/api/v1/courses/{taken}", learner)).AssertStatus(200);
        Assert.NotNull(kept["withdrawn_at"]);
        Assert.True(kept["is_enrolled"]!.GetValue<bool>());
        Assert.False(kept["content_locked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_eraser_removes_a_deleted_users_enrollments_and_progress_only()
    {
        var (_, organizer) = fx.Organizer();
        var (leaverId, leaver) = fx.Member();
        var (stayerId, stayer) = fx.Member();
        var free = await CreateCourseAsync(organizer);
        var freeId = free["id"]!.GetValue<Guid>();
        var paidId = (
            await CreateCourseAsync(
                organizer,
                b =>
                {
                    b["price_cents"] = 500;
                    b["currency"] = "EUR";
                }
            )
        )["id"]!.GetValue<Guid>();
        var moduleId = free["modules"]![0]!["id"]!.GetValue<Guid>();
        foreach (var token in new[] { leaver, stayer })
        {
            await (await fx.Client.PostJson($"/api/v1/courses/{freeId}/enroll", new { }, token)).AssertStatus(201);
            await (
                await fx.Client.PostJson(
                    $"/api/v1/courses/{freeId}/progress",
                    new { module_id = moduleId, completed = true },
                    token
                )
            ).AssertStatus(200);
        }
        await (await fx.Client.PostJson($"/api/v1/courses/{paidId}/enroll", new { }, leaver)).AssertProblem(402);
        Assert.Equal(
            2,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", leaverId))
        );

        using (var scope = fx.Host.Services.CreateScope())
        {
            var eraser = scope.ServiceProvider.GetServices<IUserDataEraser>().OfType<CourseLearnerEraser>().Single();
            await eraser.EraseAsync(
                new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), leaverId),
                CancellationToken.None
            );
        }

        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", leaverId))
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", stayerId))
        );
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>("SELECT count(*) FROM module_progress WHERE module_id = @m", ("m", moduleId))
        );
        var details = await (await fx.Client.Get($"/api/v1/courses/{freeId}", stayer)).AssertStatus(200);
        Assert.Equal(33, details["user_progress"]!["progress"]!.GetValue<int>());
        Assert.Equal(1, await fx.ScalarAsync<long>("SELECT count(*) FROM courses WHERE id = @c", ("c", freeId)));
    }
}
