using System.Text.RegularExpressions;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Catalogue;

/// <summary>How an <see cref="EventInput"/> is validated, normalised and applied to an event.</summary>
public static partial class EventRules
{
    public const int DefaultGeofenceRadiusM = 150;

    /// <summary>The longest an event may last; the catalogue relies on it to bound its "upcoming" scan.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(31);

    /// <summary>How far ahead an event may start (about five years).</summary>
    public static readonly TimeSpan MaxLeadTime = TimeSpan.FromDays(5 * 365);
    public const int MaxInterests = 20;
    public const int MaxInvited = 1000;
    public const int MaxCapacity = 100_000;
    public const long MaxPriceCents = 100_000_000;

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();

    /// <summary>The event's fields as the input that would produce them (the base an edit is overlaid on).</summary>
    public static EventInput ToInput(CommunityEvent e) =>
        new()
        {
            Title = e.Title,
            Description = e.Description,
            EventType = e.EventType,
            Interests = [.. e.Interests],
            Region = e.Region,
            LocationName = e.LocationName,
            Address = e.Address,
            City = e.City,
            Country = e.Country,
            Latitude = e.Latitude,
            Longitude = e.Longitude,
            GeofenceRadiusM = e.GeofenceRadiusM,
            StartsAt = e.StartsAt,
            EndsAt = e.EndsAt,
            TimeZone = e.TimeZone,
            Capacity = e.Capacity,
            WaitlistEnabled = e.WaitlistEnabled,
            PriceCents = e.PriceCents,
            Currency = e.Currency,
            RefundCutoffHours = e.RefundCutoffHours,
            CoverImageUrl = e.CoverImageUrl,
            Visibility = e.Visibility,
            InvitedUserIds = [.. e.InvitedUserIds],
        };

    /// <summary>
    /// Validates the whole input and writes it onto <paramref name="target"/>; returns the snake_case names of changed
    /// fields.
    /// </summary>
    /// <param name="ticketsPaidIn">The currency tickets of the event were paid in, if any were (cancelled or not):
    /// the event's takings are counted in it, so its price may not move to another.</param>
    public static List<string> Apply(
        EventInput input,
        CommunityEvent target,
        DateTimeOffset now,
        bool startMayBePast,
        string? ticketsPaidIn = null,
        bool someoneWaits = false
    )
    {
        var errors = new ValidationErrors();

        var title = input.Title?.Trim();
        // One line, unless kept as it is: a title stored before the rule must not block every other change.
        if (errors.Required("title", title) && errors.Length("title", title, 3, 120) && title != target.Title)
            errors.OneLine("title", title);

        var description = input.Description?.Trim() ?? "";
        errors.MaxLength("description", description, 5000);

        var eventType = input.EventType?.Trim().ToLowerInvariant();
        if (eventType is null)
            errors.Add("event_type", $"event_type is required: one of {string.Join(", ", EventTypes.All)}.");
        else
            errors.OneOf("event_type", eventType, EventTypes.All);

        var interests = (input.Interests ?? []).Select(i => i?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (interests.Count > MaxInterests)
            errors.Add("interests", $"at most {MaxInterests} interests.");
        if (interests.Any(i => i.Length is 0 or > 40))
            errors.Add("interests", "each interest must be 1-40 characters.");

        var region = errors.OptionalText("region", input.Region, 100);
        var locationName = errors.OptionalText("location_name", input.LocationName, 200);
        var address = errors.OptionalText("address", input.Address, 300);
        var city = errors.OptionalText("city", input.City, 100);
        var country = input.Country?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(country))
            country = null;
        else if (!CountryCode().IsMatch(country))
            errors.Add("country", "country must be an ISO 3166-1 alpha-2 code such as \"DE\".");

        if (input.Latitude is not { } latitude || !double.IsFinite(latitude) || latitude is < -90 or > 90)
            errors.Add("latitude", "latitude is required, between -90 and 90.");
        if (input.Longitude is not { } longitude || !double.IsFinite(longitude) || longitude is < -180 or > 180)
            errors.Add("longitude", "longitude is required, between -180 and 180.");

        var geofence = input.GeofenceRadiusM ?? DefaultGeofenceRadiusM;
        if (geofence is < 20 or > 2000)
            errors.Add("geofence_radius_m", "geofence_radius_m must be 20-2000 metres.");

        if (input.StartsAt is null)
            errors.Add("starts_at", "starts_at is required (ISO 8601 with an offset).");
        if (input.EndsAt is null)
            errors.Add("ends_at", "ends_at is required (ISO 8601 with an offset).");
        // Judged as stored (whole microseconds): an end a fraction of a microsecond after the start is no later.
        if (
            input.StartsAt is { } sentStart
            && input.EndsAt is { } sentEnd
            && (UtcTimestamps.AsStored(sentStart), UtcTimestamps.AsStored(sentEnd)) is var (starts, ends)
        )
        {
            if (ends <= starts)
                errors.Add("ends_at", "ends_at must be after starts_at.");
            // An event under way may run longer, not be declared over: that would close its check-in and stop a
            // cancellation (a moderators' removal included) from refunding it.
            else if (ends != target.EndsAt && ends <= now)
                errors.Add("ends_at", "ends_at must be in the future: an event's end cannot be moved into the past.");
            if (ends - starts > MaxDuration)
                errors.Add("ends_at", $"an event lasts at most {MaxDuration.TotalDays} days.");
            if (!startMayBePast && starts <= now)
                errors.Add("starts_at", "starts_at must be in the future.");
            // Calendars, local-time conversion and the catalogue's index all stay in sane years.
            if (starts > now + MaxLeadTime)
                errors.Add("starts_at", $"starts_at must be within {MaxLeadTime.TotalDays / 365:0} years from now.");
        }

        var timeZone = string.IsNullOrWhiteSpace(input.TimeZone) ? "UTC" : input.TimeZone.Trim();
        if (EventZones.Canonical(timeZone) is null)
            errors.Add(
                "time_zone",
                "time_zone must be an IANA time zone id, spelled as the database spells it, such as \"Europe/Berlin\"."
            );

        if (input.Capacity is { } capacity && capacity is < 1 or > MaxCapacity)
            errors.Add("capacity", $"capacity must be 1-{MaxCapacity}, or null for unlimited.");
        else if (input.Capacity is { } newCapacity && newCapacity < target.SeatsTaken)
            errors.Add("capacity", $"capacity cannot go below the {target.SeatsTaken} seats already taken.");

        var price = input.PriceCents ?? 0;
        if (price is < 0 or > MaxPriceCents)
            errors.Add("price_cents", $"price_cents must be 0-{MaxPriceCents} (minor units).");
        var currency = input.Currency?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(currency))
            currency = null;
        // A price kept as it is (a change of something else) is not judged again.
        if (errors.Currency("currency", currency) && (price != target.PriceCents || currency != target.Currency))
            errors.ChargeableAmount("price_cents", price, currency);
        if (price > 0 && currency is null)
            errors.Add("currency", "currency is required when price_cents is above 0.");
        if (price == 0)
            currency = null;

