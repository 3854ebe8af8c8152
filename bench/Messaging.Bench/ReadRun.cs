extern alias MessagingApi;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Community.Events.Bench;
using MessagingApi::Community.Messaging.Conversations;
using MessagingApi::Community.Messaging.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Messaging.Bench;

/// <summary>
/// (b) The reads a member of many conversations makes on every app start, through the gateway: a history page, the
/// unread count and the conversation list. Then EXPLAIN (ANALYZE, BUFFERS) of every statement each of them sends, run
/// by the service's own query code against the same database.
/// </summary>
public static class ReadRun
{
    public const double P95TargetMs = 20;
    private const int HistoryLimit = 50;
    private const int ListLimit = 20;

    public static async Task RunAsync(
        MessagingBenchOptions options,
        ReaderWorld reader,
        HttpClient gateway,
        TestTokens tokens,
        IServiceProvider messaging,
        NpgsqlDataSource database,
        Action<string> line
    )
    {
        line("");
        line(
            $"(b) Reads of a member of {reader.Conversations.Length} conversations ({reader.Messages:N0} messages), "
                + $"through the gateway; {options.Runs} runs each after 30 warm-up"
        );
        line(new string('-', 100));
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer",
            tokens.Issue(reader.Reader)
        );
        var random = new Random(7);
        async Task Get(string path)
        {
            using var response = await gateway.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
        }
        var reads = new (string Name, Func<int, Task> Query)[]
        {
            (
                $"history page (limit {HistoryLimit}), random conversation",
                _ =>
                    Get(
                        $"/api/v1/conversations/{reader.Conversations[random.Next(reader.Conversations.Length)]}"
                            + $"/messages?limit={HistoryLimit}"
                    )
            ),
            ("unread count", _ => Get("/api/v1/messages/unread-count")),
            ($"conversation list (limit {ListLimit})", _ => Get($"/api/v1/conversations?limit={ListLimit}")),
        };
        var all = new List<LatencyStats>();
        foreach (var (name, query) in reads)
        {
            var stats = await Latency.MeasureAsync(name, 30, options.Runs, TimeSpan.FromSeconds(60), query, _ => { });
            all.Add(stats);
            line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name, -48} n={stats.Runs, 5}  p50 {stats.P50, 6:0.0} ms  p95 {stats.P95, 6:0.0} ms  p99 "
                        + $"{stats.P99, 6:0.0} ms  max {stats.Max, 6:0.0} ms"
                )
            );
        }
        foreach (var s in all)
            line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"target p95 <= {P95TargetMs} ms, {s.Name}: "
                        + $"{(s.P95 <= P95TargetMs ? "OK" : "MISSED")} (p95 {s.P95:0.0} ms)"
                )
            );

        line("");
        line("Plans: EXPLAIN (ANALYZE, BUFFERS) of every statement each read sends, with its parameters");
        line(new string('-', 100));
        // The service's own contexts (its pool, the model its compiled queries were made with): a context of other
        // options would have a model of its own, which a compiled query refuses. EF's diagnostics name each command's
        // context, so what the read's context sends is told apart from what the instance's background work sends.
        using var log = new CommandLog();
        // EF decides whether to raise a command's events at most once a second (CoreOptionsExtension.LoggingCacheTime),
        // so a listener new this second could miss the first reads' statements.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var conversation = reader.Conversations[0];
        async Task Plan(string name, Func<MessagingDbContext, Task> query)
        {
            await using var scope = messaging.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            foreach (var (command, i) in (await log.CaptureAsync(db, () => query(db))).Select((c, i) => (c, i)))
            {
                line("");
                line($"## {name}, statement {i + 1}");
                line(command.Describe().TrimEnd());
                line(await ExplainAsync(database, command));
            }
        }
        await Plan(
            $"history page (limit {HistoryLimit})",
            async db =>
            {
                // The service's own MessageQueries, on the context whose commands are captured, the rest of what it
                // needs from the instance.
                await using var scope = messaging.CreateAsyncScope();
                await ActivatorUtilities
                    .CreateInstance<MessageQueries>(scope.ServiceProvider, db)
                    .HistoryAsync(conversation, reader.Reader, null, null, HistoryLimit, CancellationToken.None);
            }
        );
        await Plan("unread count", db => ConversationQueries.UnreadAsync(db, reader.Reader, CancellationToken.None));
        await Plan(
            $"conversation list (limit {ListLimit})",
            db => ConversationQueries.ListAsync(db, reader.Reader, null, null, ListLimit, CancellationToken.None)
        );
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource database, CapturedCommand command)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.Sql, connection);
        foreach (var parameter in command.Parameters)
            explain.Parameters.Add(parameter.Clone());
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(0));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// Every query one context sends while armed, in order, so each statement of a read can be explained: heard from
    /// EF's diagnostic events (what an interceptor would see), kept only when they name the armed context.
    /// </summary>
    private sealed class CommandLog
        : IObserver<DiagnosticListener>,
            IObserver<KeyValuePair<string, object?>>,
            IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private readonly IDisposable _listeners;
        private DbContext? _context;
        private List<CapturedCommand>? _commands;

        public CommandLog() => _listeners = DiagnosticListener.AllListeners.Subscribe(this);

        public async Task<IReadOnlyList<CapturedCommand>> CaptureAsync(DbContext context, Func<Task> run)
        {
            var commands = new List<CapturedCommand>();
            lock (_subscriptions)
                (_context, _commands) = (context, commands);
            try
            {
                await run();
            }
            finally
            {
                lock (_subscriptions)
                    (_context, _commands) = (null, null);
            }
            return commands;
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
                lock (_subscriptions)
                    _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key != RelationalEventId.CommandExecuting.Name || value.Value is not CommandEventData data)
                return;
            lock (_subscriptions)
                if (_commands is not null && ReferenceEquals(data.Context, _context))
                    _commands.Add(
                        new CapturedCommand(
                            data.Command.CommandText,
                            data.Command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList()
                        )
                    );
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }

        public void Dispose()
        {
            _listeners.Dispose();
            lock (_subscriptions)
                _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
