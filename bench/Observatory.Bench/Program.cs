using System.Reflection;
using Observatory.Bench;

// dotnet run -c Release --project bench/Observatory.Bench -- <name> [args]; with no name, lists the benchmarks.
var benches = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();
if (args.Length == 0 || benches.All(b => b.Name != args[0]))
{
    Console.Error.WriteLine("usage: Observatory.Bench <name> [args]");
    foreach (var b in benches) Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    return 2;
}
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await benches.First(b => b.Name == args[0]).RunAsync(args[1..], cts.Token);
