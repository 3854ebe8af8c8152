using System.Security.Cryptography;

namespace Community.AppHost;

/// <summary>
/// The admin account AppHost gives a local run, so a new user can try admin routes without
/// setting environment variables. Its generated password is kept in the data folder, so the
/// same account works on later runs (identity creates it once; see Identity's AdminSeeder).
/// </summary>
internal sealed record LocalAdmin(string Username, string Email, string Password)
{
    public const string FileName = "local-admin";
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Reads the account kept in <paramref name="file"/>, or generates one and keeps it there (readable by its owner
    /// only).
    /// </summary>
    public static (LocalAdmin Admin, bool Created) LoadOrCreate(string file)
    {
        if (
            File.Exists(file)
            && File.ReadAllLines(file) is [var username, var email, var password, ..]
            && password.Length > 0
        )
        {
            // a file kept by an earlier version, or copied in, may be readable by others
            if (!OperatingSystem.IsWindows())
            {
                try
                {
                    File.SetUnixFileMode(file, OwnerOnly);
                }
                catch (UnauthorizedAccessException)
                {
                    // another user's file, readable by this one: used as it is
                }
            }
            return (new LocalAdmin(username, email, password), false);
        }
        var admin = new LocalAdmin("admin", "admin@community.localhost", GeneratePassword());
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // an unusable file is replaced by a new one, created owner-only (no window in which others can read it)
        File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var writer = new StreamWriter(file, options))
        {
            foreach (var line in new[] { admin.Username, admin.Email, admin.Password })
            {
                writer.WriteLine(line);
            }
        }
        return (admin, true);
    }

    /// <summary>20 unambiguous letters and digits, at least one of each (identity's password rule).</summary>
    public static string GeneratePassword()
    {
        while (true)
        {
            var password = RandomNumberGenerator.GetString(Alphabet, 20);
            if (password.Any(char.IsLetter) && password.Any(char.IsDigit))
            {
                return password;
            }
        }
    }

    /// <summary>The settings identity reads its configured admins from (Identity:Admins).</summary>
    public IReadOnlyDictionary<string, string> Settings =>
        new Dictionary<string, string>
        {
            ["Identity__Admins__0__Username"] = Username,
            ["Identity__Admins__0__Email"] = Email,
            ["Identity__Admins__0__Password"] = Password,
        };
}
