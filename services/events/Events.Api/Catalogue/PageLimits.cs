namespace Community.Events.Catalogue;

/// <summary>The page sizes of the service's paged lists.</summary>
public static class PageLimits
{
    public const int DefaultLimit = 20;

    /// <summary>Nearby events answered without a limit.</summary>
    public const int NearbyDefaultLimit = 50;
}
