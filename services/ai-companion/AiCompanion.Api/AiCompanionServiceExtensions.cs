using Community.AiCompanion.Activity;
using Community.AiCompanion.Conversation;
using Community.AiCompanion.Data;
using Community.AiCompanion.Limits;
using Community.AiCompanion.Model;
using Community.AiCompanion.Projections;
using Community.AiCompanion.Sessions;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.OpenApi;

namespace Community.AiCompanion;

public static class AiCompanionServiceExtensions
{
    public static IHostApplicationBuilder AddCompanionServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder.AddServiceDatabase<CompanionDbContext>(ResourceNames.AiCompanion);
        builder.AddEventBus(
            ResourceNames.AiCompanion,
            bus =>
                bus.UseOutbox<CompanionDbContext>()
                    .AddConsumers(typeof(AiCompanionServiceExtensions).Assembly)
                    .FollowSessionRevocations()
                    .RequireKnownUsers()
        );
        builder.Services.AddCompanionSafety();
        builder.AddActivityFeed();
        builder.AddCompanionLimits();
        builder.AddCompanionModel();
        builder.Services.AddScoped<CompanionConversation>();
        builder.Services.AddScoped<IUserErasure, ConversationErasure>();
        return builder;
    }

    public static WebApplication MapCompanionApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapActivityApi();
        api.MapUsageApi();
        api.MapSessionsApi();
        api.MapConversationApi();
        return app;
    }
}
