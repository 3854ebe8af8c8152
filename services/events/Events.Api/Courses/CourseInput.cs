namespace Community.Events.Courses;

/// <summary>
/// A course as an organizer sends it. Creation reads it from the body; an edit overlays the body on
/// the current values and validates the result with the same rules. Unknown members (id,
/// organizer_id, position...) are refused.
/// </summary>
public sealed record CourseInput
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Category { get; init; }
    public string? ImageUrl { get; init; }
    public long? PriceCents { get; init; }
    public string? Currency { get; init; }
    public int? PriceCredits { get; init; }
    public List<ModuleInput?>? Modules { get; init; }
}

/// <summary>One module, whole. In an edit, Id keeps an existing module of the course (and its learners' progress); without one it is new.</summary>
public sealed record ModuleInput
{
    public Guid? Id { get; init; }
    public string? Title { get; init; }
    public int? DurationMinutes { get; init; }
    public string? Content { get; init; }
    public string? VideoUrl { get; init; }
}

/// <summary>Marks one module of the course completed, or not completed again.</summary>
public sealed record ProgressInput
{
    public Guid? ModuleId { get; init; }
    public bool? Completed { get; init; }
}
