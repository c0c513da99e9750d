using System.Globalization;
using Observatory.Samples;

// samples generate <dir> [--train N] [--val N] [--seed S] [--width W] [--height H] [--brightness B] [--blur S]
if (args.Length < 2 || args[0] != "generate")
{
    Console.Error.WriteLine("usage: Observatory.Samples generate <dir> [--train N] [--val N] [--seed S] [--width W] [--height H] [--brightness B] [--blur S]");
    return 2;
}
var options = new SampleDatasetOptions();
for (var i = 2; i + 1 < args.Length; i += 2)
{
    var v = args[i + 1];
    options = args[i] switch
    {
        "--train" => options with { TrainCount = int.Parse(v, CultureInfo.InvariantCulture) },
        "--val" => options with { ValCount = int.Parse(v, CultureInfo.InvariantCulture) },
        "--seed" => options with { Seed = int.Parse(v, CultureInfo.InvariantCulture) },
        "--width" => options with { Width = int.Parse(v, CultureInfo.InvariantCulture) },
        "--height" => options with { Height = int.Parse(v, CultureInfo.InvariantCulture) },
        "--brightness" => options with { BrightnessShift = double.Parse(v, CultureInfo.InvariantCulture) },
        "--blur" => options with { Blur = double.Parse(v, CultureInfo.InvariantCulture) },
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}
var images = SampleDataset.Generate(args[1], options);
Console.Error.WriteLine($"wrote {images.Count} images to {args[1]}");
return 0;
