using NpgsqlTypes;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// Parameters that keep their PostgreSQL type when their value is null. A bare null (or DBNull) goes to the server
/// untyped, a value with its type: Npgsql prepares a statement per list of parameter types, so a query whose optional
/// filters are sometimes set and sometimes not is prepared again (and planned again by PostgreSQL) each time the
/// pattern changes. For raw SQL (EF Core's <c>SqlQuery</c>/<c>FromSql</c> take them as arguments) and Npgsql commands
/// alike.
/// </summary>
public static class TypedParameters
{
    /// <summary>A value that is never null, typed by its CLR type (no boxing).</summary>
    public static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    public static NpgsqlParameter Text(string? value) => Of(NpgsqlDbType.Text, value);

    public static NpgsqlParameter Date(DateOnly? value) => Of(NpgsqlDbType.Date, value);

    public static NpgsqlParameter Boolean(bool? value) => Of(NpgsqlDbType.Boolean, value);

    public static NpgsqlParameter Integer(int? value) => Of(NpgsqlDbType.Integer, value);

    public static NpgsqlParameter Uuid(Guid? value) => Of(NpgsqlDbType.Uuid, value);

    private static NpgsqlParameter Of(NpgsqlDbType type, object? value) =>
        new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
