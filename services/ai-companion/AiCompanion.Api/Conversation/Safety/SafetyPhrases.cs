namespace Community.AiCompanion.Conversation.Safety;

/// <summary>
/// The maintained phrase lists: one phrase per string, whole words, case, accents and punctuation ignored; "word*" is
/// any word starting so, "a|b" either single word, "#" any number. Misspellings are entries of their own; a change
/// comes with a SafetyGuardTests case (and a near miss when the phrase is broad).
/// </summary>
public static class SafetyPhrases
{
    /// <summary>
    /// Suicide and self-harm risk, on input and output: personal intent or distress, not the topic in general.
    /// </summary>
    public static readonly string[] SelfHarm =
    [
        // Intent to die
        "kill myself",
        "killing myself",
        "kill my self",
        "kil myself",
        "kms",
        "end my life",
        "ending my life",
        "end it all",
        "take my own life",
        "taking my own life",
        "take my life",
        "want to die",
        "wanna die",
        "want to be dead",
        "wish i was dead",
        "wish i were dead",
        "wish i wasnt alive",
        "wish i wasnt here",
        "dont want to live",
        "dont wanna live",
        "dont want to be alive",
        "dont want to exist",
        "do not want to live",
        "better off dead",
        "better off without me",
        "no reason to live",
        "nothing to live for",
        "not worth living",
        "unalive myself",
        "unaliving myself",
        "to off myself",
        "gonna off myself",
        // Suicide, with its common misspellings
        "suicidal",
        "suicidle",
        "sucidal",
        "suicdal",
        "commit suicide",
        "committing suicide",
        "comit suicide",
        "commit sucide",
        "commit suicde",
        "thinking about suicide|sucide|suicde",
        "thinking of suicide",
        "thoughts of suicide",
        "considering suicide",
        "contemplating suicide",
        "suicide note",
        "suicide plan",
        // Methods, said of oneself
        "take|took|taking an overdose",
        "going to overdose",
        "gonna overdose",
        "hang myself",
        "hanging myself",
        "jump off a bridge",
        "slit my wrist|wrists",
        "cut my wrist|wrists",
        // Self-harm (not "I hurt myself at the gym" or "cut myself shaving")
        "want|going|urge|urges|need to hurt|harm|cut|burn|punish myself",
        "wanna|gonna hurt|harm|cut|burn myself",
        "harm myself",
        "harming myself",
        "cutting myself",
        "hurting myself on purpose",
        "hurt myself on purpose",
        "cut myself on purpose",
        "cut myself again",
        "self harm",
        "self harming",
        "selfharm",
        "self injury",
        "self injure",
        // Said to someone else (the model's output above all)
        "kill yourself",
        "kys",
        "you should die",
        "end your life",
    ];

    private const string Diagnoses =
        "depression|adhd|bipolar|ptsd|ocd|bpd|autism|schizophrenia|diabetes|cancer|insomnia|dementia|anorexia|bulimia";

    /// <summary>
    /// Advice the companion never gives; checked on the model's output only (a user may talk about their doctor or
    /// lawyer).
    /// </summary>
    public static readonly string[] MedicalAdvice =
    [
        // Doses and changing treatment ("remember to take your medication" stays fine)
        "# mg|mgs|milligram*|mcg|microgram*|ml|millilit*",
        "# tablet*|pill*|capsule*|dose|doses",
        "double|increase|decrease|lower|reduce|stop|skip your|the dose|dosage|medication*|meds",
        "stop taking your|the medication*|meds|pills|antidepressant*",
        "you should take|try|start "
            + "ibuprofen|paracetamol|acetaminophen|aspirin|melatonin|xanax|prozac|zoloft|sertraline|fluoxetine|"
            + "lexapro|valium|diazepam|antidepressant*|antibiotic*|benadryl|tylenol|advil",
        "you dont need a doctor|therapist|medication|meds",
        "you dont need to see a doctor|therapist",
        // Diagnoses ("you have a kind heart" stays fine)
        "you have " + Diagnoses,
        "youve " + Diagnoses,
        "you have got " + Diagnoses,
        "youve got " + Diagnoses,
        "you have clinical depression",
        "youve clinical depression",
        "you have an anxiety|eating|personality disorder",
        "youve an anxiety|eating|personality disorder",
        "you have a personality|anxiety|eating disorder",
        "youve a personality|anxiety|eating disorder",
        "you are suffering from",
        "youre suffering from",
        "you suffer from",
        "you are clinically depressed",
        "youre clinically depressed",
        "you are bipolar|autistic|schizophrenic|anorexic|bulimic",
        "youre bipolar|autistic|schizophrenic|anorexic|bulimic",
        "i diagnose",
        "my diagnosis is",
    ];

