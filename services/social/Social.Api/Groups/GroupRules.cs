using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Group = Community.Social.Data.Group;

namespace Community.Social.Groups;

/// <summary>
/// Everything an owner sets on a group. Creation reads it from the body; an edit overlays the body
/// on the current values and validates the result with the same rules. Unknown members (owner_id,
/// member_count...) are refused by the shared JSON options.
/// </summary>
public sealed record GroupInput : IRequestExample<GroupInput>
{
    /// <summary>3-80 characters.</summary>
    [Required]
    public string? Name { get; init; }

    /// <summary>At most 2000 characters.</summary>
    public string? Description { get; init; }

    /// <summary>At most 40 characters, stored lower case.</summary>
    public string? Category { get; init; }

    /// <summary>At most 10 tags of 1-30 characters, stored lower case without repeats.</summary>
    public List<string>? Tags { get; init; }

    /// <summary>At most 100 characters.</summary>
    public string? Region { get; init; }

    /// <summary>At most 40 characters, stored lower case.</summary>
    public string? Interest { get; init; }

    /// <summary>An absolute http(s) URL.</summary>
    public string? ImageUrl { get; init; }

    /// <summary>A hex colour such as #3366ff.</summary>
    public string? Color { get; init; }

    /// <summary>public (the default), private or secret.</summary>
    [ValuesOf(typeof(GroupVisibility))]
    public string? Visibility { get; init; }

    /// <summary>open (the default), request or invite.</summary>
    [ValuesOf(typeof(GroupJoinPolicy))]
    public string? JoinPolicy { get; init; }

    /// <summary>The membership price in minor units (0-100000000); 0 or absent is free.</summary>
    public long? PriceCents { get; init; }

    /// <summary>ISO 4217 code, required when price_cents is above 0.</summary>
    public string? Currency { get; init; }

    public static GroupInput Example =>
        new()
        {
            Name = "Dubai Hikers",
            Description = "Weekend hikes in the Hajar mountains.",
            Category = "outdoors",
            Tags = ["hiking", "nature"],
            Region = "Dubai",
            Visibility = GroupVisibility.Public,
            JoinPolicy = GroupJoinPolicy.Open,
        };
}

/// <summary>How a <see cref="GroupInput"/> is validated, normalised and applied to a group.</summary>
public static partial class GroupRules
{
    public const int MaxTags = 10;
    public const int MaxTagLength = 30;
    public const long MaxPriceCents = 100_000_000;

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();

    /// <summary>
    /// Deletes a group the caller locked, announcing GroupDeleted: its members, requests and invitations go with it
    /// (the database cascades), and so do the waits before asking to join it, or before it invites someone, again. One
    /// way for its owner's delete, a deleted owner's group nobody takes over and a moderators' removal.
    /// </summary>
    public static async Task DeleteAsync(
        SocialDbContext db,
        Group group,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        // Its standing invitations end with it (the rows go by cascade): their guests' "X invited you" asks nothing.
        var guests = await db
            .GroupInvitations.Where(i => i.GroupId == group.Id)
            .Select(i => i.UserId)
            .ToListAsync(cancellationToken);
        db.Groups.Remove(group);
        await db
            .RequestCooldowns.Where(c =>
                (c.Kind == RequestCooldowns.Group && c.TargetId == group.Id)
                || (c.Kind == RequestCooldowns.Invitation && c.AskerId == group.Id)
            )
            .ExecuteDeleteAsync(cancellationToken);
        db.AddIntegrationEvent(new GroupDeleted(Guid.CreateVersion7(), now, group.Id));
        AnnounceEndedInvitations(db, group.Id, guests, now);
    }

    /// <summary>
    /// Ends <paramref name="guestId"/>'s standing invitation to the group, if there is one, and tells so
    /// (GroupInvitationsEnded): answers whether there was one.
    /// </summary>
    public static async Task<bool> EndInvitationAsync(
        SocialDbContext db,
        Guid groupId,
        Guid guestId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var ended = await db
            .GroupInvitations.Where(i => i.GroupId == groupId && i.UserId == guestId)
            .ExecuteDeleteAsync(cancellationToken);
        if (ended == 0)
            return false;
        AnnounceEndedInvitations(db, groupId, [guestId], now);
        return true;
    }

