using Community.AiCompanion.Activity;
using Community.AiCompanion.Conversation;
using Community.AiCompanion.Conversation.Model;
using Community.AiCompanion.Limits;
using Community.AiCompanion.Sessions;
using Community.AiCompanion.Users;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
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
        // Erasers run in the order added: the profile's tombstone first, as before; the conversation's (the claims of
        // replies being written, then what a store writes after its claim, safety events included) after the break
        // reminders' and before the usage counts and sessions, the order in which a send locks them.
        builder.Services.AddUserDataEraser<UserProfileEraser>();
        builder.Services.AddCompanionSafety();
        builder.Services.AddUserDataEraser<ConversationEraser>();
        builder.AddActivityFeed();
        builder.AddCompanionLimits();
        builder.AddCompanionSessions();
        builder.AddCompanionModel();
        builder.Services.AddScoped<CompanionConversation>();
        builder.Services.AddSingleton<SendClaimsAccess>();
        builder
            .Services.AddOptions<SendClaimsOptions>()
            .Bind(builder.Configuration.GetSection(SendClaimsOptions.Section))
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Companion:SendClaims:SweepInterval must be more than 0.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AbandonedSendSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AbandonedSendSweeper>());
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
