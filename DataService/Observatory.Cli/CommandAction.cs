using System.CommandLine;
using Observatory.DataService.Core.Errors;

namespace Observatory.Cli;

/// <summary>Wraps a command body so every failure becomes one clear line on stderr and the exit code of its kind.</summary>
public static class CommandAction
{
    /// <summary><paramref name="name"/> is how errors name the verb when it is a sub-command ("metrics show"); default its own name.</summary>
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body, string? name = null)
    {
        name ??= command.Name;
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await body(parse, ct);
            }
            catch (ValidationFailedException ex)
            {
                Console.Out.Write(ex.ReportText);
                Console.Error.WriteLine($"obs {name}: {ex.Message}");
                return ex.ExitCode;
            }
            catch (ObsException ex)
            {
                Console.Error.WriteLine($"obs {name}: {ex.Message}");
                return ex.ExitCode;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"obs {name}: cancelled");
                return 130;
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"obs {name}: {ex.Message}");
                return ExitCodes.IoError;
            }
            catch (UnauthorizedAccessException ex)
            {
                Console.Error.WriteLine($"obs {name}: {ex.Message}");
                return ExitCodes.IoError;
            }
            catch (Exception ex) when (Environment.GetEnvironmentVariable("OBS_DEBUG") is null)
            {
                // A bug, not a user error: one line, and the way to get the stack trace.
                Console.Error.WriteLine($"obs {name}: unexpected {ex.GetType().Name}: {ex.Message} (set OBS_DEBUG=1 for details)");
                return ExitCodes.IoError;
            }
        });
    }
}
