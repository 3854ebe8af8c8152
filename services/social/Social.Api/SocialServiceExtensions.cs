using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Blocks;
using Community.Social.Connections;
using Community.Social.Dashboard;
using Community.Social.Discovery;
using Community.Social.Feed;
using Community.Social.Follows;
using Community.Social.Groups;
using Community.Social.Network;
using Community.Social.Profiles;
using Community.Social.Reports;
using Community.Social.Search;
using Community.Social.Users;

namespace Community.Social;

public static class SocialServiceExtensions
{
    public static IHostApplicationBuilder AddSocialServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder.AddServiceDatabase<SocialDbContext>(ResourceNames.Social);
        builder.AddEventBus(
            ResourceNames.Social,
            bus =>
                bus.UseOutbox<SocialDbContext>()
                    .AddConsumers(typeof(SocialServiceExtensions).Assembly)
                    .FollowSessionRevocations()
                    .RequireKnownUsers()
        );
        builder.Services.AddHostedService<BadgeBackfill>();
        builder.AddSemanticSearch();
        builder.AddProfileAnalysis();
        // A deleted account's share in each feature, erased in this order in UserDeletedConsumer's one transaction.
        builder
            .Services.AddUserDataEraser<ConnectionEraser>()
            .AddUserDataEraser<FollowEraser>()
            .AddUserDataEraser<BlockEraser>()
            .AddUserDataEraser<GroupEraser>()
            .AddUserDataEraser<EventsAttendedEraser>()
            .AddUserDataEraser<ReportEraser>()
            .AddUserDataEraser<DashboardEraser>()
            .AddUserDataEraser<FeedEraser>()
            .AddUserDataEraser<InnovatorProfileEraser>()
            .AddUserDataEraser<SearchDocumentEraser>()
            .AddUserDataEraser<UserProfileEraser>();
        return builder;
    }

    public static WebApplication MapSocialApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapInnovatorProfilesApi();
        api.MapProfilesApi();
        api.MapDiscoveryApi();
        api.MapConnectionsApi();
        api.MapFollowsApi();
        api.MapBlocksApi();
        api.MapGroupsApi();
        api.MapGroupMembersApi();
        api.MapNetworkApi();
        api.MapReportsApi();
        api.MapDashboardApi();
        api.MapFeedApi();
        api.MapSearchApi();
        return app;
    }
}
