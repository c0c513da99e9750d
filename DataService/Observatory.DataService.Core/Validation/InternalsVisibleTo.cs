using System.Runtime.CompilerServices;

// The checkers are internal (the public surface is DatasetValidator); the tests fuzz them directly.
[assembly: InternalsVisibleTo("Observatory.DataService.Tests")]
