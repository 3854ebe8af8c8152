using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Community.Events.Bench;

/// <summary>A command exactly as EF sent it: its SQL and a copy of its parameters.</summary>
public sealed record CapturedCommand(string Sql, IReadOnlyList<NpgsqlParameter> Parameters)
{
    /// <summary>The SQL followed by its parameter values, for a reader of the report.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Sql.Trim()).AppendLine();
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            text.Append("  -- ")
                .Append(p.ParameterName.Length > 0 ? p.ParameterName : "$" + (i + 1))
                .Append(" = ")
                .AppendLine(Literal(p.Value));
        }
        return text.ToString();
    }

    private static string Literal(object? value) =>
        value switch
        {
            null or DBNull => "NULL",
            string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
            DateTimeOffset t => "'"
                + t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)
                + "+00'",
            DateTime t => "'" + t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            System.Collections.IEnumerable items => "{" + string.Join(",", items.Cast<object?>().Select(Literal)) + "}",
            _ => value.ToString() ?? "",
        };
}

/// <summary>
/// Records the next command EF runs (when armed), so the benchmark can EXPLAIN the very SQL and
/// parameters the API sends instead of a hand-written copy.
/// </summary>
public sealed class CommandCapture : DbCommandInterceptor
{
    private CapturedCommand? _captured;
    private bool _armed;
    private bool _keepLast;

    /// <summary>
    /// The first command <paramref name="run"/> sends, or with <paramref name="last"/> its last (a query that looks
    /// something up first).
    /// </summary>
    public async Task<CapturedCommand> CaptureAsync(Func<Task> run, bool last = false)
    {
        _captured = null;
        _keepLast = last;
        _armed = true;
        try
        {
            await run();
        }
        finally
        {
            _armed = false;
        }
        return _captured ?? throw new InvalidOperationException("The query ran no command.");
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command,
        CommandEventData eventData,
        InterceptionResult<DbDataReader> result,
        CancellationToken cancellationToken = default
    )
    {
        Record(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command,
        CommandEventData eventData,
        InterceptionResult<object> result,
        CancellationToken cancellationToken = default
    )
    {
        Record(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void Record(DbCommand command)
    {
        if (!_armed || (_captured is not null && !_keepLast))
            return;
        _captured = new CapturedCommand(
            command.CommandText,
            command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList()
        );
    }
}
