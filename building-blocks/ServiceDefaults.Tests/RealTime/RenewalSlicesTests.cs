using Community.ServiceDefaults.RealTime;

namespace Community.ServiceDefaults.Tests.RealTime;

public sealed class RenewalSlicesTests
{
    [Theory]
    [InlineData(20, 20, 1000)]
    [InlineData(5, 5, 1000)]
    [InlineData(1, 1, 1000)]
    [InlineData(120, RenewalSlices.MaxSlices, 6000)]
    public void A_period_is_cut_into_about_one_slice_a_second(int periodSeconds, int slices, int tickMs)
    {
        var cut = new RenewalSlices(TimeSpan.FromSeconds(periodSeconds));
        Assert.Equal(slices, cut.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(tickMs), cut.Tick);
    }

    [Fact]
    public void Over_one_period_every_connection_is_renewed_exactly_once_and_no_slice_holds_most_of_them()
    {
        var cut = new RenewalSlices(TimeSpan.FromSeconds(20));
        var connections = Enumerable.Range(0, 5000).Select(_ => Guid.NewGuid().ToString("N")[..22]).ToList();
        // Any run of Count consecutive ticks, from anywhere.
        for (var start = 0L; start < 3 * cut.Count; start += 7)
        {
            var renewals = Enumerable
                .Range(0, cut.Count)
                .SelectMany(t => connections.Where(c => cut.IsDue(c, start + t)))
                .ToList();
            Assert.Equal(connections.Count, renewals.Count);
            Assert.Equal(connections.Count, renewals.Distinct().Count());
        }
        var largest = connections.GroupBy(cut.Of).Max(g => g.Count());
        Assert.InRange(largest, 1, connections.Count / cut.Count * 2);
    }
}
