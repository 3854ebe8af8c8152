namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Blobs as files under one root folder (a single machine, development, tests); keys are relative paths.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    /// <param name="root">The folder; an absolute path.</param>
    public LocalBlobStore(string root)
    {
        Root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
    }

    public string Root { get; }

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written aside and moved in, so a reader or a crash never meets half a file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (
                var file = new FileStream(
                    temporary,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    FileShare.None,
                    81920,
                    FileOptions.Asynchronous
                )
            )
            {
                await content.CopyToAsync(file, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            Stream stream = new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read | FileShare.Delete,
                81920,
                FileOptions.Asynchronous
            );
            return Task.FromResult<StoredBlob?>(
                new StoredBlob(stream, ImageFormat.FromKey(key)?.ContentType ?? "application/octet-stream")
            );
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<StoredBlob?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (File.Exists(path))
            File.Delete(path);
        return Task.CompletedTask;
    }

    public string? PublicUrl(string key) => null;

    /// <summary>The file for a key; a key that would leave the root (absolute, "..", backslashes) is refused.</summary>
    public string PathOf(string key)
    {
        if (
            string.IsNullOrWhiteSpace(key)
            || key.Contains('\\')
            || key.Contains('\0')
            || Path.IsPathRooted(key)
            || key.Split('/').Any(segment => segment is "" or "." or "..")
        )
            throw new ArgumentException($"Blob key '{key}' is not a relative path of plain names.", nameof(key));
        var path = Path.GetFullPath(Path.Combine(Root, key));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Blob key '{key}' leaves the store's folder.", nameof(key));
        return path;
    }
}
