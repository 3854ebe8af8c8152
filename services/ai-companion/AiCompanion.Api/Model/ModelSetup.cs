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
        // Our limits first, then whatever Http:Resilience:Clients:{name} says (configuration wins).
        builder.Services.AddHttpClient(OpenAiCompanionModel.CompleteClient).AddResilience(builder.Configuration, o =>
        {
            o.TotalRequestTimeout.Timeout = model.Timeout;
            o.AttemptTimeout.Timeout = model.Timeout / 2;
            o.CircuitBreaker.SamplingDuration = AtLeastTwice(model.Timeout / 2, o.CircuitBreaker.SamplingDuration);
            o.Retry.MaxRetryAttempts = 2;
        });
        builder.Services.AddHttpClient(OpenAiCompanionModel.StreamClient).AddResilience(builder.Configuration, o =>
        {
            // Up to the response's headers, one attempt: the stream's pieces are timed by the model seam itself.
            o.TotalRequestTimeout.Timeout = o.AttemptTimeout.Timeout = model.StreamIdleTimeout;
            var sampling = o.CircuitBreaker.SamplingDuration;
            o.CircuitBreaker.SamplingDuration = AtLeastTwice(model.StreamIdleTimeout, sampling);
            o.Retry.MaxRetryAttempts = 0;
        });
        return builder;
    }

    /// <summary>The library wants a breaker's sampling window at least twice an attempt's timeout.</summary>
    private static TimeSpan AtLeastTwice(TimeSpan attempt, TimeSpan sampling) =>
        attempt * 2 > sampling ? attempt * 2 : sampling;
}
