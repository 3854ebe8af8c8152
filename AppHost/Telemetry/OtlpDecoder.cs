using System.Globalization;
using Google.Protobuf;

namespace Community.AppHost.Telemetry;

/// <summary>
/// Reads the OTLP/HTTP protobuf export requests (traces, logs, metrics) with
/// <see cref="CodedInputStream"/>: no OTLP package is served here, and the dashboard needs only a
/// few fields. Field numbers are those of opentelemetry-proto v1; unknown fields are skipped.
/// </summary>
internal static partial class OtlpDecoder
{
    private const string UnknownService = "unknown_service";

    public static List<SpanRecord> DecodeTraces(ReadOnlySpan<byte> body)
    {
        var spans = new List<SpanRecord>();
        ForEachResource(
            body,
            (resource, scopeList) =>
            {
                // ResourceSpans.scope_spans = 2; ScopeSpans.spans = 2
                foreach (var scopeSpans in Repeated(scopeList, 2))
                {
                    var scope = ScopeName(scopeSpans);
                    foreach (var span in Repeated(scopeSpans, 2))
                    {
                        spans.Add(DecodeSpan(span, ServiceName(resource), scope));
                    }
                }
            }
        );
        return spans;
    }

    public static List<LogRecordData> DecodeLogs(ReadOnlySpan<byte> body)
    {
        var logs = new List<LogRecordData>();
        ForEachResource(
            body,
            (resource, resourceLogs) =>
            {
                foreach (var scopeLogs in Repeated(resourceLogs, 2))
                {
                    var scope = ScopeName(scopeLogs);
                    foreach (var record in Repeated(scopeLogs, 2))
                    {
                        logs.Add(DecodeLog(record, ServiceName(resource), scope));
                    }
                }
            }
        );
        return logs;
    }

    /// <summary>Every Resource* message (field 1 of each export request) with its Resource's attributes.</summary>
    private static void ForEachResource(ReadOnlySpan<byte> body, Action<Dictionary<string, string>, byte[]> each)
    {
        foreach (var resourceX in Repeated(body.ToArray(), 1))
        {
            var resource = new Dictionary<string, string>();
            foreach (var r in Repeated(resourceX, 1))
            {
                ReadAttributes(r, 1, resource);
            }
            each(resource, resourceX);
        }
    }

    private static string ServiceName(Dictionary<string, string> resource) =>
        resource.TryGetValue("service.name", out var name) && name.Length > 0 ? name : UnknownService;

