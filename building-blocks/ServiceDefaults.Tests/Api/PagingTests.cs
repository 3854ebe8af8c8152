using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class PagingTests
{
    private sealed class Row
    {
        public int Id { get; set; }
    }

    private sealed class RowsContext(DbContextOptions<RowsContext> options) : DbContext(options)
    {
        public DbSet<Row> Rows => Set<Row>();
    }

    private static IDictionary<string, string[]> Refused(Action<ValidationErrors> validate)
    {
        var errors = new ValidationErrors();
        validate(errors);
        return Assert.Throws<RequestValidationException>(errors.ThrowIfAny).Errors;
    }

    [Theory]
    [InlineData(null, null, 1, 20)]
    [InlineData(3, 100, 3, 100)]
    [InlineData(10_001, 1, 10_001, 1)]
    [InlineData(501, 20, 501, 20)]
    [InlineData(101, 100, 101, 100)]
    public void Valid_pages_and_limits_are_read_with_the_endpoints_default(
        int? page,
        int? limit,
        int expectedPage,
        int expectedLimit
    )
    {
        var errors = new ValidationErrors();
        var request = PageRequest.Read(page, limit, 20, errors);
        Assert.False(errors.Any);
        Assert.Equal(new PageRequest(expectedPage, expectedLimit), request);
    }

    [Theory]
    [InlineData(2147483647, 1)]
    [InlineData(10_002, 1)]
    [InlineData(502, 20)]
    [InlineData(5000, 20)]
    [InlineData(102, 100)]
    public void Pages_past_the_offset_cap_are_refused_with_a_hint(int page, int limit)
    {
        var errors = new ValidationErrors();
        PageRequest.Read(page, limit, 20, errors);
        var error = Assert.Throws<RequestValidationException>(errors.ThrowIfAny);
        Assert.Contains("narrow the query", Assert.Single(error.Errors["page"]));
        Assert.Contains("cursor", Assert.Single(error.Errors["page"]));
    }

    [Theory]
    [InlineData(0, 20, "page", "page starts at 1.")]
    [InlineData(-1, 20, "page", "page starts at 1.")]
    [InlineData(1, 0, "limit", "limit must be 1-100.")]
    [InlineData(1, 101, "limit", "limit must be 1-100.")]
    public void Pages_below_one_and_limits_outside_1_to_100_are_refused(
        int page,
        int limit,
        string field,
        string message
    )
    {
        var errors = Refused(e => PageRequest.Read(page, limit, 20, e));
        Assert.Equal([message], errors[field]);
    }

    [Fact]
    public void The_last_int_page_has_a_positive_64_bit_offset()
    {
        var page = new PageRequest(int.MaxValue, 100);
        Assert.Equal(214748364600L, page.Offset);
    }

    [Fact]
    public void A_page_beyond_any_int_total_reads_nothing_instead_of_overflowing()
    {
        var rows = Enumerable.Range(1, 10).AsQueryable();
        Assert.Empty(rows.ProbePageBy(new PageRequest(int.MaxValue, 20)));
        // the page and the one row after it, which says a next page follows
        Assert.Equal([4, 5, 6, 7], rows.ProbePageBy(new PageRequest(2, 3)));
    }

    [Fact]
    public void The_sql_of_an_overflowing_page_has_no_negative_offset()
    {
        using var db = new RowsContext(new DbContextOptionsBuilder<RowsContext>().UseNpgsql("Host=unused").Options);
        var sql = db.Rows.OrderBy(r => r.Id).ProbePageBy(new PageRequest(int.MaxValue, 20)).ToQueryString();
        Assert.DoesNotContain("-", sql.Replace("--", ""));
        var second = db.Rows.OrderBy(r => r.Id).ProbePageBy(new PageRequest(2, 20)).ToQueryString();
        Assert.Contains("OFFSET", second);
    }

    [Theory]
    [InlineData(0, 20, 0)]
    [InlineData(1, 20, 1)]
    [InlineData(20, 20, 1)]
    [InlineData(21, 20, 2)]
    [InlineData(int.MaxValue, 100, 21474837)]
    public void Pages_count_every_row_without_overflow(int total, int limit, int pages) =>
        Assert.Equal(
            pages,
            new PageRequest(1, limit).Of(Array.Empty<int>(), new CountedTotal(total, false), n => "", n => n).Pages
        );

    [Fact]
    public void A_keyset_page_cuts_the_probe_row_and_points_at_the_last_item()
    {
        var page = Keyset.Page([1L, 2L, 3L], 2, n => $"p{n}", n => n * 10);
        Assert.Equal([10L, 20L], page.Items);
        Assert.Equal("p2", OpaqueCursor.Decode(page.NextCursor!));

        var last = Keyset.Page([1L, 2L], 2, n => $"p{n}", n => n);
        Assert.Null(last.NextCursor);
    }

    [Fact]
    public void A_cursor_round_trips_and_a_malformed_one_is_a_validation_error()
    {
        static long? Parse(string text) => text.StartsWith('p') && long.TryParse(text[1..], out var n) ? n : null;
        var errors = new ValidationErrors();
        Assert.Equal(42L, Keyset.After(OpaqueCursor.Encode("p42"), Parse, errors));
        Assert.Null(Keyset.After(null, Parse, errors));
        Assert.False(errors.Any);

        foreach (var bad in new[] { "not a cursor!", OpaqueCursor.Encode("x42"), OpaqueCursor.Encode("p42") + "x", "" })
            Assert.Equal(["cursor is not one this API gave out."], Refused(e => Keyset.After(bad, Parse, e))["cursor"]);
    }

    [Theory]
    [InlineData(null, 20)]
    [InlineData(1, 1)]
    [InlineData(100, 100)]
    public void Keyset_limits_default_to_20(int? limit, int expected) =>
        Assert.Equal(expected, Keyset.Limit(limit, new ValidationErrors()));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Keyset_limits_outside_1_to_100_are_refused(int limit) =>
        Assert.Equal(["limit must be 1-100."], Refused(e => Keyset.Limit(limit, e))["limit"]);

    [Fact]
    public void A_numbered_page_carries_the_next_pages_cursor_which_reads_past_the_offset_cap()
    {
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero).AddTicks(7);
        var id = Guid.NewGuid();
        var page = new PageRequest(5000, 2).Of(
            [(at, id), (at, id), (at, id)],
            new CountedTotal(20_000, true),
            r => new TimeAndId(r.at, r.id).ToString(),
            r => 1
        );
        Assert.Equal(10_000, page.Pages);
        Assert.True(page.TotalIsEstimate);
        Assert.Equal(2, page.Items.Count);

        var errors = new ValidationErrors();
        var next = NumberedCursor.Read(null, 2, page.NextCursor, 20, TimeAndId.Parse, errors);
        Assert.False(errors.Any);
        Assert.Equal(new PageRequest(5001, 2), next.Page);
        Assert.Equal(new TimeAndId(at, id), next.After);

        Assert.Null(new PageRequest(1, 2).Of([(at, id)], new CountedTotal(1, false), r => "", r => 1).NextCursor);
    }

    [Fact]
    public void A_cursor_keeps_the_page_size_its_page_number_counts_in()
    {
        // The form the next release gives out (NumberedCursor.WritesPageSize), read by this one already.
        var cursor = OpaqueCursor.Encode("3:10~1.0123456789abcdef0123456789abcdef");
        // Without a limit it takes the cursor's; with the same one, the same.
        foreach (var limit in new int?[] { null, 10 })
        {
            var errors = new ValidationErrors();
            var start = NumberedCursor.Read(null, limit, cursor, 20, NumberAndIdPosition, errors);
            Assert.False(errors.Any);
            Assert.Equal(new PageRequest(3, 10), start.Page);
        }
        // Page 3 of 10 a page, read 50 at a time, would be rows 21-70 called page 3: refused, naming the size.
        Assert.Contains(
            "limit=10",
            Refused(e => NumberedCursor.Read(null, 50, cursor, 20, NumberAndIdPosition, e))["limit"].Single()
        );
        // A cursor given out before the size was in it still reads, in the limit sent.
        var errorsOld = new ValidationErrors();
        var old = NumberedCursor.Read(
            null,
            50,
            OpaqueCursor.Encode("3~1.0123456789abcdef0123456789abcdef"),
            20,
            NumberAndIdPosition,
            errorsOld
        );
        Assert.False(errorsOld.Any);
        Assert.Equal(new PageRequest(3, 50), old.Page);
    }

    private static (long, Guid)? NumberAndIdPosition(string position) =>
        NumberAndId.TryParse(position, long.MaxValue, out var number, out var id) ? (number, id) : null;

    [Fact]
    public void A_cursor_with_page_or_one_not_given_out_is_refused()
    {
        Assert.Equal(
            [NumberedCursor.PageAndCursor],
            Refused(e =>
                NumberedCursor.Read(
                    2,
                    null,
                    NumberedCursor.Encode(3, 20, "1.0123456789abcdef0123456789abcdef"),
                    20,
                    TimeAndId.Parse,
                    e
                )
            )["cursor"]
        );
        foreach (
            var bad in new[]
            {
                "",
                "!",
                OpaqueCursor.Encode("3~"),
                OpaqueCursor.Encode("1~1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("x~1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("3~1.0123"),
                OpaqueCursor.Encode("3~-1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("3:0~1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("3:101~1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("3:20:1~1.0123456789abcdef0123456789abcdef"),
                OpaqueCursor.Encode("2147483647:20~1.0123456789abcdef0123456789abcdef"),
            }
        )
            Assert.Equal(
                [Keyset.MalformedCursor],
                Refused(e => NumberedCursor.Read(null, null, bad, 20, TimeAndId.Parse, e))["cursor"]
            );
    }
}
