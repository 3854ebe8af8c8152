using Community.ServiceDefaults.Api;

namespace Community.Social.Search;

/// <summary>The text an embedding is made from, and the checks a returned vector passes before it is stored.</summary>
public static class SearchText
{
    /// <summary>Embedding models read a few thousand tokens at most; a long text's start says what it is.</summary>
    public const int MaxEmbeddedChars = 2000;

    public const int SnippetChars = 160;

    public static string ForEmbedding(string title, string body)
    {
        var text = string.IsNullOrWhiteSpace(body) ? title : $"{title}\n{body}";
        return SafeText.Cut(text, MaxEmbeddedChars);
    }

    public static string Snippet(string body) =>
        body.Length <= SnippetChars ? body : SafeText.Cut(body, SnippetChars - 1).TrimEnd() + "…";

    /// <summary>The vector at unit length (cube's distance then ranks as cosine does); a bad one throws.</summary>
    public static float[] Normalised(ReadOnlySpan<float> vector, int dimensions)
    {
        if (vector.Length != dimensions)
            throw new InvalidDataException(
                $"The embeddings endpoint answered {vector.Length} dimensions, not the {dimensions} configured."
            );
        double sum = 0;
        foreach (var x in vector)
        {
            if (!float.IsFinite(x))
                throw new InvalidDataException("The embeddings endpoint answered a vector that is not finite.");
            sum += (double)x * x;
        }
        if (sum == 0)
            throw new InvalidDataException("The embeddings endpoint answered a zero vector.");
        var norm = Math.Sqrt(sum);
        var result = new float[vector.Length];
        for (var i = 0; i < vector.Length; i++)
            result[i] = (float)(vector[i] / norm);
        return result;
    }
}
