using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Community.Payments.Checkout;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Payments.Boosts;

/// <param name="Days">How long the boost lasts: one of the offered day counts (GET /api/v1/boosts/prices).</param>
/// <param name="PaymentMethod">card (the default), alipay or wechat_pay.</param>
/// <param name="SuccessUrl">An absolute http(s) URL the provider sends the buyer to after paying.</param>
/// <param name="CancelUrl">An absolute http(s) URL the provider sends the buyer to on giving up.</param>
public sealed record BoostCheckoutRequest(
    [Required] int? Days,
    [ValuesOf(typeof(PaymentMethods))] string? PaymentMethod,
    [Required] string? SuccessUrl,
    [Required] string? CancelUrl
);

public sealed record BoostDto(DateTimeOffset? BoostedUntil, bool Active);

/// <param name="Days">How long the boost lasts (the checkout's and the credits spend's days).</param>
/// <param name="AmountCents">Its price by card, in minor units of the currency.</param>
/// <param name="Credits">Its price in credits (POST /api/v1/credits/spend, purpose boost); null: not sold for
/// credits.</param>
public sealed record BoostPriceDto(int Days, long AmountCents, string Currency, int? Credits);

/// <summary>The boosts on sale, shortest first.</summary>
public sealed record BoostPricesDto(IReadOnlyList<BoostPriceDto> Items);

public static class BoostsApi
{
    public static RouteGroupBuilder MapBoostsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/boosts")
            .WithTags("Boosts")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/checkout", Checkout)
            .WithName("BoostCheckout")
            .WithSummary("Open (or find) the checkout of a profile boost of 1, 7 or 30 days, priced from configuration")
            .ProducesProblemWith<PaidAlreadyMembers>(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        group
            .MapGet("/prices", Prices)
            .WithName("ListBoostPrices")
            .WithSummary("The boosts on sale: their days and their price by card and in credits, shortest first");
        group.MapGet("/me", Get).WithName("GetMyBoost").WithSummary("Until when my profile is boosted");
        return group;
    }

    private static async Task<Ok<CheckoutDto>> Checkout(
        BoostCheckoutRequest request,
        ClaimsPrincipal principal,
        CheckoutService checkout,
        IOptions<PaymentsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var boosts = options.Value.Boosts;
        var product = request.Days?.ToString(CultureInfo.InvariantCulture);
        BoostPrice? price = null;
        if (product is null || request.Days <= 0 || !boosts.TryGetValue(product, out price))
        {
            var offered = boosts.Keys.OrderBy(k => k.Length).ThenBy(k => k, StringComparer.Ordinal);
            errors.Add("days", $"days must be one of {string.Join(", ", offered)}.");
        }
        var urls = CheckoutRules.Urls(errors, request.PaymentMethod, request.SuccessUrl, request.CancelUrl);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        var item = new CheckoutItem(
            PaymentPurposes.Boost,
            ReferenceFor(userId, product!),
            product,
            price!.AmountCents,
            price.Currency.ToUpperInvariant(),
            $"Profile boost, {product} day{(product == "1" ? "" : "s")}",
            null,
            null
        );
        return TypedResults.Ok(await checkout.StartAsync(userId, item, urls, cancellationToken));
    }

    private static Ok<BoostPricesDto> Prices(IOptions<PaymentsOptions> options) =>
        TypedResults.Ok(
            new BoostPricesDto(
                options
                    .Value.Boosts.Select(b =>
                        (
                            Days: int.TryParse(b.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                                ? d
                                : 0,
                            Price: b.Value
                        )
                    )
                    .Where(b => b.Days > 0)
                    .OrderBy(b => b.Days)
                    .Select(b => new BoostPriceDto(
                        b.Days,
                        b.Price.AmountCents,
                        b.Price.Currency.ToUpperInvariant(),
                        b.Price.Credits
                    ))
                    .ToList()
            )
        );

    private static async Task<Ok<BoostDto>> Get(
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var boost = await db.Set<Boost>()
            .AsNoTracking()
            .FirstOrDefaultAsync(b => b.UserId == userId, cancellationToken);
        return TypedResults.Ok(
            new BoostDto(boost?.BoostedUntil, boost is not null && boost.BoostedUntil > clock.GetUtcNow())
        );
    }

    /// <summary>
    /// The same for every checkout of one boost length by one user, so asking twice finds the open session.
    /// </summary>
    public static Guid ReferenceFor(Guid userId, string days) => StableIds.From($"boost|{userId}|{days}");
}
