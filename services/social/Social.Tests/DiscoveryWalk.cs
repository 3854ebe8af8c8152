namespace Community.Social.Tests;

/// <summary>Discovery walked page by page, as the fast paths' tests compare it with the general query.</summary>
internal static class DiscoveryWalk
{
    /// <summary>Every page of <paramref name="query"/> by cursor: (user, boosted, score) in the order given.</summary>
    public static async Task<List<(string User, bool Boosted, int Score)>> WalkDiscoveryAsync(
        this SocialFixture fx,
        string query,
        string token
    )
    {
        var rows = new List<(string, bool, int)>();
        string? cursor = null;
        do
        {
            var page = await (
                await fx.Client.Get(query + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), token)
            ).AssertStatus(200);
            rows.AddRange(
                page["items"]!
                    .AsArray()
                    .Select(i =>
                        (
                            i!["user_id"]!.GetValue<string>(),
                            i["is_boosted"]!.GetValue<bool>(),
                            i["compatibility_score"]!.GetValue<int>()
                        )
                    )
            );
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null && rows.Count < 500);
        return rows;
    }
}
