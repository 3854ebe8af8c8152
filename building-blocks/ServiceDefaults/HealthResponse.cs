using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.ServiceDefaults;

internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString().ToLowerInvariant(),
                    description = e.Value.Description,
                    duration_ms = (int)e.Value.Duration.TotalMilliseconds,
                }
            ),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
