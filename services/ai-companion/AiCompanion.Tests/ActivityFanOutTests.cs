namespace Community.AiCompanion.Tests;

/// <summary>The companion with a fan-out of 2 per publication.</summary>
public sealed class SmallFanOutFixture : CompanionFixture
{
    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Activity:MaxItemsPerPublication"] = "2";
    }
}

public sealed class ActivityFanOutTests(SmallFanOutFixture fx)
    : ActivityTestsBase(fx),
        IClassFixture<SmallFanOutFixture>
{
    [Fact]
    public async Task One_publication_reaches_at_most_the_configured_number_of_members_those_sharing_most_first()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["hiking", "chess", "jazz"]);
        var (threeId, _) = await MemberAsync(region, ["hiking", "chess", "jazz"]);
        var (oneId, _) = await MemberAsync(region, ["hiking"]);
        var (twoId, _) = await MemberAsync(region, ["chess", "jazz"]);
        var (alsoOneId, _) = await MemberAsync(region, ["jazz"]);

        await AnnounceAsync(PublicEvent(Guid.NewGuid(), organizerId, region, ["hiking", "chess", "jazz"]));

        Assert.Equal(1L, await ItemsAsync(threeId));
        Assert.Equal(1L, await ItemsAsync(twoId));
        Assert.Equal(0L, await ItemsAsync(oneId));
        Assert.Equal(0L, await ItemsAsync(alsoOneId));
    }
}
