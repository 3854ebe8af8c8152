namespace Community.Social.Feed;

/// <summary>What other features' changes do to the feed, in their own transaction.</summary>
public static class FeedRules
{
    /// <summary>
    /// The news that <paramref name="followerId"/> followed <paramref name="followedId"/> goes with the follow. Run
    /// after deleting the follow row, in that transaction: a UserFollowed handled meanwhile (its consumer locks the
    /// follow) either finds it gone or committed its row before this deletes it.
    /// </summary>
    public static Task FollowEndedAsync(
        SocialDbContext db,
        Guid followerId,
        Guid followedId,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM activities WHERE kind = {ActivityKinds.UserFollowed} AND actor_id = {followerId}
                AND subject_id = {followedId}
            """,
            cancellationToken
        );
}