    public static readonly string[] LegalAdvice =
    [
        "you should|could|can sue",
        "take them|him|her to court",
        "sue them|him|her",
        "sue your employer|landlord|boss|school|ex",
        "file a lawsuit",
        "file a claim against",
        "you have a strong|solid case",
        "you are legally entitled",
        "youre legally entitled",
        "you dont need a lawyer",
        "you do not need a lawyer",
        "you should plead",
        "plead guilty",
        "plead not guilty",
        "you should not|shouldnt sign",
    ];

    public static readonly string[] FinancialAdvice =
    [
        "buy this|these|that stock|stocks|share|shares|coin|crypto|token",
        "buy|sell|short bitcoin|ethereum|crypto|stocks|shares|options",
        "you should sell|short your|the|those|these stock*|share*|crypto|bitcoin",
        "you should invest your money|savings",
        "invest your money|savings|pension",
        "put your money|savings|pension in|into",
        "invest in stocks|shares|crypto|cryptocurrency|bitcoin|ethereum|gold|etfs|bonds|funds",
        "guaranteed return|returns|profit|profits",
        "take out a loan",
        "max out your credit",
    ];

    /// <summary>Romantic or sexual role-play; applied to minors only, on input and output.</summary>
    public static readonly string[] RomanceMinor =
    [
        "be my girlfriend|boyfriend|gf|bf|lover|partner|wife|husband|valentine",
        "you are my girlfriend|boyfriend|gf|bf|lover|partner|wife|husband",
        "youre my girlfriend|boyfriend|gf|bf|lover|partner|wife|husband",
        "i am your girlfriend|boyfriend|gf|bf|lover|partner|wife|husband",
        "im your girlfriend|boyfriend|gf|bf|lover|partner|wife|husband",
        "pretend to be my girlfriend|boyfriend|lover|partner|wife|husband|crush",
        "roleplay|rp as my girlfriend|boyfriend|lover|partner|wife|husband",
        "role play as my girlfriend|boyfriend|lover|partner|wife|husband",
        "date me",
        "go out with me",
        "marry me",
        "in love with you",
        "i love you",
        "love you too",
        "kiss me",
        "kiss you",
        "kissing you",
        "kisses you|me",
        "make out",
        "making out",
        "have sex",
        "sex with",
        "sexy",
        "sexting",
        "sext",
        "sexual roleplay|role|content|stuff|things",
        "send nudes",
        "nudes",
        "get naked",
        "horny",
        "turn me on",
        "turns me on",
        "my darling",
        "sweetheart",
        "babe",
        "cuddle with me",
        "cuddle you",
        "in bed with",
        "undress",
    ];

    private static readonly Phrase[] Crisis = Parse(SafetyCategories.SelfHarm, SelfHarm);
    private static readonly Phrase[] Advice =
    [
        .. Parse(SafetyCategories.MedicalAdvice, MedicalAdvice),
        .. Parse(SafetyCategories.LegalAdvice, LegalAdvice),
        .. Parse(SafetyCategories.FinancialAdvice, FinancialAdvice),
    ];
    private static readonly Phrase[] Romance = Parse(SafetyCategories.RomanceMinor, RomanceMinor);

    // Crisis first: a text with a crisis phrase and any other hit gets the crisis message.
    private static readonly PhraseList AdultInput = new(Crisis);
    private static readonly PhraseList MinorInput = new([.. Crisis, .. Romance]);
    private static readonly PhraseList AdultOutput = new([.. Crisis, .. Advice]);
    private static readonly PhraseList MinorOutput = new([.. Crisis, .. Advice, .. Romance]);

    public static PhraseList ForInput(bool minor) => minor ? MinorInput : AdultInput;

    public static PhraseList ForOutput(bool minor) => minor ? MinorOutput : AdultOutput;

    private static Phrase[] Parse(string category, string[] phrases) =>
        [.. phrases.Select(p => Phrase.Parse(category, p))];
}
