using Community.Fleet.Bench;

// Three fleet benchmarks in one build (they share the load tool, the hosting and the report):
//   gateway  - the same authenticated request direct, through our gateway and through nginx
//   journey  - register -> discover -> connect -> message -> register for an event -> pay, many users at once
//   outbox   - events per second from payments' outbox to RabbitMQ with publisher confirms
//   load     - the closed-loop HTTP load tool itself (run as a child process by the gateway benchmark)
var mode = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
try
{
    return mode switch
    {
        "gateway" => await GatewayRun.RunAsync(new BenchArgs(rest)),
        "journey" => await JourneyRun.RunAsync(new BenchArgs(rest)),
        "outbox" => await OutboxRun.RunAsync(new BenchArgs(rest)),
        "load" => await LoadTool.RunAsync(new BenchArgs(rest)),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine(
        "Usage: Community.Fleet.Bench gateway|journey|outbox|load [options]; see "
            + "bench/README.md or the run-*.sh scripts."
    );
    return 2;
}
