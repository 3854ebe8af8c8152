using System.Data;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class DbTransactionsTests : IAsyncLifetime
{
    private sealed class Note
    {
        public int Id { get; set; }
        public string Text { get; set; } = "";
    }

    private sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
    {
        public DbSet<Note> Notes => Set<Note>();
    }

    private readonly string _database = $"t_dbtransactions_{Environment.ProcessId}_{Guid.NewGuid():N}"[..50];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await (await TestInfrastructure.PostgresAsync()).CreateDatabaseAsync(_database);
        await using var db = Context();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await (await TestInfrastructure.PostgresAsync()).DropDatabaseAsync(_database);

    private NotesContext Context() =>
        new(new DbContextOptionsBuilder<NotesContext>().UseNpgsql(_connectionString).Options);

    private async Task<int> CountAsync()
    {
        await using var db = Context();
        return await db.Notes.CountAsync();
    }

    [Fact]
    public async Task Without_a_transaction_it_opens_saves_and_commits_one()
    {
        await using var db = Context();
        var id = await db.InTransactionAsync(
            async _ =>
            {
                Assert.NotNull(db.Database.CurrentTransaction);
                var note = new Note { Text = "own" };
                db.Notes.Add(note);
                return await Task.FromResult(note);
            },
            CancellationToken.None
        );
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal(1, await CountAsync());
        Assert.True(id.Id > 0);
    }

    [Fact]
    public async Task Inside_the_callers_transaction_it_saves_but_leaves_the_commit_to_the_caller()
    {
        await using var db = Context();
        var before = await CountAsync();
        await using (var outer = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            await db.InTransactionAsync(
                _ =>
                {
                    Assert.Same(outer, db.Database.CurrentTransaction);
                    db.Notes.Add(new Note { Text = "joined" });
                    return Task.FromResult(0);
                },
                CancellationToken.None
            );
            Assert.Same(outer, db.Database.CurrentTransaction);
            Assert.Equal(before, await CountAsync()); // saved, not yet visible outside
            await outer.RollbackAsync(CancellationToken.None);
        }
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_failure_in_its_own_transaction_rolls_back()
    {
        await using var db = Context();
        var before = await CountAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            db.InTransactionAsync<int>(
                async _ =>
                {
                    db.Notes.Add(new Note { Text = "lost" });
                    await db.SaveChangesAsync();
                    throw new InvalidOperationException("refused");
                },
                CancellationToken.None
            )
        );
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal(before, await CountAsync());
    }

    private async Task AddElsewhereAsync(string text)
    {
        await using var other = Context();
        other.Notes.Add(new Note { Text = text });
        await other.SaveChangesAsync();
    }

    [Fact]
    public async Task A_snapshot_does_not_see_what_commits_between_its_reads()
    {
        await AddElsewhereAsync("before");
        await using var db = Context();
        var (first, second) = await db.InSnapshotAsync(
            async () =>
            {
                var first = await db.Notes.CountAsync();
                await AddElsewhereAsync("between");
                return (first, await db.Notes.CountAsync());
            },
            CancellationToken.None
        );
        Assert.Equal(first, second);
        Assert.Null(db.Database.CurrentTransaction);
        Assert.Equal(first + 1, await db.Notes.CountAsync());
    }

    [Fact]
    public async Task A_total_and_its_page_agree_when_a_row_commits_between_them()
    {
        await AddElsewhereAsync("one");
        await AddElsewhereAsync("two");
        await using var db = Context();
        var (total, rows) = await db.TotalAndPageAsync(
            db.Notes.AsNoTracking(),
            threshold: 1000,
            async listed =>
            {
                await AddElsewhereAsync("between");
                return await listed.OrderBy(n => n.Id).ToListAsync();
            },
            CancellationToken.None
        );
        Assert.Equal(new CountedTotal(2, false), total);
        Assert.Equal(["one", "two"], rows.Select(n => n.Text));
    }

    [Fact]
    public async Task A_snapshot_inside_a_read_committed_transaction_is_refused_and_inside_repeatable_read_joins_it()
    {
        await using var db = Context();
        await using (await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                db.InSnapshotAsync(() => db.Notes.CountAsync(), CancellationToken.None)
            );
            Assert.Contains("RepeatableRead", refused.Message);
        }
        await using (await db.Database.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() =>
                db.InSnapshotAsync(() => db.Notes.CountAsync(), CancellationToken.None)
            );
        }
        await using var outer = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var count = await db.InSnapshotAsync(
            async () =>
            {
                Assert.Same(outer, db.Database.CurrentTransaction);
                return await db.Notes.CountAsync();
            },
            CancellationToken.None
        );
        Assert.Same(outer, db.Database.CurrentTransaction);
        Assert.Equal(await db.Notes.CountAsync(), count);
    }
}
