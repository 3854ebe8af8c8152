using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>One page of a catalogue (numbered pages): <c>items, total, page, pages, limit</c>.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Total, int Page, int Pages, int Limit);

/// <summary>A validated <c>page</c>/<c>limit</c> pair: page from 1, limit 1-<see cref="MaxLimit"/>.</summary>
public readonly record struct PageRequest(int Page, int Limit)
{
    public const int MaxLimit = 100;

    /// <summary>The deepest OFFSET a numbered page may ask for; past it the database would scan for nothing a person reads.</summary>
    public const long MaxOffset = 100_000;

    /// <summary>Rows before this page, in 64 bits: page 2147483647 must not wrap into a negative OFFSET.</summary>
    public long Offset => ((long)Page - 1) * Limit;

    /// <summary>The page asked for; a bad one is added to <paramref name="errors"/> (and page 1 of the default size stands in).</summary>
    public static PageRequest Read(int? page, int? limit, int defaultLimit, ValidationErrors errors)
    {
        var p = page ?? 1;
        var valid = p >= 1;
        if (!valid) errors.Add("page", "page starts at 1.");
        var l = ReadLimit(limit, defaultLimit, errors);
        if (valid && ((long)p - 1) * l > MaxOffset)
        {
            errors.Add("page", $"page {p} starts past the first {MaxOffset} results; narrow the query with its filters (dates, place, interest, text) instead of paging that deep.");
            valid = false;
        }
        return valid ? new(p, l) : new(1, defaultLimit);
    }

    /// <summary>A page size alone (1-<see cref="MaxLimit"/>); a bad one is added to <paramref name="errors"/> and the default stands in.</summary>
    public static int ReadLimit(int? limit, int defaultLimit, ValidationErrors errors)
    {
        var size = limit ?? defaultLimit;
        if (size is >= 1 and <= MaxLimit) return size;
        errors.Add("limit", $"limit must be 1-{MaxLimit}.");
        return defaultLimit;
    }

    public PageOf<T> Of<T>(IReadOnlyList<T> items, int total) =>
        new(items, total, Page, (int)(((long)total + Limit - 1) / Limit), Limit);
}

public static class PagingExtensions
{
    /// <summary>The rows of <paramref name="page"/>; a page beyond any int-counted total reads nothing instead of overflowing Skip.</summary>
    public static IQueryable<T> PageBy<T>(this IQueryable<T> query, PageRequest page) =>
        page.Offset > int.MaxValue ? query.Take(0) : query.Skip((int)page.Offset).Take(page.Limit);
}

/// <summary>One page of a timeline (keyset paging): <c>items, next_cursor</c>; no next cursor on the last page.</summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Keyset paging: a validated limit, the decoded cursor, and the page cut from limit + 1 rows.</summary>
public static class Keyset
{
    public const int DefaultLimit = 20;
    public const string MalformedCursor = "cursor is not one this API gave out.";

    /// <summary>The page size; a bad one is added to <paramref name="errors"/>.</summary>
    public static int Limit(int? limit, ValidationErrors errors, int defaultLimit = DefaultLimit) =>
        PageRequest.ReadLimit(limit, defaultLimit, errors);

    /// <summary>The position after which the page starts (null: from the top); a cursor <paramref name="parse"/> refuses is added to <paramref name="errors"/>.</summary>
    public static T? After<T>(string? cursor, Func<string, T?> parse, ValidationErrors errors) where T : struct
    {
        if (cursor is null) return null;
        var position = OpaqueCursor.Decode(cursor) is { } text ? parse(text) : null;
        if (position is null) errors.Add("cursor", MalformedCursor);
        return position;
    }

    /// <summary>Query <paramref name="limit"/> + 1 rows: the extra one only says whether a next page exists.</summary>
    public static int Probe(int limit) => limit + 1;

    /// <summary>The first <paramref name="limit"/> rows, and a cursor at the last of them when more rows followed.</summary>
    public static CursorPage<TItem> Page<TRow, TItem>(IReadOnlyList<TRow> rows, int limit, Func<TRow, string> positionOf, Func<TRow, TItem> map)
    {
        var next = rows.Count > limit ? OpaqueCursor.Encode(positionOf(rows[limit - 1])) : null;
        return new(rows.Take(limit).Select(map).ToList(), next);
    }
}
