namespace Community.Events.Bench;

/// <summary>A city events cluster around: weight is its share of the clustered events, spread the gaussian sigma in km.</summary>
public sealed record City(string Name, string Country, string Region, string TimeZone, double Latitude, double Longitude, double Weight, double SpreadKm, string Currency);

/// <summary>A rough box over land where the unclustered events fall.</summary>
public sealed record LandBox(string Region, double MinLatitude, double MaxLatitude, double MinLongitude, double MaxLongitude, double Weight, string TimeZone);

/// <summary>Where and what the seeded events are: big cities get more events and a wider spread.</summary>
public static class World
{
    public static readonly City[] Cities =
    [
        new("Tokyo", "JP", "Kanto", "Asia/Tokyo", 35.6762, 139.6503, 5.0, 30, "JPY"),
        new("Delhi", "IN", "Delhi", "Asia/Kolkata", 28.6139, 77.2090, 4.0, 25, "INR"),
        new("Shanghai", "CN", "Shanghai", "Asia/Shanghai", 31.2304, 121.4737, 4.0, 25, "CNY"),
        new("São Paulo", "BR", "São Paulo", "America/Sao_Paulo", -23.5505, -46.6333, 3.5, 25, "BRL"),
        new("Mexico City", "MX", "CDMX", "America/Mexico_City", 19.4326, -99.1332, 3.5, 25, "MXN"),
        new("Cairo", "EG", "Cairo", "Africa/Cairo", 30.0444, 31.2357, 3.0, 20, "EGP"),
        new("Mumbai", "IN", "Maharashtra", "Asia/Kolkata", 19.0760, 72.8777, 3.5, 20, "INR"),
        new("Beijing", "CN", "Beijing", "Asia/Shanghai", 39.9042, 116.4074, 3.5, 30, "CNY"),
        new("Dhaka", "BD", "Dhaka", "Asia/Dhaka", 23.8103, 90.4125, 2.5, 15, "BDT"),
        new("Osaka", "JP", "Kansai", "Asia/Tokyo", 34.6937, 135.5023, 2.5, 20, "JPY"),
        new("New York", "US", "New York", "America/New_York", 40.7128, -74.0060, 5.0, 30, "USD"),
        new("Karachi", "PK", "Sindh", "Asia/Karachi", 24.8607, 67.0011, 2.0, 15, "PKR"),
        new("Buenos Aires", "AR", "Buenos Aires", "America/Argentina/Buenos_Aires", -34.6037, -58.3816, 2.5, 25, "ARS"),
        new("Istanbul", "TR", "Istanbul", "Europe/Istanbul", 41.0082, 28.9784, 3.0, 25, "TRY"),
        new("Kolkata", "IN", "West Bengal", "Asia/Kolkata", 22.5726, 88.3639, 2.0, 15, "INR"),
        new("Lagos", "NG", "Lagos", "Africa/Lagos", 6.5244, 3.3792, 2.5, 20, "NGN"),
        new("Manila", "PH", "Metro Manila", "Asia/Manila", 14.5995, 120.9842, 2.0, 15, "PHP"),
        new("Rio de Janeiro", "BR", "Rio de Janeiro", "America/Sao_Paulo", -22.9068, -43.1729, 2.0, 20, "BRL"),
        new("Los Angeles", "US", "California", "America/Los_Angeles", 34.0522, -118.2437, 4.0, 40, "USD"),
        new("Moscow", "RU", "Moscow", "Europe/Moscow", 55.7558, 37.6173, 3.0, 25, "RUB"),
        new("Paris", "FR", "Île-de-France", "Europe/Paris", 48.8566, 2.3522, 3.5, 20, "EUR"),
        new("London", "GB", "England", "Europe/London", 51.5074, -0.1278, 4.5, 25, "GBP"),
        new("Jakarta", "ID", "Jakarta", "Asia/Jakarta", -6.2088, 106.8456, 2.5, 20, "IDR"),
        new("Seoul", "KR", "Seoul", "Asia/Seoul", 37.5665, 126.9780, 3.5, 20, "KRW"),
        new("Lima", "PE", "Lima", "America/Lima", -12.0464, -77.0428, 1.5, 15, "PEN"),
        new("Bangkok", "TH", "Bangkok", "Asia/Bangkok", 13.7563, 100.5018, 2.5, 20, "THB"),
        new("Chicago", "US", "Illinois", "America/Chicago", 41.8781, -87.6298, 2.5, 30, "USD"),
        new("Bogotá", "CO", "Bogotá", "America/Bogota", 4.7110, -74.0721, 1.5, 15, "COP"),
        new("Tehran", "IR", "Tehran", "Asia/Tehran", 35.6892, 51.3890, 1.5, 15, "IRR"),
        new("Johannesburg", "ZA", "Gauteng", "Africa/Johannesburg", -26.2041, 28.0473, 1.5, 25, "ZAR"),
        new("Nairobi", "KE", "Nairobi", "Africa/Nairobi", -1.2921, 36.8219, 1.5, 15, "KES"),
        new("Riyadh", "SA", "Riyadh", "Asia/Riyadh", 24.7136, 46.6753, 1.5, 20, "SAR"),
        new("Dubai", "AE", "Dubai", "Asia/Dubai", 25.2048, 55.2708, 2.5, 15, "AED"),
        new("Singapore", "SG", "Singapore", "Asia/Singapore", 1.3521, 103.8198, 2.5, 8, "SGD"),
        new("Sydney", "AU", "New South Wales", "Australia/Sydney", -33.8688, 151.2093, 2.5, 30, "AUD"),
        new("Melbourne", "AU", "Victoria", "Australia/Melbourne", -37.8136, 144.9631, 2.0, 25, "AUD"),
        new("Toronto", "CA", "Ontario", "America/Toronto", 43.6532, -79.3832, 2.5, 25, "CAD"),
        new("San Francisco", "US", "California", "America/Los_Angeles", 37.7749, -122.4194, 3.0, 25, "USD"),
        new("Berlin", "DE", "Berlin", "Europe/Berlin", 52.5200, 13.4050, 3.0, 15, "EUR"),
        new("Madrid", "ES", "Madrid", "Europe/Madrid", 40.4168, -3.7038, 2.0, 15, "EUR"),
        new("Rome", "IT", "Lazio", "Europe/Rome", 41.9028, 12.4964, 1.5, 15, "EUR"),
        new("Amsterdam", "NL", "North Holland", "Europe/Amsterdam", 52.3676, 4.9041, 2.0, 12, "EUR"),
        new("Stockholm", "SE", "Stockholm", "Europe/Stockholm", 59.3293, 18.0686, 1.0, 15, "SEK"),
        new("Warsaw", "PL", "Masovia", "Europe/Warsaw", 52.2297, 21.0122, 1.0, 15, "PLN"),
        new("Hong Kong", "HK", "Hong Kong", "Asia/Hong_Kong", 22.3193, 114.1694, 2.5, 10, "HKD"),
        new("Taipei", "TW", "Taipei", "Asia/Taipei", 25.0330, 121.5654, 1.5, 15, "TWD"),
        new("Kuala Lumpur", "MY", "Kuala Lumpur", "Asia/Kuala_Lumpur", 3.1390, 101.6869, 1.5, 15, "MYR"),
        new("Casablanca", "MA", "Casablanca-Settat", "Africa/Casablanca", 33.5731, -7.5898, 1.0, 15, "MAD"),
        new("Santiago", "CL", "Santiago", "America/Santiago", -33.4489, -70.6693, 1.5, 15, "CLP"),
        new("Seattle", "US", "Washington", "America/Los_Angeles", 47.6062, -122.3321, 1.5, 20, "USD"),
    ];

