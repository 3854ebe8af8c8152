namespace Community.Events.Registrations;

/// <summary>
/// Work for a key done in shared batches, one batch per key at a time: items added while a batch runs wait for the
/// next. <c>take</c> picks the next batch (by default all that wait), <c>run</c> answers its items, <c>fail</c>
/// answers them should <c>run</c> throw.
/// </summary>
public sealed class BatchQueue<TKey, TItem>(
    Func<TKey, List<TItem>, Task> run,
    Action<TKey, List<TItem>, Exception> fail,
    Func<List<TItem>, List<TItem>>? take = null
)
    where TKey : notnull
{
    private readonly Dictionary<TKey, List<TItem>> _waiting = [];
    private readonly Func<List<TItem>, List<TItem>> _take = take ?? TakeAll;

    public void Add(TKey key, TItem item)
    {
        var lead = false;
        lock (_waiting)
        {
            if (!_waiting.TryGetValue(key, out var waiting))
            {
                _waiting[key] = waiting = [];
                lead = true;
            }
            waiting.Add(item);
        }
        if (lead)
            _ = Task.Run(() => DrainAsync(key));
    }

    private async Task DrainAsync(TKey key)
    {
        while (true)
        {
            List<TItem> batch;
            lock (_waiting)
            {
                var waiting = _waiting[key];
                if (waiting.Count == 0)
                {
                    _waiting.Remove(key);
                    return;
                }
                batch = _take(waiting);
            }
            if (batch.Count == 0)
                continue;
            try
            {
                await run(key, batch);
            }
            catch (Exception exception)
            {
                fail(key, batch, exception);
            }
        }
    }

    private static List<TItem> TakeAll(List<TItem> waiting)
    {
        List<TItem> all = [.. waiting];
        waiting.Clear();
        return all;
    }
}
