using Community.Events.Catalogue;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Courses;

/// <summary>How a <see cref="CourseInput"/> is validated and normalised into a course and its modules.</summary>
public static class CourseRules
{
    public const int MinModules = 1;
    public const int MaxModules = 100;
    public const int MaxContentLength = 20_000;
    public const int MaxPriceCredits = 1_000_000;


    /// <summary>Validates the whole input (every error at once) and builds the course with its modules in the given order.</summary>
    public static (Course Course, List<CourseModule> Modules) Create(CourseInput input, Guid organizerId, DateTimeOffset now)
    {
        var errors = new ValidationErrors();

        var title = input.Title?.Trim();
        if (string.IsNullOrEmpty(title)) errors.Add("title", "title is required.");
        else if (title.Length is < 3 or > 120) errors.Add("title", "title must be 3-120 characters.");

        var description = input.Description?.Trim() ?? "";
        if (description.Length > 5000) errors.Add("description", "description must be at most 5000 characters.");

        var category = input.Category?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(category)) errors.Add("category", "category is required.");
        else if (category.Length > 50) errors.Add("category", "category must be 1-50 characters.");

        var imageUrl = HttpUrl(errors, "image_url", input.ImageUrl);

        var priceCents = input.PriceCents ?? 0;
        if (priceCents is < 0 or > EventRules.MaxPriceCents) errors.Add("price_cents", $"price_cents must be 0-{EventRules.MaxPriceCents} (minor units).");
        var currency = input.Currency?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(currency)) currency = null;
        if (currency is not null && !Catalogue.EventRules.IsCurrency(currency)) errors.Add("currency", "currency must be an ISO 4217 code such as \"EUR\".");
        if (priceCents > 0 && currency is null) errors.Add("currency", "currency is required when price_cents is above 0.");
        if (priceCents == 0) currency = null;

        var priceCredits = input.PriceCredits;
        if (priceCredits is < 0 or > MaxPriceCredits) errors.Add("price_credits", $"price_credits must be 0-{MaxPriceCredits}, or null when not sold for credits.");
        // Otherwise spending 0 credits would unlock a course others pay money for.
        else if (priceCredits == 0 && priceCents > 0) errors.Add("price_credits", "a course with a price_cents costs at least 1 credit; use null when it is not sold for credits.");

        var modules = new List<CourseModule>();
        var courseId = Guid.NewGuid();
        if (input.Modules is not { } inputs) errors.Add("modules", $"modules is required: {MinModules}-{MaxModules} modules.");
        else if (inputs.Count is < MinModules or > MaxModules) errors.Add("modules", $"a course has {MinModules}-{MaxModules} modules.");
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
                var moduleTitle = module.Title?.Trim();
                if (string.IsNullOrEmpty(moduleTitle)) errors.Add($"{field}.title", "title is required.");
                else if (moduleTitle.Length > 200) errors.Add($"{field}.title", "title must be 1-200 characters.");
                if (module.DurationMinutes is not { } minutes) errors.Add($"{field}.duration_minutes", "duration_minutes is required (1-600).");
                else if (minutes is < 1 or > 600) errors.Add($"{field}.duration_minutes", "duration_minutes must be 1-600.");
                var content = module.Content?.Trim() ?? "";
                if (content.Length > MaxContentLength) errors.Add($"{field}.content", $"content must be at most {MaxContentLength} characters.");
                var videoUrl = HttpUrl(errors, $"{field}.video_url", module.VideoUrl);
                modules.Add(new CourseModule
                {
                    Id = Guid.NewGuid(), CourseId = courseId, Position = i + 1, Title = moduleTitle ?? "",
                    DurationMinutes = module.DurationMinutes ?? 0, Content = content, VideoUrl = videoUrl,
                });
            }
        }

        errors.ThrowIfAny();

        var course = new Course
        {
            Id = courseId, OrganizerId = organizerId, Title = title!, Description = description, Category = category!, ImageUrl = imageUrl,
            PriceCents = priceCents, Currency = currency, PriceCredits = priceCredits, CreatedAt = now, UpdatedAt = now,
        };
        return (course, modules);
    }

    private static string? HttpUrl(ValidationErrors errors, string field, string? value)
    {
        var url = value?.Trim();
        if (string.IsNullOrEmpty(url)) return null;
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            errors.Add(field, $"{field} must be an absolute http(s) URL.");
        return url;
    }
}
