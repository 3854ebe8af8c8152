using NpgsqlTypes;

namespace Community.Messaging.Data;

/// <summary>
/// A titled thread in a group: the thread-only fields of a conversation of kind thread (same id). Its messages are
/// the conversation's; a deleted one stays as a row so its conversation can be refused everywhere.
/// </summary>
public sealed class GroupThread
{
    /// <summary>The full-text search column the database generates from the title.</summary>
    public const string Search = "Search";

    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the thread's ETag.</summary>
    public uint Version { get; set; }
    public Guid GroupId { get; set; }
    public Guid AuthorId { get; set; }
    public string Title { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public DateTimeOffset? PinnedAt { get; set; }
    public Guid? PinnedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public Guid? DeletedBy { get; set; }
}

internal sealed class GroupThreadConfiguration : IEntityTypeConfiguration<GroupThread>
{
    public void Configure(EntityTypeBuilder<GroupThread> e)
    {
        e.HasKey(t => t.Id);
        e.Property(t => t.Version).MapToXmin();
        e.Property<NpgsqlTsVector>(GroupThread.Search)
            .HasComputedColumnSql("to_tsvector('simple', title)", stored: true);
        e.HasIndex([GroupThread.Search], "threads_search").HasMethod("gin").HasFilter("deleted_at IS NULL");
    }
}
