using Community.Contracts.Payments;
using MassTransit;

namespace Community.Events.Tests;

public sealed class CreditsEnrollmentTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task Credits_spent_on_a_pending_enrollment_activate_it_once()
    {
        var (_, organizer) = fx.Organizer();
        var courseId = await CreditsCourseAsync(organizer, 40);
        var (memberId, member) = fx.Member();
        var enrollmentId = await PendingEnrollmentAsync(courseId, member);

        var spent = new CreditsSpent(Guid.NewGuid(), fx.Clock.GetUtcNow(), memberId, 40, "course", enrollmentId);
        await PublishAsync(spent);
        await PublishAsync(spent); // redelivered
        await fx.ConsumedAsync(spent.MessageId, "CreditsSpentConsumer", times: 2);

        Assert.Equal(
            "active",
            await fx.ScalarAsync<string>("SELECT status FROM course_enrollments WHERE id = @id", ("id", enrollmentId))
        );
        Assert.Equal(
            "credits",
            await fx.ScalarAsync<string>(
                "SELECT paid_with FROM course_enrollments WHERE id = @id",
                ("id", enrollmentId)
            )
        );
        Assert.Equal(
            spent.MessageId,
            await fx.ScalarAsync<Guid>("SELECT payment_id FROM course_enrollments WHERE id = @id", ("id", enrollmentId))
        );
        var details = await (await fx.Client.Get($"/api/v1/courses/{courseId}", member)).AssertStatus(200);
        Assert.Equal("active", details["enrollment_status"]!.GetValue<string>());
        Assert.Equal(1L, await OutboxAsync("CourseEnrolled", "enrollmentId", enrollmentId));
        Assert.Equal(
            40,
            await fx.ScalarAsync<int>(
                "SELECT (payload->>'priceCredits')::int FROM outbox_messages WHERE type LIKE '%.CourseEnrolled,%' "
                    + "AND payload->>'enrollmentId' = @id",
                ("id", enrollmentId.ToString())
            )
        );
        Assert.Equal(0L, await OutboxAsync("PurchaseRejected", "referenceId", enrollmentId));

        // A second spend on the now active enrollment (another spend id) is handed back.
        var second = spent with
        {
            MessageId = Guid.NewGuid(),
        };
        await PublishAsync(second);
        await HandledAsync(second.MessageId);
        Assert.Equal(1L, await OutboxAsync("PurchaseRejected", "paymentId", second.MessageId));
        Assert.Equal(1L, await OutboxAsync("CourseEnrolled", "enrollmentId", enrollmentId));
    }

    [Fact]
    public async Task A_spend_that_does_not_match_the_enrollment_is_rejected_and_leaves_it_pending()
    {
        var (_, organizer) = fx.Organizer();
        var courseId = await CreditsCourseAsync(organizer, 40);
        var (memberId, member) = fx.Member();
        var enrollmentId = await PendingEnrollmentAsync(courseId, member);

        var wrongAmount = new CreditsSpent(Guid.NewGuid(), fx.Clock.GetUtcNow(), memberId, 39, "course", enrollmentId);
        var wrongLearner = new CreditsSpent(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            40,
            "course",
            enrollmentId
        );
        var noEnrollment = new CreditsSpent(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            memberId,
            40,
            "course",
            Guid.NewGuid()
        );
        foreach (var spend in new[] { wrongAmount, wrongLearner, noEnrollment })
        {
            await PublishAsync(spend);
            await HandledAsync(spend.MessageId);
            Assert.Equal(1L, await OutboxAsync("PurchaseRejected", "paymentId", spend.MessageId));
        }
        var rejection = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.PurchaseRejected,%' AND "
                        + "payload->>'paymentId' = @id",
                    ("id", wrongAmount.MessageId.ToString())
                )
            )!
        )!;
        Assert.Equal("course", rejection["purpose"]!.GetValue<string>());
        Assert.Equal(enrollmentId, rejection["referenceId"]!.GetValue<Guid>());
        Assert.Contains("39 credits", rejection["reason"]!.GetValue<string>());

        Assert.Equal(
            "pending_payment",
            await fx.ScalarAsync<string>("SELECT status FROM course_enrollments WHERE id = @id", ("id", enrollmentId))
        );
        Assert.Equal(0L, await OutboxAsync("CourseEnrolled", "enrollmentId", enrollmentId));
    }

    private async Task<Guid> CreditsCourseAsync(string organizer, int priceCredits)
    {
        var created = await (
            await fx.Client.PostJson(
                "/api/v1/courses",
                new JsonObject
                {
                    ["title"] = "Listening well " + Guid.NewGuid().ToString("N")[..6],
                    ["description"] = "Hear what is said and what is meant.",
                    ["category"] = "connection",
                    ["price_credits"] = priceCredits,
                    ["modules"] = new JsonArray(
                        new JsonObject
                        {
                            ["title"] = "Attention",
                            ["duration_minutes"] = 15,
                            ["content"] = "Module 1 text",
                        }
                    ),
                },
                organizer
            )
        ).AssertStatus(201);
        return created["id"]!.GetValue<Guid>();
    }

    private async Task<Guid> PendingEnrollmentAsync(Guid courseId, string member)
    {
        var problem = await (
            await fx.Client.PostJson($"/api/v1/courses/{courseId}/enroll", new { }, member)
        ).AssertProblem(402);
        return problem["enrollment_id"]!.GetValue<Guid>();
    }

    private Task PublishAsync(CreditsSpent message) =>
        fx.Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.MessageId);

    private Task HandledAsync(Guid messageId) => fx.HandledAsync(messageId, "CreditsSpentConsumer");

    private Task<long> OutboxAsync(string type, string field, Guid value) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND payload->>@field = @value",
            ("type", type),
            ("field", field),
            ("value", value.ToString())
        )!;
}
