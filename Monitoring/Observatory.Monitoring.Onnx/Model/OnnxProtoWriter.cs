using System.Buffers.Binary;
using Google.Protobuf;

namespace Observatory.Monitoring.Onnx.Model;

/// <summary>
/// Writes the few ONNX protobuf messages the generated encoder needs (onnx.proto, proto2). Fields are written in field
/// order and repeated scalars unpacked, so the same model always serialises to the same bytes.
/// </summary>
internal static class OnnxProtoWriter
{
    // onnx.proto enum values used here.
    public const int ElemFloat = 1;
    private const int AttrFloat = 1, AttrInt = 2, AttrInts = 7;

    public static byte[] Model(long irVersion, string producer, string producerVersion, string docString, long opset,
        byte[] graph, IReadOnlyList<KeyValuePair<string, string>> metadata) => Message(w =>
    {
        Int64(w, 1, irVersion);
        String(w, 2, producer);
        String(w, 3, producerVersion);
        String(w, 6, docString);
        Bytes(w, 7, graph);
        Bytes(w, 8, Message(o => { String(o, 1, ""); Int64(o, 2, opset); }));
        foreach (var (key, value) in metadata) Bytes(w, 14, Message(e => { String(e, 1, key); String(e, 2, value); }));
    });

    public static byte[] Graph(string name, IReadOnlyList<byte[]> nodes, IReadOnlyList<byte[]> initializers,
        IReadOnlyList<byte[]> inputs, IReadOnlyList<byte[]> outputs) => Message(w =>
    {
        foreach (var n in nodes) Bytes(w, 1, n);
        String(w, 2, name);
        foreach (var t in initializers) Bytes(w, 5, t);
        foreach (var i in inputs) Bytes(w, 11, i);
        foreach (var o in outputs) Bytes(w, 12, o);
    });

    public static byte[] Node(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        params byte[][] attributes) => Message(w =>
    {
        foreach (var i in inputs) String(w, 1, i);
        foreach (var o in outputs) String(w, 2, o);
        String(w, 3, name);
        String(w, 4, opType);
        foreach (var a in attributes) Bytes(w, 5, a);
    });

    public static byte[] AttributeInts(string name, params long[] values) => Message(w =>
    {
        String(w, 1, name);
        foreach (var v in values) Int64(w, 8, v);
        Int64(w, 20, AttrInts);
    });

    public static byte[] AttributeInt(string name, long value) => Message(w =>
    {
        String(w, 1, name);
        Int64(w, 3, value);
        Int64(w, 20, AttrInt);
    });

    public static byte[] AttributeFloat(string name, float value) => Message(w =>
    {
        String(w, 1, name);
        w.WriteTag(2, WireFormat.WireType.Fixed32);
        w.WriteFloat(value);
        Int64(w, 20, AttrFloat);
    });

    /// <summary>A float tensor initializer; values as little-endian raw_data so the bytes do not depend on the host.</summary>
    public static byte[] FloatTensor(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        return Message(w =>
        {
            foreach (var d in dims) Int64(w, 1, d);
            Int64(w, 2, ElemFloat);
            String(w, 8, name);
            Bytes(w, 9, raw);
        });
    }

    /// <summary>A float tensor ValueInfo; a null dimension is symbolic (named <paramref name="symbol"/>).</summary>
    public static byte[] FloatValueInfo(string name, IReadOnlyList<long?> dims, string symbol = "N") => Message(w =>
    {
        String(w, 1, name);
        var shape = Message(s =>
        {
            foreach (var d in dims)
                Bytes(s, 1, Message(dim => { if (d is { } v) Int64(dim, 1, v); else String(dim, 2, symbol); }));
        });
        var tensor = Message(t => { Int64(t, 1, ElemFloat); Bytes(t, 2, shape); });
        Bytes(w, 2, Message(t => Bytes(t, 1, tensor)));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
            output.Flush();
        }
        return buffer.ToArray();
    }

    private static void Int64(CodedOutputStream w, int field, long value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt64(value);
    }

    private static void String(CodedOutputStream w, int field, string value)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteString(value);
    }

    private static void Bytes(CodedOutputStream w, int field, byte[] value)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(value));
    }
}
