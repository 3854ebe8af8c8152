using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Tests;

public sealed class MinorUnitsTests
{
    [Theory]
    [InlineData(1250, "EUR", "12.50 EUR")]
    [InlineData(5, "USD", "0.05 USD")]
    [InlineData(5000, "JPY", "5000 JPY")]
    [InlineData(12000, "KRW", "12000 KRW")]
    [InlineData(1250, "KWD", "1.250 KWD")]
    [InlineData(0, "TND", "0.000 TND")]
    public void Amounts_are_written_with_their_currencys_decimals(long minor, string currency, string written) =>
        Assert.Equal(written, MinorUnits.Format(minor, currency));

    [Theory]
    [InlineData(1255, "KWD", false)]
    [InlineData(1250, "KWD", true)]
    [InlineData(1255, "EUR", true)]
    [InlineData(1255, "JPY", true)]
    public void Three_decimal_amounts_must_end_in_0(long minor, string currency, bool chargeable)
    {
        var errors = new ValidationErrors();
        errors.ChargeableAmount("price_cents", minor, currency);
        if (chargeable)
            errors.ThrowIfAny();
        else
        {
            var refused = Assert.Throws<RequestValidationException>(errors.ThrowIfAny);
            Assert.Contains("multiple of 10", Assert.Single(refused.Errors["price_cents"]));
        }
    }
}