        var refundCutoff = input.RefundCutoffHours ?? 24;
        if (refundCutoff is < 0 or > 720)
            errors.Add("refund_cutoff_hours", "refund_cutoff_hours must be 0-720.");

        var cover = input.CoverImageUrl?.Trim();
        if (string.IsNullOrEmpty(cover))
            cover = null;
        // The stored value passes as it is: an uploaded cover's address is relative (the service's content route).
        else if (cover != target.CoverImageUrl)
            errors.Url("cover_image_url", cover);

        var visibility = input.Visibility?.Trim().ToLowerInvariant() ?? Visibility.Public;
        if (!Visibility.All.Contains(visibility))
            errors.Add("visibility", "visibility must be public or private.");
        var invited = (input.InvitedUserIds ?? []).Distinct().ToList();
        if (invited.Count > MaxInvited)
            errors.Add("invited_user_ids", $"at most {MaxInvited} invited users.");
        if (invited.Contains(Guid.Empty))
            errors.Add("invited_user_ids", "invited_user_ids must be user ids.");

        // Attendees agreed to a price, and so did those waiting for a seat (one freed seats them on their own terms):
        // once seats are taken or someone waits, it is fixed; and so are the refund terms below.
        var registered = target.SeatsTaken > 0 || someoneWaits;
        if (registered && (price != target.PriceCents || currency != target.Currency))
            errors.Add("price_cents", "the price cannot change once people have registered.");
        else if (ticketsPaidIn is not null && currency is not null && currency != ticketsPaidIn)
            errors.Add(
                "currency",
                $"tickets were paid for in {ticketsPaidIn}: the price stays in it, so the event's takings add up."
            );
        // Nor can their refund get harder to have: the cutoff may come closer to the start, not move away from it.
        if (registered && refundCutoff > target.RefundCutoffHours)
            errors.Add(
                "refund_cutoff_hours",
                $"refund_cutoff_hours cannot rise above {target.RefundCutoffHours} once people have registered."
            );
        // Nor may an earlier start bring their refund deadline (start less cutoff) sooner; a free event owes no refund.
        // A cutoff out of its range is refused above, and no date is reckoned with it.
        if (
            registered
            && target.IsPaid
            && refundCutoff is >= 0 and <= 720
            && RefundDeadlineComesSooner(target, input.StartsAt, refundCutoff, now) is { } deadline
        )
            errors.Add(
                "starts_at",
                $"starts_at cannot be before {UtcTimestamps.Write(deadline + TimeSpan.FromHours(refundCutoff))} once "
                    + $"people have registered: they may cancel with a refund until {UtcTimestamps.Write(deadline)} "
                    + "(starts_at less refund_cutoff_hours), and an earlier start would end that sooner."
            );

