namespace Observatory.DataService.Core.Remotes;

/// <summary>Objects a transfer moved (and their bytes), and those the destination already had.</summary>
public sealed record TransferResult(int Transferred, long Bytes, int AlreadyThere);
