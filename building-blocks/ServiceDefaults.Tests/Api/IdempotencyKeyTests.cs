using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class IdempotencyKeyTests
{
    private static HttpRequest Request(params string[] keys)
    {
        var context = new DefaultHttpContext();
        if (keys.Length > 0)
            context.Request.Headers["Idempotency-Key"] = keys;
        return context.Request;
    }

    [Fact]
    public void No_key_or_a_blank_one_is_none()
    {
        var errors = new ValidationErrors();
        Assert.Null(IdempotencyKey.Read(Request(), errors));
        Assert.Null(IdempotencyKey.Read(Request("   "), errors));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("a", "a")]
    [InlineData("  spend-2026-11-23 ", "spend-2026-11-23")]
    [InlineData("~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}")]
    public void A_printable_key_is_trimmed(string sent, string expected)
    {
        var errors = new ValidationErrors();
        Assert.Equal(expected, IdempotencyKey.Read(Request(sent), errors));
        Assert.False(errors.Any);
    }

    [Fact]
    public void Keys_of_255_characters_pass_and_longer_ones_are_refused()
    {
        var errors = new ValidationErrors();
        Assert.Equal(new string('k', 255), IdempotencyKey.Read(Request(new string('k', 255)), errors));
        Assert.False(errors.Any);

        Assert.Null(IdempotencyKey.Read(Request(new string('k', 256)), errors));
        var refused = Assert.Throws<RequestValidationException>(errors.ThrowIfAny);
        Assert.Equal(["The Idempotency-Key header must be at most 255 characters."], refused.Errors["idempotency_key"]);
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("tab\tinside")]
    [InlineData("bell\u0007")]
    public void Keys_beyond_printable_ascii_are_refused(string key)
    {
        var errors = new ValidationErrors();
        Assert.Null(IdempotencyKey.Read(Request(key), errors));
        var refused = Assert.Throws<RequestValidationException>(errors.ThrowIfAny);
        Assert.Equal(["The Idempotency-Key header must be printable ASCII."], refused.Errors["idempotency_key"]);
    }

    [Fact]
    public void Two_keys_are_refused()
    {
        var errors = new ValidationErrors();
        Assert.Null(IdempotencyKey.Read(Request("a", "b"), errors));
        Assert.True(Assert.Throws<RequestValidationException>(errors.ThrowIfAny).Errors.ContainsKey("idempotency_key"));
    }
}
