using System.ComponentModel;
using System.Globalization;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// One page of a catalogue: <c>items, total, page, pages, limit, total_is_estimate, next_cursor</c>. The total is exact
/// unless <c>total_is_estimate</c> (see <see cref="CountedTotal"/>); <c>next_cursor</c> reads the next page by keyset,
/// null on the last.
/// </summary>
public sealed record PageOf<T>(
    IReadOnlyList<T> Items,
    [property: Description(PagingDocs.Total)] int Total,
    [property: Description("This page's number (from 1), also when it was read by cursor.")] int Page,
    [property: Description("Pages of limit rows in total; an estimate when total_is_estimate is.")] int Pages,
    int Limit,
    [property: Description(PagingDocs.TotalIsEstimate)] bool TotalIsEstimate = false,
    [property: Description(PagingDocs.NextCursor)] string? NextCursor = null
);

/// <summary>
/// The paging rules as the OpenAPI document states them: on the members of a page (attribute arguments, hence
/// constants), and on page and cursor (<see cref="PagingParameterDocs"/>).
/// </summary>
public static class PagingDocs
{
    public const string Page =
        "Page number from 1 (numbered paging). A page with more than 10,000 rows before it ((page - 1) x limit; as far "
        + "as totals are exact) is a 400: follow next_cursor instead. Not with cursor.";
    public const string Cursor =
        "The next_cursor of the previous page: the next page by keyset, as fast at any depth, with the "
        + "same rows as the numbered page. "
        + "Not with page; send the limit the cursor's page was read with (its pages are numbered in it); a cursor "
        + "not in the form this list gives out is a 400.";
    public const string KeysetCursor =
        "The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form "
        + "this list gives out is a 400.";
    public const string Total =
        "Rows matching the query: counted exactly up to a threshold (10,000 unless configured); above it, the database "
        + "planner's estimate, never below the threshold + 1.";
    public const string TotalIsEstimate =
        "True when total (and so pages) is the planner's estimate rather than an exact count.";
    public const string NextCursor = "Pass as cursor to read the next page; null on the last page.";
}

/// <summary>
/// A list's total: exact up to a threshold, above it the planner's estimate (never below the threshold + 1).
/// </summary>
public readonly record struct CountedTotal(int Count, bool IsEstimate)
{
    /// <summary>Up to this many rows a list counts them exactly; above, it answers the planner's estimate.</summary>
    public const int DefaultExactUpTo = 10_000;
}

/// <summary>A validated <c>page</c>/<c>limit</c> pair: page from 1, limit 1-<see cref="MaxLimit"/>.</summary>
public readonly record struct PageRequest(int Page, int Limit)
{
    public const int MaxLimit = 100;

    /// <summary>
    /// The deepest OFFSET a numbered page may ask for: as far as a list's total is exact by default. Past it the total,
    /// and so the page numbers, are estimates, and OFFSET walks every row before the page (bench/README.md); a cursor
    /// reads any depth as fast as page 1.
    /// </summary>
    public const long MaxOffset = CountedTotal.DefaultExactUpTo;

    /// <summary>Rows before this page, in 64 bits: page 2147483647 must not wrap into a negative OFFSET.</summary>
    public long Offset => ((long)Page - 1) * Limit;

    /// <summary>
    /// The page asked for; a bad one is added to <paramref name="errors"/> (and page 1 of the default size stands in).
    /// One past the deepest offset is refused with the ways further: the list's cursor, or its filters.
    /// </summary>
    public static PageRequest Read(int? page, int? limit, int defaultLimit, ValidationErrors errors)
    {
        var p = page ?? 1;
        var valid = p >= 1;
        if (!valid)
            errors.Add("page", "page starts at 1.");
        var l = ReadLimit(limit, defaultLimit, errors);
        if (valid && ((long)p - 1) * l > MaxOffset)
        {
            errors.Add(
                "page",
                $"page {p} starts past the first {MaxOffset} results; read further with cursor (each page's "
                    + "next_cursor), or narrow the query with its filters."
            );
            valid = false;
        }
        return valid ? new(p, l) : new(1, defaultLimit);
    }

    /// <summary>
    /// A page size alone (1-<see cref="MaxLimit"/>); a bad one is added to <paramref name="errors"/> and the default
    /// stands in.
    /// </summary>
    public static int ReadLimit(int? limit, int defaultLimit, ValidationErrors errors)
    {
        var size = limit ?? defaultLimit;
        if (size is >= 1 and <= MaxLimit)
            return size;
        errors.Add("limit", $"limit must be 1-{MaxLimit}.");
        return defaultLimit;
    }

    /// <summary>
    /// The page with a bounded total, cut from up to <see cref="Keyset.Probe"/> rows: a next cursor when more rows
    /// followed.
    /// </summary>
    public PageOf<TItem> Of<TRow, TItem>(
        IReadOnlyList<TRow> rows,
        CountedTotal total,
        Func<TRow, string> positionOf,
        Func<TRow, TItem> map
    )
    {
        var next = rows.Count > Limit ? NumberedCursor.Encode(Page + 1, Limit, positionOf(rows[Limit - 1])) : null;
        return new(
            rows.Take(Limit).Select(map).ToList(),
            total.Count,
            Page,
            (int)(((long)total.Count + Limit - 1) / Limit),
            Limit,
            total.IsEstimate,
            next
        );
    }
}

