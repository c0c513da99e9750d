using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Observatory.ServiceDefaults;

/// <summary>Whether this process listens beyond loopback, decided once from the addresses the server actually bound.</summary>
public sealed class HostBinding(IServer server)
{
    private bool? _beyondLoopback;

    /// <summary>True when any bound address is reachable from another machine; no known address counts as beyond (fail closed).</summary>
    public bool BeyondLoopback => _beyondLoopback ??= AnyBeyondLoopback(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);

    public static bool AnyBeyondLoopback(IEnumerable<string> boundAddresses)
    {
        var any = false;
        foreach (var address in boundAddresses)
        {
            any = true;
            if (!IsLoopback(address)) return true;
        }
        return !any;
    }

    /// <summary>Loopback IPs, <c>localhost</c> and local pipes; wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) and other names are not.</summary>
    public static bool IsLoopback(string address)
    {
        BindingAddress binding;
        try { binding = BindingAddress.Parse(address); }
        catch (FormatException) { return false; }
        if (binding.IsUnixPipe || binding.IsNamedPipe) return true;
        var host = binding.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>A Host header naming this machine's loopback: localhost, 127.0.0.0/8 or [::1], any port.</summary>
    public static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue) return false;
        var name = host.Host.Trim('[', ']');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip);
    }
}
