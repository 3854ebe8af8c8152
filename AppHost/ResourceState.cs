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

/// <summary>The last lines a resource printed, newest last (a fixed-size ring).</summary>
internal sealed class LogBuffer(int capacity = 200)
{
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }
            _lines.Enqueue($"{DateTime.Now:HH:mm:ss} {line}");
        }
    }

    public string[] Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
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
