using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Tests.RealTime;

public sealed class RealTimeSetupTests
{
    [Fact]
    public void A_service_without_a_redis_connection_string_fails_loudly_instead_of_never_reaching_other_instances()
    {
        using var tokens = new TestTokens();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = "amqp://guest:guest@127.0.0.1:1/none",
            }
        );
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ISigningKeySource>(tokens);

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddRealTime());

        Assert.Contains($"ConnectionStrings:{ResourceNames.Redis}", refused.Message);
        Assert.Contains("backplane", refused.Message);
    }
}
