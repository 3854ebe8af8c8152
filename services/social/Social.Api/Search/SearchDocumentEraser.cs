using Community.Contracts.Identity;

namespace Community.Social.Search;

/// <summary>A deleted account's search document (user_profiles' trigger removes it too, with the tombstone).</summary>
public sealed class SearchDocumentEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .SearchDocuments.Where(d => d.Kind == SearchKinds.People && d.Id == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
