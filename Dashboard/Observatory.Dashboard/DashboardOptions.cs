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

    /// <summary>How often the dashboard asks Monitoring for new results and alerts, to update open pages live (0 turns it off).</summary>
    public double RefreshSeconds { get; init; } = 5;
}

/// <summary>A dashboard login. Give <see cref="PasswordSha256"/> (hex of SHA-256 of the password) to keep the password out of configuration.</summary>
public sealed record DashboardUser
{
    public string Name { get; init; } = "";
    public string? Password { get; init; }
    public string? PasswordSha256 { get; init; }
}
