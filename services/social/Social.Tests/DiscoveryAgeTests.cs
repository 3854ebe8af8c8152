using Community.Social.Profiles;

namespace Community.Social.Tests;

/// <summary>The age filters and the age shown agree, for people born on 29 February too.</summary>
public sealed class DiscoveryAgeTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Born_on_29_February_they_are_filtered_by_the_age_they_are_shown_with_on_28_February()
    {
        // Noon on the next 28 February of a common year: the day a 29 February birthday is kept.
        var now = fx.Clock.GetUtcNow();
        var year = now.Year + 1;
        while (DateTime.IsLeapYear(year))
            year++;
        fx.Clock.Advance(new DateTimeOffset(year, 2, 28, 12, 0, 0, TimeSpan.Zero) - now);
        var born = new DateOnly(year - 18, 1, 1);
        while (!DateTime.IsLeapYear(born.Year))
            born = born.AddYears(-1);
        born = new DateOnly(born.Year, 2, 29);
        var age = year - born.Year;

        var region = "Leap " + Guid.NewGuid().ToString("N")[..8];
        var (meId, _, _) = await fx.RegisteredAsync(region: region);
        var premium = fx.Tokens.Issue(meId, Roles.Member, Tiers.Premium);
        var (leapId, _, _) = await fx.RegisteredAsync(region: region, born: born);
        var (olderId, _, _) = await fx.RegisteredAsync(region: region, born: born.AddDays(-1));
        var (youngerId, _, _) = await fx.RegisteredAsync(region: region, born: born.AddDays(1));
        async Task<List<(Guid Id, int Age)>> FoundAsync(string ages) =>
            (
                await (
                    await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}&{ages}", premium)
                ).AssertStatus(200)
            )["items"]!
                .AsArray()
                .Select(i => (Guid.Parse(i!["user_id"]!.GetValue<string>()), i["age"]!.GetValue<int>()))
                .OrderBy(i => i.Item2)
                .ThenBy(i => i.Item1)
                .ToList();

        var shown = await FoundAsync($"age_min={age - 1}&age_max={age}");
        Assert.Equal(age, shown.Single(i => i.Id == leapId).Age);
        Assert.Equal(age, shown.Single(i => i.Id == olderId).Age);
        Assert.Equal(age - 1, shown.Single(i => i.Id == youngerId).Age);
        Assert.Equal(new[] { (leapId, age), (olderId, age) }.OrderBy(i => i.Item1), await FoundAsync($"age_min={age}"));
        Assert.Equal([(youngerId, age - 1)], await FoundAsync($"age_max={age - 1}"));
    }

    [Fact]
    public void Each_age_bound_is_the_last_birth_date_of_that_age()
    {
        for (var today = new DateOnly(2023, 1, 1); today < new DateOnly(2029, 1, 1); today = today.AddDays(1))
            foreach (var age in new[] { 13, 17, 18, 19, 20, 120 })
            {
                var last = ProfileDto.LastBornAged(age, today);
                Assert.True(ProfileDto.AgeOn(last, today) >= age);
                Assert.True(ProfileDto.AgeOn(last.AddDays(1), today) < age);
            }
    }
}
