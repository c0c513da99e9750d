using System.Security.Cryptography;

namespace Observatory.DataService.Core.Store;

/// <summary>Writes files so that a reader (or a crash) never sees a half-written file: temp file in a scratch folder, flush, rename.</summary>
public static class AtomicFile
{
    /// <param name="mode">Permissions the file is created with (Unix), e.g. owner-only for credentials; null = the umask's default.</param>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, string tempDirectory, CancellationToken ct, UnixFileMode? mode = null)
    {
        Directory.CreateDirectory(tempDirectory);
        var temp = TempPath(tempDirectory);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.Asynchronous,
        };
        // Set at creation, so the content is never readable by others, not even between the write and a chmod.
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        try
        {
            await using (var fs = new FileStream(temp, options))
            {
                await fs.WriteAsync(bytes, ct);
                await fs.FlushAsync(ct);
                fs.Flush(flushToDisk: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static Task WriteAllTextAsync(string path, string text, string tempDirectory, CancellationToken ct, UnixFileMode? mode = null) =>
        WriteAllBytesAsync(path, new System.Text.UTF8Encoding(false).GetBytes(text), tempDirectory, ct, mode);

    /// <summary>Renames into place, creating the folder only when it is missing: a mkdir per file costs more than the rename.</summary>
    public static void MoveInto(string temp, string path)
    {
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        // ENOENT is reported as a missing file when another thread creates the folder between the rename and .NET's check.
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException && File.Exists(temp))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>
    /// Creates a new temp file for writing (unbuffered: callers write large chunks), creating its folder only when missing.
    /// <paramref name="mode"/> is applied at creation (the open handle may still write), which spares a chmod per file.
    /// </summary>
    public static FileStream CreateTemp(string path, UnixFileMode? mode = null)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        try
        {
            return new FileStream(path, options);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new FileStream(path, options);
        }
    }

    /// <summary>A fresh unique name in <paramref name="tempDirectory"/>; callers rename it into place or delete it.</summary>
    public static string TempPath(string tempDirectory) =>
        Path.Combine(tempDirectory, "tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Writes every file of the file system holding <paramref name="path"/> to disk (Linux <c>syncfs</c>; elsewhere nothing).
    /// Objects are renamed into the cache as they arrive, without an fsync each (one per file would cost more than the copy);
    /// this one call, made before a pointer or a workspace file starts naming them, gives the same guarantee for the batch.
    /// </summary>
    public static void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = NativeSync.open(path, 0 /* O_RDONLY */);
        if (fd < 0) return; // durability is a best effort here: the objects are still verified when read
        try { NativeSync.syncfs(fd); }
        finally { NativeSync.close(fd); }
    }
}

internal static partial class NativeSync
{
    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int open(string path, int flags);

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    internal static partial int syncfs(int fd);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    internal static partial int close(int fd);
}
