using System.Diagnostics.Metrics;
using Prometheus;

namespace Observatory.ServiceDefaults;

/// <summary>
/// This host's Prometheus registry: the .NET Meters created through this host's <see cref="IMeterFactory"/>, published by
/// prometheus-net's MeterAdapter. A registry per host, not the library's static default, so two hosts in one process (the
/// tests) never see each other's counts, and only our meters and request durations are exposed (the runtime's event counters
/// would add hundreds of series that nobody charts).
/// </summary>
internal sealed class HostMetrics : IDisposable
{
    /// <summary>Meters whose names start with this are ours; instruments are named so the exposition reads observatory_….</summary>
    public const string MeterPrefix = "Observatory";

    private const string RequestMeter = "Microsoft.AspNetCore.Hosting";

    private readonly IDisposable _adapter;

    public HostMetrics(IMeterFactory meters)
    {
        Registry = Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            // The options default this to the library's static factory, which writes to the static default registry.
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = i => ReferenceEquals(i.Meter.Scope, meters)
                && (i.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) || i.Meter.Name == RequestMeter),
            // A series left alone this long is dropped; our instruments are observed at every scrape, so this only ever
            // removes label sets that stopped being reported (a deleted model).
            MetricsExpireAfter = TimeSpan.FromDays(1),
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose() => _adapter.Dispose();
}
