using Google.Protobuf;

namespace Observatory.Monitoring.Onnx.Model;

/// <summary>One field of a protobuf message as it sits on the wire: its number, wire type and value, kept verbatim.</summary>
internal readonly record struct ProtoField(int Number, WireFormat.WireType Type, ulong Scalar, ByteString? Bytes)
{
    public string Text => Bytes?.ToStringUtf8() ?? throw new InvalidDataException($"protobuf field {Number} is not length-delimited");
}

/// <summary>
/// Reads a message into its fields and writes fields back, without a schema: enough to edit an ONNX model (rename an input,
/// add a node) and copy everything else byte for byte, so no generated onnx.proto classes are needed.
/// </summary>
internal static class ProtoFields
{
    /// <summary>The top-level fields of <paramref name="message"/>, in wire order. Groups (unused by ONNX) are refused.</summary>
    public static List<ProtoField> Read(ReadOnlySpan<byte> message) => Read(ByteString.CopyFrom(message));

    public static List<ProtoField> Read(ByteString message)
    {
        var fields = new List<ProtoField>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            fields.Add(type switch
            {
                WireFormat.WireType.Varint => new ProtoField(number, type, input.ReadUInt64(), null),
                WireFormat.WireType.Fixed64 => new ProtoField(number, type, input.ReadFixed64(), null),
                WireFormat.WireType.Fixed32 => new ProtoField(number, type, input.ReadFixed32(), null),
                WireFormat.WireType.LengthDelimited => new ProtoField(number, type, 0, input.ReadBytes()),
                _ => throw new InvalidDataException($"protobuf field {number} has unsupported wire type {type}"),
            });
        }
        return fields;
    }

    public static byte[] Write(IEnumerable<ProtoField> fields)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            foreach (var f in fields)
            {
                output.WriteTag(f.Number, f.Type);
                switch (f.Type)
                {
                    case WireFormat.WireType.Varint: output.WriteUInt64(f.Scalar); break;
                    case WireFormat.WireType.Fixed64: output.WriteFixed64(f.Scalar); break;
                    case WireFormat.WireType.Fixed32: output.WriteFixed32((uint)f.Scalar); break;
                    default: output.WriteBytes(f.Bytes!); break;
                }
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The values of a repeated int64 field, whether written one per tag or packed.</summary>
    public static IEnumerable<long> Int64s(ProtoField field)
    {
        if (field.Type == WireFormat.WireType.Varint) return [(long)field.Scalar];
        var input = field.Bytes!.CreateCodedInput();
        var values = new List<long>();
        while (!input.IsAtEnd) values.Add(input.ReadInt64());
        return values;
    }

    public static ProtoField Message(int number, byte[] message) =>
        new(number, WireFormat.WireType.LengthDelimited, 0, ByteString.CopyFrom(message));

    public static ProtoField Varint(int number, ulong value) => new(number, WireFormat.WireType.Varint, value, null);
}