/// <summary>
/// Where a numbered list's page starts: an offset (<c>page</c>) or, with <c>cursor</c>, just after a keyset position.
/// </summary>
public readonly record struct PageStart<TPosition>(PageRequest Page, TPosition? After)
    where TPosition : struct;

/// <summary>
/// Keyset cursors of numbered lists: the page number they lead to, the page size it is numbered in and the position of
/// the last row shown, so a cursor page answers the same <c>page</c> as the offset page with the same rows. Read with
/// <see cref="Read{TPosition}"/>.
/// </summary>
public static class NumberedCursor
{
    public const string PageAndCursor = "Send either page or cursor, not both.";

    /// <summary>
    /// Whether cursors given out carry their page size ("page:limit~position"). Not yet: pods of the release before
    /// this one read only "page~position" and would answer a 400 to the new form while a rolling deploy runs both.
    /// This release reads both forms; the next turns this on, and from then on another limit is refused.
    /// </summary>
    public static readonly bool WritesPageSize = false;

    public static string Encode(int page, int limit, string position)
    {
        var number = page.ToString(CultureInfo.InvariantCulture);
        return OpaqueCursor.Encode(
            WritesPageSize
                ? $"{number}:{limit.ToString(CultureInfo.InvariantCulture)}~{position}"
                : $"{number}~{position}"
        );
    }

    /// <summary>
    /// The page asked for: by number (offset, capped at <see cref="PageRequest.MaxOffset"/>) or by cursor (any depth);
    /// a cursor not in the form of this list's, or one sent with page, is added to <paramref name="errors"/>.
    /// </summary>
    public static PageStart<TPosition> Read<TPosition>(
        int? page,
        int? limit,
        string? cursor,
        int defaultLimit,
        Func<string, TPosition?> parse,
        ValidationErrors errors
    )
        where TPosition : struct
    {
        if (cursor is null)
            return new(PageRequest.Read(page, limit, defaultLimit, errors), null);
        var size = PageRequest.ReadLimit(limit, defaultLimit, errors);
        if (page is not null)
        {
            errors.Add("cursor", PageAndCursor);
            return new(new(1, size), null);
        }
        var text = OpaqueCursor.Decode(cursor);
        var separator = text?.IndexOf('~') ?? -1;
        // "page:limit~position"; a cursor from before the page size was in it ("page~position") takes limit as sent.
        var numbers = separator > 0 ? text![..separator].Split(':') : [];
        var numberedIn = 0;
        if (
            numbers.Length is 1 or 2
            && int.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number is >= 2 and < int.MaxValue
            && (
                numbers.Length == 1
                || int.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out numberedIn)
                    && numberedIn is >= 1 and <= PageRequest.MaxLimit
            )
            && parse(text![(separator + 1)..]) is { } position
        )
        {
            // The page size its page number counts in: page 3 of 10 rows a page is not page 3 of 50, whose rows would
            // skip or repeat the numbered pages'. Another limit is refused; none sent takes the cursor's.
            if (numberedIn == 0 || limit is null || limit == numberedIn)
                return new(new(number, numberedIn == 0 ? size : numberedIn), position);
            errors.Add(
                "limit",
                $"This cursor numbers pages of {numberedIn} results: send limit={numberedIn}, or no limit, with it."
            );
            return new(new(1, size), null);
        }
        errors.Add("cursor", Keyset.MalformedCursor);
        return new(new(1, size), null);
    }
}

