namespace Observatory.Dashboard.Services;

/// <summary>
/// A message for the next page of this circuit, from an action that ends by leaving its own page (a deleted model's page goes
/// back to the list, which says what was deleted). Scoped: one per circuit, kept across enhanced navigation.
/// </summary>
public sealed class PendingNotice
{
    private string? _message;

    public void Set(string message) => Volatile.Write(ref _message, message);

    /// <summary>The message, once: a later page (or a refresh) does not show it again.</summary>
    public string? Take() => Interlocked.Exchange(ref _message, null);
}
