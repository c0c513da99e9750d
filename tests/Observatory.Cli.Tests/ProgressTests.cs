using Microsoft.Extensions.Time.Testing;

namespace Observatory.Cli.Tests;

public sealed class ProgressTests
{
    [Fact]
    public void PlainProgress_ForABytePhase_ReportsBytesDoneTotalAndRate_EveryFewSecondsAndAtTheEnd()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new CliProgress.PlainProgress(output, time);
        progress.Begin("pushing 3 file(s) to s3://b/p", 30L << 20, unitsAreBytes: true);
        progress.Advance(5L << 20);            // under 5 s: silent
        Assert.Equal("", output.ToString());
        time.Advance(TimeSpan.FromSeconds(6));
        progress.Advance(5L << 20);            // 10 MiB in 6 s
        time.Advance(TimeSpan.FromSeconds(4));
        progress.Advance(20L << 20);
        progress.End();                        // 30 MiB in 10 s
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["pushing 3 file(s) to s3://b/p: 10.0/30.0 MiB, 1.7 MiB/s", "pushing 3 file(s) to s3://b/p: 30.0/30.0 MiB, 3.0 MiB/s in 10.0s"], lines);
    }

    [Fact]
    public void PlainProgress_ForACountedPhase_ReportsCounts()
    {
        var time = new FakeTimeProvider();
        var output = new StringWriter();
        var progress = new CliProgress.PlainProgress(output, time);
        progress.Begin("checking out data/set", 10);
        time.Advance(TimeSpan.FromSeconds(2));
        progress.Advance(10);
        progress.End();
        Assert.Equal("checking out data/set: 10/10 in 2.0s", output.ToString().Trim());
    }
}
