using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.RealTime;
using Community.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Tests.RealTime;

public sealed class RealTimeSetupTests
{
    [Fact]
    public async Task A_hub_without_the_backplane_consumer_on_the_bus_fails_loudly_instead_of_never_reaching_other_instances()
    {
        using var tokens = new TestTokens();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = "amqp://guest:guest@127.0.0.1:1/none",
            [$"ConnectionStrings:{ResourceNames.Redis}"] = "127.0.0.1:1",
        });
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ISigningKeySource>(tokens);
        builder.AddEventBus(HubHost.Service);
        builder.AddRealTime();
        await using var app = builder.Build();

        var refused = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<HubLifetimeManager<ProbeHub>>());

        Assert.Contains("AddRealTimeBackplane", refused.Message);
    }
}
