using Community.Social.Data;

namespace Community.Social.Tests;

/// <summary>The EF model and the schema the SQL migrations build agree: every table, column, type and index.</summary>
public sealed class SchemaAgreementTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task The_model_and_the_migrations_agree()
    {
        Assert.Empty(
            await SchemaAgreement.DifferencesAsync<SocialDbContext>(
                fx.Host.Services,
                fx.Resources.DatabaseConnectionString
            )
        );
    }
}
