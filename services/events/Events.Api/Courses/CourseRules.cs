using Community.Events.Catalogue;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Courses;

/// <summary>
/// What an edit did: the snake_case names of the fields that changed, and the modules to add and to remove (kept ones
/// are updated in place).
/// </summary>
public sealed record CourseEdit(
    IReadOnlyList<string> Changed,
    IReadOnlyList<CourseModule> Added,
    IReadOnlyList<CourseModule> Removed
);

/// <summary>
/// How a <see cref="CourseInput"/> is validated and normalised into a course and its modules, new or edited.
/// </summary>
public static class CourseRules
{
    public const int MinModules = 1;
    public const int MaxModules = 100;
    public const int MaxContentLength = 20_000;
    public const int MaxPriceCredits = 1_000_000;

    /// <summary>
    /// Validates the whole input (every error at once) and builds the course with its modules in the given order.
    /// </summary>
    public static (Course Course, List<CourseModule> Modules) Create(
        CourseInput input,
        Guid organizerId,
        DateTimeOffset now
    )
    {
        var course = new Course
        {
            Id = NewId.Next(now),
            OrganizerId = organizerId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var valid = Validate(input, course.Id, existingModules: new HashSet<Guid>(), now);
        course.Title = valid.Title;
        course.Description = valid.Description;
        course.Category = valid.Category;
        course.ImageUrl = valid.ImageUrl;
        course.PriceCents = valid.PriceCents;
        course.Currency = valid.Currency;
        course.PriceCredits = valid.PriceCredits;
        return (course, valid.Modules);
    }

    /// <summary>
    /// The course as the input that would produce it (the base an edit is overlaid on); modules carry their ids.
    /// </summary>
    public static CourseInput ToInput(Course course, IEnumerable<CourseModule> modulesInOrder) =>
        new()
        {
            Title = course.Title,
            Description = course.Description,
            Category = course.Category,
            ImageUrl = course.ImageUrl,
            PriceCents = course.PriceCents,
            Currency = course.Currency,
            PriceCredits = course.PriceCredits,
            Modules =
            [
                .. modulesInOrder.Select(m => new ModuleInput
                {
                    Id = m.Id,
                    Title = m.Title,
                    DurationMinutes = m.DurationMinutes,
                    Content = m.Content,
                    VideoUrl = m.VideoUrl,
                }),
            ],
        };

    /// <summary>
    /// Validates the edited course (every error at once) and writes it onto <paramref name="course"/> and its
    /// tracked <paramref name="current"/> modules. Once anyone is enrolled, active or pending, learners hold
    /// what they enrolled for: the price is fixed, and modules may be edited, reordered and added but not
    /// removed (409) - so a learner's progress never counts a module that is gone, and nobody loses paid content.
    /// </summary>
    public static CourseEdit Edit(
        CourseInput input,
        Course course,
        IReadOnlyList<CourseModule> current,
        bool anyoneEnrolled,
        DateTimeOffset now
    )
    {
        var valid = Validate(
            input,
            course.Id,
            current.Select(m => m.Id).ToHashSet(),
            now,
            (course.PriceCents, course.Currency),
            course.Title
        );
        var keptIds = valid.Modules.Select(m => m.Id).ToHashSet();
        var removed = current.Where(m => !keptIds.Contains(m.Id)).ToList();
        if (anyoneEnrolled)
        {
            if (
                valid.PriceCents != course.PriceCents
                || valid.Currency != course.Currency
                || valid.PriceCredits != course.PriceCredits
            )
                throw new ConflictException(
                    "The price (price_cents, currency, price_credits) cannot change once anyone has enrolled."
                );
            if (removed.Count > 0)
                throw new ConflictException(
                    "Modules cannot be removed once anyone has enrolled (send every module with its id); they may be "
                        + "edited, reordered or added."
                );
        }

        var changed = new List<string>();
        void Set<T>(string field, T was, T value, Action<T> assign)
        {
            if (EqualityComparer<T>.Default.Equals(was, value))
                return;
            assign(value);
            changed.Add(field);
        }
        Set("title", course.Title, valid.Title, v => course.Title = v);
        Set("description", course.Description, valid.Description, v => course.Description = v);
        Set("category", course.Category, valid.Category, v => course.Category = v);
        Set("image_url", course.ImageUrl, valid.ImageUrl, v => course.ImageUrl = v);
        Set("price_cents", course.PriceCents, valid.PriceCents, v => course.PriceCents = v);
        Set("currency", course.Currency, valid.Currency, v => course.Currency = v);
        Set("price_credits", course.PriceCredits, valid.PriceCredits, v => course.PriceCredits = v);

        var byId = current.ToDictionary(m => m.Id);
        var added = new List<CourseModule>();
        var modulesChanged = removed.Count > 0;
        foreach (var module in valid.Modules)
        {
            if (!byId.TryGetValue(module.Id, out var kept))
            {
                added.Add(module);
                modulesChanged = true;
                continue;
            }
            if (
                kept.Position != module.Position
                || kept.Title != module.Title
                || kept.DurationMinutes != module.DurationMinutes
                || kept.Content != module.Content
                || kept.VideoUrl != module.VideoUrl
            )
            {
                kept.Position = module.Position;
                kept.Title = module.Title;
                kept.DurationMinutes = module.DurationMinutes;
                kept.Content = module.Content;
                kept.VideoUrl = module.VideoUrl;
                modulesChanged = true;
            }
        }
        if (modulesChanged)
            changed.Add("modules");
        return new CourseEdit(changed, added, removed);
    }

    private sealed record ValidCourse(
        string Title,
        string Description,
        string Category,
        string? ImageUrl,
        long PriceCents,
        string? Currency,
        int? PriceCredits,
        List<CourseModule> Modules
    );

    /// <summary>
    /// The input checked and normalised, or a 400 naming every invalid field. A module id must be one of
    /// <paramref name="existingModules"/> (a new course has none); modules without one get a new id.
    /// </summary>
    /// <param name="price">
    /// The course's price now, when it is changed: a price kept as it is is not judged again.
    /// </param>
    private static ValidCourse Validate(
        CourseInput input,
        Guid courseId,
        IReadOnlySet<Guid> existingModules,
        DateTimeOffset now,
        (long Cents, string? Currency)? price = null,
        string? storedTitle = null
    )
    {
        var errors = new ValidationErrors();

        var title = input.Title?.Trim();
        // One line, unless kept as it is: a title stored before the rule must not block every other change.
        if (errors.Required("title", title) && errors.Length("title", title, 3, 120) && title != storedTitle)
            errors.OneLine("title", title);

        var description = input.Description?.Trim() ?? "";
        errors.MaxLength("description", description, 5000);

        var category = input.Category?.Trim().ToLowerInvariant();
        if (errors.Required("category", category))
            errors.Length("category", category, 1, 50);

        var imageUrl = HttpUrl(errors, "image_url", input.ImageUrl);

        var priceCents = input.PriceCents ?? 0;
        if (priceCents is < 0 or > EventRules.MaxPriceCents)
            errors.Add("price_cents", $"price_cents must be 0-{EventRules.MaxPriceCents} (minor units).");
        var currency = input.Currency?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(currency))
            currency = null;
        if (errors.Currency("currency", currency) && price != (priceCents, currency))
            errors.ChargeableAmount("price_cents", priceCents, currency);
        if (priceCents > 0 && currency is null)
            errors.Add("currency", "currency is required when price_cents is above 0.");
        if (priceCents == 0)
            currency = null;

        var priceCredits = input.PriceCredits;
        if (priceCredits is < 0 or > MaxPriceCredits)
            errors.Add(
                "price_credits",
                $"price_credits must be 0-{MaxPriceCredits}, or null when not sold for credits."
            );
        // Otherwise spending 0 credits would unlock a course others pay money for.
        else if (priceCredits == 0 && priceCents > 0)
            errors.Add(
                "price_credits",
                "a course with a price_cents costs at least 1 credit; use null when it is not sold for credits."
            );

        var modules = new List<CourseModule>();
        var seen = new HashSet<Guid>();
        if (input.Modules is not { } inputs)
            errors.Add("modules", $"modules is required: {MinModules}-{MaxModules} modules.");
        else if (inputs.Count is < MinModules or > MaxModules)
            errors.Add("modules", $"a course has {MinModules}-{MaxModules} modules.");
        else
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var field = $"modules[{i}]";
                if (inputs[i] is not { } module)
                {
                    errors.Add(field, "each module is an object with title and duration_minutes.");
                    continue;
                }
                if (module.Id is { } id)
                {
                    if (!existingModules.Contains(id))
                        errors.Add(
                            $"{field}.id",
                            existingModules.Count == 0
                                ? "a new course's modules have no id yet; leave it out."
                                : "id is not a module of this course; leave it out for a new module."
                        );
                    else if (!seen.Add(id))
                        errors.Add($"{field}.id", "each module appears once.");
                }
                var moduleTitle = module.Title?.Trim();
                if (string.IsNullOrEmpty(moduleTitle))
                    errors.Add($"{field}.title", "title is required.");
                else if (moduleTitle.Length > 200)
                    errors.Add($"{field}.title", "title must be 1-200 characters.");
                if (module.DurationMinutes is not { } minutes)
                    errors.Add($"{field}.duration_minutes", "duration_minutes is required (1-600).");
                else if (minutes is < 1 or > 600)
                    errors.Add($"{field}.duration_minutes", "duration_minutes must be 1-600.");
                var content = module.Content?.Trim() ?? "";
                if (content.Length > MaxContentLength)
                    errors.Add($"{field}.content", $"content must be at most {MaxContentLength} characters.");
                var videoUrl = HttpUrl(errors, $"{field}.video_url", module.VideoUrl);
                modules.Add(
                    new CourseModule
                    {
                        Id = module.Id ?? NewId.Next(now),
                        CourseId = courseId,
                        Position = i + 1,
                        Title = moduleTitle ?? "",
                        DurationMinutes = module.DurationMinutes ?? 0,
                        Content = content,
                        VideoUrl = videoUrl,
                    }
                );
            }
        }

        errors.ThrowIfAny();
        return new ValidCourse(title!, description, category!, imageUrl, priceCents, currency, priceCredits, modules);
    }

    private static string? HttpUrl(ValidationErrors errors, string field, string? value)
    {
        var url = value?.Trim();
        if (string.IsNullOrEmpty(url))
            return null;
        errors.Url(field, url);
        return url;
    }
}
