using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class FieldRulesTests
{
    /// <summary>
    /// The messages one rule left for its field, as the 400's errors carry them (empty when it passed).
    /// </summary>
    private static string[] Messages(Func<ValidationErrors, bool> rule, bool expectedPass)
    {
        var errors = new ValidationErrors();
        Assert.Equal(expectedPass, rule(errors));
        if (!errors.Any)
            return [];
        return Assert.Single(Assert.Throws<RequestValidationException>(errors.ThrowIfAny).Errors).Value;
    }

    [Fact]
    public void Required_refuses_null_blank_and_the_empty_id()
    {
        Assert.Equal(["title is required."], Messages(e => e.Required("title", (string?)null), false));
        Assert.Equal(["title is required."], Messages(e => e.Required("title", "  "), false));
        Assert.Empty(Messages(e => e.Required("title", "x"), true));
        Assert.Equal(["reference_id is required."], Messages(e => e.Required("reference_id", Guid.Empty), false));
        Assert.Equal(["reference_id is required."], Messages(e => e.Required("reference_id", (Guid?)null), false));
        Assert.Empty(Messages(e => e.Required("reference_id", Guid.CreateVersion7()), true));
    }

    [Fact]
    public void Length_rules_name_the_bounds()
    {
        Assert.Equal(["bio must be at most 5 characters."], Messages(e => e.MaxLength("bio", "123456", 5), false));
        Assert.Empty(Messages(e => e.MaxLength("bio", "12345", 5), true));
        Assert.Empty(Messages(e => e.MaxLength("bio", null, 5), true));
        Assert.Equal(["code must be 3-30 characters."], Messages(e => e.Length("code", "ab", 3, 30), false));
        Assert.Empty(Messages(e => e.Length("code", "abc", 3, 30), true));
    }

    [Theory]
    [InlineData("Lina Haddad", true)]
    [InlineData("لينا حداد", true)]
    [InlineData("Ana \u200E(Lisboa)", true)] // a left-to-right mark reorders nothing
    [InlineData("Family \U0001F468\u200D\U0001F469\u200D\U0001F467", true)] // an emoji joined with ZWJs
    [InlineData("Lina\nSECURITY: verify at evil.example", false)]
    [InlineData("Lina\r\nBcc: x", false)]
    [InlineData("Lina\u2028Haddad", false)]
    [InlineData("Lina\tHaddad", false)]
    [InlineData("Lina\u0085", false)]
    [InlineData("Lina \u202Egnp.exe", false)]
    [InlineData("\u2067Lina", false)] // an isolate left open
    [InlineData("Lina \u2069", false)] // closed without being opened
    [InlineData("\u2067لينا\u2069 Haddad", true)] // a pasted right-to-left name, its isolate closed
    [InlineData("\u202Bلينا\u202C", true)] // an embedding closed
    [InlineData("\u202Dlina\u202C", false)] // an override, even closed
    [InlineData("Bob\u202B\u2066\u202C\u2069", false)] // the PDF inside the isolate closes nothing: the RLE stays open
    [InlineData("\u2067\u202Bلينا\u2069", true)] // the PDI closes the embedding opened inside its isolate
    [InlineData("\u202B\u2067لينا\u2069\u202C", true)] // nested and closed in order
    [InlineData("\u2067Lina\u202C\u2069", false)] // a PDF with no embedding of its own
    [InlineData("\u200B\u200B\u200B", false)]
    [InlineData("\u200B \uFEFF", false)]
    [InlineData("\u3164\u3164\u3164", false)] // Hangul fillers
    [InlineData("\u2800\u2800", false)] // blank Braille patterns
    [InlineData("\uFE0F\uFE0F\uFE0F", false)] // variation selectors alone
    [InlineData("\U000E0041\U000E0042\U000E0043", false)] // tag characters
    [InlineData("क्\u200Dष", true)] // Devanagari with a joiner
    [InlineData("\U0001F600", true)] // an emoji alone
    public void One_line_names_refuse_breaks_reordering_and_nothing_visible(string name, bool valid)
    {
        var messages = Messages(e => e.OneLine("name", name), valid);
        Assert.Equal(valid ? 0 : 1, messages.Length);
        Assert.Empty(Messages(e => e.OneLine("name", null), true));
    }

    [Fact]
    public void One_of_lists_the_allowed_values()
    {
        string[] allowed = ["free", "paid"];
        Assert.Equal(["price must be one of free, paid."], Messages(e => e.OneOf("price", "cheap", allowed), false));
        Assert.Empty(Messages(e => e.OneOf("price", "paid", allowed), true));
        Assert.Empty(Messages(e => e.OneOf("price", null, allowed), true));
    }

    [Theory]
    [InlineData("https://cdn.example.com/a.png", true)]
    [InlineData("http://example.com", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("ftp://example.com/a", false)]
    [InlineData("/relative/path", false)]
    public void Urls_are_absolute_http_or_https(string url, bool valid)
    {
        var messages = Messages(e => e.Url("image_url", url), valid);
        if (!valid)
            Assert.Equal(["image_url must be an absolute http(s) URL of at most 2048 characters."], messages);
    }

    [Fact]
    public void Urls_respect_their_length_and_host()
    {
        Assert.Equal(
            ["u must be an absolute http(s) URL of at most 30 characters."],
            Messages(e => e.Url("u", "https://example.com/" + new string('a', 20), 30), false)
        );
        Assert.Empty(
            Messages(e => e.Url("linkedin_url", "https://www.linkedin.com/in/me", host: "linkedin.com"), true)
        );
        Assert.Equal(
            ["linkedin_url must be a linkedin.com address."],
            Messages(e => e.Url("linkedin_url", "https://evil-linkedin.com/in/me", host: "linkedin.com"), false)
        );
    }

    [Theory]
    [InlineData("amira@example.com", true)]
    [InlineData("  Amira@Example.COM ", true)]
    [InlineData("amira@localhost", false)]
    [InlineData("Amira <amira@example.com>", false)]
    [InlineData("amira@example.com.", false)]
    [InlineData("not-an-address", false)]
    public void Emails_are_single_plain_addresses_with_a_dotted_domain(string email, bool valid)
    {
        var messages = Messages(e => e.Email("email", email), valid);
        if (!valid)
            Assert.Equal(["email must be a valid e-mail address."], messages);
    }

    [Fact]
    public void New_ids_are_version_7_and_ordered_by_the_clock()
    {
        var clock = new FixedClock { Now = DateTimeOffset.Parse("2026-01-01T00:00:00Z") };
        var first = NewId.Next(clock);
        clock.Now += TimeSpan.FromMilliseconds(5);
        var second = NewId.Next(clock);
        Assert.Equal(7, first.Version);
        Assert.True(first.CompareTo(second) < 0);
        Assert.StartsWith("019b76da-a800-7", first.ToString()); // the clock's milliseconds lead the id
    }

    private sealed class FixedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
