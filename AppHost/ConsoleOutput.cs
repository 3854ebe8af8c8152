namespace Community.AppHost;

/// <summary>Writes lines to the console with a coloured <c>[name] </c> prefix, one line at a time.</summary>
internal sealed class ConsoleOutput
{
    private static readonly string[] Palette = ["36", "35", "33", "32", "34", "96", "95", "93", "92", "94"];
    private readonly bool _color =
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private readonly Dictionary<string, string> _colors = [];
    private readonly Lock _gate = new();
    private int _width = 8;

    public void Register(string name)
    {
        lock (_gate)
        {
            _colors.TryAdd(name, Palette[_colors.Count % Palette.Length]);
            _width = Math.Max(_width, name.Length);
        }
    }

    public void Line(string name, string text, bool error = false)
    {
        lock (_gate)
        {
            var prefix = ("[" + name + "]").PadRight(_width + 2);
            if (_color)
            {
                var color = error ? "31" : _colors.GetValueOrDefault(name, "37");
                Console.Out.WriteLine($"\u001b[{color}m{prefix}\u001b[0m {text}");
            }
            else
            {
                Console.Out.WriteLine($"{prefix} {text}");
            }
        }
    }

    public void Host(string text) => Line("apphost", text);

    public void Error(string text) => Line("apphost", text, error: true);
}
