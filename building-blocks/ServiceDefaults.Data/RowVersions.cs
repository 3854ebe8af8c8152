using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// A row's version for ETag and If-Match: PostgreSQL's <c>xmin</c>, which changes with every write of the row.
/// </summary>
public static class RowVersions
{
    public const string Column = "xmin";

    /// <summary>
    /// Maps the property to the row's <c>xmin</c>: read back after every insert and update, never written.
    /// </summary>
    public static PropertyBuilder<uint> MapToXmin(this PropertyBuilder<uint> property)
    {
        property.HasColumnName(Column).HasColumnType("xid").ValueGeneratedOnAddOrUpdate();
        property.Metadata.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
        property.Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        return property;
    }

    /// <summary>
    /// Inside the update's transaction, before the row is read: with an If-Match (other than <c>*</c>), locks the row
    /// of
    /// <typeparamref name="TEntity"/> with key <paramref name="key"/> and refuses with 412 unless If-Match names its
    /// current version, so nothing changes it between the check and the commit. Without If-Match, or with no such row,
    /// it does nothing.
    /// </summary>
    public static async Task CheckIfMatchAsync<TEntity>(
        this DbContext db,
        HttpRequest request,
        object key,
        CancellationToken cancellationToken
    )
    {
        if (EntityTag.IfMatch(request) is null)
            return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException(
                "If-Match is checked inside the update's transaction (the row stays locked)."
            );
        var entity =
            db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity)} is not mapped.");
        var keyColumn = entity.FindPrimaryKey()!.Properties.Single().GetColumnName();
        var sql = string.Concat(
            "SELECT xmin::text::bigint AS \"Value\" FROM \"",
            entity.GetTableName(),
            "\" WHERE \"",
            keyColumn,
            "\" = {0} FOR UPDATE"
        );
        var versions = await db.Database.SqlQueryRaw<long>(sql, key).ToListAsync(cancellationToken);
        if (versions.Count > 0)
            EntityTag.Check(request, (uint)versions[0]);
    }

    /// <summary>
    /// For an update that runs without a transaction of its own: with an If-Match (other than <c>*</c>), opens one,
    /// locks and checks the row as <see cref="CheckIfMatchAsync{TEntity}"/> does and answers it for the caller to
    /// commit after its save; without If-Match, null, and the update runs exactly as before.
    /// </summary>
    public static async Task<IDbContextTransaction?> BeginIfMatchAsync<TEntity>(
        this DbContext db,
        HttpRequest request,
        object key,
        CancellationToken cancellationToken
    )
    {
        if (EntityTag.IfMatch(request) is null)
            return null;
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.CheckIfMatchAsync<TEntity>(request, key, cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}
