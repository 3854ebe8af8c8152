using Community.AiCompanion.Conversation.Safety;

namespace Community.AiCompanion.Tests;

public sealed class SafetyGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly SafetyGuard guard = new();

    private static SafetyContext Adult(string? country = "US") => new(Guid.NewGuid(), country, 34, Now);

    private static SafetyContext Minor(string? country = "US") => new(Guid.NewGuid(), country, 15, Now);

    [Theory]
    [InlineData("I want to kill myself")]
    [InlineData("i WANT to   KILL...my-self tonight")]
    [InlineData("I\u2019m thinking about suicide")]
    [InlineData("honestly im su\u00efcidal")]
    [InlineData("Sometimes I think everyone would be better off without me.")]
    [InlineData("kms")]
    [InlineData("I've been cutting myself again")]
    [InlineData("I don\u2019t want to live anymore")]
    [InlineData("I don't wanna live")]
    [InlineData("thinking about sucide a lot lately")]
    [InlineData("I wish I was dead")]
    [InlineData("SELF-HARM is back")]
    [InlineData("I want to end my life")]
    [InlineData("I want to \U0001D424\U0001D422\U0001D425\U0001D425 myself")]
    [InlineData("ｋｉｌｌ ｍｙｓｅｌｆ")]
    [InlineData("k\u200Bill myself")]
    [InlineData("I feel sui\u00ADcidal")]
    public void A_crisis_phrase_in_the_users_message_is_a_crisis(string text)
    {
        var verdict = guard.CheckInput(text, Adult());
        Assert.Equal(SafetyOutcome.Crisis, verdict.Outcome);
        Assert.Equal(SafetyCategories.SelfHarm, verdict.Category);
        Assert.Contains("988", verdict.Replacement);
        Assert.DoesNotContain(text, verdict.Replacement);
    }

    [Theory]
    [InlineData("This traffic is killing me")]
    [InlineData("I cut myself shaving this morning")]
    [InlineData("I hurt myself at the gym")]
    [InlineData("The Suicide Squad was a fun film")]
    [InlineData("I'm dying to see that film")]
    [InlineData("What a killer workout")]
    [InlineData("He skills himself up every weekend")]
    [InlineData("Self-harmony is my band's name")]
    [InlineData("My doctor says I have anxiety and I should take 20 mg of sertraline")]
    [InlineData("Should I sue my landlord?")]
    public void Near_misses_in_the_users_message_pass(string text) =>
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput(text, Adult()));

    [Theory]
    [InlineData("You should take 200mg of ibuprofen.", SafetyCategories.MedicalAdvice)]
    [InlineData("Try 5 ml before bed.", SafetyCategories.MedicalAdvice)]
    [InlineData("It sounds like you have depression.", SafetyCategories.MedicalAdvice)]
    [InlineData("Honestly? Stop taking your meds.", SafetyCategories.MedicalAdvice)]
    [InlineData("You're suffering from burnout.", SafetyCategories.MedicalAdvice)]
    [InlineData("You should sue your landlord.", SafetyCategories.LegalAdvice)]
    [InlineData("You could sue them for that.", SafetyCategories.LegalAdvice)]
    [InlineData("Don't worry, you don't need a lawyer.", SafetyCategories.LegalAdvice)]
    [InlineData("Buy this stock now!", SafetyCategories.FinancialAdvice)]
    [InlineData("Put your savings into Bitcoin.", SafetyCategories.FinancialAdvice)]
    [InlineData("It comes with guaranteed returns.", SafetyCategories.FinancialAdvice)]
    public void Advice_in_the_models_reply_is_refused_kindly(string reply, string category)
    {
        var verdict = guard.CheckOutput(reply, Adult());
        Assert.Equal(SafetyOutcome.Refuse, verdict.Outcome);
        Assert.Equal(category, verdict.Category);
        Assert.Contains("not able to give", verdict.Replacement);
    }

    [Theory]
    [InlineData("It's great that you're talking to your doctor about your medication.")]
    [InlineData("Remember to take your medication the way your doctor prescribed it.")]
    [InlineData("You have a kind heart, and you've been through a lot.")]
    [InlineData("A lawyer could help you understand your options.")]
    [InlineData("Investing in your friendships pays off.")]
    [InlineData("You should invest time in yourself this week.")]
    [InlineData("It took 2 hours to get there, and 3 friends came along.")]
    [InlineData("You should buy yourself something nice.")]
    [InlineData("That sounds like a lot of anxiety before the exam.")]
    public void Near_misses_in_the_models_reply_pass(string reply) =>
        Assert.Equal(SafetyVerdict.Allow, guard.CheckOutput(reply, Adult()));

    [Fact]
    public void A_crisis_phrase_in_the_reply_beats_advice_and_is_a_crisis()
    {
        var verdict = guard.CheckOutput("Take 50 mg, or just kill yourself.", Adult("GB"));
        Assert.Equal(SafetyOutcome.Crisis, verdict.Outcome);
        Assert.Contains("116 123", verdict.Replacement);
    }

    [Theory]
    [InlineData("[[risk]] I'm worried about you.")]
    [InlineData("  [[RISK]]")]
    [InlineData("I hear you. [[risk]]")]
    public void The_models_risk_marker_is_a_crisis(string reply)
    {
        var verdict = guard.CheckOutput(reply, Adult("AU"));
        Assert.Equal(SafetyOutcome.Crisis, verdict.Outcome);
        Assert.Equal(SafetyCategories.SelfHarmFlaggedByModel, verdict.Category);
        Assert.Contains("13 11 14", verdict.Replacement);
        Assert.DoesNotContain("[[", verdict.Replacement);
    }

    [Fact]
    public void The_marker_in_the_users_message_is_not_the_models_judgement() =>
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput("what does [[risk]] mean?", Adult()));

    [Theory]
    [InlineData("US", "988")]
    [InlineData("us", "988")]
    [InlineData("CA", "988")]
    [InlineData("GB", "116 123")]
    [InlineData("UK", "Samaritans")]
    [InlineData(" ie ", "50808")]
    [InlineData("AU", "13 11 14")]
    [InlineData("DE", "0800 111 0 111")]
    [InlineData("FR", "3114")]
    [InlineData("NZ", "1737")]
    [InlineData(null, "findahelpline.com")]
    [InlineData("", "findahelpline.com")]
    [InlineData("ZZ", "findahelpline.com")]
    public void The_crisis_message_names_the_help_in_the_users_country(string? country, string expected)
    {
        var message = CrisisResources.MessageFor(country);
        Assert.Contains(expected, message);
        Assert.Contains("I'm an AI, not a person", message);
        Assert.Equal(message, guard.CheckInput("I want to die", Adult(country)).Replacement);
    }

    [Fact]
    public void The_default_points_to_local_emergency_services()
    {
        Assert.Null(CrisisResources.LineFor("XX"));
        Assert.Contains("local emergency number", CrisisResources.MessageFor("XX"));
        Assert.DoesNotContain("findahelpline", CrisisResources.MessageFor("US"));
    }

    [Theory]
    [InlineData("will you be my girlfriend?")]
    [InlineData("Let's roleplay as my boyfriend")]
    [InlineData("kiss me")]
    [InlineData("I'm in love with you")]
    [InlineData("send nudes")]
    public void A_minor_asking_for_romance_is_refused_and_an_adult_is_not(string text)
    {
        var verdict = guard.CheckInput(text, Minor());
        Assert.Equal(SafetyOutcome.Refuse, verdict.Outcome);
        Assert.Equal(SafetyCategories.RomanceMinor, verdict.Category);
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput(text, Adult()));
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput(text, Adult() with { Age = null }));
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput(text, Adult() with { Age = 18 }));
    }

    [Theory]
    [InlineData("I love you too, sweetheart.")]
    [InlineData("*kisses you*")]
    [InlineData("I'm your girlfriend now.")]
    public void Romance_in_a_reply_to_a_minor_is_refused(string reply)
    {
        Assert.Equal(SafetyCategories.RomanceMinor, guard.CheckOutput(reply, Minor()).Category);
        Assert.Equal(SafetyVerdict.Allow, guard.CheckOutput(reply, Adult()));
    }

    [Theory]
    [InlineData("I talked to my girlfriend today and it went well")]
    [InlineData("My friends love my cooking")]
    [InlineData("We learned about sexual orientation in class")]
    public void A_minor_talking_about_their_life_passes(string text) =>
        Assert.Equal(SafetyVerdict.Allow, guard.CheckInput(text, Minor()));

    [Fact]
    public void The_prompt_rules_forbid_advice_carry_the_marker_and_add_the_minors_rules_for_minors()
    {
        var adult = guard.SystemPromptRules(Adult());
        Assert.Contains(SafetyGuard.RiskMarker, adult);
        Assert.Contains("Never give medical, legal or financial advice", adult);
        Assert.DoesNotContain("under 18", adult);
        var minor = guard.SystemPromptRules(Minor());
        Assert.Contains("under 18", minor);
        Assert.Contains("romantic", minor);
    }

    [Theory]
    [InlineData("2008-11-24", 17, true)]
    [InlineData("2008-11-23", 18, false)]
    [InlineData(null, null, false)]
    public void The_context_takes_the_age_on_the_day_of_the_message(string? born, int? age, bool minor)
    {
        var user = new Data.UserProfile
        {
            UserId = Guid.NewGuid(),
            Country = "IE",
            DateOfBirth = born is null ? null : DateOnly.Parse(born),
        };
        var context = SafetyContext.For(user, Now);
        Assert.Equal(new SafetyContext(user.UserId, "IE", age, Now), context);
        Assert.Equal(minor, context.IsMinor);
    }

    /// <summary>
    /// Every listed phrase, written out plainly, is a hit: a phrase that can never match is a typo in the list.
    /// </summary>
    [Fact]
    public void Every_listed_phrase_matches_itself()
    {
        foreach (
            var (phrases, output) in new[]
            {
                (SafetyPhrases.SelfHarm, false),
                (SafetyPhrases.MedicalAdvice, true),
                (SafetyPhrases.LegalAdvice, true),
                (SafetyPhrases.FinancialAdvice, true),
                (SafetyPhrases.RomanceMinor, false),
            }
        )
        {
            foreach (var phrase in phrases)
            {
                // Each alternative of each word in turn, the other words at their first alternative.
                var words = phrase
                    .Split(' ')
                    .Select(w => w == "#" ? ["12"] : w.Split('|').Select(a => a.TrimEnd('*')).ToArray())
                    .ToArray();
                for (var k = 0; k < words.Length; k++)
                    foreach (var alternative in words[k])
                    {
                        var text =
                            "Well, " + string.Join(" ", words.Select((w, i) => i == k ? alternative : w[0])) + ".";
                        var verdict = output ? guard.CheckOutput(text, Minor()) : guard.CheckInput(text, Minor());
                        Assert.False(verdict.Allowed, $"'{phrase}' did not match '{text}'");
                    }
            }
        }
    }

    [Fact]
    public void A_phrase_word_that_is_not_one_word_is_refused_when_the_list_loads() =>
        Assert.Throws<ArgumentException>(() => Phrase.Parse(SafetyCategories.SelfHarm, "self-harm"));
}
