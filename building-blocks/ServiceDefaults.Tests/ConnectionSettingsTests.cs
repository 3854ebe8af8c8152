using Community.ServiceDefaults.Data;
using Npgsql;

namespace Community.ServiceDefaults.Tests;

/// <summary>What every service's connection string gets unless it says otherwise: prepared statements and no reset on close.</summary>
public sealed class ConnectionSettingsTests
{
    private const string Plain = "Host=db;Database=events;Username=events";

    [Fact]
    public void A_plain_connection_string_prepares_repeated_statements_and_skips_the_reset_on_close()
    {
        var settings = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithStatementReuse(Plain));

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
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
        var settings = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithStatementReuse(Plain + ";" + own));

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }
}
