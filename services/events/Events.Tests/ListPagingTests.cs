using System.Buffers.Text;
using System.Text;

namespace Community.Events.Tests;

/// <summary>
/// The events service counting list totals exactly only up to 3 rows, so an estimate shows with a handful of rows.
/// </summary>
public sealed class SmallTotalsFixture : EventsFixture
{
    public const int ExactUpTo = 3;

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Events:ExactTotalUpTo"] = ExactUpTo.ToString() };
}

/// <summary>
/// The paged lists (catalogue, courses, attendees, photos): totals exact up to the threshold then flagged estimates,
/// keyset cursors that walk the same rows as numbered pages, and the 400s for bad cursors, cursor with page and deep
/// pages.
/// </summary>
public sealed class ListPagingTests(SmallTotalsFixture fx) : CourseTestsBase, IClassFixture<SmallTotalsFixture>
{
    protected override EventsFixture Fixture => fx;

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    // ---- totals ----

    [Fact]
    public async Task The_catalogue_total_is_exact_up_to_the_threshold_then_a_flagged_estimate_never_below_it()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("totals");
        for (var i = 0; i < SmallTotalsFixture.ExactUpTo; i++)
            await fx.CreateEventAsync(organizer, b => b["interests"] = new JsonArray(tag));

        var exact = await List($"/api/v1/events?interest={tag}&limit=2");
        Assert.Equal(SmallTotalsFixture.ExactUpTo, exact["total"]!.GetValue<int>());
        Assert.False(exact["total_is_estimate"]!.GetValue<bool>());
        Assert.Equal(2, exact["pages"]!.GetValue<int>());

