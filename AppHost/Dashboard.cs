using System.Net;
using System.Text;
using System.Text.Json;

namespace Community.AppHost;

/// <summary>
/// The ops dashboard: <c>/</c> is a page that polls <c>/api/resources</c>, the JSON list of
/// resources with state, endpoint, pid, restarts, last health result and recent log lines.
/// </summary>
internal sealed class Dashboard(string url, Func<IReadOnlyList<Resource>> resources) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private readonly HttpListener _listener = new();
    private byte[]? _page;

    public string Url => url;

    /// <summary>Starts listening; throws with a clear message when the address is taken.</summary>
    public void Start(CancellationToken stopping)
    {
        using (var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("dashboard.html")
            ?? throw new InvalidOperationException("dashboard.html is not embedded"))
        using (var reader = new StreamReader(stream))
        {
            _page = Encoding.UTF8.GetBytes(reader.ReadToEnd());
        }
        _listener.Prefixes.Add(url + "/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"The dashboard cannot listen on {url}: {e.Message}. Use --dashboard-url to pick another address.", e);
        }
        _ = Task.Run(() => AcceptAsync(stopping), CancellationToken.None);
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested && _listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => Serve(context), CancellationToken.None);
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url?.AbsolutePath ?? "/";
            if (context.Request.HttpMethod != "GET")
            {
                Write(response, 405, "text/plain", "GET only"u8.ToArray());
            }
            else if (path is "/" or "/index.html")
            {
                Write(response, 200, "text/html; charset=utf-8", _page!);
            }
            else if (path == "/api/resources")
            {
                var body = resources().Select(r => new
                {
                    r.Name,
                    r.Kind,
                    r.State,
                    r.Endpoint,
                    r.Pid,
                    r.Restarts,
                    r.LastHealth,
                    Logs = r.Logs.Snapshot(),
                });
                Write(response, 200, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(body, Json));
            }
            else
            {
                Write(response, 404, "text/plain", "not found"u8.ToArray());
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the browser went away
        }
    }

    private static void Write(HttpListenerResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.Headers["Cache-Control"] = "no-store";
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }
        _listener.Close();
    }
}
