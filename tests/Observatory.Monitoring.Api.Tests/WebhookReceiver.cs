using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>A real HTTP receiver on 127.0.0.1 that records webhook bodies; it can be stopped (connection refused) and started again on the same port.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; } = Ports.Free();
    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";
    public ConcurrentQueue<(string Path, JsonElement Body)> Received { get; } = new();

    public async Task StartAsync()
    {
        var b = WebApplication.CreateBuilder();
        b.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        b.Logging.ClearProviders();
        _app = b.Build();
        _app.MapPost("/{path}", async (string path, HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            Received.Enqueue((path, body));
            return Results.Ok();
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

}
