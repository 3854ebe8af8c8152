using System.Data.Common;
using Community.Identity.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Identity.Tests;

/// <summary>
/// Identity whose database commands a test can step between: <see cref="EraseAfterSkippedJoin"/> erases an address's
/// waitlist entry right after a join's insert skipped it (its account deleted at that moment).
/// </summary>
public sealed class WaitlistRaceFixture : IdentityFixture
{
    public EraseAfterSkippedJoin Eraser { get; } = new();

    public override async Task InitializeAsync()
    {
        Eraser.ConnectionString = () => Resources.DatabaseConnectionString;
        await base.InitializeAsync();
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.ConfigureDbContext<IdentityDbContext>(options => options.AddInterceptors(Eraser));
    }
}

public sealed class EraseAfterSkippedJoin : DbCommandInterceptor
{
    public Func<string> ConnectionString { get; set; } = () => throw new InvalidOperationException("not started");

    /// <summary>The address whose next skipped join has its entry erased; cleared once done.</summary>
    public string? Armed { get; set; }

    public int Erased { get; private set; }

    public override async ValueTask<int> NonQueryExecutedAsync(
        DbCommand command,
        CommandExecutedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        if (
            result == 0
            && Armed is { } email
            && command.CommandText.Contains("INSERT INTO waitlist_entries", StringComparison.Ordinal)
            && command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, email))
        )
        {
            Armed = null;
            await using var connection = new NpgsqlConnection(ConnectionString());
            await connection.OpenAsync(cancellationToken);
            await using var delete = new NpgsqlCommand("DELETE FROM waitlist_entries WHERE email = @email", connection);
            delete.Parameters.AddWithValue("email", email);
            Erased += await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        return result;
    }
}

public sealed class WaitlistRaceTests(WaitlistRaceFixture fx) : IClassFixture<WaitlistRaceFixture>
{
    [Fact]
    public async Task A_listed_address_erased_while_it_joins_again_joins_afresh()
    {
        const string email = "erased-meanwhile@example.com";
        await (await fx.Client.PostJson("/api/v1/waitlist", new { email })).AssertStatus(202);
        await fx.Smtp.WaitForAsync(email);
        var firstSequence = await fx.ScalarAsync<long>(
            "SELECT sequence FROM waitlist_entries WHERE email = @email",
            ("email", email)
        );

        // The second join's insert finds the entry and skips; the entry is erased before the join reads its place.
        fx.Eraser.Armed = email;
        await (await fx.Client.PostJson("/api/v1/waitlist", new { email })).AssertStatus(202);

        Assert.Equal(1, fx.Eraser.Erased);
        var sequence = await fx.ScalarAsync<long>(
            "SELECT sequence FROM waitlist_entries WHERE email = @email",
            ("email", email)
        );
        Assert.True(sequence > firstSequence, "the address was not listed afresh");
        // Mailed as a first join: a new status token for the new entry.
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    fx.Smtp.Messages.Count(m =>
                        m.To.Any(t => t.Contains(email, StringComparison.OrdinalIgnoreCase))
                        && m.Body.Contains("Status token: ", StringComparison.Ordinal)
                    ) == 2
                ),
            "the fresh entry's token was not mailed"
        );
    }
}
