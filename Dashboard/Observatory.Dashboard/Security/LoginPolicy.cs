using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
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

    private static readonly PasswordHasher<DashboardUser> Hasher = new();

    /// <summary>The claim holding <see cref="Stamp"/> in a session cookie.</summary>
    public const string StampClaim = "obs:stamp";

    /// <summary>A salted PBKDF2 hash (ASP.NET Core Identity's format) of a password, for <c>Dashboard:Users:N:PasswordHash</c>.</summary>
    public static string Hash(string password) => Hasher.HashPassword(new DashboardUser(), password);

    /// <summary>The configured user a name and password sign in as, or null. Plain passwords count only when <paramref name="allowPlain"/>.</summary>
    public static DashboardUser? Verify(IEnumerable<DashboardUser> users, string? name, string? password, bool allowPlain = true)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password)) return null;
        foreach (var user in users)
        {
            if (!string.Equals(user.Name, name, StringComparison.Ordinal)) continue;
            if (user.PasswordHash is { Length: > 0 } hash)
            {
                try
                {
                    if (Hasher.VerifyHashedPassword(user, hash, password) != PasswordVerificationResult.Failed) return user;
                }
                catch (FormatException) { } // a damaged hash signs nobody in
            }
            else if (allowPlain && user.Password is { Length: > 0 } plain
                && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(plain)), SHA256.HashData(Encoding.UTF8.GetBytes(password))))
                return user;
        }
        return null;
    }

    /// <summary>
    /// A stamp of how a user signs in, kept in their session: when the user is removed or their password changes, the stamp no
    /// longer matches and the session ends.
    /// </summary>
    public static string? Stamp(IEnumerable<DashboardUser> users, string name) =>
        users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal)) is { } user
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user.Name + "\n" + (user.PasswordHash ?? user.Password ?? ""))))[..32]
            : null;
}

/// <summary>
/// Counts failed logins per user name (as ASP.NET Core Identity's lockout does): after <see cref="DashboardOptions.MaxFailedLogins"/>
/// within <see cref="DashboardOptions.LockoutMinutes"/>, the name is locked for that long, right password or not.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    private readonly Dictionary<string, List<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    public bool IsLocked(string name, DashboardOptions options)
    {
        lock (_failures) return Recent(name, options).Count >= options.MaxFailedLogins;
    }

    public void Failed(string name, DashboardOptions options)
    {
        lock (_failures)
        {
            var recent = Recent(name, options);
            recent.Add(time.GetUtcNow());
            _failures[name] = recent;
            // Failures under random names must not grow the table for ever: names with nothing recent are forgotten.
            if (_failures.Count > MaxNames)
                foreach (var stale in _failures.Keys.Where(n => Recent(n, options).Count == 0).ToList()) _failures.Remove(stale);
        }
    }

    private const int MaxNames = 10_000;

    public void Succeeded(string name)
    {
        lock (_failures) _failures.Remove(name);
    }

    private List<DateTimeOffset> Recent(string name, DashboardOptions options)
    {
        var since = time.GetUtcNow() - TimeSpan.FromMinutes(options.LockoutMinutes);
        return _failures.TryGetValue(name, out var list) ? list.Where(t => t > since).ToList() : [];
    }
}

/// <summary>Whether this process enforces login: configured, else decided by the addresses the server bound (<see cref="HostBinding"/>).</summary>
public sealed class LoginGate(HostBinding binding, DashboardOptions options)
{
    public bool Required => options.RequireLogin ?? binding.BeyondLoopback;

    /// <summary>Reachable from other machines: plain-text passwords in configuration then sign nobody in.</summary>
    public bool BoundBeyondLoopback => binding.BeyondLoopback;
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
