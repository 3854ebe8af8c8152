using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Community.Payments.Boosts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Payments.Credits;

/// <param name="ReferenceId">The pending course enrollment (purpose course).</param>
/// <param name="Days">The boost's length (purpose boost): one of the boosts configured with a credit price.</param>
/// <summary>Pays for a course enrollment or a profile boost with credits.</summary>
/// <param name="Purpose">course or boost.</param>
public sealed record SpendCreditsRequest(
    [Required, ValuesOf(typeof(CreditsApi), nameof(CreditsApi.SpendPurposes))] string? Purpose,
    Guid? ReferenceId,
    int? Days
) : IRequestExample<SpendCreditsRequest>
{
    public static SpendCreditsRequest Example =>
        new(PaymentPurposes.Course, Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"), null);
}

/// <summary>One line of my ledger: credits in (positive) or out (negative) of my account.</summary>
public sealed record CreditEntryDto(
    Guid TransactionId,
    long Amount,
    [property: ValuesOf(typeof(CreditKinds))] string Kind,
    string Reason,
    [property: ValuesOf(typeof(CreditsApi), nameof(CreditsApi.EntryPurposes))] string? Purpose,
    Guid? ReferenceId,
    DateTimeOffset CreatedAt
);

/// <summary>
/// My balance and one page of my ledger, newest first: <c>items</c> and <c>next_cursor</c> like every cursor-paged
/// list.
/// </summary>
public sealed record CreditsDto(long Balance, IReadOnlyList<CreditEntryDto> Items, string? NextCursor);

public sealed record CreditPackDto(Guid Id, string Name, int Credits, long AmountCents, string Currency);

/// <summary>The credit packs on sale, under <c>items</c> like every list.</summary>
public sealed record CreditPacksDto(IReadOnlyList<CreditPackDto> Items);

/// <summary>A spend; <c>balance</c> is what is left now.</summary>
public sealed record CreditSpendDto(
    Guid SpendId,
    long Amount,
    [property: ValuesOf(typeof(CreditsApi), nameof(CreditsApi.SpendPurposes))] string Purpose,
    Guid ReferenceId,
    long Balance,
    DateTimeOffset CreatedAt
)
{
    public static CreditSpendDto From(CreditPosting p) =>
        new(
            p.Transaction.Id,
            p.Transaction.Amount,
            p.Transaction.Purpose!,
            p.Transaction.ReferenceId!.Value,
            p.Balance,
            p.Transaction.CreatedAt
        );
}

public static class CreditsApi
{
    /// <summary>What credits buy (the switch in Spend).</summary>
    public static readonly string[] SpendPurposes = [PaymentPurposes.Course, PaymentPurposes.Boost];

    /// <summary>
    /// What a ledger entry may be for: a spend's purpose (a companion session's too), a payment's, or, on a
    /// clawback, what earned the grant it takes back (<see cref="CreditLedger.GrantReasons"/>).
    /// </summary>
    public static readonly string[] EntryPurposes =
    [
        .. PaymentPurposes.All,
        PaymentPurposes.CompanionSession,
        .. CreditLedger.GrantReasons,
    ];

    public static RouteGroupBuilder MapCreditsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/credits")
            .WithTags("Credits")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", GetMine)
            .WithName("GetMyCredits")
            .WithSummary("My credit balance and ledger entries, newest first (cursor paged)");
        group
            .MapGet("/packs", Packs)
            .WithName("ListCreditPacks")
            .WithSummary(
                "The credit packs on sale; buy one with POST /api/v1/payments/checkout, purpose credits and the "
                    + "pack id as reference_id"
            );
        group
            .MapPost("/spend", Spend)
            .WithName("SpendCredits")
            .WithSummary(
                "Pay a pending course enrollment, or buy a profile boost, with credits: 201 spent, 200 the same "
                    + "Idempotency-Key again, 422 insufficient credits, 409 with Retry-After while the enrollment "
                    + "is not known here yet (right after enrolling)"
            )
            .ProducesProblemWith<AlreadyPaidWithCredits>(409)
            .ProducesProblemWith<CreditsShort>(422)
            .HonoursIdempotencyKeyItself();
        return group;
    }

    private static async Task<Ok<CreditsDto>> GetMine(
        string? cursor,
        [PageSize(Keyset.DefaultLimit)] int? limit,
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        CreditLedger ledger,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var size = Keyset.Limit(limit, errors);
        var before = Keyset.After(cursor, EntryCursor.Parse, errors);
        errors.ThrowIfAny();
        var userId = principal.UserId();
        // The entries and the balance from one snapshot: a grant committed between two reads would show a balance its
        // entries do not explain (the entry missing from the page a client has just been told it has).
        var (page, balance) = await db.InSnapshotAsync(
            async () =>
            {
                var entries = db.Set<CreditEntry>().AsNoTracking().Where(e => e.UserId == userId);
                if (before is { } sequence)
                    entries = entries.Where(e => e.Sequence < sequence);
                var rows = await (
                    from e in entries
                    join t in db.Set<CreditTransaction>().AsNoTracking() on e.TransactionId equals t.Id
                    orderby e.Sequence descending
                    select new
                    {
                        e.Sequence,
                        Entry = new CreditEntryDto(
                            t.Id,
                            e.Amount,
                            t.Kind,
                            t.Reason,
                            t.Purpose,
                            t.ReferenceId,
                            e.CreatedAt
                        ),
                    }
                )
                    .Take(Keyset.Probe(size))
                    .ToListAsync(cancellationToken);
                var page = Keyset.Page(rows, size, r => EntryCursor.Position(r.Sequence), r => r.Entry);
                return (page, await ledger.BalanceAsync(userId, cancellationToken));
            },
            cancellationToken
        );
        return TypedResults.Ok(new CreditsDto(balance, page.Items, page.NextCursor));
    }

    private static Ok<CreditPacksDto> Packs(IOptions<PaymentsOptions> options) =>
        TypedResults.Ok(
            new CreditPacksDto(
                options
                    .Value.CreditPacks.Select(p => new CreditPackDto(
                        p.Id,
                        p.Name,
                        p.Credits,
                        p.AmountCents,
                        p.Currency.ToUpperInvariant()
                    ))
                    .ToList()
            )
        );

    private static async Task<Results<Created<CreditSpendDto>, Ok<CreditSpendDto>>> Spend(
        SpendCreditsRequest request,
        HttpRequest http,
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        CreditLedger ledger,
        IOptions<PaymentsOptions> options,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var purpose = request.Purpose?.Trim().ToLowerInvariant();
        BoostPrice? boost = null;
        switch (purpose)
        {
            case PaymentPurposes.Course:
                if (request.ReferenceId is null || request.ReferenceId == Guid.Empty)
                    errors.Add("reference_id", "reference_id (the enrollment id) is required.");
                if (request.Days is not null)
                    errors.Add("days", "days is for boosts only.");
                break;
            case PaymentPurposes.Boost:
                var forCredits = options
                    .Value.Boosts.Where(b => b.Value.Credits > 0)
                    .Select(b => b.Key)
                    .OrderBy(k => k.Length)
                    .ThenBy(k => k, StringComparer.Ordinal)
                    .ToList();
                var product = request.Days?.ToString(CultureInfo.InvariantCulture);
                if (
                    product is null
                    || request.Days <= 0
                    || !options.Value.Boosts.TryGetValue(product, out boost)
                    || boost.Credits is not > 0
                )
                    errors.Add("days", $"days must be one of {string.Join(", ", forCredits)}.");
                if (request.ReferenceId is not null)
                    errors.Add("reference_id", "A boost is named by days, not reference_id.");
                break;
            default:
                errors.Add(
                    "purpose",
                    "purpose must be course or boost: only course enrollments and profile boosts are sold for credits."
                );
                break;
        }
        var key = IdempotencyKey.Read(http, errors);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        // Keys are the caller's own: another user's key can never answer with their spend.
        var idempotencyKey = $"spend:{userId}:{key ?? Guid.NewGuid().ToString("N")}";

        var posting = boost is null
            ? await ledger.SpendAsync(
                userId,
                purpose!,
                request.ReferenceId!.Value,
                ct => PriceAsync(db, userId, request.ReferenceId!.Value, clock.GetUtcNow(), ct),
                idempotencyKey,
                cancellationToken
            )
            : await SpendOnBoostAsync(
                db,
                ledger,
                userId,
                request.Days!.Value,
                boost.Credits!.Value,
                idempotencyKey,
                clock.GetUtcNow(),
                cancellationToken
            );
        var dto = CreditSpendDto.From(posting);
        return posting.Applied ? TypedResults.Created("/api/v1/credits", dto) : TypedResults.Ok(dto);
    }

    /// <summary>
    /// The spend and the boost's days in one transaction: both or neither. Each purchase is its own
    /// reference (from the key and the days), so boosts bought one after another add up; the same key again buys
    /// nothing, and with other days it is refused (422), not answered with the first spend.
    /// </summary>
    private static Task<CreditPosting> SpendOnBoostAsync(
        PaymentsDbContext db,
        CreditLedger ledger,
        Guid userId,
        int days,
        long credits,
        string idempotencyKey,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        db.InTransactionAsync(
            async ct =>
            {
                var posting = await ledger.SpendAsync(
                    userId,
                    PaymentPurposes.Boost,
                    StableIds.From($"{idempotencyKey}|{days.ToString(CultureInfo.InvariantCulture)}"),
                    _ => Task.FromResult(credits),
                    idempotencyKey,
                    ct
                );
                if (posting.Applied)
                    await BoostRules.AddDaysAsync(db, userId, now, days, now, ct);
                return posting;
            },
            cancellationToken
        );

    /// <summary>The credit price payments was told when the caller enrolled; never the client's.</summary>
    private static async Task<long> PriceAsync(
        PaymentsDbContext db,
        Guid userId,
        Guid enrollmentId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var item = await Pricing.AnnouncedAsync(db, PaymentPurposes.Course, enrollmentId, userId, cancellationToken);
        Pricing.EnsureStillSold(item, now);
        if (item.PriceCredits is not > 0)
            throw new BusinessRuleException(
                "This course is not sold for credits; pay it through POST /api/v1/payments/checkout."
            );
        var paidWithMoney = await db.Payments.AnyAsync(
            p =>
                p.Purpose == PaymentPurposes.Course
                && p.ReferenceId == enrollmentId
                && (p.Status == PaymentStatus.Succeeded || p.Status == PaymentStatus.PartiallyRefunded),
            cancellationToken
        );
        if (paidWithMoney)
            throw new ConflictException("This enrollment is already paid.");
        return item.PriceCredits.Value;
    }
}

/// <summary>Positions in a user's entries (the last entry of a page), carried in opaque cursors.</summary>
public static class EntryCursor
{
    public static string Position(long sequence) => "e" + sequence.ToString(CultureInfo.InvariantCulture);

    public static long? Parse(string position) =>
        position.StartsWith('e')
        && long.TryParse(position.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
}
