using Community.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Model;

public static class ModelSetup
{
    /// <summary>The model seam: the OpenAI-compatible endpoint of Companion:Model, or the offline responder without one; options checked at start.</summary>
    public static IHostApplicationBuilder AddCompanionModel(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(CompanionModelOptions.Section);
        builder.Services.AddOptions<CompanionModelOptions>().Bind(section)
            .Validate(o => !o.Problems().Any(), "Companion:Model is invalid: an Endpoint needs an absolute http(s) URL and a Model, and every timeout must be more than 0.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OfflineResponder>();
        builder.Services.AddScoped<OpenAiCompanionModel>();
        builder.Services.AddScoped<ICompanionModel>(services => services.GetRequiredService<IOptions<CompanionModelOptions>>().Value.UsesModel
            ? services.GetRequiredService<OpenAiCompanionModel>()
            : services.GetRequiredService<OfflineResponder>());

        var model = section.Get<CompanionModelOptions>() ?? new CompanionModelOptions();
        var clients = builder.Configuration.GetSection(HttpResilienceOptions.Section).GetSection("Clients");
        // Our defaults first, then whatever Http:Resilience:Clients:{name} says (configuration wins).
        builder.Services.Configure<HttpResilienceOptions>(OpenAiCompanionModel.CompleteClient, o =>
        {
            o.TotalTimeout = model.Timeout;
            o.AttemptTimeout = model.Timeout / 2;
            o.MaxRetryAttempts = 2;
            clients.GetSection(OpenAiCompanionModel.CompleteClient).Bind(o);
        });
        builder.Services.Configure<HttpResilienceOptions>(OpenAiCompanionModel.StreamClient, o =>
        {
            // Up to the response's headers only: the stream's pieces are timed by the model seam itself.
            o.TotalTimeout = model.StreamIdleTimeout;
            o.AttemptTimeout = Timeout.InfiniteTimeSpan;
            o.MaxRetryAttempts = 0;
            clients.GetSection(OpenAiCompanionModel.StreamClient).Bind(o);
        });
        return builder;
    }
}
