using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// What semantic search finds: a person, group or event, its text and that text's embedding. People and groups are
/// kept by triggers on their tables (migration 0020), events by the search consumers of events' messages. The text
/// is stale while <see cref="EmbeddedRevision"/> is behind <see cref="Revision"/>; the embedding worker catches up.
/// </summary>
public sealed class SearchDocument
{
    /// <summary>One of <see cref="SearchKinds.All"/>.</summary>
    public string Kind { get; set; } = "";
    public Guid Id { get; set; }

    /// <summary>Who a block applies to: the person, the group's owner, the event's organizer.</summary>
    public Guid? OwnerId { get; set; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";

    /// <summary>A public group or event; others are shown to members (groups) or the organizer (events) only.</summary>
    public bool IsPublic { get; set; }
    public bool Cancelled { get; set; }
    public long Revision { get; set; }
    public long? EmbeddedRevision { get; set; }

    /// <summary>Unit length, <c>Social:Embeddings:Dimensions</c> long (at most 100: cube's limit).</summary>
    public float[]? Embedding { get; set; }
    public int Attempts { get; set; }

    /// <summary>From search_documents_embedded_seq each time the embedding is stored or withdrawn.</summary>
    public long? EmbeddedSeq { get; set; }

    /// <summary>A worker's claim until then, or the next try after a failure.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary><c>OccurredAt</c> of the newest event message applied (events only).</summary>
    public DateTimeOffset? AsOf { get; set; }
}

public static class SearchKinds
{
    public const string People = "people";
    public const string Groups = "groups";
    public const string Events = "events";

    public static readonly IReadOnlyList<string> All = [People, Groups, Events];
}

internal sealed class SearchDocumentConfiguration : IEntityTypeConfiguration<SearchDocument>
{
    public void Configure(EntityTypeBuilder<SearchDocument> e)
    {
        e.HasKey(d => new { d.Kind, d.Id });
        e.HasIndex(d => d.RetryAt)
            .HasFilter("embedded_revision IS DISTINCT FROM revision")
            .HasDatabaseName("search_documents_stale");
        e.HasIndex(d => d.EmbeddedSeq).HasDatabaseName("search_documents_changes");
    }
}