/// <summary>
/// The text of a keyset position that is a number and then an id: <c>number.guid</c>, the number in digits only.
/// </summary>
public static class NumberAndId
{
    public static string Format(long number, Guid id) => $"{number.ToString(CultureInfo.InvariantCulture)}.{id:N}";

    /// <summary>
    /// False unless <paramref name="position"/> is a number from 0 to <paramref name="max"/>, a dot and an id.
    /// </summary>
    public static bool TryParse(string position, long max, out long number, out Guid id)
    {
        id = default;
        number = 0;
        var parts = position.Split('.');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number <= max
            && Guid.TryParseExact(parts[1], "N", out id);
    }
}

/// <summary>
/// A keyset position of a list ordered by a time and then an id, exact to the tick: <c>ticks.guid</c> in a cursor.
/// </summary>
public readonly record struct TimeAndId(DateTimeOffset At, Guid Id)
{
    public override string ToString() => NumberAndId.Format(At.UtcTicks, Id);

    public static string Format(DateTimeOffset at, Guid id) => new TimeAndId(at, id).ToString();

    public static TimeAndId? Parse(string position) =>
        NumberAndId.TryParse(position, DateTimeOffset.MaxValue.UtcTicks, out var ticks, out var id)
            ? new(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
}

public static class PagingExtensions
{
    /// <summary>
    /// The rows of <paramref name="page"/> and one more, which only says whether a next page (and cursor) exists; a
    /// page beyond any int-counted total reads nothing instead of overflowing Skip.
    /// </summary>
    public static IQueryable<T> ProbePageBy<T>(this IQueryable<T> query, PageRequest page) =>
        page.Offset > int.MaxValue ? query.Take(0) : query.Skip((int)page.Offset).Take(Keyset.Probe(page.Limit));

    /// <summary>
    /// The rows of a page that starts at <paramref name="start"/>: after its cursor position, or at its offset; plus
    /// one probe row.
    /// </summary>
    public static IQueryable<T> ProbePageBy<T, TPosition>(
        this IQueryable<T> query,
        PageStart<TPosition> start,
        Func<IQueryable<T>, TPosition, IQueryable<T>> after
    )
        where TPosition : struct =>
        start.After is { } position
            ? after(query, position).Take(Keyset.Probe(start.Page.Limit))
            : query.ProbePageBy(start.Page);
}

/// <summary>
/// One page of a timeline (keyset paging): <c>items, next_cursor</c>; no next cursor on the last page.
/// </summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Keyset paging: a validated limit, the decoded cursor, and the page cut from limit + 1 rows.</summary>
public static class Keyset
{
    public const int DefaultLimit = 20;
    public const string MalformedCursor = "cursor is not one this API gave out.";

    /// <summary>The page size; a bad one is added to <paramref name="errors"/>.</summary>
    public static int Limit(int? limit, ValidationErrors errors, int defaultLimit = DefaultLimit) =>
        PageRequest.ReadLimit(limit, defaultLimit, errors);

    /// <summary>
    /// The position after which the page starts (null: from the top); a cursor <paramref name="parse"/> refuses is
    /// added to <paramref name="errors"/>.
    /// </summary>
    public static T? After<T>(string? cursor, Func<string, T?> parse, ValidationErrors errors)
        where T : struct
    {
        if (cursor is null)
            return null;
        var position = OpaqueCursor.Decode(cursor) is { } text ? parse(text) : null;
        if (position is null)
            errors.Add("cursor", MalformedCursor);
        return position;
    }

    /// <summary>Query <paramref name="limit"/> + 1 rows: the extra one only says whether a next page exists.</summary>
    public static int Probe(int limit) => limit + 1;

    /// <summary>
    /// The first <paramref name="limit"/> rows, and a cursor at the last of them when more rows followed.
    /// </summary>
    public static CursorPage<TItem> Page<TRow, TItem>(
        IReadOnlyList<TRow> rows,
        int limit,
        Func<TRow, string> positionOf,
        Func<TRow, TItem> map
    )
    {
        var next = rows.Count > limit ? OpaqueCursor.Encode(positionOf(rows[limit - 1])) : null;
        return new(rows.Take(limit).Select(map).ToList(), next);
    }
}
