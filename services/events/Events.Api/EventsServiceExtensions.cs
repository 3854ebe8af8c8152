using Community.Contracts;
using Community.Events.Catalogue;
using Community.Events.Courses;
using Community.Events.Photos;
using Community.Events.Registrations;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events;

public static class EventsServiceExtensions
{
    public static IHostApplicationBuilder AddEventsServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder.Services.Configure<EventsOptions>(builder.Configuration.GetSection(EventsOptions.Section));
        builder.AddServiceDatabase<EventsDbContext>(ResourceNames.Events);
        builder.AddEventBus(
            ResourceNames.Events,
            bus =>
                bus.UseOutbox<EventsDbContext>()
                    .AddConsumers(typeof(EventsServiceExtensions).Assembly)
                    .FollowSessionRevocations()
                    .RequireKnownUsers()
        );

        builder.Services.AddScoped<SeatBook>();
        builder.Services.AddSingleton<RegistrationTermsCache>();
        builder.Services.AddSingleton<WaitlistPositions>();
        builder.Services.AddSingleton<JoinBatches>();
        builder.Services.AddSingleton<TicketSigner>();
        builder.Services.AddHostedService<HoldSweeper>();
        builder.AddEventPhotos();
        builder.AddCourses();

        // A deleted account's data, in this order: seats first (to the waiting lists), then what it organised.
        builder.Services.AddUserDataEraser<RegistrationEraser>();
        builder.Services.AddUserDataEraser<OrganizerEventsEraser>();
        builder.Services.AddUserDataEraser<PhotoEraser>();
        builder.Services.AddUserDataEraser<CourseLearnerEraser>();
        builder.Services.AddUserDataEraser<OrganizerCoursesEraser>();
        builder.Services.AddUserDataEraser<UserBlockEraser>();
        builder.Services.AddUserDataEraser<UserProfileEraser>();
        return builder;
    }

    public static WebApplication MapEventsApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapCatalogueApi();
        api.MapRegistrationsApi();
        api.MapCheckInApi();
        api.MapPhotosApi();
        api.MapCoverImageApi();
        api.MapCoursesApi();
        return app;
    }
}
