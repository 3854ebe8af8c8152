using Community.Contracts;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using Community.Social.Blocks;
using Community.Social.Connections;
using Community.Social.Dashboard;
using Community.Social.Data;
using Community.Social.Discovery;
using Community.Social.Feed;
using Community.Social.Follows;
using Community.Social.Groups;
using Community.Social.Network;
using Community.Social.Profiles;
using Community.Social.Reports;

namespace Community.Social;

public static class SocialServiceExtensions
{
    public static IHostApplicationBuilder AddSocialServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<SocialDbContext>(ResourceNames.Social);
        builder.AddEventBus(ResourceNames.Social, bus => bus.UseOutbox<SocialDbContext>().AddConsumers(typeof(SocialServiceExtensions).Assembly)
            .FollowSessionRevocations().RequireKnownUsers());
        builder.Services.AddHostedService<BadgeBackfill>();
        return builder;
    }

    public static WebApplication MapSocialApi(this WebApplication app)
    {
        app.MapProfilesApi();
        app.MapDiscoveryApi();
        app.MapConnectionsApi();
        app.MapFollowsApi();
        app.MapBlocksApi();
        app.MapGroupsApi();
        app.MapGroupMembersApi();
        app.MapNetworkApi();
        app.MapReportsApi();
        app.MapDashboardApi();
        app.MapFeedApi();
        return app;
    }
}
