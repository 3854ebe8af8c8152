namespace Community.Testing;

/// <summary>
/// Waits for an asynchronous outcome (a consumed event, a published row) instead of sleeping a fixed time.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        if (!await WithinAsync(condition, timeout ?? TimeSpan.FromSeconds(30)))
            throw new TimeoutException(failure);
    }

    /// <summary>
    /// Whether <paramref name="condition"/> came true within <paramref name="timeout"/>, asked every
    /// <paramref name="poll"/> (100 ms): false when it did not, for a test that then tries again another way. An
    /// exception is "not yet" until the deadline, and the caller's after it.
    /// </summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                    return true;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // Not there yet (e.g. the server is still starting).
            }
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
