using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults;

/// <summary>
/// Every request gets an id: the caller's X-Request-Id when it is sane (the gateway sets one
/// and forwards it), otherwise a new one. It is echoed on the response, becomes the
/// TraceIdentifier (so it is in problem details) and sits in the log scope of every line.
/// </summary>
public static partial class RequestId
{
    public const string Header = "X-Request-Id";

    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,64}\z")]
    private static partial Regex Sane();

    /// <summary>A log scope that reads "request_id:ID" in text logs and is a request_id field in JSON logs.</summary>
    private sealed class RequestScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] => new("request_id", id);
        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "request_id:" + id;
    }

    public static IApplicationBuilder UseRequestId(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Community.RequestId");
        return app.Use(
            async (context, next) =>
            {
                string? incoming = context.Request.Headers[Header];
                var id = incoming is not null && Sane().IsMatch(incoming) ? incoming : Guid.NewGuid().ToString("N");
                context.TraceIdentifier = id;
                // so a trace viewer finds the request by the id a client or problem details shows
                System.Diagnostics.Activity.Current?.SetTag("request_id", id);
                context.Request.Headers[Header] = id;
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[Header] = id;
                    return Task.CompletedTask;
                });
                using (logger.BeginScope(new RequestScope(id)))
                    await next(context);
            }
        );
    }
}
