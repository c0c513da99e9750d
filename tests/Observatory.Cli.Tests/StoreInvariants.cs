using System.Security.Cryptography;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;

namespace Observatory.Cli.Tests;

/// <summary>What must hold after any interruption: every cache object matches its name, every pointer names objects that exist.</summary>
internal static class StoreInvariants
{
    public static void AssertConsistent(string root)
    {
        AssertObjectsIntact(root);
        var objects = Path.Combine(root, ".obs", "cache", "objects");
        foreach (var pointerPath in Directory.EnumerateFiles(root, "*.obs", SearchOption.AllDirectories))
        {
            if (pointerPath.Contains("/.obs/", StringComparison.Ordinal)) continue;
            var pointer = PointerFile.Parse(File.ReadAllText(pointerPath), pointerPath);
            var treePath = Path.Combine(objects, pointer.Tree.Hex[..2], pointer.Tree.Hex[2..]);
            Assert.True(File.Exists(treePath), $"{pointerPath} names tree {pointer.Tree.Hex}, which is missing");
            var tree = TreeObject.Parse(File.ReadAllBytes(treePath), pointer.Tree.Hex);
            foreach (var e in tree.Entries)
                Assert.True(File.Exists(Path.Combine(objects, e.Hash.Hex[..2], e.Hash.Hex[2..])), $"{pointerPath} names {e.Path} ({e.Hash.Hex}), which is missing");
        }
    }

    /// <summary>Every object in the cache matches its name (for clones, whose committed pointers may name objects not yet pulled).</summary>
    public static void AssertObjectsIntact(string root)
    {
        var objects = Path.Combine(root, ".obs", "cache", "objects");
        if (!Directory.Exists(objects)) return;
        foreach (var file in Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file)) + Path.GetFileName(file);
            Assert.Equal(name, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
    }

    public static void WriteRandomFiles(string folder, int count, int seed, int size)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, $"d{i % 10}", $"file{i:D5}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var bytes = new byte[size];
            rng.NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
        }
    }

    public static int CountFiles(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count() : 0;
}
