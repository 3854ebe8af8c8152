using System.Globalization;
using System.Text;

namespace Community.Events.Tests;

/// <summary>
/// The .ics download: RFC 5545 framing, local times with their zone, escaping and folding, and who may fetch it.
/// </summary>
public sealed class CalendarTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private HttpClient Client => fx.Client;

    private int NextYear => fx.Clock.GetUtcNow().Year + 1;

    [Fact]
    public async Task A_public_event_downloads_anonymously_as_a_well_formed_calendar()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);

        using var response = await Client.Get($"/api/v1/events/{e["id"]}.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var ics = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("BEGIN:VCALENDAR\r\n", ics);
        Assert.EndsWith("END:VCALENDAR\r\n", ics);
        // Every line ends in CRLF: no bare LF or CR anywhere.
        Assert.DoesNotContain("\n", ics.Replace("\r\n", ""));
        Assert.DoesNotContain("\r", ics.Replace("\r\n", ""));
        var lines = Unfold(ics);
        Assert.Contains("VERSION:2.0", lines);
        Assert.Contains(lines, l => l.StartsWith("PRODID:", StringComparison.Ordinal));
        Assert.Equal(1, lines.Count(l => l == "BEGIN:VEVENT"));
        Assert.Equal(1, lines.Count(l => l == "END:VEVENT"));
        Assert.True(lines.IndexOf("BEGIN:VEVENT") < lines.IndexOf("END:VEVENT"));
        Assert.Contains($"UID:{e["id"]}@community", lines);
        Assert.Contains($"SUMMARY:{e.Str("title")}", lines);
        Assert.Contains("STATUS:CONFIRMED", lines);
        Assert.Contains("GEO:52.5219;13.4132", lines);
        Assert.Contains(@"LOCATION:Café Central\, Alexanderplatz 1\, Berlin\, DE", lines);
        Assert.Contains(lines, l => l.StartsWith("DTSTAMP:", StringComparison.Ordinal) && l.EndsWith('Z'));

        // DTSTART is the event's own local time, as the API reports it.
        var local = e.Time("starts_at_local");
        Assert.Contains($"DTSTART;TZID=Europe/Berlin:{local:yyyyMMdd'T'HHmmss}", lines);
        Assert.Contains($"DTEND;TZID=Europe/Berlin:{e.Time("ends_at_local"):yyyyMMdd'T'HHmmss}", lines);

        Assert.Equal($"event-{e["id"]}.ics", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_berlin_event_carries_its_zone_with_winter_and_summer_offsets()
    {
        var (_, organizer) = fx.Organizer();
        var winter = await CreateAsync(organizer, "Europe/Berlin", $"{NextYear}-01-15T17:00:00Z");
        var summer = await CreateAsync(organizer, "Europe/Berlin", $"{NextYear}-07-15T17:00:00Z");

        var winterLines = Unfold(await IcsAsync(winter));
        Assert.Contains($"DTSTART;TZID=Europe/Berlin:{NextYear}0115T180000", winterLines);
        Assert.Contains($"DTEND;TZID=Europe/Berlin:{NextYear}0115T200000", winterLines);
        AssertZone(winterLines, "Europe/Berlin", "+0100", "+0200");

        var summerLines = Unfold(await IcsAsync(summer));
        Assert.Contains($"DTSTART;TZID=Europe/Berlin:{NextYear}0715T190000", summerLines);
        Assert.Contains($"DTEND;TZID=Europe/Berlin:{NextYear}0715T210000", summerLines);
        AssertZone(summerLines, "Europe/Berlin", "+0100", "+0200");
    }

    [Fact]
    public async Task A_new_york_event_uses_eastern_offsets()
    {
        var (_, organizer) = fx.Organizer();
        var winter = await CreateAsync(organizer, "America/New_York", $"{NextYear}-01-15T17:00:00Z");
        var summer = await CreateAsync(organizer, "America/New_York", $"{NextYear}-07-15T17:00:00Z");

        var winterLines = Unfold(await IcsAsync(winter));
        Assert.Contains($"DTSTART;TZID=America/New_York:{NextYear}0115T120000", winterLines);
        AssertZone(winterLines, "America/New_York", "-0500", "-0400");

        var summerLines = Unfold(await IcsAsync(summer));
        Assert.Contains($"DTSTART;TZID=America/New_York:{NextYear}0715T130000", summerLines);
        AssertZone(summerLines, "America/New_York", "-0500", "-0400");
    }

    [Fact]
    public async Task The_zone_lists_the_changes_around_the_event_with_their_local_start()
    {
        var (_, organizer) = fx.Organizer();
        var e = await CreateAsync(organizer, "Europe/Berlin", $"{NextYear}-07-15T17:00:00Z");
        var lines = Unfold(await IcsAsync(e));

        // Berlin goes to summer time on the last Sunday of March at 02:00 (+0100 -> +0200)
        // and back on the last Sunday of October at 03:00 (+0200 -> +0100).
        var daylight = Observances(lines, "DAYLIGHT");
        var standard = Observances(lines, "STANDARD");
        Assert.NotEmpty(daylight);
        Assert.NotEmpty(standard);
        Assert.All(
            daylight,
            o =>
            {
                Assert.Equal("+0100", o["TZOFFSETFROM"]);
                Assert.Equal("+0200", o["TZOFFSETTO"]);
                var at = DateTime.ParseExact(o["DTSTART"], "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
                Assert.Equal((3, DayOfWeek.Sunday, 2), (at.Month, at.DayOfWeek, at.Hour));
                Assert.True(at.Day > 24);
            }
        );
        Assert.All(
            standard,
            o =>
            {
                Assert.Equal("+0200", o["TZOFFSETFROM"]);
                Assert.Equal("+0100", o["TZOFFSETTO"]);
                var at = DateTime.ParseExact(o["DTSTART"], "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
                Assert.Equal((10, DayOfWeek.Sunday, 3), (at.Month, at.DayOfWeek, at.Hour));
                Assert.True(at.Day > 24);
            }
        );
        // The change that puts the event in summer time is listed.
        Assert.Contains(daylight, o => o["DTSTART"].StartsWith($"{NextYear}03", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_across_the_clock_change_ends_in_the_other_offset()
    {
        var (_, organizer) = fx.Organizer();
        // The last Sunday of March: Saturday 10:00 (+0100) to Sunday 18:00 (+0200).
        var lastSunday = new DateTime(NextYear, 3, 31);
        while (lastSunday.DayOfWeek != DayOfWeek.Sunday)
            lastSunday = lastSunday.AddDays(-1);
        var starts = new DateTimeOffset(lastSunday.AddDays(-1).AddHours(10), TimeSpan.FromHours(1));
        var ends = new DateTimeOffset(lastSunday.AddHours(18), TimeSpan.FromHours(2));
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = starts.ToString("O");
                b["ends_at"] = ends.ToString("O");
            }
        );
        Assert.Equal(TimeSpan.FromHours(1), e.Time("starts_at_local").Offset);
        Assert.Equal(TimeSpan.FromHours(2), e.Time("ends_at_local").Offset);

        var lines = Unfold(await IcsAsync(e));
        Assert.Contains($"DTSTART;TZID=Europe/Berlin:{starts:yyyyMMdd'T'HHmmss}", lines);
        Assert.Contains($"DTEND;TZID=Europe/Berlin:{ends:yyyyMMdd'T'HHmmss}", lines);
    }

    [Fact]
    public async Task A_time_in_the_hour_repeated_when_clocks_go_back_is_written_so_it_is_not_read_an_hour_early()
    {
        // New York goes back at 02:00 EDT on the first Sunday of November (06:00 UTC): 01:30 happens twice.
        var sunday = Enumerable
            .Range(1, 7)
            .Select(d => new DateTime(NextYear, 11, d))
            .First(d => d.DayOfWeek == DayOfWeek.Sunday);
        var first = new DateTimeOffset(sunday.AddHours(5.5), TimeSpan.Zero);
        var second = first.AddHours(1);
        var (_, organizer) = fx.Organizer();
        var early = Unfold(await IcsAsync(await CreateAsync(organizer, "America/New_York", first.ToString("O"))));
        var late = Unfold(await IcsAsync(await CreateAsync(organizer, "America/New_York", second.ToString("O"))));

        // RFC 5545 reads a local time that happens twice as the first: right for the first, so it keeps its zone.
        Assert.Contains($"DTSTART;TZID=America/New_York:{sunday:yyyyMMdd}T013000", early);
        // The second is written in UTC; its end (03:30 EST) is local again.
        Assert.Contains($"DTSTART:{sunday:yyyyMMdd}T063000Z", late);
        Assert.Contains($"DTEND;TZID=America/New_York:{sunday:yyyyMMdd}T033000", late);
    }

    [Fact]
    public async Task A_utc_event_uses_utc_times_and_no_zone()
    {
        var (_, organizer) = fx.Organizer();
        var e = await CreateAsync(organizer, "UTC", $"{NextYear}-01-15T17:00:00+01:00");
        var ics = await IcsAsync(e);
        var lines = Unfold(ics);
        Assert.Contains($"DTSTART:{NextYear}0115T160000Z", lines);
        Assert.Contains($"DTEND:{NextYear}0115T180000Z", lines);
        Assert.DoesNotContain("BEGIN:VTIMEZONE", ics);
        Assert.DoesNotContain("TZID", ics);
    }

    [Fact]
    public async Task A_zone_without_daylight_saving_has_one_standard_offset()
    {
        var (_, organizer) = fx.Organizer();
        var e = await CreateAsync(organizer, "Asia/Kolkata", $"{NextYear}-01-15T12:30:00Z");
        var lines = Unfold(await IcsAsync(e));
        Assert.Contains($"DTSTART;TZID=Asia/Kolkata:{NextYear}0115T180000", lines);
        Assert.Contains("TZID:Asia/Kolkata", lines);
        Assert.Empty(Observances(lines, "DAYLIGHT"));
        var standard = Assert.Single(Observances(lines, "STANDARD"));
        Assert.Equal("+0530", standard["TZOFFSETFROM"]);
        Assert.Equal("+0530", standard["TZOFFSETTO"]);
    }

    [Fact]
    public async Task Text_is_escaped()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["title"] = @"Pizza, beer; code \ more";
                b["description"] = "Line one,\nline two; with a back\\slash.\u007F";
                b["location_name"] = "Hall; A";
            }
        );

        var lines = Unfold(await IcsAsync(e));
        Assert.Contains(@"SUMMARY:Pizza\, beer\; code \\ more", lines);
        // DEL, which event text may hold, is not TEXT in RFC 5545: it is left out.
        Assert.Contains(@"DESCRIPTION:Line one\,\nline two\; with a back\\slash.", lines);
        Assert.Contains(lines, l => l.StartsWith(@"LOCATION:Hall\; A\, Alexanderplatz 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Long_lines_are_folded_at_75_octets_without_splitting_characters()
    {
        var (_, organizer) = fx.Organizer();
        var description = string.Concat(Enumerable.Range(0, 40).Select(i => $"Grüße {i} — naïve café 🎉 "));
        var e = await fx.CreateEventAsync(organizer, b => b["description"] = description.Trim());

        using var response = await Client.Get($"/api/v1/events/{e["id"]}.ics");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var ics = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("\uFFFD", ics); // no character was cut in half

        var physical = ics.Split("\r\n");
        Assert.Equal("", physical[^1]);
        Assert.All(
            physical,
            line =>
                Assert.True(
                    Encoding.UTF8.GetByteCount(line) <= 75,
                    $"{Encoding.UTF8.GetByteCount(line)} octets: {line}"
                )
        );
        Assert.Contains(physical, line => line.StartsWith(' '));
        Assert.True(physical.Count(line => line.StartsWith(' ')) >= Encoding.UTF8.GetByteCount(description) / 75);

        Assert.Contains($"DESCRIPTION:{description.Trim()}", Unfold(ics));
    }

    [Fact]
    public async Task A_cancelled_event_says_so()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        await (await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{e["id"]}", null, organizer)).AssertStatus(
            204
        );
        Assert.Contains("STATUS:CANCELLED", Unfold(await IcsAsync(e)));
    }

    [Fact]
    public async Task Private_events_and_drafts_download_only_for_those_who_may_see_them()
    {
        var (_, organizer) = fx.Organizer();
        var (invitedId, invited) = fx.Member();
        var (_, stranger) = fx.Member();
        var (_, admin) = fx.Admin();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["visibility"] = "private";
                b["invited_user_ids"] = new JsonArray(invitedId.ToString());
            }
        );
        var draft = await fx.CreateEventAsync(organizer, publish: false);

        await (await Client.Get($"/api/v1/events/{e["id"]}.ics")).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{e["id"]}.ics", stranger)).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{draft["id"]}.ics")).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{draft["id"]}.ics", stranger)).AssertProblem(404);
        await (await Client.Get($"/api/v1/events/{Guid.NewGuid()}.ics")).AssertProblem(404);

        foreach (var token in new[] { invited, organizer, admin })
        {
            using var response = await Client.Get($"/api/v1/events/{e["id"]}.ics", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"UID:{e["id"]}@community", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await Client.Get($"/api/v1/events/{draft["id"]}.ics", organizer)).StatusCode);
    }

    private Task<JsonNode> CreateAsync(string organizer, string zone, string startsAt) =>
        fx.CreateEventAsync(
            organizer,
            b =>
            {
                var starts = DateTimeOffset.Parse(startsAt, CultureInfo.InvariantCulture);
                b["time_zone"] = zone;
                b["starts_at"] = startsAt;
                b["ends_at"] = starts.AddHours(2).ToString("O");
            }
        );

    private async Task<string> IcsAsync(JsonNode e)
    {
        using var response = await Client.Get($"/api/v1/events/{e["id"]}.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Content lines with folding undone (RFC 5545 §3.1: CRLF followed by one space is removed).</summary>
    private static List<string> Unfold(string ics) =>
        ics.Replace("\r\n ", "").Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();

    private static void AssertZone(List<string> lines, string zone, string standardOffset, string daylightOffset)
    {
        var begin = lines.IndexOf("BEGIN:VTIMEZONE");
        var end = lines.IndexOf("END:VTIMEZONE");
        Assert.True(begin >= 0 && end > begin, "no VTIMEZONE");
        Assert.True(end < lines.IndexOf("BEGIN:VEVENT"), "the VTIMEZONE comes before the event that uses it");
        var component = lines[begin..end];
        Assert.Contains($"TZID:{zone}", component);
        Assert.Contains($"TZOFFSETTO:{standardOffset}", component);
        Assert.Contains($"TZOFFSETTO:{daylightOffset}", component);
        Assert.Contains("BEGIN:STANDARD", component);
        Assert.Contains("BEGIN:DAYLIGHT", component);
    }

    /// <summary>The STANDARD or DAYLIGHT blocks of the VTIMEZONE, each as its properties.</summary>
    private static List<Dictionary<string, string>> Observances(List<string> lines, string kind)
    {
        var result = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in lines)
        {
            if (line == $"BEGIN:{kind}")
                current = [];
            else if (line == $"END:{kind}" && current is not null)
            {
                result.Add(current);
                current = null;
            }
            else if (current is not null && line.IndexOf(':') is var colon and > 0)
                current[line[..colon]] = line[(colon + 1)..];
        }
        return result;
    }
}
