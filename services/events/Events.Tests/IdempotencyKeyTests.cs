using Community.Contracts;

namespace Community.Events.Tests;

public sealed class IdempotencyKeyTests(EventsFixture fx) : CourseTestsBase, IClassFixture<EventsFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.Events].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fx.Host.Services)
        );

    protected override EventsFixture Fixture => fx;

    [Fact]
    public void Every_signed_in_create_honours_the_key() =>
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));

    [Fact]
    public async Task Every_replayed_create_documents_the_409_and_422_its_key_can_answer()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var replayed = CreateEndpoints.Replayed(fx.Host.Services);
        Assert.Contains("CreateEvent", replayed);
        Assert.Contains("CreateCourse", replayed);
        Assert.Contains("EnrollInCourse", replayed);
        Assert.Contains("UploadEventPhoto", replayed);
        Assert.Empty(CreateEndpoints.KeyAnswersNotDocumented(fx.Host.Services, document));
    }

    [Fact]
    public async Task Creating_an_event_twice_with_one_key_creates_one_event_and_replays_the_answer()
    {
        var (organizerId, organizer) = fx.Organizer();
        var body = fx.EventBody().ToJsonString();

        var first = await fx.Client.PostJsonWithKey("/api/v1/events", body, organizer, "event-once");
        var again = await fx.Client.PostJsonWithKey("/api/v1/events", body, organizer, "event-once");

        var created = await first.AssertStatus(201);
        Assert.Equal(created.ToJsonString(), (await again.AssertStatus(201)).ToJsonString());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE organizer_id = @id",
                ("id", organizerId)
            )
        );
    }

    [Fact]
    public async Task An_event_carries_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var created = await (await fx.Client.PostJson("/api/v1/events", fx.EventBody(), organizer)).AssertStatus(201);
        var url = $"/api/v1/events/{created["id"]}";
        await EntityTags.AssertIfMatchHonouredAsync(
            fx.Client,
            url,
            HttpMethod.Patch,
            url,
            "{\"description\": \"First\"}",
            organizer,
            otherBody: "{\"description\": \"Second\"}"
        );
    }

    [Fact]
    public async Task A_course_carries_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var (_, organizer) = fx.Organizer();
        var created = await CreateCourseAsync(organizer);
        var url = $"/api/v1/courses/{created["id"]}";
        await EntityTags.AssertIfMatchHonouredAsync(
            fx.Client,
            url,
            HttpMethod.Patch,
            url,
            "{\"description\": \"First\"}",
            organizer,
            otherBody: "{\"description\": \"Second\"}"
        );
    }

    [Fact]
    public async Task An_if_match_tells_whoever_may_not_change_an_event_or_course_no_more_than_without_it()
    {
        var (_, organizer) = fx.Organizer();
        var (_, stranger) = fx.Member();
        var hidden = await fx.CreateEventAsync(organizer, b => b["visibility"] = "private");
        var listed = await fx.CreateEventAsync(organizer);
        var course = await CreateCourseAsync(organizer);
        var refusals = new[]
        {
            ($"/api/v1/events/{hidden["id"]}", 404),
            ($"/api/v1/events/{listed["id"]}", 403),
            ($"/api/v1/courses/{course["id"]}", 403),
        };

        // A stale tag is a 412 only for whoever may change it; the rest hear what they hear without one.
        const string change = "{\"description\": \"Mine\"}";
        foreach (var (url, status) in refusals)
        {
            await (await fx.Client.SendIfMatch(HttpMethod.Patch, url, change, stranger, null)).AssertProblem(status);
            await (await fx.Client.SendIfMatch(HttpMethod.Patch, url, change, stranger, "\"1\"")).AssertProblem(status);
        }
        foreach (var (url, _) in refusals)
            Assert.NotEqual(
                "Mine",
                (await (await fx.Client.Get(url, organizer)).AssertStatus(200))["description"]!.GetValue<string>()
            );
    }
}
