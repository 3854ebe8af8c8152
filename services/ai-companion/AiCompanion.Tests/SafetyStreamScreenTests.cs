using System.Text;
using Community.AiCompanion.Conversation.Safety;

namespace Community.AiCompanion.Tests;

public sealed class SafetyStreamScreenTests
{
    private static readonly SafetyContext Context = new(
        Guid.NewGuid(),
        "US",
        30,
        new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero)
    );
    private readonly SafetyGuard guard = new();

    /// <summary>The text cut at the given positions and streamed: what was released, and the stop if any.</summary>
    private (string Released, SafetyVerdict? Stop) Stream(string text, params int[] cuts)
    {
        var screen = guard.NewStreamScreen(Context);
        var released = new StringBuilder();
        var from = 0;
        foreach (var cut in cuts.Append(text.Length))
        {
            var step = screen.Push(text[from..cut]);
            released.Append(step.Release);
            from = cut;
            if (step.Stop is not null)
            {
                // Once stopped, nothing more ever comes out.
                Assert.Equal(new StreamStep("", step.Stop), screen.Push(" more text"));
                Assert.Equal(new StreamStep("", step.Stop), screen.Complete());
                return (released.ToString(), step.Stop);
            }
        }
        var last = screen.Complete();
        released.Append(last.Release);
        return (released.ToString(), last.Stop);
    }

    private static IEnumerable<int[]> EveryCut(string text)
    {
        for (var i = 0; i <= text.Length; i++)
            yield return [i];
        for (var i = 1; i < text.Length; i++)
        for (var j = i + 1; j < text.Length; j++)
            yield return [i, j];
        yield return [.. Enumerable.Range(1, text.Length - 1)];
    }

    [Theory]
    [InlineData("I hear you. Honestly, kill yourself now.", "kill yourself", SafetyCategories.SelfHarm)]
    [InlineData("ok sure   KILL-your self? no: kill  yourself!", "kill  yourself", SafetyCategories.SelfHarm)]
    [InlineData("Well, you should take 200mg tonight.", "200mg", SafetyCategories.MedicalAdvice)]
    [InlineData("Why not sue them?", "sue them", SafetyCategories.LegalAdvice)]
    [InlineData("[[risk]] I'm worried about you.", "[[risk]]", SafetyCategories.SelfHarmFlaggedByModel)]
    [InlineData("That is hard. [[RISK]]", "[[RISK]]", SafetyCategories.SelfHarmFlaggedByModel)]
    public void A_phrase_split_across_deltas_at_any_position_stops_the_stream_before_it_is_shown(
        string text,
        string phrase,
        string category
    )
    {
        var at = text.IndexOf(phrase, StringComparison.Ordinal);
        foreach (var cuts in EveryCut(text))
        {
            var (released, stop) = Stream(text, cuts);
            Assert.True(stop is not null, $"no stop for cuts [{string.Join(",", cuts)}]");
            Assert.Equal(category, stop.Category);
            Assert.NotNull(stop.Replacement);
            Assert.True(
                text.StartsWith(released, StringComparison.Ordinal),
                $"released '{released}' is not the text's start"
            );
            Assert.True(
                released.Length <= at,
                $"released '{released}' reaches into '{phrase}' with cuts [{string.Join(",", cuts)}]"
            );
        }
    }

    [Theory]
    [InlineData(
        "I hear you; it's killing me too. Talk to a doctor [soon]. 20 minutes a day helps, you have a kind heart."
    )]
    [InlineData("Kilometres of trails [[and] more]: my skills, yourself, a 2nd try.")]
    [InlineData("Go \U0001F30D hiking \U0001D424 soon")]
    public void A_safe_reply_comes_out_whole_at_any_split(string text)
    {
        foreach (var cuts in EveryCut(text))
        {
            var (released, stop) = Stream(text, cuts);
            Assert.Null(stop);
            Assert.Equal(text, released);
        }
    }

    [Fact]
    public void Half_a_surrogate_pair_is_never_released_alone()
    {
        const string Text = "Go \U0001F30D now";
        for (var cut = 1; cut < Text.Length; cut++)
        {
            var screen = guard.NewStreamScreen(Context);
            var first = screen.Push(Text[..cut]).Release;
            Assert.False(first.Length > 0 && char.IsHighSurrogate(first[^1]), $"a lone high surrogate at cut {cut}");
        }
    }

    [Fact]
    public void A_first_word_that_cannot_start_a_phrase_is_released_at_once()
    {
        var screen = guard.NewStreamScreen(Context);
        Assert.Equal(new StreamStep("Hello", null), screen.Push("Hello"));
        Assert.Equal(new StreamStep(" there, ", null), screen.Push(" there, "));
    }

    [Fact]
    public void Only_what_could_still_become_a_phrase_is_held_back()
    {
        var screen = guard.NewStreamScreen(Context);
        Assert.Equal(new StreamStep("That is ", null), screen.Push("That is kil"));
        Assert.Equal(new StreamStep("", null), screen.Push("l"));
        Assert.Equal(new StreamStep("kill time", null), screen.Push(" time"));
        Assert.Equal(new StreamStep(" well", null), screen.Push(" well"));
        Assert.Equal(new StreamStep("", null), screen.Complete());
    }

    [Fact]
    public void A_number_is_held_until_the_next_word_shows_it_is_not_a_dose()
    {
        var screen = guard.NewStreamScreen(Context);
        Assert.Equal("Walk ", screen.Push("Walk 20").Release);
        Assert.Equal("", screen.Push(" ").Release);
        Assert.Equal("20 minutes", screen.Push("minutes").Release);
        Assert.Equal("", screen.Complete().Release);
    }

    [Fact]
    public void A_phrase_completed_by_the_end_of_the_stream_stops_it()
    {
        var screen = guard.NewStreamScreen(Context);
        Assert.Equal(new StreamStep("", null), screen.Push("I "));
        Assert.Equal(new StreamStep("I want to ", null), screen.Push("want to kill myself"));
        Assert.Equal(SafetyCategories.SelfHarm, screen.Complete().Stop?.Category);
    }

    [Fact]
    public void A_minors_stream_also_stops_on_romance()
    {
        var screen = guard.NewStreamScreen(Context with { Age = 15 });
        Assert.Null(screen.Push("Aw, I lo").Stop);
        Assert.Equal(SafetyCategories.RomanceMinor, screen.Push("ve you too!").Stop?.Category);
    }
}