    /// <summary>InstrumentationScope.name of a Scope* message (its field 1).</summary>
    private static string ScopeName(byte[] scoped)
    {
        foreach (var scope in Repeated(scoped, 1))
        {
            var input = new CodedInputStream(scope);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
                {
                    return input.ReadString();
                }
                input.SkipLastField();
            }
        }
        return "";
    }

    private static SpanRecord DecodeSpan(byte[] bytes, string service, string scope)
    {
        string traceId = "",
            spanId = "",
            name = "";
        string? parent = null,
            statusMessage = null;
        var kind = SpanKind.Unspecified;
        ulong start = 0,
            end = 0;
        var statusCode = 0;
        var attributes = new Dictionary<string, string>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    traceId = Hex(input.ReadBytes());
                    break;
                case 2:
                    spanId = Hex(input.ReadBytes());
                    break;
                case 4:
                    parent = Hex(input.ReadBytes()) is { Length: > 0 } p ? p : null;
                    break;
                case 5:
                    name = input.ReadString();
                    break;
                case 6:
                    kind = (SpanKind)input.ReadEnum();
                    break;
                case 7:
                    start = input.ReadFixed64();
                    break;
                case 8:
                    end = input.ReadFixed64();
                    break;
                case 9:
                    ReadKeyValue(input.ReadBytes().ToByteArray(), attributes);
                    break;
                case 15:
                    (statusCode, statusMessage) = ReadStatus(input.ReadBytes().ToByteArray());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new SpanRecord(
            service,
            traceId,
            spanId,
            parent,
            name,
            kind,
            start,
            end,
            attributes,
            statusCode == 2,
            statusMessage,
            scope
        );
    }

    /// <summary>Status.message = 2, Status.code = 3 (2 is ERROR).</summary>
    private static (int Code, string? Message) ReadStatus(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        var code = 0;
        string? message = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 2:
                    message = input.ReadString();
                    break;
                case 3:
                    code = input.ReadEnum();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return (code, string.IsNullOrEmpty(message) ? null : message);
    }

    private static LogRecordData DecodeLog(byte[] bytes, string service, string scope)
    {
        ulong time = 0,
            observed = 0;
        var severityNumber = 0;
        string severityText = "",
            body = "";
        string? traceId = null,
            spanId = null;
        var attributes = new Dictionary<string, string>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    time = input.ReadFixed64();
                    break;
                case 11:
                    observed = input.ReadFixed64();
                    break;
                case 2:
                    severityNumber = input.ReadEnum();
                    break;
                case 3:
                    severityText = input.ReadString();
                    break;
                case 5:
                    body = ReadAnyValue(input.ReadBytes().ToByteArray());
                    break;
                case 6:
                    ReadKeyValue(input.ReadBytes().ToByteArray(), attributes);
                    break;
                case 9:
                    traceId = Hex(input.ReadBytes()) is { Length: > 0 } t && t.Any(c => c != '0') ? t : null;
                    break;
                case 10:
                    spanId = Hex(input.ReadBytes()) is { Length: > 0 } s && s.Any(c => c != '0') ? s : null;
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        var severity = severityText.Length > 0 ? severityText : SeverityName(severityNumber);
        return new LogRecordData(
            service,
            time != 0 ? time : observed,
            severityNumber,
            severity,
            body,
            attributes,
            traceId,
            spanId,
            scope
        );
    }

    /// <summary>The OTLP severity ranges (1-4 TRACE ... 21-24 FATAL).</summary>
    public static string SeverityName(int number) =>
        number switch
        {
            >= 21 => "Fatal",
            >= 17 => "Error",
            >= 13 => "Warning",
            >= 9 => "Information",
            >= 5 => "Debug",
            >= 1 => "Trace",
            _ => "Unspecified",
        };

    /// <summary>A KeyValue (key = 1, value = 2) added to <paramref name="into"/>, its value as text.</summary>
    private static void ReadKeyValue(byte[] bytes, Dictionary<string, string> into)
    {
        string key = "",
            value = "";
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = input.ReadString();
                    break;
                case 2:
                    value = ReadAnyValue(input.ReadBytes().ToByteArray());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        if (key.Length > 0)
        {
            into[key] = value;
        }
    }

    private static void ReadAttributes(byte[] message, int field, Dictionary<string, string> into)
    {
        foreach (var keyValue in Repeated(message, field))
        {
            ReadKeyValue(keyValue, into);
        }
    }

    /// <summary>AnyValue as display text: string 1, bool 2, int 3, double 4, array 5, kvlist 6, bytes 7.</summary>
    private static string ReadAnyValue(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    return input.ReadString();
                case 2:
                    return input.ReadBool() ? "true" : "false";
                case 3:
                    return input.ReadInt64().ToString(CultureInfo.InvariantCulture);
                case 4:
                    return input.ReadDouble().ToString(CultureInfo.InvariantCulture);
                case 5:
                    return "["
                        + string.Join(", ", Repeated(input.ReadBytes().ToByteArray(), 1).Select(ReadAnyValue))
                        + "]";
                case 6:
                    var map = new Dictionary<string, string>();
                    ReadAttributes(input.ReadBytes().ToByteArray(), 1, map);
                    return "{" + string.Join(", ", map.Select(p => $"{p.Key}: {p.Value}")) + "}";
                case 7:
                    return Convert.ToBase64String(input.ReadBytes().ToByteArray());
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return "";
    }

    /// <summary>The length-delimited occurrences of <paramref name="field"/> in a message.</summary>
    private static List<byte[]> Repeated(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (
                WireFormat.GetTagFieldNumber(tag) == field
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited
            )
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }

    private static int ReadVarintField(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (
                WireFormat.GetTagFieldNumber(tag) == field
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint
            )
            {
                return input.ReadEnum();
            }
            input.SkipLastField();
        }
        return 0;
    }

    private static uint Tag(int field, WireFormat.WireType type) => WireFormat.MakeTag(field, type);

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
