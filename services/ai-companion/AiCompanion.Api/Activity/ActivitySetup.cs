namespace Community.AiCompanion.Activity;

public static class ActivitySetup
{
    /// <summary>The feed's options and its share of account erasure; its consumers come with the assembly's.</summary>
    public static IHostApplicationBuilder AddActivityFeed(this IHostApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<ActivityOptions>()
            .Bind(builder.Configuration.GetSection(ActivityOptions.Section))
            .Validate(
                o => o.MaxItemsPerPublication is >= 1 and <= 100_000,
                "Activity:MaxItemsPerPublication must be 1-100000."
            )
            .ValidateOnStart();
        builder.Services.AddUserDataEraser<ActivityEraser>();
        return builder;
    }
}
