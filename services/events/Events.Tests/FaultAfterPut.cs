using Microsoft.AspNetCore.Http;

namespace Community.Events.Tests;

/// <summary>
/// What goes wrong right after a put has stored its blob, during the request that put it
/// (<see cref="PhotosFixture.StartHostFaultingAfterPut"/>): whatever the upload does next must leave no blob that no
/// row names.
/// </summary>
public static class FaultAfterPut
{
    /// <summary>The client leaves: the request is aborted, and the put returns once its token says so.</summary>
    public static async Task ClientLeaves(HttpContext context)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = context.RequestAborted.Register(() => aborted.TrySetResult());
        context.Abort();
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The put's answer is lost on the way back: it fails, though the blob is stored.</summary>
    public static Task AnswerLost(HttpContext context) =>
        Task.FromException(new IOException("The connection was reset after the blob was stored (lost by the test)."));
}
