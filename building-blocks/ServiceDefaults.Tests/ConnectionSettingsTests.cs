using Community.ServiceDefaults.Data;
using Npgsql;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// What every service's connection string gets unless it says otherwise: prepared statements, no reset on close and a
/// pool sized for a database host.
/// </summary>
public sealed class ConnectionSettingsTests
{
    private const string Plain = "Host=db;Database=events;Username=events";

    [Fact]
    public void A_plain_connection_string_prepares_repeated_statements_skips_the_reset_on_close_and_keeps_a_small_pool()
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithConnectionDefaults(Plain));

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(DatabaseSetup.DefaultPoolSize, settings.MaxPoolSize);
        Assert.Equal("db", settings.Host);
        Assert.Equal("events", settings.Database);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("MaxAutoPrepare=8;NoResetOnClose=false", 8, false)]
    [InlineData("max auto prepare=0", 0, true)]
    [InlineData("no reset on close=false", 64, false)]
    [InlineData("Password='Max Auto Prepare=1;No Reset On Close=false'", 64, true)]
    public void What_the_connection_string_sets_itself_wins(string own, int maxAutoPrepare, bool noResetOnClose)
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithConnectionDefaults(Plain + ";" + own));

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }

    [Theory]
    [InlineData("Maximum Pool Size=100", 100)]
    [InlineData("MaxPoolSize=50", 50)]
    [InlineData("maximum pool size=25", 25)]
    [InlineData("Minimum Pool Size=30", 30)]
    [InlineData("Minimum Pool Size=5", DatabaseSetup.DefaultPoolSize)]
    [InlineData("Password='Maximum Pool Size=3'", DatabaseSetup.DefaultPoolSize)]
    public void The_pool_is_what_the_connection_string_asks_and_never_under_its_minimum(string own, int maxPoolSize)
    {
        var connectionString = DatabaseSetup.WithConnectionDefaults(Plain + ";" + own);

        Assert.Equal(maxPoolSize, new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize);
        // Npgsql refuses a pool whose maximum is under its minimum when the data source is built.
        using var dataSource = NpgsqlDataSource.Create(connectionString);
    }
}
