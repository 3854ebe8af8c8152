using Community.Messaging.Data;

namespace Community.Messaging.Tests;

/// <summary>The EF model and the schema the SQL migrations built agree: every table, column and index on both
/// sides.</summary>
public sealed class SchemaAgreementTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task The_model_and_the_migrations_agree() =>
        Assert.Empty(
            await SchemaAgreement.DifferencesAsync<MessagingDbContext>(
                fx.Host.Services,
                fx.Resources.DatabaseConnectionString
            )
        );
}
