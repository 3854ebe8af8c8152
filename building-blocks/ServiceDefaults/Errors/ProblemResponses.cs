using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// How endpoints document and return problem answers that are not refusals thrown as domain exceptions.
/// </summary>
public static class ProblemResponses
{
    /// <summary>
    /// Documents the 4xx the shared pipeline can give any endpoint of the group (400 validation, 401 token,
    /// 403 policy, 404 unknown or hidden resource), so OpenAPI lists what a client must handle.
    /// </summary>
    public static TBuilder WithStandardProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>
    /// A refusal answered without throwing it, for an outcome common enough that the cost of an exception matters (a
    /// ticket drop refuses hundreds at once): the document <see cref="ProblemExceptionHandler"/> writes for it thrown.
    /// Not for one with a <see cref="DomainException.RetryAfter"/> (the header is the handler's to set).
    /// </summary>
    public static ProblemHttpResult Refusal(DomainException refusal) =>
        TypedResults.Problem(
            refusal.Message,
            statusCode: refusal.StatusCode,
            title: refusal.Title,
            extensions: refusal.Extensions.Count > 0 ? new Dictionary<string, object?>(refusal.Extensions) : null
        );

    private static readonly JsonSerializerOptions Json = Build();

    /// <summary>
    /// 402 as an expected outcome (a hold or enrollment that awaits payment): the same problem document a refusal gets,
    /// with the members of <paramref name="payment"/> (what the client needs to pay) beside its own.
    /// <see cref="ProducesPaymentRequired{TPayment}"/> documents them.
    /// </summary>
    public static ProblemHttpResult PaymentRequired<TPayment>(string detail, TPayment payment)
        where TPayment : class =>
        TypedResults.Problem(
            detail,
            statusCode: StatusCodes.Status402PaymentRequired,
            title: "Payment required",
            extensions: MembersOf(payment)
        );

    /// <summary>
    /// A record's members as a problem's extension members (a refusal's <see cref="DomainException.Extensions"/>, a
    /// 402's), written as the service writes JSON: what the contract documents from the same record. With
    /// <paramref name="leaveOutNulls"/>, the members without a value are left out (a record of either-or members).
    /// </summary>
    public static Dictionary<string, object?> MembersOf<TMembers>(TMembers members, bool leaveOutNulls = false)
        where TMembers : class
    {
        var extensions = new Dictionary<string, object?>();
        foreach (var member in JsonSerializer.SerializeToElement(members, Json).EnumerateObject())
            if (!leaveOutNulls || member.Value.ValueKind != JsonValueKind.Null)
                extensions[member.Name] = member.Value;
        return extensions;
    }

    /// <summary>
    /// Documents the endpoint's 402: the one Problem schema with the members of <typeparamref name="TPayment"/> (allOf,
    /// required as the record has them), so a client reads what to pay with its types rather than a cast.
    /// </summary>
    public static RouteHandlerBuilder ProducesPaymentRequired<TPayment>(this RouteHandlerBuilder builder)
        where TPayment : class =>
        builder
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .WithMetadata(new ProblemMembers(StatusCodes.Status402PaymentRequired, typeof(TPayment), Always: true));

    /// <summary>
    /// Documents that the endpoint's <paramref name="status"/> problems may carry the members of
    /// <typeparamref name="TMembers"/> beside the Problem's (a refusal that says more: the balance a spend lacked, when
    /// check-in opens): allOf, every member optional, since other problems of that status come without them.
    /// </summary>
    public static RouteHandlerBuilder ProducesProblemWith<TMembers>(this RouteHandlerBuilder builder, int status)
        where TMembers : class =>
        builder.ProducesProblem(status).WithMetadata(new ProblemMembers(status, typeof(TMembers), Always: false));

    private static JsonSerializerOptions Build()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(json);
        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }
}

/// <summary>
/// Members an endpoint's problems of <paramref name="Status"/> carry beside the Problem schema's: always (a 402), or
/// only some of them (a refusal that says more). See ProducesPaymentRequired and ProducesProblemWith.
/// </summary>
public sealed record ProblemMembers(int Status, Type Type, bool Always);

/// <summary>What to send to <c>POST /api/v1/payments/checkout</c> to pay: its purpose and reference_id.</summary>
/// <param name="Purpose">What is bought: event_registration, course or group_membership.</param>
/// <param name="ReferenceId">The held registration, the pending enrollment or the membership purchase.</param>
public sealed record CheckoutReference(
    [OpenApi.ValuesOf(typeof(CheckoutReference), nameof(CheckoutReference.Purposes))] string Purpose,
    Guid ReferenceId
)
{
    /// <summary>What a 402 can ask to be paid through the checkout.</summary>
    public static readonly string[] Purposes =
    [
        Contracts.PaymentPurposes.EventRegistration,
        Contracts.PaymentPurposes.Course,
        Contracts.PaymentPurposes.GroupMembership,
    ];
}
