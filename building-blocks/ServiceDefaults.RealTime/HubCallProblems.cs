using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// SignalR's JSON hub protocol, but a call whose arguments do not bind (unknown method, wrong count, wrong type) is
/// refused with a HubException naming the problem: SignalR hides a binder's own exception ("Failed to invoke 'X' due
/// to an error on the server.") and passes a HubException's text on. Binding happens before any hub filter runs, so
/// such a call is charged here as the filters charge a call: refused if its session has ended, or over the connection's
/// call budget (then unexplained, so a flood of them costs no more than a flood of calls).
/// </summary>
public sealed class ExplainingJsonHubProtocol(
    IOptions<JsonHubProtocolOptions> options,
    HubSignatures signatures,
    HubSessionGuard sessions,
    HubRateLimitFilter limits
) : IHubProtocol
{
    /// <summary>
    /// The connection whose messages are parsed: SignalR hands a protocol a binder, not the connection, and parses on
    /// the async flow of <see cref="RefusalAwareHubConnectionHandler{THub}"/>, which sets this.
    /// </summary>
    internal static readonly AsyncLocal<ConnectionContext?> Parsing = new();

    private readonly JsonHubProtocol _inner = new(options);
    private readonly JsonSerializerOptions _payload = options.Value.PayloadSerializerOptions;

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

    public bool TryParseMessage(
        ref ReadOnlySequence<byte> input,
        IInvocationBinder binder,
        [NotNullWhen(true)] out HubMessage? message
    )
    {
        var before = input;
        if (!_inner.TryParseMessage(ref input, binder, out message))
            return false;
        if (message is InvocationBindingFailureMessage failure)
            message = Answer(failure, before.Slice(0, before.Length - input.Length), binder);
        return true;
    }

    private InvocationBindingFailureMessage Answer(
        InvocationBindingFailureMessage failure,
        ReadOnlySequence<byte> frame,
        IInvocationBinder binder
    )
    {
        // Not the user's budget shared in Redis: parsing cannot wait for a round trip.
        var refusal = Parsing.Value switch
        {
            { } connection when sessions.HasSessionEnded(connection.ConnectionId, connection.Items) =>
                HubSessionGuard.SessionEnded,
            { } connection when !limits.TryTakeConnectionCall(connection.Items) => limits.TooManyCalls(),
            _ => null,
        };
        // A call sent without waiting for its answer (no invocation id) is dropped unexplained: nobody would read it.
        if (failure.InvocationId is null)
            return failure;
        return new InvocationBindingFailureMessage(
            failure.InvocationId,
            failure.Target,
            ExceptionDispatchInfo.Capture(new HubException(refusal ?? SafeExplain(frame, failure.Target, binder)))
        );
    }

    /// <summary>
    /// The explanation, or a plain refusal if explaining fails: an exception here would close the connection, and a
    /// call that does not bind is refused, its connection kept.
    /// </summary>
    private string SafeExplain(ReadOnlySequence<byte> frame, string target, IInvocationBinder binder)
    {
        try
        {
            return Explain(frame, target, binder);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return $"{target}: the arguments do not match.";
        }
    }

    private string Explain(ReadOnlySequence<byte> frame, string target, IInvocationBinder binder)
    {
        IReadOnlyList<Type> types;
        try
        {
            types = binder.GetParameterTypes(target);
        }
        catch (HubException)
        {
            return $"Unknown hub method '{target}'.";
        }
        var method = signatures.Find(target, types);
        List<string> names = method is null
            ? [.. types.Select((_, i) => "argument " + (i + 1))]
            : [.. method.Parameters.Select(p => p.Name)];
        var signature = $"{target}({string.Join(", ", names)})";
        List<JsonElement> arguments;
        try
        {
            // The frame ends with the protocol's record separator.
            using var json = JsonDocument.Parse(frame.Slice(0, frame.Length - 1));
            var root = json.RootElement;
            arguments =
                root.TryGetProperty("arguments", out var list) && list.ValueKind == JsonValueKind.Array
                    ? [.. list.EnumerateArray().Select(a => a.Clone())]
                    : [];
        }
        catch (JsonException)
        {
            return $"{signature}: the arguments are not valid JSON.";
        }
        if (arguments.Count != types.Count)
            return $"{signature} takes {types.Count} argument{(types.Count == 1 ? "" : "s")}; {arguments.Count} given.";
        for (var i = 0; i < types.Count; i++)
        {
            var nullable = method?.Parameters[i].Nullable ?? false;
            var expected = Expected(types[i], nullable);
            if (arguments[i].ValueKind == JsonValueKind.Null && !nullable)
                return $"{signature}: {names[i]} (argument {i + 1}) must be {expected}, not null.";
            try
            {
                JsonSerializer.Deserialize(arguments[i], types[i], _payload);
            }
            catch (RefusedTextException e)
            {
                // A string refused as the REST API refuses it (a control character, a lone surrogate), named by where.
                var where = e.Path is null or "$" ? "" : $" at {e.Path}";
                return $"{signature}: {names[i]} (argument {i + 1}){where} {e.Problem}.";
            }
            catch (Exception e)
                when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                return $"{signature}: {names[i]} (argument {i + 1}) must be {expected}, not {Actual(arguments[i])}.";
            }
        }
        return $"{signature}: the arguments do not match.";
    }

    private static string Expected(Type type, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var kind = underlying switch
        {
            _ when underlying == typeof(Guid) => "a uuid string",
            _ when underlying == typeof(string) => "a string",
            _ when underlying == typeof(bool) => "true or false",
            _ when underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime) => "an ISO-8601 date-time",
            _ when underlying.IsEnum => "one of "
                + string.Join(", ", Enum.GetNames(underlying).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName)),
            _ when Type.GetTypeCode(underlying) is >= TypeCode.SByte and <= TypeCode.UInt64 => "an integer",
            _ when Type.GetTypeCode(underlying) is TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            _ when underlying.IsArray
                    || underlying.IsGenericType
                        && typeof(System.Collections.IEnumerable).IsAssignableFrom(underlying) => "an array",
            _ => "an object",
        };
        return nullable ? kind + " or null" : kind;
    }

    private static string Actual(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.String => StringOf(value) is { } text
                ? $"the string \"{Cut(text)}\""
                : "a string that is not valid Unicode (a lone surrogate)",
            JsonValueKind.Number => "the number " + Cut(value.GetRawText()),
            JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        };

    /// <summary>The string, or null when it holds a lone surrogate (which the reader cannot turn into text).</summary>
    private static string? StringOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>At most 40 characters, never half of a surrogate pair.</summary>
    private static string Cut(string text) =>
        text.Length <= 40 ? text : text[..(char.IsHighSurrogate(text[39]) ? 39 : 40)] + "...";
}
