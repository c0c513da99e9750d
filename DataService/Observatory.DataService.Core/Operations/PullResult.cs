using Observatory.DataService.Core.Remotes;

namespace Observatory.DataService.Core.Operations;

/// <summary>What a pull fetched, and what its checkout then wrote, per dataset.</summary>
public sealed record PullResult(TransferResult Fetch, IReadOnlyList<CheckoutResult> Checkout);
