namespace Community.Events.Tests;

public sealed class SmokeTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task An_organizer_creates_publishes_and_a_member_registers()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 2);
        Assert.Equal("published", e["status"]!.GetValue<string>());
        var (_, member) = fx.Member();
        var registration = await (
            await fx.Client.PostJson($"/api/v1/events/{e["id"]}/registrations", new { }, member)
        ).AssertStatus(201);
        Assert.Equal("confirmed", registration["status"]!.GetValue<string>());
        Assert.Matches("^EVT-[A-Z2-7]{10}$", registration["ticket_code"]!.GetValue<string>());
        var details = await (await fx.Client.Get($"/api/v1/events/{e["id"]}", member)).AssertStatus(200);
        Assert.True(details["is_registered"]!.GetValue<bool>());
        Assert.Equal(1, details["spots_remaining"]!.GetValue<int>());
        var list = await (await fx.Client.Get("/api/v1/events?city=berlin")).AssertStatus(200);
        Assert.Equal(1, list["total"]!.GetValue<int>());
        var nearby = await (await fx.Client.Get("/api/v1/events/nearby?lat=52.52&lon=13.41&radius_km=5")).AssertStatus(
            200
        );
        Assert.Single(nearby["items"]!.AsArray());
        var ics = await fx.Client.GetStringAsync($"/api/v1/events/{e["id"]}.ics");
        Assert.Contains("DTSTART;TZID=Europe/Berlin:", ics);
    }
}
