using System.Net.Http.Headers;
using System.Text;

namespace Community.LocalInfrastructure;

// Vhosts and queues, through the broker's management HTTP API.
public sealed partial class RabbitMqServer
{
    /// <summary>
    /// Creates <paramref name="name"/> (idempotent), grants the broker user full permissions on
    /// it and returns its amqp:// URI, e.g. <c>amqp://guest:guest@127.0.0.1:PORT/NAME</c>.
    /// </summary>
    public async Task<string> CreateVhostAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateVhost(name);
        if (_node is not null)
        {
            await _node.CtlAsync(["add_vhost", name], cancellationToken).ConfigureAwait(false);
            await _node
                .CtlAsync(["set_permissions", "-p", name, _user, ".*", ".*", ".*"], cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            await ManagementAsync(HttpMethod.Put, $"api/vhosts/{Uri.EscapeDataString(name)}", "{}", cancellationToken)
                .ConfigureAwait(false);
            await ManagementAsync(
                    HttpMethod.Put,
                    $"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(_user)}",
                    """{"configure":".*","write":".*","read":".*"}""",
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        return UriFor(name);
    }

    /// <summary>
    /// Every queue of <paramref name="virtualHost"/> with its ready + unacknowledged message count (rabbitmqctl, or the
    /// management API of an external broker).
    /// </summary>
    public async Task<IReadOnlyList<(string Queue, long Messages)>> ListQueuesAsync(
        string virtualHost,
        CancellationToken cancellationToken = default
    )
    {
        ValidateVhost(virtualHost);
        var queues = new List<(string, long)>();
        if (_node is not null)
        {
            var result = await _node
                .CtlRawAsync(
                    ["list_queues", "-p", virtualHost, "--no-table-headers", "name", "messages"],
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(
                    $"rabbitmqctl list_queues failed (exit code {result.ExitCode}): {result.Output}"
                );
            }
            foreach (
                var line in result.Output.Split(
                    '\n',
                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
                )
            )
            {
                if (
                    line.Split('\t') is [var name, var count]
                    && long.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out var messages)
                )
                {
                    queues.Add((name, messages));
                }
            }
            return queues;
        }
        var json = await ManagementGetAsync(
                $"api/queues/{Uri.EscapeDataString(virtualHost)}?columns=name,messages",
                cancellationToken
            )
            .ConfigureAwait(false);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        foreach (var queue in document.RootElement.EnumerateArray())
        {
            queues.Add(
                (
                    queue.GetProperty("name").GetString() ?? "",
                    queue.TryGetProperty("messages", out var m) && m.TryGetInt64(out var n) ? n : 0
                )
            );
        }
        return queues;
    }

    /// <summary>Deletes <paramref name="name"/> and everything in it; no error if it does not exist.</summary>
    public async Task DeleteVhostAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateVhost(name);
        if (_node is not null)
        {
            var result = await _node.CtlRawAsync(["delete_vhost", name], cancellationToken).ConfigureAwait(false);
            if (
                !result.Succeeded
                && !result.Output.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
                && !result.Output.Contains("no_such_vhost", StringComparison.OrdinalIgnoreCase)
            )
            {
                throw new InvalidOperationException(
                    $"rabbitmqctl delete_vhost {name} failed:{Environment.NewLine}{result.Output}"
                );
            }
        }
        else
        {
            await ManagementAsync(
                    HttpMethod.Delete,
                    $"api/vhosts/{Uri.EscapeDataString(name)}",
                    null,
                    cancellationToken,
                    allowNotFound: true
                )
                .ConfigureAwait(false);
        }
    }

    private async Task<string> ManagementGetAsync(string path, CancellationToken cancellationToken)
    {
        var baseUri = _managementUri!;
        var (user, password) = Credentials(baseUri, _user, _password);
        using var http = new HttpClient
        {
            BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Path)),
            Timeout = TimeSpan.FromSeconds(10),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))
        );
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? body
            : throw new InvalidOperationException(
                $"RabbitMQ management API GET {path} answered {(int)response.StatusCode}: {body}"
            );
    }

    private async Task ManagementAsync(
        HttpMethod method,
        string path,
        string? json,
        CancellationToken cancellationToken,
        bool allowNotFound = false
    )
    {
        var baseUri = _managementUri!;
        var (user, password) = Credentials(baseUri, _user, _password);
        using var http = new HttpClient
        {
            BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Path)),
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))
        );
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (
            !response.IsSuccessStatusCode
            && !(allowNotFound && response.StatusCode == System.Net.HttpStatusCode.NotFound)
        )
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"RabbitMQ management API {method} {path} answered {(int)response.StatusCode}: {body}"
            );
        }
    }

    private static void ValidateVhost(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255 || name.Any(char.IsControl))
        {
            throw new ArgumentException($"'{name}' is not a valid virtual host name.", nameof(name));
        }
    }
}
