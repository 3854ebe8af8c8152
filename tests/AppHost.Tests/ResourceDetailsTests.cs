using Npgsql;

namespace Community.AppHost.Tests;

public sealed class ResourceDetailsTests
{
    public static TheoryData<string, string, string[]> SecretsInValues =>
        new()
        {
            // Npgsql quotes a password holding ';' (and doubles a quote inside one holding both kinds)
            {
                new NpgsqlConnectionStringBuilder { Host = "h", Password = "pa;ss,word" }.ConnectionString,
                "Host=h;Password=****",
                ["pa;", ";ss", ",word"]
            },
            {
                new NpgsqlConnectionStringBuilder { Host = "h", Password = "it's \"pa;ss\"" }.ConnectionString,
                "Host=h;Password=****",
                ["it's", "pa;", ";ss"]
            },
            { "Password='pa;''ss';Host=h", "Password=****;Host=h", ["pa;", "'ss"] },
            { "Password=ab,cd;Host=h", "Password=****;Host=h", ["ab,", ",cd"] },
            { "Host=h;Pwd = ab,cd ; Port=5432", "Host=h;Pwd=****; Port=5432", ["ab,", ",cd"] },
            // StackExchange.Redis separates its options by commas, and its password cannot hold one
            {
                "127.0.0.1:6379,password=s3cret,abortConnect=false",
                "127.0.0.1:6379,password=****,abortConnect=false",
                ["s3cret"]
            },
            {
                "amqp://community:pa%3Bss%2Cword@127.0.0.1:5672/community",
                "amqp://community:****@127.0.0.1:5672/community",
                ["pa%3B", "%2Cword"]
            },
            // Redis URIs name no user
            { "redis://:s3cret@127.0.0.1:6379", "redis://:****@127.0.0.1:6379", ["s3cret"] },
        };

    // each fragment is a piece of the password a mask stopping short would leave (its separators keep it distinct)
    [Theory]
    [MemberData(nameof(SecretsInValues))]
    public void A_password_is_masked_whole_and_the_rest_of_the_value_kept(
        string value,
        string shown,
        string[] fragments
    )
    {
        var masked = ResourceDetails.Masked("ConnectionStrings__db", value);

        Assert.All(fragments, f => Assert.DoesNotContain(f, masked));
        Assert.Equal(shown, masked);
    }
}
