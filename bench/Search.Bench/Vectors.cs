using System.Numerics.Tensors;

namespace Community.Search.Bench;

/// <summary>
/// Synthetic embeddings like a real model's: unit vectors around topic centres (people write about a few hundred
/// topics), each a centre plus Gaussian noise, from a fixed seed. Queries are made the same way.
/// </summary>
public sealed class Vectors
{
    /// <summary>Noise as long as the centre: two documents of a topic have a cosine near 0.5, as real ones.</summary>
    public const double Spread = 1.0;

    public int Count { get; }
    public int Dimensions { get; }

    /// <summary>Row-major, <see cref="Count"/> x <see cref="Dimensions"/>: the in-process memory copy.</summary>
    public float[] Data { get; }

    private readonly float[][] _centres;
    private readonly Random _random;

    public Vectors(int count, int dimensions, int topics, int seed)
    {
        Count = count;
        Dimensions = dimensions;
        _random = new Random(seed);
        _centres = [.. Enumerable.Range(0, topics).Select(_ => Unit(Gaussian(dimensions, 1.0)))];
        Data = new float[count * dimensions];
        for (var i = 0; i < count; i++)
            Around(_centres[_random.Next(topics)], Spread).CopyTo(Data.AsSpan(i * dimensions));
    }

    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(i * Dimensions, Dimensions);

    /// <summary>A query near a random topic, as a search's words land near what it means.</summary>
    public float[] Query() => Around(_centres[_random.Next(_centres.Length)], Spread);

    private float[] Around(float[] centre, double spread)
    {
        var noise = Gaussian(Dimensions, spread / Math.Sqrt(Dimensions));
        for (var d = 0; d < Dimensions; d++)
            noise[d] += centre[d];
        return Unit(noise);
    }

    private float[] Gaussian(int n, double sigma)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++)
        {
            // Box-Muller
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            v[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    public static float[] Unit(float[] v)
    {
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    /// <summary>The <paramref name="k"/> rows of the highest score, best first.</summary>
    public static int[] Best(IEnumerable<int> rows, Func<int, float> score, int k)
    {
        var best = new PriorityQueue<int, float>(k + 1);
        foreach (var i in rows)
        {
            var s = score(i);
            if (best.Count < k)
                best.Enqueue(i, s);
            else if (best.TryPeek(out _, out var worst) && s > worst)
                best.EnqueueDequeue(i, s);
        }
        var result = new int[best.Count];
        for (var j = result.Length - 1; j >= 0; j--)
            result[j] = best.Dequeue();
        return result;
    }
}

/// <summary>Exact nearest neighbours over the memory copy: every row scored, the best k kept.</summary>
public static class BruteForce
{
    public static int[] Nearest(Vectors vectors, float[] query, int k) =>
        Vectors.Best(Enumerable.Range(0, vectors.Count), i => TensorPrimitives.Dot(vectors.Row(i), query), k);
}

/// <summary>
/// An inverted-file index written small: k-means lists (√n of them), a query scans the nprobe nearest lists only.
/// Approximate: a neighbour in an unprobed list is missed.
/// </summary>
public sealed class Ivf
{
    private readonly Vectors _vectors;
    private readonly float[][] _centroids;
    private readonly List<int>[] _lists;

    public Ivf(Vectors vectors, int lists, int iterations, int seed)
    {
        _vectors = vectors;
        var random = new Random(seed);
        _centroids = [.. Enumerable.Range(0, lists).Select(_ => vectors.Row(random.Next(vectors.Count)).ToArray())];
        _lists = [.. Enumerable.Range(0, lists).Select(_ => new List<int>())];
        var assignment = new int[vectors.Count];
        for (var iteration = 0; iteration <= iterations; iteration++)
        {
            Parallel.For(0, vectors.Count, i => assignment[i] = Closest(vectors.Row(i).ToArray(), 1)[0]);
            if (iteration == iterations)
                break;
            var sums = new float[lists][];
            var counts = new int[lists];
            for (var c = 0; c < lists; c++)
                sums[c] = new float[vectors.Dimensions];
            for (var i = 0; i < vectors.Count; i++)
            {
                var row = vectors.Row(i);
                counts[assignment[i]]++;
                for (var d = 0; d < row.Length; d++)
                    sums[assignment[i]][d] += row[d];
            }
            for (var c = 0; c < lists; c++)
                if (counts[c] > 0)
                    _centroids[c] = Vectors.Unit(sums[c]);
        }
        for (var i = 0; i < vectors.Count; i++)
            _lists[assignment[i]].Add(i);
    }

    public int Lists => _lists.Length;

    public int[] Nearest(float[] query, int k, int probes) =>
        Vectors.Best(
            Closest(query, probes).SelectMany(list => _lists[list]),
            i => TensorPrimitives.Dot(_vectors.Row(i), query),
            k
        );

    private int[] Closest(float[] v, int n) =>
        [
            .. Enumerable
                .Range(0, _centroids.Length)
                .OrderByDescending(c => TensorPrimitives.Dot(_centroids[c], v))
                .Take(n),
        ];
}
