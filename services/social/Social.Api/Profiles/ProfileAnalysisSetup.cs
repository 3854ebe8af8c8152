using Community.ServiceDefaults.Ai;

namespace Community.Social.Profiles;

public static class ProfileAnalysisSetup
{
    /// <summary>Social:ProfileAnalysis checked at start, its retried HttpClient, and the analyst.</summary>
    public static IHostApplicationBuilder AddProfileAnalysis(this IHostApplicationBuilder builder)
    {
        var options = builder.AddOpenAiOptions<ProfileAnalysisOptions>(ProfileAnalysisOptions.Section);
        builder.AddOpenAiHttpClient(ProfileAnalysisOptions.HttpClient, options.Timeout);
        builder.Services.AddScoped<ProfileAnalyst>();
        return builder;
    }
}
