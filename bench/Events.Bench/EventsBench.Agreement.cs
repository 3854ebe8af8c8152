using Community.Events.Catalogue;
using Community.Events.Data;
using Community.ServiceDefaults.Api;
using Microsoft.EntityFrameworkCore;
using static Community.Events.Catalogue.CatalogueAccess;

namespace Community.Events.Bench;

// Whether the faster queries answer exactly what the plain ones do.
public static partial class EventsBench
{
    /// <summary>
    /// The API's nearby query against the sort-everything one, and the proposed ids-first paging
    /// against the API's, on random points, radii, limits, callers and pages: same rows, same order?
    /// </summary>
    private static async Task<List<string>> CompareAsync(
        Func<EventsDbContext> newContext,
        Random random,
        DateTimeOffset now,
        Action<string> log
    )
    {
        double[] radiiKm = [0.5, 1, 5, 20, 50, 100];
        int[] limits = [1, 10, 50, 100];
        int same = 0,
            total = 0,
            rows = 0;
        var firstDifference = "";
        for (var i = 0; i < 300; i++)
        {
            var city = World.Cities[random.Next(World.Cities.Length)];
            var lat = city.Latitude + (random.NextDouble() - 0.5) * 0.2;
            var lon = city.Longitude + (random.NextDouble() - 0.5) * 0.2;
            var radiusM = radiiKm[random.Next(radiiKm.Length)] * 1000;
            var limit = limits[random.Next(limits.Length)];
            var caller = (i % 3) switch
            {
                0 => Caller.Anonymous,
                1 => new Caller(Seeder.Organizer(random.Next(50_000)), false),
                _ => new Caller(null, true),
            };
            await using var db = newContext();
            var now1 = await CatalogueQueries.Nearby(db, lat, lon, radiusM, limit, caller, now).ToListAsync();
            var before = await Baselines.SortedNearby(db, lat, lon, radiusM, limit, caller, now).ToListAsync();
            total++;
            rows += now1.Count;
            if (now1.SequenceEqual(before))
                same++;
            else if (firstDifference.Length == 0)
                firstDifference =
                    $" (first difference: {city.Name} {lat:F4},{lon:F4} {radiusM / 1000} km limit {limit}: "
                    + $"{now1.Count} vs {before.Count} rows)";
        }
        log($"compared nearby on {total} queries: {same} identical");
        var lines = new List<string>
        {
            $"nearby (ordered index walk) vs sorting every row in radius: {same}/{total} queries identical ids, "
                + $"distances and order, {rows:N0} rows{firstDifference}",
        };

        // A cursor page must hold the rows of the offset page with the same number, filtered or not.
        var pagesSame = 0;
        int[] pages = [2, MiddlePage, DeepPage];
        var filters = new[]
        {
            new CatalogueFilter(),
            new CatalogueFilter(Interest: World.Interests[0]),
            new CatalogueFilter(City: World.Cities[0].Name),
        };
        foreach (var filter in filters)
        foreach (var page in pages)
        {
            await using var db = newContext();
            var catalogue = CatalogueQueries.Catalogue(
                db,
                filter,
                Caller.Anonymous,
                now,
                await CatalogueQueries.EarliestStartAsync(db, now)
            );
            var offset = await CatalogueQueries.PageAsync(
                db,
                catalogue,
                new PageStart<TimeAndId>(new PageRequest(page, PageSize), null)
            );
            var previous = await catalogue.Skip((page - 1) * PageSize - 1).FirstOrDefaultAsync();
            var cursor = previous is null
                ? []
                : await CatalogueQueries.PageAsync(
                    db,
                    catalogue,
                    new PageStart<TimeAndId>(new PageRequest(page, PageSize), CatalogueQueries.PositionOf(previous))
                );
            if (offset.Select(e => e.Id).SequenceEqual(cursor.Select(e => e.Id)))
                pagesSame++;
        }
        lines.Add(
            $"cursor pages vs offset pages {string.Join(", ", pages)} (no filter, interest, city; 21 rows with the "
                + $"probe): {pagesSame}/{pages.Length * filters.Length} identical"
        );
        return lines;
    }
}
