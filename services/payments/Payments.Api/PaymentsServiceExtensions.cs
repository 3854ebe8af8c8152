using Community.Contracts;
using Community.Payments.Checkout;
using Community.Payments.Data;
using Community.Payments.Providers;
using Community.Payments.Refunds;
using Community.Payments.Sandbox;
using Community.Payments.Webhooks;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;

namespace Community.Payments;

public static class PaymentsServiceExtensions
{
    public static IHostApplicationBuilder AddPaymentsServices(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<PaymentsOptions>(builder.Configuration.GetSection(PaymentsOptions.Section));
        builder.AddServiceDatabase<PaymentsDbContext>(ResourceNames.Payments);
        builder.AddEventBus<PaymentsDbContext>(ResourceNames.Payments, [typeof(PaymentsServiceExtensions).Assembly]);

        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddScoped<PaymentBook>();
        builder.Services.AddScoped<CheckoutService>();
        builder.Services.AddScoped<Refunder>();
        builder.Services.AddScoped<IWebhookHandler, CheckoutWebhookHandler>();
        builder.Services.AddHttpClient(SandboxApi.WebhookClient);
        builder.Services.AddSingleton<IPaymentProvider, SandboxProvider>();
        return builder;
    }

    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        app.MapPaymentRoutes();
        app.MapWebhookApi();
        app.MapSandboxApi();
        return app;
    }
}
