namespace Community.Testing;

/// <summary>
/// Reads run while writes land, in lock-step where the test asks: the writer waits, at the points it chooses, for a
/// read that starts after it asked, so reads fall between known writes whatever the machine's load. A test checking
/// that every read is one moment then also checks what the reads at those points saw, not how many reads the
/// scheduler let through.
/// </summary>
public sealed class ReadsAmongWrites
{
    private TaskCompletionSource? _wanted;

    /// <summary>For the writer: returns once a read that started after this call has ended.</summary>
    public async Task AwaitReadAsync()
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wanted, read);
        await read.Task;
    }

    /// <summary>
    /// Reads, one after another, until <paramref name="writes"/> ends, then awaits it (its failure fails the test).
    /// A read that fails ends the writer's wait too, so no write is left waiting for a read that will not come.
    /// </summary>
    public async Task ReadUntilAsync(Task writes, Func<Task> read)
    {
        try
        {
            while (!writes.IsCompleted)
            {
                var asked = Volatile.Read(ref _wanted);
                await read();
                asked?.TrySetResult();
            }
        }
        catch
        {
            Volatile.Read(ref _wanted)?.TrySetCanceled();
            throw;
        }
        await writes;
    }
}
