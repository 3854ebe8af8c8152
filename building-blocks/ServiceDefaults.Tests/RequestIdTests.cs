using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// The caller's X-Request-Id is kept only when it is 1-64 of A-Z a-z 0-9 . _ : - and nothing else, a line break at
/// its end included (Kestrel refuses one in a header; another server in front might not): else a new id.
/// </summary>
public sealed class RequestIdTests
{
    [Theory]
    [InlineData("order-42:retry.1", true)]
    [InlineData("abc\n", false)]
    [InlineData("abc\r\n", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public async Task Only_a_sane_id_from_the_caller_is_kept(string incoming, bool kept)
    {
        var app = new ApplicationBuilder(new ServiceCollection().AddLogging().BuildServiceProvider());
        app.UseRequestId();
        app.Run(_ => Task.CompletedTask);
        var context = new DefaultHttpContext();
        context.Request.Headers[RequestId.Header] = incoming;

        await app.Build()(context);

        if (kept)
            Assert.Equal(incoming, context.TraceIdentifier);
        else
            Assert.Matches("^[0-9a-f]{32}$", context.TraceIdentifier);
        Assert.Equal(context.TraceIdentifier, context.Request.Headers[RequestId.Header].ToString());
    }
}
