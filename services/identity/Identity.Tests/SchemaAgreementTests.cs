using Community.Identity.Data;

namespace Community.Identity.Tests;

/// <summary>The EF model and the schema the SQL migrations build (in this class's fresh database) agree.</summary>
public sealed class SchemaAgreementTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task The_model_and_the_migrations_agree() =>
        Assert.Empty(
            await SchemaAgreement.DifferencesAsync<IdentityDbContext>(
                fixture.Host.Services,
                fixture.Resources.DatabaseConnectionString
            )
        );
}
