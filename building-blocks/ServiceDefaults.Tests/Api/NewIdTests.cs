using Community.ServiceDefaults.Api;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class NewIdTests
{
    [Fact]
    public void Ids_of_one_millisecond_are_version_7_carry_it_and_sort_in_the_order_they_were_made()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 2000).Select(_ => NewId.Next(now)).ToList();
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b1000, id.Variant & 0b1100));
        Assert.All(ids, id => Assert.Equal(now.ToUnixTimeMilliseconds(), Convert.ToInt64(id.ToString("N")[..12], 16)));
        // As PostgreSQL orders uuids (byte by byte): the text form sorts the same way.
        Assert.Equal(ids.Select(i => i.ToString()).Order(StringComparer.Ordinal), ids.Select(i => i.ToString()));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void A_later_millisecond_sorts_after_an_earlier_one()
    {
        var now = DateTimeOffset.UtcNow;
        var earlier = NewId.Next(now);
        var later = NewId.Next(now.AddMilliseconds(1));
        Assert.True(string.CompareOrdinal(earlier.ToString(), later.ToString()) < 0);
    }
}
