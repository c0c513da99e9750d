using System.Net;
using System.Net.Sockets;

namespace Observatory.Testing;

/// <summary>Ports for the servers tests and benchmarks start, so parallel runs never clash.</summary>
public static class Ports
{
    /// <summary>A port the OS had free a moment ago on <paramref name="address"/> (loopback unless named).</summary>
    public static int Free(IPAddress? address = null)
    {
        using var l = new TcpListener(address ?? IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
