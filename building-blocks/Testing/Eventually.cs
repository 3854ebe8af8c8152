namespace Community.Testing;

/// <summary>
/// Waits for an asynchronous outcome (a consumed event, a published row) instead of sleeping a fixed time.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // Not there yet (e.g. the server is still starting).
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException(failure);
            await Task.Delay(100);
        }
    }
}
