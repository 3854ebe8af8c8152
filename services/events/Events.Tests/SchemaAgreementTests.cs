using Community.Events.Data;

namespace Community.Events.Tests;

/// <summary>The EF model and the schema the SQL migrations build agree: every table, column and index.</summary>
public sealed class SchemaAgreementTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task The_model_and_the_migrations_agree() =>
        Assert.Empty(
            await SchemaAgreement.DifferencesAsync<EventsDbContext>(
                fx.Host.Services,
                fx.Resources.DatabaseConnectionString
            )
        );
}
