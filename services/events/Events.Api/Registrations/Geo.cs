namespace Community.Events.Registrations;

public static class Geo
{
    /// <summary>The radius earthdistance uses (earth()), so check-in and nearby search agree on distances.</summary>
    public const double EarthRadiusM = 6378168;

    /// <summary>Great-circle distance in metres (haversine).</summary>
    public static double DistanceM(double latitude1, double longitude1, double latitude2, double longitude2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(latitude2 - latitude1);
        var dLon = Radians(longitude2 - longitude1);
        var a =
            Math.Pow(Math.Sin(dLat / 2), 2)
            + Math.Cos(Radians(latitude1)) * Math.Cos(Radians(latitude2)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
