using System.Globalization;
using System.Text;

namespace Community.Events.Catalogue;

/// <summary>
/// An RFC 5545 calendar file for one event. Times are local to the event's zone (DTSTART;TZID=...)
/// with a VTIMEZONE that lists the zone's real offset changes around the event, so calendar apps
/// show the right wall-clock time even across a daylight-saving change.
/// </summary>
public static class ICalendar
{
    public static string Build(CommunityEvent e, DateTimeOffset now)
    {
        var zone = EventZones.Of(e.TimeZone);
        var utc =
            zone.Id is "UTC" or "Etc/UTC" || (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime);
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Community//Events//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        };
        if (!utc)
            lines.AddRange(TimeZoneComponent(zone, e.StartsAt, e.EndsAt));

        lines.Add("BEGIN:VEVENT");
        lines.Add($"UID:{e.Id}@community");
        lines.Add($"DTSTAMP:{UtcStamp(now)}");
        lines.Add(Stamp("DTSTART", e.StartsAt, utc ? null : zone));
        lines.Add(Stamp("DTEND", e.EndsAt, utc ? null : zone));
        lines.Add($"SUMMARY:{Escape(e.Title)}");
        if (e.Description.Length > 0)
            lines.Add($"DESCRIPTION:{Escape(e.Description)}");
        var location = string.Join(
            ", ",
            new[] { e.LocationName, e.Address, e.City, e.Country }.Where(p => !string.IsNullOrWhiteSpace(p))
        );
        if (location.Length > 0)
            lines.Add($"LOCATION:{Escape(location)}");
        lines.Add(FormattableString.Invariant($"GEO:{e.Latitude:0.######};{e.Longitude:0.######}"));
        lines.Add($"STATUS:{(e.Status == EventStatus.Cancelled ? "CANCELLED" : "CONFIRMED")}");
        lines.Add($"LAST-MODIFIED:{UtcStamp(e.UpdatedAt)}");
        lines.Add("END:VEVENT");
        lines.Add("END:VCALENDAR");

        var ics = new StringBuilder();
        foreach (var line in lines)
            Fold(ics, line);
        return ics.ToString();
    }

    /// <summary>
    /// The instant as local time in <paramref name="zone"/> (TZID), or in UTC when there is no zone or the local time
    /// is the second of two that happen (the hour repeated when clocks go back): RFC 5545 reads such a local time as
    /// the first, an hour early.
    /// </summary>
    private static string Stamp(string name, DateTimeOffset at, TimeZoneInfo? zone)
    {
        if (zone is null)
            return $"{name}:{UtcStamp(at)}";
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return zone.IsAmbiguousTime(local) && local.Offset != zone.GetAmbiguousTimeOffsets(local).Max()
            ? $"{name}:{UtcStamp(at)}"
            : $"{name};TZID={zone.Id}:{Local(local)}";
    }

    /// <summary>The zone's observances: every offset change from a year before the start to the end.</summary>
    private static IEnumerable<string> TimeZoneComponent(TimeZoneInfo zone, DateTimeOffset starts, DateTimeOffset ends)
    {
        yield return "BEGIN:VTIMEZONE";
        yield return $"TZID:{zone.Id}";
        var from = new DateTimeOffset(starts.UtcDateTime.Year - 1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var to = ends.ToUniversalTime().AddDays(1);
        var transitions = Transitions(zone, from, to).ToList();
        if (transitions.Count == 0)
        {
            var offset = zone.GetUtcOffset(starts);
            foreach (var line in Observance("STANDARD", new DateTime(1970, 1, 1), offset, offset, zone.StandardName))
                yield return line;
        }
        foreach (var (at, before, after) in transitions)
        {
            var daylight = zone.IsDaylightSavingTime(at);
            var localStart = at.UtcDateTime + before;
            foreach (
                var line in Observance(
                    daylight ? "DAYLIGHT" : "STANDARD",
                    localStart,
                    before,
                    after,
                    daylight ? zone.DaylightName : zone.StandardName
                )
            )
                yield return line;
        }
        yield return "END:VTIMEZONE";
    }

    private static IEnumerable<string> Observance(
        string kind,
        DateTime localStart,
        TimeSpan from,
        TimeSpan to,
        string name
    )
    {
        yield return $"BEGIN:{kind}";
        yield return $"DTSTART:{Local(localStart)}";
        yield return $"TZOFFSETFROM:{Offset(from)}";
        yield return $"TZOFFSETTO:{Offset(to)}";
        if (!string.IsNullOrWhiteSpace(name))
            yield return $"TZNAME:{Escape(name)}";
        yield return $"END:{kind}";
    }

    /// <summary>Instants where the zone's UTC offset changes: hourly scan, then narrowed to the minute.</summary>
    private static IEnumerable<(DateTimeOffset At, TimeSpan Before, TimeSpan After)> Transitions(
        TimeZoneInfo zone,
        DateTimeOffset from,
        DateTimeOffset to
    )
    {
        var previous = zone.GetUtcOffset(from);
        for (var t = from.AddHours(1); t <= to; t = t.AddHours(1))
        {
            var current = zone.GetUtcOffset(t);
            if (current == previous)
                continue;
            DateTimeOffset low = t.AddHours(-1),
                high = t;
            while (high - low > TimeSpan.FromMinutes(1))
            {
                var middle = low + (high - low) / 2;
                if (zone.GetUtcOffset(middle) == previous)
                    low = middle;
                else
                    high = middle;
            }
            var at = new DateTimeOffset(
                high.UtcDateTime.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute,
                TimeSpan.Zero
            );
            if (zone.GetUtcOffset(at) != current)
                at = at.AddMinutes(1);
            yield return (at, previous, current);
            previous = current;
        }
    }

    private static string UtcStamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset value) => Local(value.DateTime);

    private static string Local(DateTime value) => value.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);

    // DEL is the one control character event text may hold (SafeText refuses the others) and not TEXT in RFC 5545.
    private static string Escape(string text) =>
        text.Replace("\u007F", "")
            .Replace("\\", "\\\\")
            .Replace(";", "\\;")
            .Replace(",", "\\,")
            .Replace("\r\n", "\\n")
            .Replace("\n", "\\n")
            .Replace("\r", "\\n");

    /// <summary>Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character.</summary>
    private static void Fold(StringBuilder output, string line)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                output.Append("\r\n ");
                octets = 1;
                limit = 75;
            }
            output.Append(rune.ToString());
            octets += size;
        }
        output.Append("\r\n");
    }
}
