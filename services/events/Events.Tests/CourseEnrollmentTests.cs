using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Events.Data;
using Npgsql;
using static Community.Events.Courses.CoursePaymentRules;

namespace Community.Events.Tests;

/// <summary>Enrolling in courses, confirming paid enrollments, and progress.</summary>
public sealed class CourseEnrollmentTests(EventsFixture fx) : CourseTestsBase, IClassFixture<EventsFixture>
{
    protected override EventsFixture Fixture => fx;

    // ---- enrollment ----

    [Fact]
    public async Task A_free_enroll_activates_once_and_again_answers_the_same_enrollment()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();

        var created = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(
            201
        );
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

        await (await fx.Client.PostJson($"/api/v1/courses/{Guid.NewGuid()}/enroll", new { }, member)).AssertProblem(
            404
        );
    }

    [Fact]
    public async Task A_paid_enroll_is_pending_and_answers_402_with_how_to_pay_the_same_each_time()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 1499;
                b["currency"] = "USD";
                b["price_credits"] = 100;
            }
        );
        var id = course["id"]!.GetValue<Guid>();

        var problem = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(
            402
        );
        var enrollmentId = problem["enrollment_id"]!.GetValue<Guid>();
        Assert.Equal(id, problem["course_id"]!.GetValue<Guid>());
        Assert.Equal("pending_payment", problem["enrollment_status"]!.GetValue<string>());
        Assert.Equal(1499, problem["price_cents"]!.GetValue<long>());
        Assert.Equal("USD", problem["currency"]!.GetValue<string>());
        Assert.Equal(100, problem["price_credits"]!.GetValue<int>());
        Assert.Equal(["money", "credits"], problem["payment_methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("course", problem["checkout"]!["purpose"]!.GetValue<string>());
        Assert.Equal(enrollmentId, problem["checkout"]!["reference_id"]!.GetValue<Guid>());

        var again = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(
            402
        );
        Assert.Equal(enrollmentId, again["enrollment_id"]!.GetValue<Guid>());
        Assert.Equal(1, await EnrollmentRowsAsync(id, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var pending = await fx.ScalarAsync<string>(
            "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrollmentPending,%' AND (payload::jsonb "
                + "->> 'enrollmentId')::uuid = @id",
            ("id", enrollmentId)
        );
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
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{id}/progress",
                new { module_id = moduleId, completed = true },
                member
            )
        ).AssertProblem(403);
    }

    [Fact]
    public async Task A_credits_only_course_is_paid_and_offers_credits_only()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer, b => b["price_credits"] = 50);
        Assert.False(course["is_free"]!.GetValue<bool>());
        var problem = await (
            await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)
        ).AssertProblem(402);
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
        var paid = (
            await CreateCourseAsync(
                organizer,
                b =>
                {
                    b["price_cents"] = 900;
                    b["currency"] = "EUR";
                }
            )
        )["id"]!.GetValue<Guid>();

        var freeAnswers = await Task.WhenAll(
            Enumerable.Range(0, 12).Select(_ => fx.Client.PostJson($"/api/v1/courses/{free}/enroll", new { }, member))
        );
        Assert.All(
            freeAnswers,
            r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK })
        );
        Assert.Single(freeAnswers, r => r.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(freeAnswers.Select(async r => (await r.Body())["id"]!.GetValue<Guid>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await EnrollmentRowsAsync(free, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", ids[0]));

        var paidAnswers = await Task.WhenAll(
            Enumerable.Range(0, 12).Select(_ => fx.Client.PostJson($"/api/v1/courses/{paid}/enroll", new { }, member))
        );
        var pendingIds = await Task.WhenAll(
            paidAnswers.Select(async r => (await r.AssertProblem(402))["enrollment_id"]!.GetValue<Guid>())
        );
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
        await using (
            var insert = new NpgsqlCommand(
                "INSERT INTO course_enrollments (id, course_id, user_id, status, created_at, activated_at) VALUES "
                    + "(@id, @c, @u, 'active', now(), now())",
                connection,
                transaction
            )
        )
        {
            insert.Parameters.AddWithValue("id", winnerId);
            insert.Parameters.AddWithValue("c", courseId);
            insert.Parameters.AddWithValue("u", memberId);
            await insert.ExecuteNonQueryAsync();
        }
        var enrolling = fx.Client.PostJson($"/api/v1/courses/{courseId}/enroll", new { }, member);
        await fx.WaitingOnALockAsync(
            "%INSERT INTO course_enrollments%",
            1,
            "the enroll never waited on the concurrent insert"
        );
        await transaction.CommitAsync();

        var answer = await (await enrolling).AssertStatus(200);
        Assert.Equal(winnerId, answer["id"]!.GetValue<Guid>());
        Assert.Equal(1, await EnrollmentRowsAsync(courseId, memberId));
        Assert.Equal(enrolledBefore, await fx.OutboxCountAsync("CourseEnrolled"));
    }

    [Fact]
    public async Task An_enroll_racing_a_change_to_paid_enrolls_on_the_new_price()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var id = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();

        // The organizer's change makes the free course paid: locked and written as its request does, not yet committed.
        var enrolled = await fx.CommitsWhileWaitedOnAsync(
            """
            SELECT 1 FROM courses WHERE id = @id FOR UPDATE;
            UPDATE courses SET price_cents = 1200, currency = 'EUR', updated_at = now() WHERE id = @id
            """,
            () => fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member),
            "the enroll never waited for the price change",
            ("id", id)
        );

        // The enroll read the committed terms: pending payment at the new price, not an active free learner.
        var due = await enrolled.AssertProblem(402);
        var enrollmentId = due["enrollment_id"]!.GetValue<Guid>();
        Assert.Equal("pending_payment", due["enrollment_status"]!.GetValue<string>());
        Assert.Equal(1200, due["price_cents"]!.GetValue<long>());
        Assert.Equal("EUR", due["currency"]!.GetValue<string>());
        Assert.Equal(
            "pending_payment",
            await fx.ScalarAsync<string>(
                "SELECT status FROM course_enrollments WHERE course_id = @c AND user_id = @u",
                ("c", id),
                ("u", memberId)
            )
        );
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
    }

    [Fact]
    public async Task An_enroll_racing_a_withdrawal_finds_no_course()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var id = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();

        // The organizer's delete withdraws it, as it does once anyone enrolled: locked and written, not yet committed.
        var enrolled = await fx.CommitsWhileWaitedOnAsync(
            """
            SELECT 1 FROM courses WHERE id = @id FOR UPDATE;
            UPDATE courses SET withdrawn_at = now(), updated_at = now() WHERE id = @id
            """,
            () => fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member),
            "the enroll never waited for the withdrawal",
            ("id", id)
        );

        await enrolled.AssertProblem(404);
        Assert.Equal(0, await EnrollmentRowsAsync(id, memberId));
    }

    [Fact]
    public async Task An_enroll_racing_its_accounts_erasure_waits_for_it_and_is_refused()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var id = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();

        var enrolled = await fx.WhileErasedAsync(
            memberId,
            () => fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)
        );

        var refused = await enrolled.AssertProblem(403);
        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        Assert.Equal(0, await EnrollmentRowsAsync(id, memberId));
    }

    [Fact]
    public async Task An_erased_learner_whose_token_still_passes_enrolls_in_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var first = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();
        var second = (await CreateCourseAsync(organizer))["id"]!.GetValue<Guid>();
        await (await fx.Client.PostJson($"/api/v1/courses/{first}/enroll", new { }, member)).AssertStatus(201);
        // The instance knows the learner from that enroll: their token passes until its revocation arrives.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), memberId), "UserDeletedConsumer");

        var refused = await (
            await fx.Client.PostJson($"/api/v1/courses/{second}/enroll", new { }, member)
        ).AssertProblem(403);

        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM course_enrollments WHERE user_id = @u", ("u", memberId))
        );
    }

    // ---- confirmation of paid enrollments (called by the payments flow) ----

    [Fact]
    public async Task ConfirmPaid_activates_a_pending_enrollment_once_and_refuses_wrong_payments()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 2500;
                b["currency"] = "EUR";
            }
        );
        var id = course["id"]!.GetValue<Guid>();
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertProblem(402)
        )["enrollment_id"]!.GetValue<Guid>();
        var paymentId = Guid.NewGuid();

        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2400, "EUR"))).Outcome
        );
        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2500, "USD"))).Outcome
        );
        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(Guid.NewGuid(), 100))).Outcome
        );
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
        Assert.Equal(
            CourseConfirmation.NotFound,
            (await ConfirmAsync(Guid.NewGuid(), new CoursePayment.Money(paymentId, 2500, "EUR"))).Outcome
        );

        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var enrolled = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrolled,%' AND (payload::jsonb "
                        + "->> 'enrollmentId')::uuid = @id",
                    ("id", enrollmentId)
                )
            )!
        )!;
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
    public async Task A_course_payment_refunded_in_full_ends_the_enrollment_it_bought_even_before_it_was_confirmed()
    {
        var (_, organizer) = fx.Organizer();
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 2500;
                b["currency"] = "EUR";
            }
        );
        var id = course["id"]!.GetValue<Guid>();
        async Task<Guid> PendingAsync(string token) =>
            (await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, token)).AssertProblem(402))[
                "enrollment_id"
            ]!.GetValue<Guid>();
        PaymentRefunded Refund(Guid paymentId, Guid userId, Guid enrollmentId, long total) =>
            new(Guid.NewGuid(), fx.Clock.GetUtcNow(), paymentId, userId, enrollmentId, total, total, "EUR");

        var (memberId, member) = fx.Member();
        var enrollmentId = await PendingAsync(member);
        var paymentId = Guid.NewGuid();
        await ConfirmAsync(enrollmentId, new CoursePayment.Money(paymentId, 2500, "EUR"));
        // A partial refund, and a full one of some other payment, leave it.
        await fx.DeliverAsync(Refund(paymentId, memberId, enrollmentId, 1000), "PaymentRefundedConsumer");
        await fx.DeliverAsync(Refund(Guid.NewGuid(), memberId, enrollmentId, 2500), "PaymentRefundedConsumer");
        Assert.Equal(1, await EnrollmentRowsAsync(id, memberId));

        var full = Refund(paymentId, memberId, enrollmentId, 2500);
        await fx.DeliverAsync(full, "PaymentRefundedConsumer");
        await fx.DeliverAsync(full with { MessageId = Guid.NewGuid() }, "PaymentRefundedConsumer");
        Assert.Equal(0, await EnrollmentRowsAsync(id, memberId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentEnded", enrollmentId));
        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        Assert.False(details["is_enrolled"]!.GetValue<bool>());
        Assert.True(details["content_locked"]!.GetValue<bool>());

        // Refunded before its payment was confirmed here: the payment then activates nothing.
        var (lateId, late) = fx.Member();
        var pending = await PendingAsync(late);
        var latePayment = Guid.NewGuid();
        await fx.DeliverAsync(Refund(latePayment, lateId, pending, 2500), "PaymentRefundedConsumer");
        Assert.Equal(
            CourseConfirmation.NotFound,
            (await ConfirmAsync(pending, new CoursePayment.Money(latePayment, 2500, "EUR"))).Outcome
        );
        Assert.Equal(0, await EnrollmentRowsAsync(id, lateId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrollmentEnded", pending));
    }

    [Fact]
    public async Task ConfirmPaid_with_credits_matches_the_credit_price()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 1000;
                b["currency"] = "GBP";
                b["price_credits"] = 80;
            }
        );
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)).AssertProblem(
                402
            )
        )["enrollment_id"]!.GetValue<Guid>();
        var spendId = Guid.NewGuid();

        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 79))).Outcome
        );
        var activated = await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 80));
        Assert.Equal(CourseConfirmation.Activated, activated.Outcome);
        Assert.Equal(PaidWith.Credits, activated.Enrollment!.PaidWith);
        Assert.Equal(
            CourseConfirmation.AlreadyActive,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Credits(spendId, 80))).Outcome
        );

        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        var enrolled = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload FROM outbox_messages WHERE type LIKE '%.CourseEnrolled,%' AND (payload::jsonb "
                        + "->> 'enrollmentId')::uuid = @id",
                    ("id", enrollmentId)
                )
            )!
        )!;
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
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{course["id"]}/enroll", new { }, member)).AssertStatus(
                201
            )
        )["id"]!.GetValue<Guid>();
        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 100, "EUR"))).Outcome
        );
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

        var second = await (
            await fx.Client.PostJson(url, new { module_id = m[1], completed = true }, member)
        ).AssertStatus(200);
        AssertProgress(second, 33, [m[1]], m[0]);
        AssertProgress(
            await (await fx.Client.PostJson(url, new { module_id = m[1], completed = true }, member)).AssertStatus(200),
            33,
            [m[1]],
            m[0]
        );
        AssertProgress(
            await (await fx.Client.PostJson(url, new { module_id = m[0], completed = true }, member)).AssertStatus(200),
            66,
            [m[0], m[1]],
            m[2]
        );
        AssertProgress(
            await (await fx.Client.PostJson(url, new { module_id = m[2], completed = true }, member)).AssertStatus(200),
            100,
            [m[0], m[1], m[2]],
            null
        );
        AssertProgress(
            await (await fx.Client.PostJson(url, new { module_id = m[0], completed = false }, member)).AssertStatus(
                200
            ),
            66,
            [m[1], m[2]],
            m[0]
        );
        AssertProgress(
            await (await fx.Client.PostJson(url, new { module_id = m[0], completed = false }, member)).AssertStatus(
                200
            ),
            66,
            [m[1], m[2]],
            m[0]
        );

        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", member)).AssertStatus(200);
        AssertProgress(details["user_progress"]!, 66, [m[1], m[2]], m[0]);

        // Another learner's progress is their own.
        var (_, other) = fx.Member();
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, other)).AssertStatus(201);
        var theirs = await (await fx.Client.Get($"/api/v1/courses/{id}", other)).AssertStatus(200);
        AssertProgress(theirs["user_progress"]!, 0, [], m[0]);
    }

    [Fact]
    public async Task Completing_the_last_module_announces_the_course_completed_once_even_when_taps_race()
    {
        var (_, organizer) = fx.Organizer();
        var (memberId, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var m = course["modules"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToArray();
        var url = $"/api/v1/courses/{id}/progress";
        var enrollment = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(
            201
        );
        var enrollmentId = enrollment["id"]!.GetValue<Guid>();

        await (await fx.Client.PostJson(url, new { module_id = m[0], completed = true }, member)).AssertStatus(200);
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseCompleted", enrollmentId));
        // The two last modules tapped at once, twice each: one of them completes the course, and only once.
        var taps = new[] { m[1], m[2], m[1], m[2] }
            .Select(module => fx.Client.PostJson(url, new { module_id = module, completed = true }, member))
            .ToList();
        foreach (var tap in await Task.WhenAll(taps))
            await tap.AssertStatus(200);
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseCompleted", enrollmentId));
        Assert.Equal(
            memberId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload::jsonb ->> 'userId' FROM outbox_messages WHERE type LIKE '%.CourseCompleted,%' AND "
                    + "(payload::jsonb ->> 'enrollmentId')::uuid = @id",
                ("id", enrollmentId)
            )
        );
        Assert.Equal(
            course["title"]!.GetValue<string>(),
            await fx.ScalarAsync<string>(
                "SELECT payload::jsonb ->> 'title' FROM outbox_messages WHERE type LIKE '%.CourseCompleted,%' AND "
                    + "(payload::jsonb ->> 'enrollmentId')::uuid = @id",
                ("id", enrollmentId)
            )
        );

        // Undoing a module and doing it again completes nothing new: the course was completed once.
        await (await fx.Client.PostJson(url, new { module_id = m[0], completed = false }, member)).AssertStatus(200);
        await (await fx.Client.PostJson(url, new { module_id = m[0], completed = true }, member)).AssertStatus(200);
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseCompleted", enrollmentId));
    }

    [Fact]
    public async Task A_module_completed_as_the_enrollment_ends_is_refused_as_for_a_learner_not_enrolled()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var course = await CreateCourseAsync(organizer);
        var id = course["id"]!.GetValue<Guid>();
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, member)).AssertStatus(201)
        )["id"]!.GetValue<Guid>();

        // The learner's erasure (or a full refund) deletes the enrollment and holds its row when the tap locks it.
        var tapped = await fx.CommitsWhileWaitedOnAsync(
            "DELETE FROM course_enrollments WHERE id = @id",
            () =>
                fx.Client.PostJson(
                    $"/api/v1/courses/{id}/progress",
                    new { module_id = ModuleIds(course)[0], completed = true },
                    member
                ),
            "the progress update never waited for the enrollment's deletion",
            ("id", enrollmentId)
        );

        var refused = await tapped.AssertProblem(403);
        Assert.Equal("Enroll in this course first.", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM module_progress WHERE enrollment_id = @e",
                ("e", enrollmentId)
            )
        );
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
        var problem = await (
            await fx.Client.PostJson(url, new { module_id = foreign, completed = true }, member)
        ).AssertProblem(400);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("module_id"));
        var missing = await (await fx.Client.PostJson(url, new { }, member)).AssertProblem(400);
        Assert.True(missing["errors"]!.AsObject().ContainsKey("module_id"));
        Assert.True(missing["errors"]!.AsObject().ContainsKey("completed"));
        await (
            await fx.Client.PostJson(
                url,
                new
                {
                    module_id = foreign,
                    completed = true,
                    progress = 50,
                },
                member
            )
        ).AssertProblem(400);
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{Guid.NewGuid()}/progress",
                new { module_id = foreign, completed = true },
                member
            )
        ).AssertProblem(404);
    }
}
