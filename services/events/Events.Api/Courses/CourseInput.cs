using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events.Courses;

/// <summary>
/// A course as an organizer sends it. Creation reads it from the body; an edit overlays the body on
/// the current values and validates the result with the same rules. Unknown members (id,
/// organizer_id, position...) are refused.
/// </summary>
public sealed record CourseInput : IRequestExample<CourseInput>
{
    /// <summary>3-120 characters.</summary>
    [Required]
    public string? Title { get; init; }

    /// <summary>At most 5000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>1-50 characters.</summary>
    [Required]
    public string? Category { get; init; }

    /// <summary>An absolute http(s) URL.</summary>
    public string? ImageUrl { get; init; }

    /// <summary>The price in minor units (0-100000000); 0 or absent is free.</summary>
    public long? PriceCents { get; init; }

    /// <summary>ISO 4217 code, required when price_cents is above 0.</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// The price in credits (0-1000000, at least 1 when price_cents is above 0); null when not sold for credits.
    /// </summary>
    public int? PriceCredits { get; init; }

    /// <summary>1-100 modules, in order.</summary>
    [Required]
    public List<ModuleInput?>? Modules { get; init; }

    public static CourseInput Example =>
        new()
        {
            Title = "Trail running basics",
            Description = "Pacing, footwork and safety on mountain trails.",
            Category = "fitness",
            PriceCents = 9900,
            Currency = "AED",
            PriceCredits = 99,
            Modules =
            [
                new()
                {
                    Title = "Gear and safety",
                    DurationMinutes = 20,
                    Content = "What to wear and carry.",
                },
                new() { Title = "Uphill and downhill technique", DurationMinutes = 35 },
            ],
        };
}

/// <summary>
/// One module, whole. In an edit, Id keeps an existing module of the course (and its learners' progress); without one
/// it is new.
/// </summary>
public sealed record ModuleInput
{
    public Guid? Id { get; init; }

    /// <summary>1-200 characters.</summary>
    [Required]
    public string? Title { get; init; }

    /// <summary>1-600 minutes.</summary>
    [Required]
    public int? DurationMinutes { get; init; }
    public string? Content { get; init; }
    public string? VideoUrl { get; init; }
}

/// <summary>Marks one module of the course completed, or not completed again.</summary>
public sealed record ProgressInput
{
    [Required]
    public Guid? ModuleId { get; init; }

    [Required]
    public bool? Completed { get; init; }
}
