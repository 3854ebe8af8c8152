using Community.ServiceDefaults.Errors;
using Community.Social.Users;

namespace Community.Social.Connections;

/// <summary>Who may act on a connection: its two people only; anyone else gets 404, as if it did not exist.</summary>
public static class ConnectionAccess
{
    private const string NoSuchConnection = "No connection or request has this id.";

    /// <summary>
    /// The pair's lock of connection <paramref name="id"/>, before its row's, as a request and a block take them: a
    /// block committed meanwhile has deleted it (404), and a change after this one commits later, with the later time.
    /// </summary>
    public static async Task LockPairOfAsync(SocialDbContext db, Guid id, CancellationToken cancellationToken)
    {
        if (
            await db
                .Connections.Where(c => c.Id == id)
                .Select(c => new { c.RequesterId, c.AddresseeId })
                .FirstOrDefaultAsync(cancellationToken) is
            { } pair
        )
            await ProfileAccess.LockPairAsync(db, pair.RequesterId, pair.AddresseeId, cancellationToken);
    }

    /// <summary>The connection of <paramref name="callerId"/>, locked for the change.</summary>
    public static async Task<Connection> OfAsync(
        SocialDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        var c = await db
            .Connections.FromSql($"SELECT * FROM connections WHERE id = {id} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (c is null || !c.Involves(callerId))
            throw new NotFoundException(NoSuchConnection);
        return c;
    }

    /// <summary>
    /// A request made to <paramref name="callerId"/>; its requester may withdraw it but not answer it (403).
    /// </summary>
    public static async Task<Connection> AddressedToAsync(
        SocialDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        var c = await OfAsync(db, id, callerId, cancellationToken);
        if (c.AddresseeId != callerId)
            throw new ForbiddenException("Only the person asked may answer a request.");
        return c;
    }
}
