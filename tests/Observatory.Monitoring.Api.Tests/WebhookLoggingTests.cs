using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observatory.Monitoring.Api.Services;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>Hardening finding 14: the webhook HTTP client logged each URL at Information, and a Slack webhook's token is in its path.</summary>
public sealed class WebhookLoggingTests
{
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(Capture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }

    [Fact]
    public async Task Finding14_TheWebhookClient_NeverLogsTheWebhookUrl()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        const string secret = "XySecretTokenXy"; // a Slack webhook's token is a path segment like this one
        var capture = new Capture();
        using var dir = new TempDirectory("hooklog");
        await using var app = MonitoringHost.Build([], b =>
        {
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Monitoring"] = $"Data Source={dir.Combine("m.db")}",
                ["Monitoring:ApiKey"] = "k",
            });
            b.Logging.ClearProviders();
            b.Logging.SetMinimumLevel(LogLevel.Trace);
            b.Logging.AddProvider(capture);
        });
        var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient(NotificationService.HttpClientName);
        using var response = await client.PostAsJsonAsync(receiver.Url(secret), new { text = "hi" });
        response.EnsureSuccessStatusCode();
        Assert.Single(receiver.Received);

        // The check must be able to fail: the same request through a default client is logged with its URL.
        var plain = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("any-other");
        using (await plain.PostAsJsonAsync(receiver.Url(secret), new { text = "hi" })) { }
        Assert.Contains(capture.Lines, l => l.Contains("System.Net.Http.HttpClient.any-other", StringComparison.Ordinal) && l.Contains(secret, StringComparison.Ordinal));
        Assert.Equal(2, receiver.Received.Count);

        Assert.DoesNotContain(capture.Lines, l => l.Contains("HttpClient." + NotificationService.HttpClientName, StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Lines, l => l.Contains(secret, StringComparison.Ordinal) && !l.Contains("any-other", StringComparison.Ordinal));
    }
}
