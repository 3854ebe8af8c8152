using Community.Contracts;
using Community.ServiceDefaults.Api;

namespace Community.Payments.Tests;

/// <summary>
/// Spends and refunds keep their own transactional Idempotency-Key handling (CreditsTests, RefundsTests); no create is
/// left out.
/// </summary>
public sealed class IdempotencyKeyTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.Payments].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fx.Host.Services)
        );

    [Fact]
    public void Every_signed_in_create_honours_the_key_and_spends_and_refunds_keep_their_own_handling()
    {
        var creates = CreateEndpoints.Of(fx.Host.Services);
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));
        Assert.Same(HonoursIdempotencyKey.ByHandler, creates.Single(c => c.Name == "SpendCredits").Honours);
        Assert.Same(HonoursIdempotencyKey.ByHandler, creates.Single(c => c.Name == "RefundPayment").Honours);
    }
}
