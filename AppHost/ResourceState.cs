using System.Text.Json.Serialization;

namespace Community.AppHost;

[JsonConverter(typeof(JsonStringEnumConverter<ResourceState>))]
internal enum ResourceState
{
    Starting,
    Healthy,
    Unhealthy,
    Crashed,
    Restarting,
    Stopped,
}

/// <summary>One console line of a resource; <see cref="Sequence"/> grows by one per line of that resource.</summary>
internal sealed record LogLine(long Sequence, DateTimeOffset Time, string Text);

/// <summary>
/// The last lines a resource printed, newest last (a fixed-size ring), and a signal for live readers.
/// </summary>
internal sealed class LogBuffer(int capacity = 500)
{
    private readonly Queue<LogLine> _lines = new(capacity);
    private long _sequence;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string line)
    {
        TaskCompletionSource appended;
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }
            _lines.Enqueue(new LogLine(++_sequence, DateTimeOffset.Now, line));
            appended = _appended;
            _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        appended.TrySetResult();
    }

    public string[] Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines.Select(l => $"{l.Time:HH:mm:ss} {l.Text}")];
        }
    }

    /// <summary>
    /// The kept lines after <paramref name="sequence"/>, and a task that completes when the next line arrives.
    /// </summary>
    public (IReadOnlyList<LogLine> Lines, Task Next) After(long sequence)
    {
        lock (_lines)
        {
            return (_lines.Where(l => l.Sequence > sequence).ToList(), _appended.Task);
        }
    }
}

/// <summary>What the dashboard shows of one resource; services and infrastructure alike.</summary>
internal class Resource(string name, string kind)
{
    public string Name { get; } = name;
    public string Kind { get; } = kind;
    private volatile ResourceState _state = ResourceState.Starting;

    public ResourceState State
    {
        get => _state;
        set => _state = value;
    }

    public string? Endpoint { get; set; }
    public int? Pid { get; set; }
    public int Restarts { get; set; }
    public string? LastHealth { get; set; }
    public LogBuffer Logs { get; } = new();
}