    public static readonly LandBox[] LandBoxes =
    [
        new("North America", 30, 55, -124, -70, 6, "America/Chicago"),
        new("Central America", 10, 25, -105, -85, 1, "America/Mexico_City"),
        new("South America", -35, 5, -75, -40, 5, "America/Sao_Paulo"),
        new("Europe", 36, 60, -9, 30, 5, "Europe/Berlin"),
        new("Russia", 50, 62, 30, 90, 3, "Europe/Moscow"),
        new("Africa", -30, 15, -15, 40, 6, "Africa/Nairobi"),
        new("Middle East", 15, 38, 35, 60, 2, "Asia/Dubai"),
        new("South Asia", 8, 30, 68, 90, 4, "Asia/Kolkata"),
        new("East Asia", 22, 45, 100, 135, 5, "Asia/Shanghai"),
        new("Southeast Asia", -8, 20, 95, 125, 3, "Asia/Bangkok"),
        new("Australia", -38, -15, 115, 153, 2, "Australia/Sydney"),
    ];

    public static readonly string[] Interests =
    [
        "technology", "python", "javascript", "ai", "data", "startups", "design", "photography", "hiking", "running",
        "cycling", "yoga", "fitness", "football", "basketball", "chess", "board-games", "music", "jazz", "dance",
        "cooking", "wine", "coffee", "books", "writing", "languages", "travel", "art", "film", "gardening",
        "volunteering", "parenting", "pets", "sustainability", "crypto", "finance", "careers", "mental-health", "meditation", "history",
    ];

    /// <summary>Event types with how often each occurs (meetups and socials dominate).</summary>
    public static readonly (string Type, double Weight)[] EventTypes =
    [
        ("meetup", 35), ("social", 20), ("workshop", 15), ("class", 12), ("trip", 8), ("hackathon", 4), ("other", 6),
    ];

    public static readonly string[] Words =
    [
        "community", "evening", "friendly", "beginners", "welcome", "together", "learn", "share", "talk", "hands-on",
        "session", "open", "local", "weekly", "monthly", "group", "practice", "bring", "laptop", "snacks",
        "drinks", "venue", "downtown", "park", "library", "studio", "rooftop", "garden", "newcomers", "experts",
        "networking", "discussion", "project", "showcase", "demo", "lightning", "talks", "games", "walk", "tour",
    ];
}
