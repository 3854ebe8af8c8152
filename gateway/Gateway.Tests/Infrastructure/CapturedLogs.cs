using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>Every log entry a host lets through its configured levels.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IEnumerable<Entry> Of(string category, LogLevel level) =>
        Entries.Where(e => e.Category == category && e.Level == level);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => logs.Entries.Enqueue(new(category, logLevel, formatter(state, exception)));
    }
}
