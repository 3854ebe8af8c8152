using System.Text.Json.Serialization;

namespace Community.Events.Courses;

/// <summary>A new course as an organizer sends it. Unknown members (id, organizer_id, position...) are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
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

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ModuleInput
{
    public string? Title { get; init; }
    public int? DurationMinutes { get; init; }
    public string? Content { get; init; }
    public string? VideoUrl { get; init; }
}

/// <summary>Marks one module of the course completed, or not completed again.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ProgressInput
{
    public Guid? ModuleId { get; init; }
    public bool? Completed { get; init; }
}
