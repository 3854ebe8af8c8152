namespace Community.AiCompanion.Limits;

public static class LimitsSetup
{
    /// <summary>Daily limits and their erasure with the account.</summary>
    public static IHostApplicationBuilder AddCompanionLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().Bind(builder.Configuration.GetSection(LimitsOptions.Section));
        builder.Services.AddScoped<AllowanceAccess>();
        builder.Services.AddUserDataEraser<UsageEraser>();
        return builder;
    }
}
