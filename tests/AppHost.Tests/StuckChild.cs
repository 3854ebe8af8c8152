using System.Runtime.InteropServices;

namespace Community.AppHost.Tests;

/// <summary>
/// The test assembly run as a service is (<c>dotnet AppHost.Tests.dll</c>): a child that ignores SIGTERM, as one stuck
/// in its start-up does.
/// </summary>
internal static class StuckChild
{
    public const string Ready = "ignoring SIGTERM";

    public static void Main()
    {
        using var ignored = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = true);
        Console.WriteLine(Ready);
        Thread.Sleep(Timeout.Infinite);
    }
}
