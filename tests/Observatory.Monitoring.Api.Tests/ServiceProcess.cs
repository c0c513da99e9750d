using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The Monitoring service as a real child process from this test's output folder, with the tests' API key.</summary>
public static class ServiceProcess
{
    public static Task<MonitoringProcess> StartAsync(IDictionary<string, string> settings) =>
        MonitoringProcess.StartAsync(AppContext.BaseDirectory, settings, new MonitoringProcessOptions { ApiKey = MonitoringServer.ApiKey });
}
