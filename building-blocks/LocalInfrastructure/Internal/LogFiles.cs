namespace Community.LocalInfrastructure.Internal;

internal static class LogFiles
{
    /// <summary>The length of a log file now, so that a later read shows only what was added.</summary>
    public static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>
    /// What the file holds after <paramref name="offset"/> ("" when missing), even while a server writes it.
    /// </summary>
    public static string ReadFrom(string path, long offset)
    {
        try
        {
            using var stream = new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete
            );
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).TakeLast(lines));
}
