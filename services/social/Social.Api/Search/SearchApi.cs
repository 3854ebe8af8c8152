using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Search;

/// <summary>A semantic search.</summary>
/// <param name="Q">What to look for, in plain words (1-200 characters).</param>
/// <param name="Type">One kind only; all three without it.</param>
public sealed record SemanticSearchQuery(
    [RequiredParameter] string? Q,
    [ValuesOf(typeof(SearchKinds))] string? Type,
    [PageSize(SearchApi.DefaultLimit, Max = SearchApi.MaxLimit, Paged = false)] int? Limit
);

/// <summary>One result: what it is, its id, its name and the start of its text; score is higher for closer.</summary>
public sealed record SearchHitDto(
    [ValuesOf(typeof(SearchKinds))] string Type,
    Guid Id,
    string Title,
    string Snippet,
    double Score
);

/// <summary>
/// Results best first. mode says what ranked them: embeddings (nearest by meaning, score is cosine similarity) or
/// full_text (PostgreSQL full-text ranking, score is ts_rank) when no embeddings endpoint is configured or it failed.
/// </summary>
public sealed record SemanticSearchDto(
    [ValuesOf(typeof(SemanticSearch), nameof(SemanticSearch.Modes))] string Mode,
    IReadOnlyList<SearchHitDto> Items
);

public static class SearchApi
{
    public const int MaxQueryLength = 200;
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;

    public static RouteGroupBuilder MapSearchApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/search")
            .WithTags("Search")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/semantic", Semantic)
            .WithName("SemanticSearch")
            .WithSummary(
                "People, groups and events by meaning (embeddings), or by full text without an embeddings endpoint; "
                    + "mode says which ran"
            );
        return group;
    }

    private static async Task<Ok<SemanticSearchDto>> Semantic(
        [AsParameters] SemanticSearchQuery query,
        ClaimsPrincipal principal,
        SemanticSearch search,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var q = query.Q?.Trim();
        if (string.IsNullOrEmpty(q) || q.Length > MaxQueryLength)
            errors.Add("q", $"q must be 1-{MaxQueryLength} characters.");
        else if (SafeText.Problem(q) is { } problem)
            errors.Add("q", $"q {problem}.");
        errors.OneOf("type", query.Type, SearchKinds.All);
        if (query.Limit is < 1 or > MaxLimit)
            errors.Add("limit", $"limit must be 1-{MaxLimit}.");
        errors.ThrowIfAny();

        var kinds = query.Type is null ? SearchKinds.All : [query.Type];
        var (mode, hits) = await search.FindAsync(
            principal.UserId(),
            q!,
            kinds,
            query.Limit ?? DefaultLimit,
            cancellationToken
        );
        return TypedResults.Ok(
            new SemanticSearchDto(
                mode,
                [.. hits.Select(h => new SearchHitDto(h.Kind, h.Id, h.Title, SearchText.Snippet(h.Body), h.Score))]
            )
        );
    }
}
