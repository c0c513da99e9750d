using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Observatory.ServiceDefaults;

namespace Observatory.Dashboard.Security;

/// <summary>When the dashboard asks for a login: whenever it listens on anything but loopback.</summary>
public static class LoginPolicy
{
    /// <summary>
    /// True when any bound address is reachable from another machine (an IP that is not loopback, a wildcard such as
    /// <c>*</c>, <c>+</c>, <c>0.0.0.0</c> or <c>[::]</c>, or a host name other than localhost). No known address also
    /// asks for a login: when in doubt, fail closed.
    /// </summary>
    public static bool RequiresLogin(IEnumerable<string> boundAddresses) => HostBinding.AnyBeyondLoopback(boundAddresses);

    public static bool IsLoopback(string address) => HostBinding.IsLoopback(address);

    /// <summary>Checks a user name and password against the configured users in constant time per user.</summary>
    public static bool Verify(IEnumerable<DashboardUser> users, string? name, string? password)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password)) return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var ok = false;
        foreach (var user in users)
        {
            if (!string.Equals(user.Name, name, StringComparison.Ordinal)) continue;
            byte[]? expected = user.PasswordSha256 is { Length: 64 } hex ? Convert.FromHexString(hex)
                : user.Password is { Length: > 0 } p ? SHA256.HashData(Encoding.UTF8.GetBytes(p)) : null;
            ok |= expected is not null && CryptographicOperations.FixedTimeEquals(expected, given);
        }
        return ok;
    }
}

/// <summary>Decides once, from the addresses the server actually bound, whether this process enforces login.</summary>
public sealed class LoginGate(IServer server, DashboardOptions options)
{
    private bool? _required;

    public bool Required => _required ??= options.RequireLogin
        ?? LoginPolicy.RequiresLogin(server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []);
}

/// <summary>Met by a signed-in user, or by anyone when the gate says no login is needed (loopback only).</summary>
public sealed class LoginRequirement : IAuthorizationRequirement;

public sealed class LoginRequirementHandler(LoginGate gate) : AuthorizationHandler<LoginRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, LoginRequirement requirement)
    {
        if (!gate.Required || context.User.Identity?.IsAuthenticated == true) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
