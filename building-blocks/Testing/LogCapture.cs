using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Community.Testing;

/// <summary>
/// Every log entry a host under test writes (add it with <see cref="AddTo"/> in the host's services), for tests that a
/// healthy path leaves no warning and a fault does.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Entries at <paramref name="level"/> or above.</summary>
    public IReadOnlyList<LogEntry> AtLeast(LogLevel level) => [.. _entries.Where(e => e.Level >= level)];

    /// <summary>Entries of <paramref name="category"/> at exactly <paramref name="level"/>.</summary>
    public IReadOnlyList<LogEntry> Of(string category, LogLevel level) =>
        [.. _entries.Where(e => e.Category == category && e.Level == level)];

    /// <summary>Forgets what was logged so far (a host's start-up, for a test about what follows).</summary>
    public void Clear() => _entries.Clear();

    public void AddTo(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => capture._entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}: {Message}{(Exception is null ? "" : " " + Exception.GetType().Name)}";
}
