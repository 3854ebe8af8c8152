using Google.Protobuf;

namespace Community.AppHost.Tests.Telemetry;

/// <summary>Builds protobuf messages field by field with CodedOutputStream, as an OTLP exporter writes them.</summary>
internal sealed class Proto
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public Proto() => _output = new CodedOutputStream(_buffer);

    public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

    public Proto Bytes(int field, byte[] value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public Proto String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public Proto Varint(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public Proto Fixed64(int field, ulong value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed64);
        _output.WriteFixed64(value);
        return this;
    }

    public Proto Double(int field, double value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed64);
        _output.WriteDouble(value);
        return this;
    }

    /// <summary>A packed repeated fixed64 (bucket counts).</summary>
    public Proto PackedFixed64(int field, params ulong[] values)
    {
        var packed = new Proto();
        foreach (var v in values)
            packed._output.WriteFixed64(v);
        return Bytes(field, packed.ToArray());
    }

    /// <summary>A packed repeated double (explicit bounds).</summary>
    public Proto PackedDouble(int field, params double[] values)
    {
        var packed = new Proto();
        foreach (var v in values)
            packed._output.WriteDouble(v);
        return Bytes(field, packed.ToArray());
    }

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }

    /// <summary>KeyValue { key = 1, value = AnyValue { string_value = 1 } }.</summary>
    public static Proto StringAttribute(string key, string value) =>
        new Proto().String(1, key).Message(2, new Proto().String(1, value));

    /// <summary>KeyValue with AnyValue { int_value = 3 }.</summary>
    public static Proto IntAttribute(string key, long value) =>
        new Proto().String(1, key).Message(2, new Proto().Varint(3, value));

    /// <summary>Resource { attributes = 1 } naming the service.</summary>
    public static Proto Resource(string service) => new Proto().Message(1, StringAttribute("service.name", service));
}
