namespace Observatory.DataService.Core.Objects;

/// <summary>One file of a tracked directory: its path relative to that directory ('/' separators), hash and size.</summary>
public sealed record TreeEntry(string Path, ContentHash Hash, long Size);
