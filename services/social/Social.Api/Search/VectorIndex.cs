using System.Numerics.Tensors;

namespace Community.Social.Search;

/// <summary>
/// This instance's copy of the stored embeddings, one contiguous array per kind, searched by an exact scan (every
/// vector scored): recall is exact search's, a query over 100,000 people takes about a millisecond, and 64
/// dimensions cost 256 bytes a document. PostgreSQL stays the truth: <see cref="VectorIndexSync"/> applies what
/// changed, and every result is checked there (visibility, blocks, a document since deleted) before it is shown.
/// </summary>
public sealed class VectorIndex
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, Shard> _shards = SearchKinds.All.ToDictionary(k => k, _ => new Shard());
    private volatile bool _ready;

    public sealed record Candidate(string Kind, Guid Id, double Score);

    /// <summary>True once a full load completed; before that, searches scan in PostgreSQL.</summary>
    public bool Ready => _ready;

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _shards.Values.Sum(s => s.Ids.Count);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public bool Contains(string kind, Guid id)
    {
        _lock.EnterReadLock();
        try
        {
            return _shards.TryGetValue(kind, out var shard) && shard.Slots.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The highest embedded_seq applied: every embedding stored up to it is here.</summary>
    public long AppliedSeq { get; private set; }

    /// <summary>Stores (or, for a null vector, removes) the documents' vectors, up to <paramref name="seq"/>.</summary>
    public void Apply(IEnumerable<(string Kind, Guid Id, float[]? Vector)> changes, long seq, bool replaceAll = false)
    {
        _lock.EnterWriteLock();
        try
        {
            if (replaceAll)
                foreach (var shard in _shards.Values)
                    shard.Clear();
            foreach (var (kind, id, vector) in changes)
                if (_shards.TryGetValue(kind, out var shard))
                    shard.Set(id, vector);
            AppliedSeq = Math.Max(AppliedSeq, seq);
            if (replaceAll)
                _ready = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The <paramref name="k"/> vectors of <paramref name="kinds"/> nearest to the query.</summary>
    public IReadOnlyList<Candidate> Nearest(IReadOnlyList<string> kinds, float[] query, int k)
    {
        var best = new PriorityQueue<Candidate, float>(k + 1);
        _lock.EnterReadLock();
        try
        {
            foreach (var kind in kinds)
            {
                if (!_shards.TryGetValue(kind, out var shard))
                    continue;
                var dimensions = query.Length;
                for (var i = 0; i < shard.Ids.Count; i++)
                {
                    var row = shard.Data.AsSpan(i * shard.Dimensions, shard.Dimensions);
                    if (row.Length != dimensions)
                        continue;
                    var score = TensorPrimitives.Dot(row, query);
                    if (best.Count < k)
                        best.Enqueue(new Candidate(kind, shard.Ids[i], score), score);
                    else if (best.TryPeek(out _, out var worst) && score > worst)
                        best.EnqueueDequeue(new Candidate(kind, shard.Ids[i], score), score);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        var result = new Candidate[best.Count];
        for (var j = result.Length - 1; j >= 0; j--)
            result[j] = best.Dequeue();
        return result;
    }

    /// <summary>One kind's vectors, row-major; a removed row is filled with the last one.</summary>
    private sealed class Shard
    {
        public List<Guid> Ids { get; } = [];
        public Dictionary<Guid, int> Slots { get; } = [];
        public float[] Data { get; private set; } = [];
        public int Dimensions { get; private set; }

        public void Clear()
        {
            Ids.Clear();
            Slots.Clear();
            Data = [];
            Dimensions = 0;
        }

        public void Set(Guid id, float[]? vector)
        {
            if (vector is null || (Dimensions != 0 && vector.Length != Dimensions))
            {
                Remove(id);
                return;
            }
            Dimensions = vector.Length;
            if (!Slots.TryGetValue(id, out var slot))
            {
                slot = Ids.Count;
                Ids.Add(id);
                Slots[id] = slot;
                if (Data.Length < Ids.Count * Dimensions)
                {
                    var grown = new float[Math.Max(Ids.Count * Dimensions, Data.Length * 2)];
                    Data.CopyTo(grown, 0);
                    Data = grown;
                }
            }
            vector.CopyTo(Data, slot * Dimensions);
        }

        private void Remove(Guid id)
        {
            if (!Slots.Remove(id, out var slot))
                return;
            var last = Ids.Count - 1;
            if (slot != last)
            {
                Ids[slot] = Ids[last];
                Slots[Ids[slot]] = slot;
                Array.Copy(Data, last * Dimensions, Data, slot * Dimensions, Dimensions);
            }
            Ids.RemoveAt(last);
        }
    }
}
