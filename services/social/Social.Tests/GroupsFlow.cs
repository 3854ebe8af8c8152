namespace Community.Social.Tests;

/// <summary>Creating and joining groups in tests.</summary>
public static class GroupsFlow
{
    public static async Task<string> CreateAsync(
        SocialFixture fx,
        string token,
        string? name = null,
        string visibility = "public",
        string policy = "open",
        string[]? tags = null,
        string? region = null,
        string? category = null,
        string? interest = null,
        long priceCents = 0,
        string? currency = null
    )
    {
        var body = new
        {
            name = name ?? "Group " + Guid.NewGuid().ToString("N")[..8],
            visibility,
            join_policy = policy,
            tags = tags ?? [],
            region,
            category,
            interest,
            price_cents = priceCents,
            currency,
        };
        return (await (await fx.Client.PostJson("/api/v1/groups", body, token)).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
    }

    /// <summary>Joins an open group as the holder of <paramref name="token"/>: a member at once (201).</summary>
    public static async Task JoinAsync(SocialFixture fx, string group, string token) =>
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(201);

    /// <summary>The rows that make <paramref name="userId"/> a member of the group, as committed: 0 or 1.</summary>
    public static Task<long> MemberRowsAsync(SocialFixture fx, string group, Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM group_members WHERE group_id = @g AND user_id = @u",
            ("g", Guid.Parse(group)),
            ("u", userId)
        );
}
