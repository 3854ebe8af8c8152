using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Community.Testing;

/// <summary>
/// Whether a service's EF model and the schema its SQL migrations built agree, table by table: every table the model
/// maps exists; its columns are the model's columns (none missing, none extra) with the model's nullability and type;
/// every index the model declares exists over the same columns, and every plain-column index the migrations made is
/// declared in the model (expression indexes cannot be: EF Core has no way to say them). Answers what differs, one line
/// each.
/// </summary>
public static class SchemaAgreement
{
    public static async Task<IReadOnlyList<string>> DifferencesAsync<TContext>(
        IServiceProvider services,
        string connectionString
    )
        where TContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = await ColumnsAsync(connection);
        var indexes = await IndexesAsync(connection);

        var differences = new List<string>();
        foreach (var table in model.Tables.Where(t => t.Schema is null or "public"))
        {
            if (!columns.TryGetValue(table.Name, out var actual))
            {
                differences.Add($"{table.Name}: mapped by the model, not in the schema");
                continue;
            }
            // xmin is PostgreSQL's system column (the row version, RowVersions.MapToXmin): every row has it.
            foreach (var column in table.Columns.Where(c => c.Name != "xmin"))
            {
                if (!actual.TryGetValue(column.Name, out var found))
                {
                    differences.Add($"{table.Name}.{column.Name}: in the model, not in the schema");
                    continue;
                }
                if (found.Nullable != column.IsNullable)
                    differences.Add(
                        $"{table.Name}.{column.Name}: {(column.IsNullable ? "nullable" : "not null")} in the model, "
                            + $"{(found.Nullable ? "nullable" : "not null")} in the schema"
                    );
                if (Normalise(column.StoreType) != Normalise(found.Type))
                    differences.Add(
                        $"{table.Name}.{column.Name}: {column.StoreType} in the model, {found.Type} in the schema"
                    );
            }
            foreach (var extra in actual.Keys.Where(name => table.FindColumn(name) is null))
                differences.Add($"{table.Name}.{extra}: in the schema, not in the model");

            var declared = table
                .Indexes.Select(i => Key(i.Columns.Select(c => c.Name), i.IsUnique))
                .Concat(table.UniqueConstraints.Select(u => Key(u.Columns.Select(c => c.Name), unique: true)))
                .ToHashSet();
            var built = indexes.Where(i => i.Table == table.Name).ToList();
            foreach (var index in table.Indexes)
                if (!built.Any(b => b.Key == Key(index.Columns.Select(c => c.Name), index.IsUnique)))
                    differences.Add(
                        $"{table.Name}: index {index.Name} ({string.Join(", ", index.Columns.Select(c => c.Name))}) in "
                            + "the model, not in the schema"
                    );
            foreach (var index in built.Where(b => !b.HasExpression && !declared.Contains(b.Key)))
                differences.Add($"{table.Name}: index {index.Name} ({index.Key}) in the schema, not in the model");
        }
        return differences;
    }

    private static string Key(IEnumerable<string> columns, bool unique) =>
        (unique ? "unique " : "") + string.Join(", ", columns);

    private sealed record Column(string Type, bool Nullable);

    private sealed record Index(string Table, string Name, string Key, bool HasExpression);

    private static async Task<Dictionary<string, Dictionary<string, Column>>> ColumnsAsync(NpgsqlConnection connection)
    {
        const string sql = """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            """;
        var tables = new Dictionary<string, Dictionary<string, Column>>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!tables.TryGetValue(reader.GetString(0), out var table))
                tables[reader.GetString(0)] = table = [];
            table[reader.GetString(1)] = new Column(reader.GetString(2), reader.GetBoolean(3));
        }
        return tables;
    }

    // Primary keys are the model's keys, not its indexes: they are left out on both sides.
    private static async Task<List<Index>> IndexesAsync(NpgsqlConnection connection)
    {
        const string sql = """
            SELECT t.relname, i.relname, x.indisunique AND x.indimmediate, x.indexprs IS NOT NULL,
                   array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                         WHERE k.n <= x.indnkeyatts ORDER BY k.n)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND NOT x.indisprimary
            """;
        var indexes = new List<Index>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            indexes.Add(
                new Index(
                    reader.GetString(0),
                    reader.GetString(1),
                    Key(reader.GetFieldValue<string[]>(4), reader.GetBoolean(2)),
                    reader.GetBoolean(3)
                )
            );
        return indexes;
    }

    // The same type under its two spellings: EF's store type names and PostgreSQL's format_type.
    private static string Normalise(string type) =>
        type.ToLowerInvariant() switch
        {
            "timestamptz" => "timestamp with time zone",
            "timestamp" => "timestamp without time zone",
            "int" or "int4" => "integer",
            "int8" => "bigint",
            "int2" => "smallint",
            "bool" => "boolean",
            "float8" => "double precision",
            "float4" => "real",
            "varchar" => "character varying",
            var other => other
                .Replace("varchar(", "character varying(", StringComparison.Ordinal)
                .Replace("[]", "[]", StringComparison.Ordinal),
        };
}
