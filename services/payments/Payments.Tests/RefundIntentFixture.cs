using System.Collections.Concurrent;
using System.Web;
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
public sealed class RefundIntentFixture : StripePaymentsFixture
{
    public ConcurrentQueue<RefundCallSeen> RefundCalls { get; } = new();

    /// <summary>For each call about a provider subscription: whether another transaction held its row's lock.</summary>
    public ConcurrentQueue<(string ProviderSubscriptionId, bool Locked)> SubscriptionCalls { get; } = new();

    /// <summary>Payments whose refund answers are lost on the way back.</summary>
    public ConcurrentDictionary<Guid, bool> LoseAnswersFor { get; } = new();

    /// <summary>Messages a consumer gave up on once its retries were spent (dead-lettered), by message id.</summary>
    public ConcurrentDictionary<Guid, bool> DeadLettered { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<IHttpMessageHandlerBuilderFilter>(new ObserverFilter(this));
        services.AddReceiveObserver(_ => new DeadLetterObserver(DeadLettered));
    }

    /// <summary>
    /// A buyer's paid ticket (sold by the returned seller) for <paramref name="eventId"/>, settled by Stripe's webhook.
    /// </summary>
    public async Task<(Guid SellerId, Guid PaymentId)> PaidTicketAsync(
        long amountCents = 2500,
        Guid? eventId = null,
        Guid? sellerId = null
    )
    {
        var (userId, token) = User();
        var seller = sellerId ?? Guid.NewGuid();
        var registration = await SeatHeldAsync(userId, amountCents, organizerId: seller, eventId: eventId);
        var checkout = await CheckoutAsync(token, "event_registration", registration);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await AcceptedAsync(
            Event("checkout.session.completed", Session(checkout["session_id"]!.GetValue<string>(), paymentId))
        );
        Assert.Equal(
            "succeeded",
            await ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId))
        );
        return (seller, paymentId);
    }

    /// <summary>
    /// MassTransit tells receive observers of a consumer's fault once its retries are spent, not at each attempt.
    /// </summary>
    private sealed class DeadLetterObserver(ConcurrentDictionary<Guid, bool> deadLettered) : IReceiveObserver
    {
        Task IReceiveObserver.ConsumeFault<T>(
            ConsumeContext<T> context,
            TimeSpan duration,
            string consumerType,
            Exception exception
        )
        {
            if (context.MessageId is { } id)
                deadLettered[id] = true;
            return Task.CompletedTask;
        }

        Task IReceiveObserver.PreReceive(ReceiveContext context) => Task.CompletedTask;

        Task IReceiveObserver.PostReceive(ReceiveContext context) => Task.CompletedTask;

        Task IReceiveObserver.PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) =>
            Task.CompletedTask;

        Task IReceiveObserver.ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
    }

    private sealed class ObserverFilter(RefundIntentFixture fx) : IHttpMessageHandlerBuilderFilter
    {
        public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) =>
            builder =>
            {
                next(builder);
                builder.AdditionalHandlers.Add(new RefundObserver(fx));
            };
    }

    /// <summary>Innermost handler: runs for every attempt, right before the request leaves.</summary>
    private sealed class RefundObserver(RefundIntentFixture fx) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request,
            CancellationToken cancellationToken
        )
        {
            var path = request.RequestUri?.AbsolutePath ?? "";
            if (path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
            {
                var id = path["/v1/subscriptions/".Length..];
                fx.SubscriptionCalls.Enqueue(
                    (
                        id,
                        await LockedAsync(
                            "SELECT 1 FROM subscriptions WHERE provider_subscription_id = @id FOR UPDATE NOWAIT",
                            id,
                            cancellationToken
                        )
                    )
                );
            }
            if (path != "/v1/refunds" || request.Content is null)
                return await base.SendAsync(request, cancellationToken);
            var form = HttpUtility.ParseQueryString(await request.Content.ReadAsStringAsync(cancellationToken));
            var paymentId = Guid.Parse(form["metadata[payment_id]"]!);
            var refundId = Guid.Parse(form["metadata[refund_id]"]!);
            fx.RefundCalls.Enqueue(await SeeAsync(paymentId, refundId, cancellationToken));
            var response = await base.SendAsync(request, cancellationToken);
            if (!fx.LoseAnswersFor.ContainsKey(paymentId))
                return response;
            response.Dispose();
            throw new HttpRequestException(
                "The connection was reset after Stripe received the refund (lost by the test)."
            );
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
            await using var status = new NpgsqlCommand(
                "SELECT status FROM refunds WHERE id = @id",
                connection,
                transaction
            );
            status.Parameters.AddWithValue("id", refundId);
            var intent = (string?)await status.ExecuteScalarAsync(cancellationToken);
            await using var lockIt = new NpgsqlCommand(
                "SELECT 1 FROM payments WHERE id = @id FOR UPDATE NOWAIT",
                connection,
                transaction
            );
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
