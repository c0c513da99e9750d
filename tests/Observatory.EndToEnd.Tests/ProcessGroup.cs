using System.Runtime.InteropServices;

namespace Observatory.EndToEnd.Tests;

/// <summary>
/// Signals to a whole process group (a script and every background job it started: bash without job control keeps them in
/// its group), so nothing outlives the test even when the script is killed mid-run.
/// </summary>
internal static class ProcessGroup
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    [DllImport("libc")]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern int getpgid(int pid);

    /// <summary>The group led by <paramref name="pid"/> (started under setsid), or null if it leads none — never the test's own group.</summary>
    public static int? LedBy(int pid)
    {
        var group = getpgid(pid);
        return group == pid && group != getpgid(0) ? group : null;
    }

    /// <summary>True while any process of the group is alive.</summary>
    public static bool IsAlive(int group) => kill(-group, 0) == 0;

    /// <summary>SIGTERM first (the script's EXIT trap stops its jobs, the services shut down), SIGKILL whatever is left after the grace period.</summary>
    public static async Task StopAsync(int group, TimeSpan grace)
    {
        if (!IsAlive(group)) return;
        kill(-group, SigTerm);
        var deadline = DateTime.UtcNow + grace;
        while (IsAlive(group) && DateTime.UtcNow < deadline) await Task.Delay(100);
        if (IsAlive(group)) kill(-group, SigKill);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (IsAlive(group) && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
