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

    private sealed class SpectreProgress(ProgressContext ctx) : IOperationProgress
    {
        private ProgressTask? _task;
        public void Begin(string label, long total, bool unitsAreBytes = false)
        {
            _task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total));
        }
        public void Advance(long units) => _task?.Increment(units);
        public void End()
        {
            if (_task is null) return;
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }

    private sealed class PlainProgress(TextWriter writer, TimeProvider time) : IOperationProgress
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
                writer.WriteLine($"{_label}: {Units(_done)}/{Units(_total)}");
            }
        }

        public void End()
        {
            lock (_gate)
            {
                if (_total == 0 && _done == 0) return;
                var secs = time.GetElapsedTime(_start).TotalSeconds;
                if (secs < 1) return; // short phases need no report
                writer.WriteLine($"{_label}: {Units(_done)}/{Units(_total)} in {secs:0.0}s");
            }
        }

        private string Units(long n) => _bytes ? $"{n / 1048576.0:0.0} MiB" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
