using Observatory.DataService.Core.Ports;
using Spectre.Console;

namespace Observatory.Cli;

/// <summary>
/// Progress on stderr: Spectre.Console bars when stderr is a terminal, otherwise a plain line when a phase starts, every few
/// seconds while it runs, and when it ends — so logs of CI jobs still show how far a long push got.
/// </summary>
public static class CliProgress
{
    public static async Task<T> RunAsync<T>(Func<IOperationProgress, Task<T>> body, bool quiet = false)
    {
        if (quiet) return await body(NullProgress.Instance);
        if (Console.IsErrorRedirected) return await body(new PlainProgress(Console.Error, TimeProvider.System));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx => { result = await body(new SpectreProgress(ctx)); });
        return result;
    }

    /// <summary>Bars; a phase counted in bytes also shows bytes done, total and the rate in its description.</summary>
    private sealed class SpectreProgress(ProgressContext ctx) : IOperationProgress
    {
        private readonly Lock _gate = new();
        private ProgressTask? _task;
        private string _label = "";
        private bool _bytes;
        private long _done, _total, _start, _lastLabel;

        public void Begin(string label, long total, bool unitsAreBytes = false)
        {
            lock (_gate)
            {
                (_label, _bytes, _done, _total) = (Markup.Escape(label), unitsAreBytes, 0, total);
                _start = _lastLabel = System.Diagnostics.Stopwatch.GetTimestamp();
                _task = ctx.AddTask(_label, maxValue: Math.Max(1, total));
            }
        }

        public void Advance(long units)
        {
            lock (_gate)
            {
                if (_task is null) return;
                _task.Increment(units);
                _done += units;
                if (!_bytes || System.Diagnostics.Stopwatch.GetElapsedTime(_lastLabel) < TimeSpan.FromMilliseconds(200)) return;
                _lastLabel = System.Diagnostics.Stopwatch.GetTimestamp();
                _task.Description = $"{_label} [grey]{Rate.Describe(_done, _total, System.Diagnostics.Stopwatch.GetElapsedTime(_start))}[/]";
            }
        }

        public void End()
        {
            lock (_gate)
            {
                if (_task is null) return;
                if (_bytes) _task.Description = $"{_label} [grey]{Rate.Describe(_done, _total, System.Diagnostics.Stopwatch.GetElapsedTime(_start))}[/]";
                _task.Value = _task.MaxValue;
                _task.StopTask();
            }
        }
    }

    private static class Rate
    {
        public static string Describe(long done, long total, TimeSpan elapsed) =>
            $"{Mib(done)}/{Mib(total)} MiB, {(elapsed.TotalSeconds > 0 ? done / 1048576.0 / elapsed.TotalSeconds : 0):0.0} MiB/s";

        private static string Mib(long n) => (n / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }

    internal sealed class PlainProgress(TextWriter writer, TimeProvider time) : IOperationProgress
    {
        private readonly Lock _gate = new();
        private string _label = "";
        private long _total, _done, _lastPrint, _start;
        private bool _bytes;

        public void Begin(string label, long total, bool unitsAreBytes = false)
        {
            lock (_gate) { _label = label; _total = total; _done = 0; _bytes = unitsAreBytes; _start = _lastPrint = time.GetTimestamp(); }
        }

        public void Advance(long units)
        {
            lock (_gate)
            {
                _done += units;
                if (time.GetElapsedTime(_lastPrint) < TimeSpan.FromSeconds(5)) return;
                _lastPrint = time.GetTimestamp();
                writer.WriteLine(_bytes ? $"{_label}: {Rate.Describe(_done, _total, time.GetElapsedTime(_start))}" : $"{_label}: {_done}/{_total}");
            }
        }

        public void End()
        {
            lock (_gate)
            {
                if (_total == 0 && _done == 0) return;
                var secs = time.GetElapsedTime(_start).TotalSeconds;
                if (secs < 1) return; // short phases need no report
                writer.WriteLine(_bytes ? $"{_label}: {Rate.Describe(_done, _total, time.GetElapsedTime(_start))} in {secs:0.0}s" : $"{_label}: {_done}/{_total} in {secs:0.0}s");
            }
        }
    }
}