        errors.ThrowIfAny();

        var changed = new List<string>();
        void Set<T>(string field, T current, T value, Action<T> assign)
        {
            if (EqualityComparer<T>.Default.Equals(current, value))
                return;
            assign(value);
            changed.Add(field);
        }
        void SetList<T>(string field, List<T> current, List<T> value, Action<List<T>> assign)
        {
            if (current.SequenceEqual(value))
                return;
            assign(value);
            changed.Add(field);
        }

        Set("title", target.Title, title!, v => target.Title = v);
        Set("description", target.Description, description, v => target.Description = v);
        Set("event_type", target.EventType, eventType!, v => target.EventType = v);
        SetList("interests", target.Interests, interests, v => target.Interests = v);
        Set("region", target.Region, region, v => target.Region = v);
        Set("location_name", target.LocationName, locationName, v => target.LocationName = v);
        Set("address", target.Address, address, v => target.Address = v);
        Set("city", target.City, city, v => target.City = v);
        Set("country", target.Country, country, v => target.Country = v);
        Set("latitude", target.Latitude, input.Latitude!.Value, v => target.Latitude = v);
        Set("longitude", target.Longitude, input.Longitude!.Value, v => target.Longitude = v);
        Set("geofence_radius_m", target.GeofenceRadiusM, geofence, v => target.GeofenceRadiusM = v);
        Set("starts_at", target.StartsAt, UtcTimestamps.AsStored(input.StartsAt!.Value), v => target.StartsAt = v);
        Set("ends_at", target.EndsAt, UtcTimestamps.AsStored(input.EndsAt!.Value), v => target.EndsAt = v);
        Set("time_zone", target.TimeZone, timeZone, v => target.TimeZone = v);
        Set("capacity", target.Capacity, input.Capacity, v => target.Capacity = v);
        Set("waitlist_enabled", target.WaitlistEnabled, input.WaitlistEnabled ?? true, v => target.WaitlistEnabled = v);
        Set("price_cents", target.PriceCents, price, v => target.PriceCents = v);
        Set("currency", target.Currency, currency, v => target.Currency = v);
        Set("refund_cutoff_hours", target.RefundCutoffHours, refundCutoff, v => target.RefundCutoffHours = v);
        // A new address replaces an uploaded cover: its blob is the caller's to delete.
        Set(
            "cover_image_url",
            target.CoverImageUrl,
            cover,
            v => (target.CoverImageUrl, target.CoverImageKey) = (v, null)
        );
        Set("visibility", target.Visibility, visibility, v => target.Visibility = v);
        SetList("invited_user_ids", target.InvitedUserIds, invited, v => target.InvitedUserIds = v);
        return changed;
    }

    /// <summary>
    /// The refund deadline attendees have now (the start less the cutoff, as SeatBook refunds), when the new start and
    /// cutoff would bring it sooner; null when they keep it, or when it has passed already and there is none to lose.
    /// </summary>
    private static DateTimeOffset? RefundDeadlineComesSooner(
        CommunityEvent target,
        DateTimeOffset? newStart,
        int newCutoffHours,
        DateTimeOffset now
    )
    {
        if (newStart is not { } start || UtcTimestamps.AsStored(start) == target.StartsAt)
            return null;
        var deadline = target.StartsAt - TimeSpan.FromHours(target.RefundCutoffHours);
        var cutoff = TimeSpan.FromHours(newCutoffHours);
        // A start within the cutoff of year 1 (refused as past anyway) has a deadline before any date there is.
        var newDeadline =
            start.UtcTicks - DateTimeOffset.MinValue.UtcTicks < cutoff.Ticks
                ? DateTimeOffset.MinValue
                : UtcTimestamps.AsStored(start) - cutoff;
        return deadline > now && newDeadline < deadline ? deadline : null;
    }
}
