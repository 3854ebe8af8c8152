using Community.Contracts;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using Community.Social.Data;

namespace Community.Social;

public static class SocialServiceExtensions
{
    public static IHostApplicationBuilder AddSocialServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<SocialDbContext>(ResourceNames.Social);
        builder.AddEventBus(ResourceNames.Social, bus => bus.UseOutbox<SocialDbContext>().AddConsumers(typeof(SocialServiceExtensions).Assembly)
            .FollowSessionRevocations());
        return builder;
    }

    public static WebApplication MapSocialApi(this WebApplication app)
    {
        return app;
    }
}
