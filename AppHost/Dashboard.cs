using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Community.AppHost.Telemetry;
using Google.Protobuf;

namespace Community.AppHost;

/// <summary>
/// The ops dashboard and OTLP receiver on one address. The page (<c>/</c>) reads:
/// <c>GET /api/resources</c>, <c>GET /api/resources/{name}</c> (details: environment with secrets masked,
/// endpoints, replicas), <c>POST /api/resources/{name}/{stop|start|restart}</c>,
/// <c>POST /api/services/{service}/rolling-restart</c>,
/// <c>GET /api/console?resource=</c> (server-sent events), <c>GET /api/traces?q=</c>,
/// <c>GET /api/traces/{traceId}</c>, <c>GET /api/logs?service=&amp;traceId=&amp;q=&amp;minSeverity=</c>,
/// <c>GET /api/metrics?window=</c>, <c>GET /api/charts</c> and <c>GET /api/charts/{series}?of=</c>. Services export
/// to <c>POST /v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c> (OTLP/HTTP protobuf). Refusals are problem
/// details (application/problem+json), and a refused action changes nothing; once AppHost is stopping every action is
/// refused (503).
/// </summary>
internal sealed class Dashboard(
    string url,
    Func<IReadOnlyList<Resource>> resources,
    TelemetryStore telemetry,
    Func<PlatformProbes?>? probes = null,
    MetricsHistory? history = null,
    TimeSpan? healthTimeout = null
) : IDisposable
{
    private readonly MetricsHistory _history = history ?? new MetricsHistory(telemetry);
    private readonly RollingRestart _rolls = new();

    private const int MaxOtlpBody = 32 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _closing = new();
    private CancellationTokenRegistration _stopping;
    private byte[]? _page;

    public string Url => url;

    /// <summary>Where services send OTLP/HTTP (the SDK appends /v1/traces, /v1/logs, /v1/metrics).</summary>
    public string OtlpEndpoint => url;

    /// <summary>Starts listening; throws with a clear message when the address is taken.</summary>
    public void Start(CancellationToken stopping)
    {
        using (
            var stream =
                typeof(Dashboard).Assembly.GetManifestResourceStream("dashboard.html")
                ?? throw new InvalidOperationException("dashboard.html is not embedded")
        )
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
            throw new InvalidOperationException(
                $"The dashboard cannot listen on {url}: {e.Message}. Use --dashboard-url to pick another address.",
                e
            );
        }
        _stopping = stopping.Register(() => _closing.Cancel());
        _ = Task.Run(AcceptAsync, CancellationToken.None);
        if (history is null)
        {
            // a history of its own: sampled here; AppHost's is sampled by AppHost
            _ = Task.Run(() => _history.RunAsync(_closing.Token), CancellationToken.None);
        }
    }

    /// <summary>The charts' samples (the platform probes' too, each time they are read).</summary>
    public MetricsHistory History => _history;

    // Serves until Dispose, not until Ctrl+C: the services stopping meanwhile flush their last telemetry here, and a
    // listener still bound but no longer answering held each of them for its exporter's timeout, past AppHost's 10 s.
    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e)
                when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context), CancellationToken.None);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        // no other site may frame the page (its stop and restart buttons): on every answer, the page's too
        response.Headers["Content-Security-Policy"] = "frame-ancestors 'none'";
        response.Headers["X-Frame-Options"] = "DENY";
        try
        {
            var path = request.Url?.AbsolutePath ?? "/";
            var query = request.QueryString;
            switch (request.HttpMethod, path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                case ("POST", ["v1", var signal]):
                    await ReceiveOtlpAsync(request, response, signal);
                    break;
                case ("POST", ["api", "resources", var name, var action]):
                    await ActAsync(request, response, name, action);
                    break;
                case ("POST", ["api", "services", var service, "rolling-restart"]):
                    StartRoll(request, response, service);
                    break;
                case ("POST", _):
                    Problem(response, 404, "not found", $"no action at {path}");
                    break;
                case (not "GET", _):
                    Problem(response, 405, "method not allowed", "GET or POST");
                    break;
                case (_, []) or (_, ["index.html"]):
                    Write(response, 200, "text/html; charset=utf-8", _page!);
                    break;
                case (_, ["api", "resources"]):
                    WriteJson(
                        response,
                        resources()
                            .Select(r => new
                            {
                                r.Name,
                                r.Kind,
                                r.State,
                                r.Endpoint,
                                r.Pid,
                                r.Restarts,
                                r.LastHealth,
                                Actions = r is ServiceRunner,
                                Service = (r as ServiceRunner)?.Service,
                            })
                    );
                    break;
                case (_, ["api", "resources", var name]):
                    WriteDetails(response, name);
                    break;
                case (_, ["api", "charts"]):
                    WriteJson(
                        response,
                        new
                        {
                            IntervalSeconds = MetricsHistory.Interval.TotalSeconds,
                            MetricsHistory.Capacity,
                            Series = MetricsHistory.Series.Select(s => new
                            {
                                s.Name,
                                s.Of,
                                s.Unit,
                                s.Title,
                                Keys = _history.Keys()[s.Name],
                            }),
                        }
                    );
                    break;
                case (_, ["api", "charts", var series]):
                    WriteChart(response, series, query["of"]);
                    break;
                case (_, ["api", "console"]):
                    await StreamConsoleAsync(response, query["resource"]);
                    break;
                case (_, ["api", "traces"]):
                    WriteJson(
                        response,
                        telemetry
                            .Traces(query["q"])
                            .Select(t => new
                            {
                                t.TraceId,
                                t.Name,
                                t.Service,
                                StartMs = t.StartNanos / 1e6,
                                t.DurationMs,
                                t.Spans,
                                t.Services,
                                t.HasError,
                                t.RequestId,
                            })
                    );
                    break;
                case (_, ["api", "traces", var traceId]):
                    WriteTrace(response, traceId);
                    break;
                case (_, ["api", "logs"]):
                    WriteJson(
                        response,
                        telemetry
                            .Logs(
                                query["service"],
                                query["traceId"],
                                query["q"],
                                int.TryParse(query["minSeverity"], out var min) ? min : 0
                            )
                            .Select(l => new
                            {
                                l.Service,
                                TimeMs = l.TimeNanos / 1e6,
                                l.Severity,
                                l.SeverityNumber,
                                l.Body,
                                l.Attributes,
                                l.TraceId,
                                l.SpanId,
                                l.Scope,
                            })
                    );
                    break;
                case (_, ["api", "metrics"]):
                    await WriteMetricsAsync(
                        response,
                        int.TryParse(query["window"], out var seconds) && seconds is > 0 and <= 600 ? seconds : 60
                    );
                    break;
                default:
                    Problem(response, 404, "not found", $"nothing at {path}");
                    break;
            }
        }
        catch (InvalidProtocolBufferException e) // an IOException: caught before those
        {
            TryWrite(response, 400, "text/plain", Encoding.UTF8.GetBytes("malformed OTLP protobuf: " + e.Message));
        }
        catch (InvalidDataException e) // a body sent as gzip that is not
        {
            TryWrite(response, 400, "text/plain", Encoding.UTF8.GetBytes("malformed gzip body: " + e.Message));
        }
        catch (Exception e)
            when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the browser (or exporter) went away
        }
    }

    private async Task ReceiveOtlpAsync(HttpListenerRequest request, HttpListenerResponse response, string signal)
    {
        if (signal is not ("traces" or "logs" or "metrics"))
        {
            Write(response, 404, "text/plain", "not found"u8.ToArray());
            return;
        }
        if (request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            // OTLP/JSON is not spoken here: the .NET exporter sends protobuf
            Write(response, 415, "text/plain", "application/x-protobuf only"u8.ToArray());
            return;
        }
        var body = await ReadBodyAsync(request);
        if (body is null)
        {
            Write(response, 413, "text/plain", "too large"u8.ToArray());
            return;
        }
        switch (signal)
        {
            case "traces":
                telemetry.AddSpans(OtlpDecoder.DecodeTraces(body));
                break;
            case "logs":
                telemetry.AddLogs(OtlpDecoder.DecodeLogs(body));
                break;
            default:
                telemetry.AddMetrics(OtlpDecoder.DecodeMetrics(body));
                break;
        }
        // an empty Export*ServiceResponse: everything was accepted
        Write(response, 200, "application/x-protobuf", []);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpListenerRequest request)
    {
        Stream input = request.InputStream;
        if (string.Equals(request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
        {
            input = new GZipStream(input, CompressionMode.Decompress);
        }
        await using (input)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(chunk)) > 0)
            {
                if (buffer.Length + read > MaxOtlpBody)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    private async Task ActAsync(HttpListenerRequest request, HttpListenerResponse response, string name, string action)
    {
        if (Refused(request, response))
        {
            return;
        }
        if (action is not ("stop" or "start" or "restart"))
        {
            Problem(response, 400, "unknown action", "the action is stop, start or restart");
            return;
        }
        var resource = resources().FirstOrDefault(r => r.Name == name);
        if (resource is not ServiceRunner runner)
        {
            if (resource is null)
                Problem(response, 404, "no such resource", $"no resource is named '{name}'");
            else
                Problem(
                    response,
                    409,
                    "not an action of infrastructure",
                    $"{name} is infrastructure; AppHost does not stop it alone"
                );
            return;
        }
        if (_rolls.IsRolling(runner.Service))
        {
            Problem(response, 409, "a rolling restart is under way", $"{runner.Service} is being rolled; wait for it");
            return;
        }
        if (!await runner.ActAsync(action))
        {
            // AppHost began stopping while the action waited: the service was stopped and is not started again
            Problem(response, 503, "AppHost is stopping", $"{name} stops with it; start AppHost again");
            return;
        }
        WriteJson(response, new { runner.Name, runner.State });
    }

    private void StartRoll(HttpListenerRequest request, HttpListenerResponse response, string service)
    {
        if (Refused(request, response))
        {
            return;
        }
        var instances = resources().OfType<ServiceRunner>().Where(r => r.Service == service).ToList();
        if (instances.Count == 0)
        {
            Problem(response, 404, "no such service", $"no service is named '{service}'");
            return;
        }
        // one serving throughout: the one instance not serving (if any) goes first, while the others serve
        var notServing = RollingRestart.NotServing(instances);
        if (notServing.Count > 1)
        {
            Problem(
                response,
                409,
                "more than one instance is not healthy",
                $"{string.Join(", ", notServing.Select(r => $"{r.Name} is {r.State}"))}: a rolling restart stops "
                    + "an instance only while the others serve; wait until they are healthy, or restart them"
            );
            return;
        }
        // and one serving while each is stopped: with a single instance running, the roll would take the service down
        var running = instances.Where(r => r.State != ResourceState.Stopped).ToList();
        if (running.Count < 2)
        {
            Problem(
                response,
                409,
                "fewer than two instances run",
                $"{running.Count} of {service}'s {instances.Count} instance(s) running: a rolling restart stops one "
                    + $"only while another is healthy, so it would take {service} down; restart it instead, or run it "
                    + $"as replicas (--replicas {service}=2)"
            );
            return;
        }
        instances = [.. notServing, .. instances.Except(notServing)];
        if (!_rolls.TryStart(service, instances, healthTimeout ?? TimeSpan.FromSeconds(120), _closing.Token, out _))
        {
            Problem(response, 409, "a rolling restart is under way", $"{service} is being rolled already");
            return;
        }
        Write(
            response,
            202,
            "application/json; charset=utf-8",
            JsonSerializer.SerializeToUtf8Bytes(
                new { Service = service, Instances = instances.Select(i => i.Name) },
                Json
            )
        );
    }

    /// <summary>
    /// Refuses, before anything is done, a POST from a page of another origin, one without a length (HttpListener
    /// answers it 411 on its own, yet hands it on), and any once AppHost is stopping.
    /// </summary>
    private bool Refused(HttpListenerRequest request, HttpListenerResponse response)
    {
        // a page of another origin must not stop services: browsers send Origin on cross-site POSTs
        if (
            request.Headers["Origin"] is { } origin
            && !string.Equals(origin.TrimEnd('/'), url, StringComparison.OrdinalIgnoreCase)
        )
        {
            Problem(response, 403, "cross-origin request refused", "actions are taken from the dashboard's own page");
            return true;
        }
        if (request.Headers["Content-Length"] is null && request.Headers["Transfer-Encoding"] is null)
        {
            try
            {
                Problem(response, 411, "length required", "send Content-Length: 0 (curl -d '')");
            }
            catch (Exception e)
                when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // HttpListener answered already
            }
            return true;
        }
        // the dashboard serves until the services are stopped (their last telemetry), but starts none of them again
        if (_closing.IsCancellationRequested)
        {
            Problem(response, 503, "AppHost is stopping", "its services are being stopped; start AppHost again");
            return true;
        }
        return false;
    }

    private void WriteDetails(HttpListenerResponse response, string name)
    {
        var all = resources();
        var resource = all.FirstOrDefault(r => r.Name == name);
        if (resource is null)
        {
            Problem(response, 404, "no such resource", $"no resource is named '{name}'");
            return;
        }
        var runner = resource as ServiceRunner;
        WriteJson(
            response,
            new
            {
                resource.Name,
                resource.Kind,
                resource.State,
                resource.Pid,
                resource.Restarts,
                resource.LastHealth,
                Service = runner?.Service,
                Endpoints = new[] { resource.Endpoint }
                    .Concat(runner is null ? [] : [runner.Url + "/health/ready"])
                    .OfType<string>()
                    .Distinct(),
                Replicas = runner is null
                    ? []
                    : all.OfType<ServiceRunner>()
                        .Where(r => r.Service == runner.Service)
                        .Select(r => new
                        {
                            r.Name,
                            r.Url,
                            r.State,
                            r.Pid,
                            r.Restarts,
                        }),
                Environment = runner is null
                    ? []
                    : ResourceDetails.Environment(runner.Environment).Select(v => new { v.Key, v.Value }),
                Rolling = runner is not null && _rolls.IsRolling(runner.Service),
                RollStoppedShort = runner is null ? null : _rolls.StoppedShort(runner.Service),
            }
        );
    }

    private void WriteChart(HttpListenerResponse response, string name, string? of)
    {
        var series = MetricsHistory.Series.FirstOrDefault(s => s.Name == name);
        if (series is null)
        {
            Problem(
                response,
                404,
                "no such chart",
                $"the series are {string.Join(", ", MetricsHistory.Series.Select(s => s.Name))}"
            );
            return;
        }
        if (string.IsNullOrWhiteSpace(of))
        {
            Problem(response, 400, "which one?", $"give ?of=<{series.Of}>");
            return;
        }
        WriteJson(
            response,
            new
            {
                Series = series.Name,
                Of = of,
                series.Unit,
                series.Title,
                IntervalSeconds = MetricsHistory.Interval.TotalSeconds,
                Points = _history.Points(series.Name, of) ?? [],
            }
        );
    }

    /// <summary>
    /// Server-sent events: every kept line, then each new one, of one resource or all; a comment every 15 s keeps
    /// proxies from closing it.
    /// </summary>
    private async Task StreamConsoleAsync(HttpListenerResponse response, string? only)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers["Cache-Control"] = "no-store";
        response.SendChunked = true;
        var output = response.OutputStream;
        var seen = new Dictionary<string, long>();
        var token = _closing.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var waits = new List<Task>();
                var events = new StringBuilder();
                foreach (var resource in resources().Where(r => string.IsNullOrEmpty(only) || r.Name == only))
                {
                    var (lines, next) = resource.Logs.After(seen.GetValueOrDefault(resource.Name));
                    foreach (var line in lines)
                    {
                        events
                            .Append("data: ")
                            .Append(
                                JsonSerializer.Serialize(
                                    new
                                    {
                                        resource = resource.Name,
                                        line.Sequence,
                                        Time = line.Time.ToString("HH:mm:ss"),
                                        line.Text,
                                    },
                                    Json
                                )
                            )
                            .Append("\n\n");
                        seen[resource.Name] = line.Sequence;
                    }
                    waits.Add(next);
                }
                if (events.Length > 0)
                {
                    await output.WriteAsync(Encoding.UTF8.GetBytes(events.ToString()), token);
                    await output.FlushAsync(token);
                }
                var heartbeat = Task.Delay(TimeSpan.FromSeconds(15), token);
                if (await Task.WhenAny([.. waits, heartbeat]) == heartbeat)
                {
                    await output.WriteAsync(": keep-alive\n\n"u8.ToArray(), token);
                    await output.FlushAsync(token);
                }
            }
        }
        finally
        {
            response.Abort();
        }
    }

    private void WriteTrace(HttpListenerResponse response, string traceId)
    {
        var spans = telemetry.Trace(traceId);
        if (spans.Count == 0)
        {
            Write(response, 404, "text/plain", "trace not found (unknown, or no longer kept)"u8.ToArray());
            return;
        }
        var start = spans.Min(s => s.StartNanos);
        WriteJson(
            response,
            new
            {
                TraceId = spans[0].TraceId,
                StartMs = start / 1e6,
                DurationMs = (spans.Max(s => s.EndNanos) - start) / 1e6,
                Spans = spans.Select(s => new
                {
                    s.Service,
                    s.SpanId,
                    s.ParentSpanId,
                    s.Name,
                    Kind = s.Kind.ToString(),
                    s.Scope,
                    OffsetMs = (s.StartNanos - start) / 1e6,
                    DurationMs = s.EndNanos >= s.StartNanos ? (s.EndNanos - s.StartNanos) / 1e6 : 0,
                    s.Attributes,
                    s.IsError,
                    s.StatusMessage,
                }),
                Logs = telemetry
                    .Logs(null, traceId, null)
                    .Reverse()
                    .Select(l => new
                    {
                        l.Service,
                        TimeMs = l.TimeNanos / 1e6,
                        l.Severity,
                        l.Body,
                        l.SpanId,
                    }),
            }
        );
    }

    private async Task WriteMetricsAsync(HttpListenerResponse response, int windowSeconds)
    {
        var platform = probes?.Invoke();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        IReadOnlyList<OutboxBacklog> outboxes = [];
        IReadOnlyList<QueueDepth> queues = [];
        string? queueError = "not started yet";
        try
        {
            if (platform is not null)
                (outboxes, queues, queueError) = await platform.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The request metrics are this process's own: shown even when the databases and broker are too slow.
            queueError = "the databases and the broker did not answer within 20 s";
        }
        _history.RecordPlatform(outboxes, queues);
        WriteJson(
            response,
            new
            {
                WindowSeconds = windowSeconds,
                Requests = telemetry.RequestMetrics(TimeSpan.FromSeconds(windowSeconds)),
                Outboxes = outboxes,
                Queues = queues,
                QueueError = queueError,
            }
        );
    }

    /// <summary>An RFC 9457 problem: the dashboard's refusals, each with what to do instead.</summary>
    private static void Problem(HttpListenerResponse response, int status, string title, string detail) =>
        Write(
            response,
            status,
            "application/problem+json; charset=utf-8",
            JsonSerializer.SerializeToUtf8Bytes(
                new
                {
                    Type = "about:blank",
                    Title = title,
                    Status = status,
                    Detail = detail,
                },
                Json
            )
        );

    private static void WriteJson<T>(HttpListenerResponse response, T body) =>
        Write(response, 200, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(body, Json));

    private static void TryWrite(HttpListenerResponse response, int status, string contentType, byte[] body)
    {
        try
        {
            Write(response, status, contentType, body);
        }
        catch (Exception e)
            when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the headers were already sent, or the client left
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
        _stopping.Dispose();
        _closing.Cancel();
        // Close only: the managed listener's Close after a Stop removes its prefixes a second time, and that binds the
        // port again, which throws once someone else holds it (and holds it meanwhile when nobody does).
        _listener.Close();
        _closing.Dispose();
    }
}
