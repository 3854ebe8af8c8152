using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Web;
using Community.Payments.Webhooks;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Npgsql;

namespace Community.Payments.Tests;

/// <summary>What the database looked like, seen from another connection, when a refund call left for Stripe.</summary>
/// <param name="IntentStatus">The refund row's status as committed (null: not committed).</param>
/// <param name="PaymentLocked">Whether another transaction held the payment row's lock.</param>
public sealed record RefundCallSeen(Guid PaymentId, Guid RefundId, string? IntentStatus, bool PaymentLocked);

/// <summary>
/// Payments with Stripe as its provider (<see cref="FakeStripe"/>), and a handler on the way to
/// Stripe that looks at the database from outside while each refund call is under way and can
/// lose Stripe's answers (Stripe did the work, we never heard back), as a crash or a cut network would.
/// </summary>
public sealed class RefundIntentFixture : PaymentsFixture
{
    public FakeStripe Stripe { get; private set; } = null!;
    public ConcurrentQueue<RefundCallSeen> RefundCalls { get; } = new();

    /// <summary>For each call about a provider subscription: whether another transaction held its row's lock.</summary>
    public ConcurrentQueue<(string ProviderSubscriptionId, bool Locked)> SubscriptionCalls { get; } = new();

    /// <summary>Payments whose refund answers are lost on the way back.</summary>
    public ConcurrentDictionary<Guid, bool> LoseAnswersFor { get; } = new();

    public override async Task InitializeAsync()
    {
        Stripe = await FakeStripe.StartAsync(Clock);
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        Host = new ServiceHost<Program>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:payments-db"] = Resources.DatabaseConnectionString,
            ["ConnectionStrings:rabbitmq"] = Resources.BrokerUri,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
            ["Payments:Stripe:ApiBaseUrl"] = Stripe.BaseAddress.ToString(),
            ["Payments:Stripe:WebhookSecrets:0"] = StripePaymentsFixture.WebhookSecret,
        }, services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ISigningKeySource>(Tokens);
            services.AddSingleton<IHttpMessageHandlerBuilderFilter>(new ObserverFilter(this));
        }).Start();
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress };
        await BusReadyAsync(Host);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    /// <summary>A buyer's paid ticket (sold by the returned seller) for <paramref name="eventId"/>, settled by Stripe's webhook.</summary>
    public async Task<(Guid SellerId, Guid PaymentId)> PaidTicketAsync(long amountCents = 2500, Guid? eventId = null, Guid? sellerId = null)
    {
        var (userId, token) = User();
        var seller = sellerId ?? Guid.NewGuid();
        var registration = await SeatHeldAsync(userId, amountCents, organizerId: seller, eventId: eventId);
        var checkout = await CheckoutAsync(token, "event_registration", registration);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await DeliverAsync(StripePaymentsFixture.Event("checkout.session.completed",
            StripePaymentsFixture.Session(checkout["session_id"]!.GetValue<string>(), paymentId)));
        Assert.Equal("succeeded", await ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId)));
        return (seller, paymentId);
    }

    /// <summary>Delivers a correctly signed Stripe event and asserts it was accepted.</summary>
    public async Task DeliverAsync(WebhookBody body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new ByteArrayContent(body.Bytes) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSignature.Header(StripePaymentsFixture.WebhookSecret, Clock.GetUtcNow(), body.Bytes));
        await (await Client.SendAsync(request)).AssertStatus(200);
    }

    public async Task<HttpResponseMessage> RefundAsync(Guid paymentId, string token, long? amountCents, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{paymentId}/refunds")
        {
            Content = JsonContent.Create(new { amount_cents = amountCents, reason = "goodwill" }, options: Json.Options),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    private sealed class ObserverFilter(RefundIntentFixture fx) : IHttpMessageHandlerBuilderFilter
    {
        public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
        {
            next(builder);
            builder.AdditionalHandlers.Add(new RefundObserver(fx));
        };
    }

    /// <summary>Innermost handler: runs for every attempt, right before the request leaves.</summary>
    private sealed class RefundObserver(RefundIntentFixture fx) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri?.AbsolutePath ?? "";
            if (path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
            {
                var id = path["/v1/subscriptions/".Length..];
                fx.SubscriptionCalls.Enqueue((id, await LockedAsync("SELECT 1 FROM subscriptions WHERE provider_subscription_id = @id FOR UPDATE NOWAIT", id, cancellationToken)));
            }
            if (path != "/v1/refunds" || request.Content is null) return await base.SendAsync(request, cancellationToken);
            var form = HttpUtility.ParseQueryString(await request.Content.ReadAsStringAsync(cancellationToken));
            var paymentId = Guid.Parse(form["metadata[payment_id]"]!);
            var refundId = Guid.Parse(form["metadata[refund_id]"]!);
            fx.RefundCalls.Enqueue(await SeeAsync(paymentId, refundId, cancellationToken));
            var response = await base.SendAsync(request, cancellationToken);
            if (!fx.LoseAnswersFor.ContainsKey(paymentId)) return response;
            response.Dispose();
            throw new HttpRequestException("The connection was reset after Stripe received the refund (lost by the test).");
        }

        private async Task<bool> LockedAsync(string sql, object id, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("id", id);
            try
            {
                await command.ExecuteScalarAsync(cancellationToken);
                return false;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return true;
            }
        }

        private async Task<RefundCallSeen> SeeAsync(Guid paymentId, Guid refundId, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var status = new NpgsqlCommand("SELECT status FROM refunds WHERE id = @id", connection, transaction);
            status.Parameters.AddWithValue("id", refundId);
            var intent = (string?)await status.ExecuteScalarAsync(cancellationToken);
            await using var lockIt = new NpgsqlCommand("SELECT 1 FROM payments WHERE id = @id FOR UPDATE NOWAIT", connection, transaction);
            lockIt.Parameters.AddWithValue("id", paymentId);
            bool locked;
            try
            {
                await lockIt.ExecuteScalarAsync(cancellationToken);
                locked = false;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                locked = true;
            }
            await transaction.RollbackAsync(cancellationToken);
            return new RefundCallSeen(paymentId, refundId, intent, locked);
        }
    }
}
