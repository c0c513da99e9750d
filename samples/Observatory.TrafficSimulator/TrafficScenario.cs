using Observatory.Samples;

namespace Observatory.TrafficSimulator;

public enum ScenarioKind { NoDrift, GradualDrift, NewClass, LabelNoise }

/// <summary>
/// What production looks like over a run: image drift (brightness/blur growing linearly to the given maxima), classes present,
/// and the simulated model's behaviour (accuracy, share of flipped feedback labels).
/// </summary>
public sealed record TrafficScenario(ScenarioKind Kind)
{
    public double MaxBrightness { get; init; } = 0.35;
    public double MaxBlur { get; init; } = 3.0;
    public double ModelAccuracy { get; init; } = 0.9;
    public double LabelNoise { get; init; } = 0.35;

    /// <summary>Classes of the simulator's own reference data and of the model; the new-class scenario adds an unseen one in production.</summary>
    public static readonly IReadOnlyList<int> KnownClasses = [0, 1];

    /// <summary>
    /// Classes production shows (and the model knows) outside the new-class scenario. Must be the reference's own: a
    /// pretrained encoder sees a different class mix as drift (the demo's registry reference has all three).
    /// </summary>
    public IReadOnlyList<int> Known { get; init; } = KnownClasses;

    public static TrafficScenario Parse(string name) => new(name.ToLowerInvariant() switch
    {
        "no-drift" => ScenarioKind.NoDrift,
        "gradual-drift" => ScenarioKind.GradualDrift,
        "new-class" => ScenarioKind.NewClass,
        "label-noise" => ScenarioKind.LabelNoise,
        _ => throw new ArgumentException($"unknown scenario '{name}'; valid: no-drift, gradual-drift, new-class, label-noise"),
    });

    /// <summary>Rendering options of production image <paramref name="i"/> of <paramref name="n"/> (progress drives gradual drift).</summary>
    public SampleDatasetOptions ImageOptions(int i, int n)
    {
        var o = new SampleDatasetOptions { OnlyClasses = Known };
        var progress = n <= 1 ? 1 : (double)i / (n - 1);
        return Kind switch
        {
            ScenarioKind.GradualDrift => o with { BrightnessShift = MaxBrightness * progress, Blur = MaxBlur * progress },
            ScenarioKind.NewClass => o with { OnlyClasses = [2] },
            _ => o,
        };
    }

    public double FeedbackNoise => Kind == ScenarioKind.LabelNoise ? LabelNoise : 0;
}
