namespace Observatory.Dashboard;

/// <summary>Options of the dashboard (section <c>Dashboard</c>).</summary>
public sealed record DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>The git work tree holding the `obs` datasets shown on the Datasets page.</summary>
    public string RepositoryPath { get; init; } = ".";

    /// <summary>Who may log in when login is enforced (the app is bound beyond loopback).</summary>
    public IReadOnlyList<DashboardUser> Users { get; init; } = [];

    /// <summary>Forces login even on loopback (null: decided by the bound addresses).</summary>
    public bool? RequireLogin { get; init; }

    /// <summary>Base address of the Monitoring service (e.g. http://127.0.0.1:5080); unset: monitoring pages say so.</summary>
    public string? MonitoringUrl { get; init; }

    /// <summary>Sent as X-Api-Key on writes (acknowledge, resolve, silence, run now); empty when Monitoring accepts loopback writes.</summary>
    public string? MonitoringApiKey { get; init; }

    /// <summary>
    /// A JSON file holding <c>{"Dashboard": {"Users": [...]}}</c>, read at start and again whenever it changes: users can be
    /// added or removed without a restart, and a removed user's sessions end at their next request.
    /// </summary>
    public string? UsersFile { get; init; }

    /// <summary>Failed logins of one user name within <see cref="LockoutMinutes"/> that lock it for that long.</summary>
    public int MaxFailedLogins { get; init; } = 5;
    public double LockoutMinutes { get; init; } = 15;

    /// <summary>How often the dashboard asks Monitoring for new results and alerts, to update open pages live (0 turns it off).</summary>
    public double RefreshSeconds { get; init; } = 5;
}

/// <summary>
/// A dashboard login. <see cref="PasswordHash"/> is ASP.NET Core Identity's salted PBKDF2 format; make one with
/// <c>dotnet Observatory.Dashboard.dll hash-password</c> (reads the password from standard input). A plain
/// <see cref="Password"/> is accepted only while the dashboard is bound to loopback (development); unsalted SHA-256 is refused.
/// </summary>
public sealed record DashboardUser
{
    public string Name { get; init; } = "";
    public string? PasswordHash { get; init; }
    public string? Password { get; init; }
    /// <summary>No longer accepted (unsalted, one fast hash): start-up fails naming the user and the command that makes a PasswordHash.</summary>
    public string? PasswordSha256 { get; init; }
}
