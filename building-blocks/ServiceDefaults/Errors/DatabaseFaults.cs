using System.Net.Sockets;
using Npgsql;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// Which database failures may pass if the work is tried again, found as thrown or wrapped by EF Core anywhere in the
/// inner exceptions.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>
    /// What the driver calls transient (too many connections, an exhausted pool, a timeout, a server starting, a
    /// broken connection, a serialization failure), and a server shutting down under the connection (57P01/57P02: a
    /// failover's old primary stopping, a restart), which the driver does not count. A request that meets one answers
    /// 503.
    /// </summary>
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

    /// <summary>
    /// The database itself out of reach, as during a switchover or failover, a restart or maintenance: a connection
    /// refused or broken (a socket or I/O failure, not a timeout), or the server ending or refusing the session (a
    /// FATAL error: shutting down, starting up, too many connections, not accepting connections; a refused password
    /// is not). Not a busy database (a timeout, an exhausted pool, a lock or serialization failure): those may be
    /// the message's own doing, and keep the ordinary retries. A consumer waits these out for minutes.
    /// </summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            switch (e)
            {
                case PostgresException { InvariantSeverity: "FATAL" or "PANIC" } server
                    when server.IsTransient
                        || server.SqlState
                            is PostgresErrorCodes.AdminShutdown
                                or PostgresErrorCodes.CrashShutdown
                                or PostgresErrorCodes.CannotConnectNow:
                    return true;
                case PostgresException:
                    return false;
                case NpgsqlException { InnerException: SocketException or IOException }:
                    return true;
            }
        return false;
    }
}
