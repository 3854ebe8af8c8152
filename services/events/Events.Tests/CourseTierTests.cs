using Community.Contracts;
using Community.Contracts.Payments;
using Community.Events.Data;
using static Community.Events.Courses.CoursePaymentRules;

namespace Community.Events.Tests;

/// <summary>
/// The elite tier includes every course: enrolling is immediate, and content stays open only while the token says
/// elite.
/// </summary>
public sealed class CourseTierTests(EventsFixture fx) : CourseTestsBase, IClassFixture<EventsFixture>
{
    protected override EventsFixture Fixture => fx;

    private string Elite(Guid userId) => fx.Tokens.Issue(userId, Roles.Member, Tiers.Elite);

    private async Task<Guid> PaidCourseAsync() =>
        (
            await CreateCourseAsync(
                fx.Organizer().Token,
                b =>
                {
                    b["price_cents"] = 1499;
                    b["currency"] = "USD";
                    b["price_credits"] = 100;
                }
            )
        )["id"]!.GetValue<Guid>();

    [Fact]
    public async Task An_elite_member_enrolls_in_a_paid_course_at_once_and_nothing_is_sold()
    {
        var id = await PaidCourseAsync();
        var userId = Guid.NewGuid();

        var created = await (
            await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId))
        ).AssertStatus(201);
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal(PaidWith.Elite, created["paid_with"]!.GetValue<string>());
        Assert.Null(created["payment_id"]);
        var enrollmentId = created["id"]!.GetValue<Guid>();
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT (payload::jsonb ->> 'amountCents')::bigint FROM outbox_messages WHERE type LIKE "
                    + "'%.CourseEnrolled,%' AND (payload::jsonb ->> 'enrollmentId')::uuid = @id",
                ("id", enrollmentId)
            )
        );

        var details = await (await fx.Client.Get($"/api/v1/courses/{id}", Elite(userId))).AssertStatus(200);
        Assert.False(details["content_locked"]!.GetValue<bool>());
        Assert.Equal("Module 1 text", details["modules"]![0]!["content"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId))).AssertStatus(200);

        // A payment that still arrives for it is refused (the caller refunds it).
        var late = await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 1499, "USD"));
        Assert.Equal(CourseConfirmation.Rejected, late.Outcome);
    }

    [Fact]
    public async Task A_pending_enrollment_activates_when_its_learner_enrolls_again_as_elite()
    {
        var id = await PaidCourseAsync();
        var (userId, free) = fx.Member();
        var pending = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, free)).AssertProblem(
            402
        );
        var enrollmentId = pending["enrollment_id"]!.GetValue<Guid>();

        var answers = await Task.WhenAll(
            Enumerable
                .Range(0, 4)
                .Select(_ => fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId)))
        );
        Assert.Single(answers, a => a.StatusCode == System.Net.HttpStatusCode.Created);
        Assert.All(answers, a => Assert.True(a.IsSuccessStatusCode));
        var activated = await answers.First(a => a.StatusCode == System.Net.HttpStatusCode.Created).AssertStatus(201);
        Assert.Equal(enrollmentId, activated["id"]!.GetValue<Guid>());
        Assert.Equal(PaidWith.Elite, activated["paid_with"]!.GetValue<string>());
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
    }

    /// <summary>An elite learner of a new paid course, through its first module.</summary>
    private async Task<(Guid Course, Guid User, Guid Enrollment, Guid[] Modules)> EliteLearnerOfTheFirstModuleAsync()
    {
        var id = await PaidCourseAsync();
        var userId = Guid.NewGuid();
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId))).AssertStatus(201)
        )["id"]!.GetValue<Guid>();
        var modules = ModuleIds(await (await fx.Client.Get($"/api/v1/courses/{id}", Elite(userId))).AssertStatus(200));
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{id}/progress",
                new { module_id = modules[0], completed = true },
                Elite(userId)
            )
        ).AssertStatus(200);
        return (id, userId, enrollmentId, modules);
    }

    [Fact]
    public async Task A_learner_no_longer_elite_loses_the_content_keeps_the_progress_and_can_buy_the_course()
    {
        var (id, userId, enrollmentId, modules) = await EliteLearnerOfTheFirstModuleAsync();

        var lapsed = fx.TokenFor(userId);
        var locked = await (await fx.Client.Get($"/api/v1/courses/{id}", lapsed)).AssertStatus(200);
        Assert.True(locked["content_locked"]!.GetValue<bool>());
        Assert.Null(locked["user_progress"]);
        await (
            await fx.Client.PostJson(
                $"/api/v1/courses/{id}/progress",
                new { module_id = modules[1], completed = true },
                lapsed
            )
        ).AssertProblem(403);

        var problem = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, lapsed)).AssertProblem(
            402
        );
        Assert.Equal(enrollmentId, problem["enrollment_id"]!.GetValue<Guid>());
        Assert.Equal(1499, problem["price_cents"]!.GetValue<long>());
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));

        Assert.Equal(
            CourseConfirmation.Activated,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 1499, "USD"))).Outcome
        );
        var bought = await (await fx.Client.Get($"/api/v1/courses/{id}", lapsed)).AssertStatus(200);
        Assert.False(bought["content_locked"]!.GetValue<bool>());
        AssertProgress(bought["user_progress"]!, 33, [modules[0]], modules[1]);
    }

    [Fact]
    public async Task The_refund_of_a_payment_refused_as_elite_leaves_the_enrollment_reopened_since_and_its_progress()
    {
        var (id, userId, enrollmentId, modules) = await EliteLearnerOfTheFirstModuleAsync();
        // A checkout begun before: its payment finds the enrollment active through elite and is refused (refunded).
        var refused = Guid.NewGuid();
        Assert.Equal(
            CourseConfirmation.Rejected,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(refused, 1499, "USD"))).Outcome
        );
        // Before that refund comes back, the tier lapses and the learner asks again: pending, progress kept.
        var lapsed = fx.TokenFor(userId);
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, lapsed)).AssertProblem(402);

        var refund = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            refused,
            userId,
            enrollmentId,
            1499,
            1499,
            "USD"
        );
        await fx.DeliverAsync(refund, "PaymentRefundedConsumer");

        Assert.Equal(EnrollmentStatus.PendingPayment, await StatusAsync(enrollmentId));
        Assert.Equal(
            CourseConfirmation.Activated,
            (await ConfirmAsync(enrollmentId, new CoursePayment.Money(Guid.NewGuid(), 1499, "USD"))).Outcome
        );
        var bought = await (await fx.Client.Get($"/api/v1/courses/{id}", lapsed)).AssertStatus(200);
        AssertProgress(bought["user_progress"]!, 33, [modules[0]], modules[1]);
    }

    [Fact]
    public async Task An_elite_activation_whose_event_cannot_be_written_leaves_the_enrollment_pending()
    {
        var id = await PaidCourseAsync();
        var (userId, free) = fx.Member();
        var pending = await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, free)).AssertProblem(
            402
        );
        var enrollmentId = pending["enrollment_id"]!.GetValue<Guid>();

        // The activation's CourseEnrolled is refused (the database going away, a 503): a failure after the
        // enrollment's update, before its event.
        await RefusingEventsOfAsync(
            enrollmentId,
            async () =>
            {
                using var refused = await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }
        );

        // Nothing changed unheard: still pending; enrolling again activates it, announced once.
        Assert.Equal(EnrollmentStatus.PendingPayment, await StatusAsync(enrollmentId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId))).AssertStatus(201);
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrolled", enrollmentId));
    }

    [Fact]
    public async Task A_lapsed_learners_reopening_whose_event_cannot_be_written_leaves_the_enrollment_active()
    {
        var id = await PaidCourseAsync();
        var userId = Guid.NewGuid();
        var enrollmentId = (
            await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, Elite(userId))).AssertStatus(201)
        )["id"]!.GetValue<Guid>();
        var lapsed = fx.TokenFor(userId);

        // The reopening's CourseEnrollmentPending is refused: a failure after the enrollment's update, before its
        // event.
        await RefusingEventsOfAsync(
            enrollmentId,
            async () =>
            {
                using var refused = await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, lapsed);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }
        );

        // Nothing changed unheard: still active as elite opened it; enrolling again reopens it, announced once.
        Assert.Equal(EnrollmentStatus.Active, await StatusAsync(enrollmentId));
        Assert.Equal(0, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
        await (await fx.Client.PostJson($"/api/v1/courses/{id}/enroll", new { }, lapsed)).AssertProblem(402);
        Assert.Equal(EnrollmentStatus.PendingPayment, await StatusAsync(enrollmentId));
        Assert.Equal(1, await OutboxForEnrollmentAsync("CourseEnrollmentPending", enrollmentId));
    }

    private Task<string?> StatusAsync(Guid enrollmentId) =>
        fx.ScalarAsync<string>("SELECT status FROM course_enrollments WHERE id = @id", ("id", enrollmentId));

    /// <summary>
    /// Runs <paramref name="request"/> while the database refuses every outbox row about
    /// <paramref name="enrollmentId"/> (a trigger of the test's): a failure between an enrollment's change and its
    /// event's row.
    /// </summary>
    private async Task RefusingEventsOfAsync(Guid enrollmentId, Func<Task> request)
    {
        await fx.ExecuteAsync(
            $"""
            CREATE OR REPLACE FUNCTION refuse_enrollment_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the server is shutting down (raised by the test)' USING ERRCODE = '57P01';
            END
            $$;
            CREATE TRIGGER refuse_enrollment_event BEFORE INSERT ON outbox_messages FOR EACH ROW
                WHEN (NEW.payload::jsonb ->> 'enrollmentId' = '{enrollmentId}')
                EXECUTE FUNCTION refuse_enrollment_event();
            """
        );
        try
        {
            await request();
        }
        finally
        {
            await fx.ExecuteAsync("DROP TRIGGER refuse_enrollment_event ON outbox_messages");
        }
    }
}
