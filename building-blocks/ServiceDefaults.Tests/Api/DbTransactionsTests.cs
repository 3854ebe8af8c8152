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
}
