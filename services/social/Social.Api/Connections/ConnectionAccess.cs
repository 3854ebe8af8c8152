using Community.ServiceDefaults.Errors;
using Community.Social.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Connections;

/// <summary>Who may act on a connection: its two people only; anyone else gets 404, as if it did not exist.</summary>
public static class ConnectionAccess
{
    private const string NoSuchConnection = "No connection or request has this id.";

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

    /// <summary>A request made to <paramref name="callerId"/>; its requester may withdraw it but not answer it (403).</summary>
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

    /// <summary>The compatibility score of the caller with each of <paramref name="others"/>.</summary>
    public static async Task<Dictionary<Guid, int>> ScoresAsync(
        SocialDbContext db,
        Guid callerId,
        IReadOnlyList<Guid> others,
        CancellationToken cancellationToken
    )
    {
        if (others.Count == 0)
            return [];
        var ids = others.ToArray();
        var rows = await db
            .Database.SqlQuery<ScoreRow>(
                $"""
                SELECT o AS user_id, COALESCE(compatibility_score({callerId}, o), 0) AS score FROM unnest({ids}) AS o
                """
            )
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.UserId, r => r.Score);
    }

    private sealed record ScoreRow(Guid UserId, int Score);
}
