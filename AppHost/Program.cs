using System.Runtime.InteropServices;
using Community.AppHost;

AppHostOptions options;
try
{
    options = AppHostOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("Run with --help to see the options.");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(AppHostOptions.Usage);
    return 0;
}

var console = new ConsoleOutput();
using var shutdown = new CancellationTokenSource();
var firstSignal = DateTime.MinValue;
void OnSignal(PosixSignalContext context)
{
    // Ctrl+C reaches AppHost twice when run by `dotnet run` (the terminal signals the whole
    // process group and dotnet run forwards it too): only a signal well after the first forces.
    if (shutdown.IsCancellationRequested && DateTime.UtcNow - firstSignal > TimeSpan.FromSeconds(2))
    {
        console.Error("forced to stop; servers still running are stopped by the next run");
        return; // the runtime ends the process
    }
    context.Cancel = true;
    if (!shutdown.IsCancellationRequested)
    {
        firstSignal = DateTime.UtcNow;
        console.Host($"{context.Signal}: stopping everything (Ctrl+C again to force)");
        shutdown.Cancel();
    }
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

return await new Orchestrator(options, console).RunAsync(shutdown.Token);
