using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>
/// `obs pull`: fetch, then check out the same selection (whole datasets or the named sub-folders). Pointers and trees are read
/// once, by the fetch, and handed to checkout. Each downloaded small file is written to the cache and to a staged workspace copy
/// in one pass (<see cref="StagedCopies"/>); checkout renames the staged copies into place, so nothing reaches the workspace
/// unless the whole fetch succeeded, and whatever checkout did not take is deleted.
/// </summary>
public static class PullOperation
{
    public static async Task<PullResult> RunAsync(ObsRepository repo, IRemoteStore remote, TransferOptions options, bool force, CancellationToken ct)
    {
        using var staging = new StagedCopies(repo.TempDir);
        var (selection, fetched) = await FetchOperation.RunAsync(repo, remote, options, staging, ct);
        var checkout = await CheckoutOperation.RunAsync(repo, selection.Selected, new CheckoutOptions { Revision = options.Revision, Force = force }, staging, ct);
        return new PullResult(fetched, checkout);
    }
}
