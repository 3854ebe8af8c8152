using Community.AiCompanion.Data;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The EF model and the schema the SQL migrations built agree: tables, columns, types, nullability, indexes.
/// </summary>
public sealed class SchemaAgreementTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    // The platform's outbox and inbox are mapped by UsePlatformConventions (ServiceDefaults.Data), not by this service:
    // their indexes are that building block's to declare.
    private static readonly string[] PlatformTables = ["outbox_messages", "inbox_messages"];

    [Fact]
    public async Task The_model_and_the_migrations_agree()
    {
        var differences = await SchemaAgreement.DifferencesAsync<CompanionDbContext>(
            fixture.Host.Services,
            fixture.Resources.DatabaseConnectionString
        );
        var ours = differences
            .Where(d => !PlatformTables.Any(t => d.StartsWith(t + ":", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(ours);
    }
}
