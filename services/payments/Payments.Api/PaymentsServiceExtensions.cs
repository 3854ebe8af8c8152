using Community.Payments.Boosts;
using Community.Payments.Checkout;
using Community.Payments.Credits;
using Community.Payments.Refunds;
using Community.Payments.Sandbox;
using Community.Payments.Subscriptions;
using Community.Payments.Users;
using Community.Payments.Webhooks;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;

namespace Community.Payments;

public static class PaymentsServiceExtensions
{
    public static IHostApplicationBuilder AddPaymentsServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder
            .Services.AddOptions<PaymentsOptions>()
            .Bind(builder.Configuration.GetSection(PaymentsOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PaymentsOptions>>(new PaymentsOptionsValidator());
        builder.AddServiceDatabase<PaymentsDbContext>(ResourceNames.Payments);
        builder.AddEventBus(
            ResourceNames.Payments,
            bus =>
                bus.UseOutbox<PaymentsDbContext>()
                    .AddConsumers(typeof(PaymentsServiceExtensions).Assembly)
                    .FollowSessionRevocations()
                    .RequireKnownUsers()
        );

        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddScoped<PaymentBook>();
        builder.Services.AddScoped<CheckoutService>();
        builder.Services.AddScoped<Refunder>();
        builder.Services.AddSingleton<RefundIntentRecovery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RefundIntentRecovery>());
        builder.Services.AddScoped<CreditLedger>();
        builder.Services.AddScoped<IWebhookHandler, CheckoutWebhookHandler>();
        builder.Services.AddScoped<IWebhookHandler, RefundWebhookHandler>();
        builder.Services.Configure<SubscriptionOptions>(builder.Configuration.GetSection(SubscriptionOptions.Section));
        builder.Services.AddScoped<Memberships>();
        builder.Services.AddScoped<SubscriptionBook>();
        builder.Services.AddScoped<IWebhookHandler, SubscriptionWebhookHandler>();
        builder.Services.AddScoped<SubscriptionCanceller>();
        builder.Services.AddScoped<SubscriptionAccess>();
        builder.Services.AddSingleton<SubscriptionCancellationRecovery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SubscriptionCancellationRecovery>());
        builder.Services.AddSingleton<SubscriptionExpiry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SubscriptionExpiry>());
        builder.Services.AddScoped<CustomerDeleter>();
        builder.Services.AddSingleton<CustomerDeletionRecovery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CustomerDeletionRecovery>());
        // UserDeleted: the customers its payments name, read before known_users is locked (checkout webhooks lock a
        // payment, then read it); known_users next (deliveries read it), then what would charge or deliver ends.
        builder.Services.AddUserDataEraser<CustomerEraser>();
        builder.Services.AddUserDataEraser<KnownUserEraser>();
        builder.Services.AddUserDataEraser<SubscriptionEraser>();
        builder.Services.AddUserDataEraser<CheckoutEraser>();
        builder.Services.AddHttpClient(SandboxApi.WebhookClient);
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{PaymentsOptions.Section}:Stripe:SecretKey"]))
        {
            // The sandbox "pays" without money: a production deployment that lost its Stripe key must not start with
            // it.
            if (
                builder.Environment.IsProduction()
                && !builder.Configuration.GetValue<bool>($"{PaymentsOptions.Section}:Sandbox:AllowInProduction")
            )
                throw new InvalidOperationException(
                    $"{PaymentsOptions.Section}:Stripe:SecretKey is not configured. In Production the offline "
                        + "sandbox provider is refused; "
                        + $"set the key, or {PaymentsOptions.Section}:Sandbox:AllowInProduction=true for a demo "
                        + "deployment."
                );
            builder.Services.AddSingleton<IPaymentProvider, SandboxProvider>();
        }
        else
        {
            // A typed client: ServiceDefaults' resilience handler wraps every call Stripe.net makes (retrying keyed
            // POSTs).
            builder.Services.AddHttpClient<StripeProvider>();
            builder.Services.AddTransient<IPaymentProvider>(services => services.GetRequiredService<StripeProvider>());
        }
        return builder;
    }

    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapCheckoutApi();
        api.MapRefundsApi();
        api.MapCreditsApi();
        api.MapSubscriptionsApi();
        api.MapBoostsApi();
        api.MapWebhookApi();
        api.MapSandboxApi();
        return app;
    }

    /// <summary>Names every problem in the section, not just that there is one.</summary>
    private sealed class PaymentsOptionsValidator : IValidateOptions<PaymentsOptions>
    {
        public ValidateOptionsResult Validate(string? name, PaymentsOptions options) =>
            options.Problems(PaymentsOptions.Section).ToList() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems)
                : ValidateOptionsResult.Success;
    }
}
