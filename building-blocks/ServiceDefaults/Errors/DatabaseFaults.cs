using Npgsql;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// Which failures mean the database cannot do the work right now but may a moment later: what the driver calls
/// transient (too many connections, an exhausted pool, a server starting, a broken connection, a serialization
/// failure), and a server shutting down under the connection (57P01/57P02: a failover's old primary stopping, a
/// restart), which the driver does not count. Found here or wrapped by EF Core, anywhere in the inner exceptions.
/// A request that meets one answers 503; a consumer retries it for as long as a failover takes.
/// </summary>
public static class DatabaseFaults
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (
                e is System.Data.Common.DbException { IsTransient: true }
                || e
                    is PostgresException
                    {
                        SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                    }
            )
                return true;
        return false;
    }
}