        await fx.CreateEventAsync(organizer, b => b["interests"] = new JsonArray(tag));
        await fx.CreateEventAsync(organizer, b => b["interests"] = new JsonArray(tag));
        var estimated = await List($"/api/v1/events?interest={tag}&limit=2");
        Assert.True(estimated["total_is_estimate"]!.GetValue<bool>());
        var total = estimated["total"]!.GetValue<int>();
        Assert.True(total > SmallTotalsFixture.ExactUpTo, $"an estimate above the threshold, got {total}");
        Assert.Equal((total + 1) / 2, estimated["pages"]!.GetValue<int>());
        // The rows themselves are never estimated: all five are there, page after page.
        Assert.Equal(5, (await WalkByCursorAsync($"/api/v1/events?interest={tag}&limit=2", null)).Count);
    }

    // ---- cursor walk == offset walk ----

    [Fact]
    public async Task Catalogue_cursor_pages_hold_the_offset_pages_rows_filtered_and_unfiltered_with_ties_broken_by_id()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("walk");
        var first = fx.Clock.GetUtcNow().AddDays(40);
        // Three share one start: only the id orders them, and a cursor must neither repeat nor skip one.
        foreach (var hours in new[] { 4, 1, 2, 2, 2, 0, 3 })
        {
            var starts = first.AddHours(hours);
            await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["interests"] = new JsonArray(tag);
                    b["starts_at"] = starts.ToString("O");
                    b["ends_at"] = starts.AddHours(1).ToString("O");
                }
            );
        }

        var filtered = await WalkByOffsetAsync($"/api/v1/events?interest={tag}&limit=2", null);
        Assert.Equal(7, filtered.Count);
        Assert.Equal(filtered, await WalkByCursorAsync($"/api/v1/events?interest={tag}&limit=2", null));
        Assert.Equal(filtered, (await List($"/api/v1/events?interest={tag}&limit=100")).Ids());

        var all = await WalkByOffsetAsync("/api/v1/events?limit=3", null);
        Assert.True(all.Count >= 7);
        Assert.Equal(all, await WalkByCursorAsync("/api/v1/events?limit=3", null));
    }

    [Fact]
    public async Task Courses_attendees_and_photos_page_by_cursor_as_by_offset_with_bounded_totals()
    {
        var (_, organizer) = fx.Organizer();
        var category = Unique("cat");
        for (var i = 0; i < 5; i++)
            await CreateCourseAsync(organizer, b => b["category"] = category);
        await AssertListAsync($"/api/v1/courses?category={category}", organizer, 5);

        var e = (await fx.CreateEventAsync(organizer))["id"]!.GetValue<string>();
        for (var i = 0; i < 5; i++)
            await (
                await fx.Client.PostJson($"/api/v1/events/{e}/registrations", new { }, fx.Member().Token)
            ).AssertStatus(201);
        await AssertListAsync($"/api/v1/events/{e}/attendees", organizer, 5);

        // Photo rows straight in the table: three share a timestamp, so the id alone orders them.
        var taken = fx.Clock.GetUtcNow().AddMinutes(-5);
        foreach (var minutes in new[] { 0, 1, 1, 1, 2 })
        {
            var photo = Guid.NewGuid();
            await fx.ExecuteAsync(
                "INSERT INTO event_photos (id, event_id, uploaded_by, blob_key, content_type, size_bytes, created_at) "
                    + "VALUES (@id, @event, @by, @key, 'image/png', 10, @at)",
                ("id", photo),
                ("event", Guid.Parse(e)),
                ("by", Guid.NewGuid()),
                ("key", $"events/{e}/{photo}.png"),
                ("at", taken.AddMinutes(minutes))
            );
        }
        await AssertListAsync($"/api/v1/events/{e}/photos", organizer, 5);
    }

    // ---- refusals ----

    [Theory]
    [InlineData("/api/v1/events")]
    [InlineData("/api/v1/courses")]
    [InlineData("/api/v1/events/{event}/attendees")]
    [InlineData("/api/v1/events/{event}/photos")]
    public async Task A_bad_or_tampered_cursor_and_a_cursor_with_page_are_400s_on_every_list(string path)
    {
        var (_, organizer) = fx.Organizer();
        var e = (await fx.CreateEventAsync(organizer))["id"]!.GetValue<string>();
        var url = path.Replace("{event}", e, StringComparison.Ordinal);
        string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

        string[] bad =
        [
            "not-a-cursor!",
            "x",
            Encode("garbage"),
            Encode("2~"),
            Encode("1~638000000000000000.0123456789abcdef0123456789abcdef"),
            Encode("2~-5.0123456789abcdef0123456789abcdef"),
            Encode("2~638000000000000000.not-a-guid"),
            Encode("2~abc"),
            Encode("~42"),
        ];
        foreach (var cursor in bad)
        {
            var problem = await (
                await fx.Client.Get($"{url}?cursor={Uri.EscapeDataString(cursor)}", organizer)
            ).AssertFieldProblem("cursor");
            Assert.Equal("cursor is not one this API gave out.", problem["errors"]!["cursor"]![0]!.GetValue<string>());
        }

        var both = await (await fx.Client.Get($"{url}?page=2&cursor={Encode("2~42")}", organizer)).AssertFieldProblem(
            "cursor"
        );
        Assert.Equal("Send either page or cursor, not both.", both["errors"]!["cursor"]![0]!.GetValue<string>());

        var deep = await (await fx.Client.Get($"{url}?page=502&limit=20", organizer)).AssertFieldProblem("page");
        var hint = deep["errors"]!["page"]![0]!.GetValue<string>();
        Assert.Contains("cursor", hint);
        Assert.Contains("narrow the query", hint);
    }

    [Fact]
    public async Task A_cursor_changed_by_hand_is_refused_and_the_last_page_has_no_next_cursor()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("tamper");
        for (var i = 0; i < 3; i++)
            await fx.CreateEventAsync(organizer, b => b["interests"] = new JsonArray(tag));

        var first = await List($"/api/v1/events?interest={tag}&limit=2");
        var cursor = first["next_cursor"]!.GetValue<string>();
        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        Assert.StartsWith("2~", text);
        // Cut the id short, as a hand edit would: the position no longer parses.
        var tampered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text[..^1]));
        await (await fx.Client.Get($"/api/v1/events?interest={tag}&limit=2&cursor={tampered}")).AssertFieldProblem(
            "cursor"
        );

        var last = await List($"/api/v1/events?interest={tag}&limit=2&cursor={cursor}");
        Assert.Equal(2, last["page"]!.GetValue<int>());
        Assert.Single(last["items"]!.AsArray());
        Assert.Null(last["next_cursor"]);
        Assert.Null((await List($"/api/v1/events?interest={tag}&limit=2&page=2"))["next_cursor"]);
    }

    // ---- helpers ----

    /// <summary>
    /// Offset and cursor walks of <paramref name="url"/> give the same rows, and a total past the threshold is flagged.
    /// </summary>
    private async Task AssertListAsync(string url, string token, int rows)
    {
        var separator = url.Contains('?') ? '&' : '?';
        var paged = $"{url}{separator}limit=2";
        var byOffset = await WalkByOffsetAsync(paged, token);
        Assert.Equal(rows, byOffset.Count);
        Assert.Equal(rows, byOffset.Distinct().Count());
        Assert.Equal(byOffset, await WalkByCursorAsync(paged, token));
        var first = await List(paged, token);
        Assert.True(
            first["total_is_estimate"]!.GetValue<bool>(),
            $"{rows} rows are past the threshold of {SmallTotalsFixture.ExactUpTo}"
        );
        Assert.True(first["total"]!.GetValue<int>() > SmallTotalsFixture.ExactUpTo);

        var few = await List($"{url}{separator}limit=2&page=1", token);
        Assert.NotNull(few["next_cursor"]);
    }

    private async Task<List<string>> WalkByOffsetAsync(string url, string? token)
    {
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            var body = await List($"{url}&page={page}", token);
            Assert.Equal(page, body["page"]!.GetValue<int>());
            var items = body.Ids();
            ids.AddRange(items);
            if (body["next_cursor"] is null)
                return ids;
            Assert.True(page < 100, "the walk should end");
        }
    }

    private async Task<List<string>> WalkByCursorAsync(string url, string? token)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var page = 1; ; page++)
        {
            var body = await List(cursor is null ? url : $"{url}&cursor={cursor}", token);
            Assert.Equal(page, body["page"]!.GetValue<int>());
            ids.AddRange(body.Ids());
            cursor = body["next_cursor"]?.GetValue<string>();
            if (cursor is null)
                return ids;
            Assert.True(page < 100, "the walk should end");
        }
    }

    private async Task<JsonNode> List(string url, string? token = null) =>
        await (await fx.Client.Get(url, token)).AssertStatus(200);
}
