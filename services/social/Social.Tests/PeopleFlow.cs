namespace Community.Social.Tests;

/// <summary>Relations between people in tests, made through the API as members make them.</summary>
public static class PeopleFlow
{
    /// <summary><paramref name="from"/> asks <paramref name="toId"/> to connect, and they accept.</summary>
    public static async Task ConnectAsync(SocialFixture fx, string from, string to, Guid toId)
    {
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = toId }, from)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/connections/{request["id"]!.GetValue<string>()}/accept", new { }, to)
        ).AssertStatus(200);
    }

    public static async Task BlockAsync(SocialFixture fx, string by, Guid whom) =>
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{whom}", null, by)).AssertStatus(204);
}
