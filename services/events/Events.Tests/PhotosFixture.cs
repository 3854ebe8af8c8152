using Community.Events.Data;
using Microsoft.AspNetCore.Http;

namespace Community.Events.Tests;

/// <summary>The events service with its local photo store in a folder of its own, removed afterwards.</summary>
public sealed class PhotosFixture : EventsFixture
{
    public string PhotoRoot { get; } =
        Path.Combine(Path.GetTempPath(), "community-event-photos-" + Guid.NewGuid().ToString("N"));

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            ["Events:Photos:LocalPath"] = PhotoRoot,
            // Long enough for a test's uploads to queue behind one another on a loaded machine (the refusal test starts
            // a host of its own with a short one).
            ["Events:Photos:ImageDecodeWait"] = "00:00:30",
        };

    public CommitFaults Commits { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.ConfigureDbContext<EventsDbContext>(options => options.AddInterceptors(Commits));
    }

    public string FileOf(string eventId, string photoId, string extension) =>
        Path.Combine(PhotoRoot, "events", eventId, $"{photoId}.{extension}");

    /// <summary>
    /// Another instance on this fixture's database and photo folder, whose blob store has <paramref name="fault"/>
    /// happen right after each put (<see cref="FaultAfterPut"/>); the caller disposes it.
    /// </summary>
    public ServiceHost<Program> StartHostFaultingAfterPut(Func<HttpContext, Task> fault) =>
        new ServiceHost<Program>(
            HostSettings(Settings),
            services =>
            {
                ConfigureServices(services);
                services.AddHttpContextAccessor();
                services.WrapBlobStore(
                    (provider, store) =>
                        new FaultyBlobStore(
                            store,
                            afterPut: () =>
                                fault(
                                    provider.GetRequiredService<IHttpContextAccessor>().HttpContext
                                        ?? throw new InvalidOperationException("A put outside a request.")
                                )
                        )
                );
            }
        ).Start();

    /// <summary>
    /// Another instance on this fixture's database and photo folder, with <paramref name="extra"/> set.
    /// </summary>
    public ServiceHost<Program> StartHostWith(IDictionary<string, string?> extra)
    {
        var settings = Settings;
        foreach (var (key, value) in extra)
            settings[key] = value;
        return StartHost(settings);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(PhotoRoot))
            Directory.Delete(PhotoRoot, recursive: true);
    }
}