    /// <summary>
    /// Tells that the invitations of <paramref name="guests"/> to the group ended without a join
    /// (GroupInvitationsEnded), when there were any: their "X invited you to join" asks nothing more of them.
    /// </summary>
    public static void AnnounceEndedInvitations(
        SocialDbContext db,
        Guid groupId,
        IReadOnlyList<Guid> guests,
        DateTimeOffset now
    )
    {
        if (guests.Count > 0)
            db.AddIntegrationEvent(new GroupInvitationsEnded(Guid.CreateVersion7(), now, groupId, [.. guests]));
    }

    /// <summary>The group's fields as the input that would produce them (the base an edit is overlaid on).</summary>
    public static GroupInput ToInput(Group g) =>
        new()
        {
            Name = g.Name,
            Description = g.Description,
            Category = g.Category,
            Tags = [.. g.Tags],
            Region = g.Region,
            Interest = g.Interest,
            ImageUrl = g.ImageUrl,
            Color = g.Color,
            Visibility = g.Visibility,
            JoinPolicy = g.JoinPolicy,
            PriceCents = g.PriceCents,
            Currency = g.Currency,
        };

    /// <summary>
    /// Validates the whole input and writes it onto <paramref name="target"/>; returns the snake_case names of changed
    /// fields.
    /// </summary>
    public static List<string> Apply(GroupInput input, Group target)
    {
        var errors = new ValidationErrors();
        var name = input.Name?.Trim();
        // One line, unless kept as it is: a name stored before the rule must not block every other change.
        if (errors.Required("name", name) && errors.Length("name", name, 3, 80) && name != target.Name)
            errors.OneLine("name", name);
        var description = input.Description?.Trim() ?? "";
        errors.MaxLength("description", description, 2000);
        var category = errors.OptionalText("category", input.Category, 40)?.ToLowerInvariant();
        var tags = (input.Tags ?? []).Select(t => t?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (tags.Count > MaxTags)
            errors.Add("tags", $"at most {MaxTags} tags.");
        if (tags.Any(t => t.Length is 0 or > MaxTagLength))
            errors.Add("tags", $"each tag must be 1-{MaxTagLength} characters.");
        var region = errors.OptionalText("region", input.Region, 100);
        var interest = errors.OptionalText("interest", input.Interest, 40)?.ToLowerInvariant();
        var imageUrl = errors.OptionalText("image_url", input.ImageUrl, FieldRules.MaxUrlLength);
        errors.Url("image_url", imageUrl);
        var color = errors.OptionalText("color", input.Color, 7);
        if (color is not null && !HexColor().IsMatch(color))
            errors.Add("color", "color must be a hex colour such as \"#3366ff\".");
        color = color?.ToLowerInvariant();
        var visibility = input.Visibility?.Trim().ToLowerInvariant() ?? GroupVisibility.Public;
        errors.OneOf("visibility", visibility, GroupVisibility.All);
        var joinPolicy = input.JoinPolicy?.Trim().ToLowerInvariant() ?? GroupJoinPolicy.Open;
        errors.OneOf("join_policy", joinPolicy, GroupJoinPolicy.All);
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
        errors.ThrowIfAny();

        var changed = new List<string>();
        void Set<T>(string field, T current, T value, Action<T> write)
        {
            if (EqualityComparer<T>.Default.Equals(current, value))
                return;
            write(value);
            changed.Add(field);
        }
        Set("name", target.Name, name!, v => target.Name = v);
        Set("description", target.Description, description, v => target.Description = v);
        Set("category", target.Category, category, v => target.Category = v);
        if (!target.Tags.SequenceEqual(tags))
        {
            target.Tags = tags;
            changed.Add("tags");
        }
        Set("region", target.Region, region, v => target.Region = v);
        Set("interest", target.Interest, interest, v => target.Interest = v);
        Set("image_url", target.ImageUrl, imageUrl, v => target.ImageUrl = v);
        Set("color", target.Color, color, v => target.Color = v);
        Set("visibility", target.Visibility, visibility, v => target.Visibility = v);
        Set("join_policy", target.JoinPolicy, joinPolicy, v => target.JoinPolicy = v);
        Set("price_cents", target.PriceCents, price, v => target.PriceCents = v);
        Set("currency", target.Currency, currency, v => target.Currency = v);
        return changed;
    }
}
