namespace Community.ServiceDefaults.Api;

/// <summary>
/// A list's <c>limit</c> as the OpenAPI document states it: 1 to <see cref="Max"/>, <see cref="Default"/> when it is
/// left out. Written on the limit parameter (or an [AsParameters] record's member) with the constants its handler
/// reads limit with.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property)]
public sealed class PageSizeAttribute(int @default) : Attribute
{
    public int Default { get; } = @default;

    public int Max { get; set; } = PageRequest.MaxLimit;

    /// <summary>
    /// False for a list answered whole (the nearest, the best matches): limit is how many, not a page's size.
    /// </summary>
    public bool Paged { get; set; } = true;

    /// <summary>What the document says of limit.</summary>
    public string Description =>
        (Paged ? "Items per page" : "At most this many items") + $", 1-{Max}; {Default} without it.";
}
