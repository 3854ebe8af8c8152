using Community.Events.Courses;
using static Community.Events.Courses.CoursePaymentRules;

namespace Community.Events.Tests;

/// <summary>
/// Requests, builders and checks shared by the course test classes; each class brings its own fixture (its own
/// database).
/// </summary>
public abstract class CourseTestsBase
{
    protected abstract EventsFixture Fixture { get; }

    protected static void AssertProgress(JsonNode progress, int percent, Guid[] completed, Guid? current)
    {
        Assert.Equal(percent, progress["progress"]!.GetValue<int>());
        Assert.Equal(completed, progress["completed_modules"]!.AsArray().Select(x => x!.GetValue<Guid>()));
        if (current is null)
            Assert.Null(progress["current_module"]);
        else
            Assert.Equal(current, progress["current_module"]!.GetValue<Guid>());
    }

    protected async Task<CourseConfirmationResult> ConfirmAsync(Guid enrollmentId, CoursePayment payment)
    {
        using var scope = Fixture.Host.Services.CreateScope();
        return await scope
            .ServiceProvider.GetRequiredService<CoursePaymentRules>()
            .ConfirmPaidAsync(enrollmentId, payment, CancellationToken.None);
    }

    protected Task<HttpResponseMessage> PatchAsync(Guid id, JsonObject body, string? token) =>
        Fixture.Client.SendJson(HttpMethod.Patch, $"/api/v1/courses/{id}", body, token);

    protected Task<HttpResponseMessage> DeleteAsync(Guid id, string? token) =>
        Fixture.Client.SendJson(HttpMethod.Delete, $"/api/v1/courses/{id}", null, token);

    protected static Guid[] ModuleIds(JsonNode course) =>
        course["modules"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToArray();

    protected Task<long> OutboxForCourseAsync(string eventType, Guid courseId) =>
        Fixture.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND (payload::jsonb ->> "
                + "'courseId')::uuid = @id",
            ("type", eventType),
            ("id", courseId)
        );

    protected Task<long> EnrollmentRowsAsync(Guid courseId, Guid userId) =>
        Fixture.ScalarAsync<long>(
            "SELECT count(*) FROM course_enrollments WHERE course_id = @c AND user_id = @u",
            ("c", courseId),
            ("u", userId)
        );

    protected Task<long> OutboxForEnrollmentAsync(string eventType, Guid enrollmentId) =>
        Fixture.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND (payload::jsonb ->> "
                + "'enrollmentId')::uuid = @id",
            ("type", eventType),
            ("id", enrollmentId)
        );

    protected async Task<JsonNode> CreateCourseAsync(string token, Action<JsonObject>? change = null) =>
        await (await Fixture.Client.PostJson("/api/v1/courses", CourseBody(change), token)).AssertStatus(201);

    /// <summary>
    /// A valid free course with three modules (15, 20 and 25 minutes); <paramref name="change"/> edits it.
    /// </summary>
    protected static JsonObject CourseBody(Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["title"] = "Emotional intelligence " + Guid.NewGuid().ToString("N")[..6],
            ["description"] = "Build deeper self-awareness and empathy.",
            ["category"] = "growth",
            ["modules"] = new JsonArray(
                new JsonObject
                {
                    ["title"] = "Understanding your emotions",
                    ["duration_minutes"] = 15,
                    ["content"] = "Module 1 text",
                    ["video_url"] = "https://video.example.org/1.mp4",
                },
                new JsonObject
                {
                    ["title"] = "Naming feelings",
                    ["duration_minutes"] = 20,
                    ["content"] = "Module 2 text",
                },
                new JsonObject
                {
                    ["title"] = "Empathy in practice",
                    ["duration_minutes"] = 25,
                    ["content"] = "Module 3 text",
                    ["video_url"] = null,
                }
            ),
        };
        change?.Invoke(body);
        return body;
    }

    protected static JsonArray Modules(int count) =>
        new([
            .. Enumerable
                .Range(1, count)
                .Select(i => (JsonNode)new JsonObject { ["title"] = $"Module {i}", ["duration_minutes"] = 10 }),
        ]);
}
