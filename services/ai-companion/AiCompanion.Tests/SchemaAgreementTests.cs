using Community.AiCompanion.Data;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The EF model and the schema the SQL migrations built agree: tables, columns, types, nullability, indexes.
/// </summary>
public sealed class SchemaAgreementTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    [Fact]
    public async Task The_model_and_the_migrations_agree()
    {
        var differences = await SchemaAgreement.DifferencesAsync<CompanionDbContext>(
            fixture.Host.Services,
            fixture.Resources.DatabaseConnectionString
        );
        Assert.Empty(differences);
    }
}
