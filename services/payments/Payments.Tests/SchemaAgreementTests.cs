using Community.Payments.Data;

namespace Community.Payments.Tests;

/// <summary>The EF model states the schema the SQL migrations build: tables, columns, types, indexes.</summary>
public sealed class SchemaAgreementTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task The_model_states_the_schema_the_migrations_build()
    {
        var differences = await SchemaAgreement.DifferencesAsync<PaymentsDbContext>(
            fx.Host.Services,
            fx.Resources.DatabaseConnectionString
        );
        Assert.Empty(differences);
    }
}
