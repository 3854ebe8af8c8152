namespace Community.AiCompanion.Sessions;

public static class SessionsSetup
{
    /// <summary>Sessions bought with credits, their price and their erasure with the account.</summary>
    public static IHostApplicationBuilder AddCompanionSessions(this IHostApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<CompanionSessionOptions>()
            .Bind(builder.Configuration.GetSection(CompanionSessionOptions.Section))
            .Validate(
                o => o.Credits > 0 && o.Minutes > 0 && o.Messages is null or > 0,
                "Companion:Sessions needs Credits and Minutes above 0, and Messages above 0 or unset."
            )
            .ValidateOnStart();
        builder.Services.AddScoped<SessionPurchases>();
        builder.Services.AddUserDataEraser<SessionEraser>();
        return builder;
    }
}
