using Microsoft.Extensions.Time.Testing;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;

namespace Observatory.Monitoring.Tests.Alerts;

public sealed class AlertLifecycleTests
{
    private static readonly AlertRule Drift3 = new() { Id = "drift", Kind = AlertRuleKind.EmbeddingDrift, ConsecutiveWindows = 3, Summary = "retraining recommended" };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private int _ids;

    private WindowResult Window(bool? drift, double? accuracy = null) => new()
    {
        Model = "m", WindowStart = _time.GetUtcNow().AddHours(-1), WindowEnd = _time.GetUtcNow(), EventCount = 100, EmbeddingDrift = drift, Accuracy = accuracy,
    };

    private AlertLifecycle.Transition Step(Alert? current, AlertRule rule, IReadOnlyList<WindowResult> history, params Silence[] silences) =>
        AlertLifecycle.Apply(current, AlertRuleEvaluator.Evaluate(rule, history, 0.9, _time.GetUtcNow(), _time.GetUtcNow()), "m", silences, _time.GetUtcNow(), () => $"a{++_ids}");

    [Fact]
    public void Drift_FiresOnlyAfterConsecutiveWindows()
    {
        var history = new List<WindowResult> { Window(true), Window(true) };
        Assert.Null(Step(null, Drift3, history).Alert);
        history.Add(Window(true));
        var t = Step(null, Drift3, history);
        Assert.Equal(AlertState.Firing, t.Alert!.State);
        Assert.Equal(NotificationKind.Firing, t.Notification!.Kind);
    }

    [Fact]
    public void Drift_CleanWindowBreaksTheRun_UnmeasuredWindowDoesNot()
    {
        Assert.Null(Step(null, Drift3, [Window(true), Window(false), Window(true), Window(true)]).Alert);
        Assert.NotNull(Step(null, Drift3, [Window(true), Window(null), Window(true), Window(true)]).Alert);
    }

    [Fact]
    public void AnOpenAlert_ResolvesOnlyAfterTheQuietWindowsItsRuleAsksFor_AndAnUnmeasuredWindowDoesNotCount()
    {
        var rule = Drift3 with { QuietWindowsToResolve = 2 };
        var history = new List<WindowResult> { Window(true), Window(true), Window(true) };
        var fired = Step(null, rule, history).Alert!;

        history.Add(Window(false));
        var once = Step(fired, rule, history);
        Assert.Equal(AlertState.Firing, once.Alert!.State);
        Assert.Null(once.Notification);
        Assert.Contains("no embedding drift in the last 1 window(s); resolves after 2 quiet window(s)", once.Alert.Detail);

        history.Add(Window(null));                         // too few events: not a quiet window
        Assert.Equal(AlertState.Firing, Step(once.Alert, rule, history).Alert!.State);

        history.Add(Window(false));
        var resolved = Step(once.Alert, rule, history);
        Assert.Equal(AlertState.Resolved, resolved.Alert!.State);
        Assert.Equal(NotificationKind.Resolved, resolved.Notification!.Kind);

        // With the default (1), the first quiet window resolves, as before.
        var fired2 = Step(null, Drift3, [Window(true), Window(true), Window(true)]).Alert!;
        Assert.Equal(AlertState.Resolved, Step(fired2, Drift3, [Window(true), Window(true), Window(true), Window(false)]).Alert!.State);
    }

    [Fact]
    public void AccuracyBelowBaseline_AlsoWaitsForItsQuietWindows()
    {
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline) with { QuietWindowsToResolve = 2 };
        var fired = Step(null, rule, [Window(null, 0.7)]).Alert!;
        Assert.Equal(AlertState.Firing, Step(fired, rule, [Window(null, 0.7), Window(null, 0.95)]).Alert!.State);
        Assert.Equal(AlertState.Resolved, Step(fired, rule, [Window(null, 0.7), Window(null, 0.95), Window(null, 0.93)]).Alert!.State);
    }

    [Fact]
    public void ClassRecallBelow_NamesTheClassUnderItsBaseline_OnlyWithEnoughLabels_AndHonoursClassBaselines()
    {
        var rule = new AlertRule { Id = "class", Kind = AlertRuleKind.ClassRecallBelow, Tolerance = 0.05, MinLabelled = 30 };
        WindowResult Labelled(int circleLabelled) => Window(null) with
        {
            ClassRecall = new Dictionary<string, double> { ["circle"] = 0.5, ["square"] = 0.95 },
            ClassLabelled = new Dictionary<string, int> { ["circle"] = circleLabelled, ["square"] = 40 },
        };
        var fired = AlertRuleEvaluator.Evaluate(rule, [Labelled(40)], 0.9, null, _time.GetUtcNow());
        Assert.True(fired.Active);
        Assert.Contains("circle 0.5 (baseline 0.9, 40 labelled)", fired.Detail);
        Assert.DoesNotContain("square", fired.Detail);
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [Labelled(12)], 0.9, null, _time.GetUtcNow()).Active);     // 12 labels: not enough
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [Labelled(40)], 0.9, null, _time.GetUtcNow(), new Dictionary<string, double> { ["circle"] = 0.5 }).Active);
        // A class without its own baseline keeps the model's, while another class has one.
        Assert.True(AlertRuleEvaluator.Evaluate(rule, [Labelled(40)], 0.9, null, _time.GetUtcNow(), new Dictionary<string, double> { ["square"] = 0.5 }).Active);
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [Window(null)], 0.9, null, _time.GetUtcNow()).Active);      // no labels yet
    }

    [Fact]
    public void ImageStatisticDrift_FiresAfterItsConsecutiveWindows()
    {
        var rule = new AlertRule { Id = "images", Kind = AlertRuleKind.ImageStatisticDrift, ConsecutiveWindows = 2 };
        WindowResult Moved(bool moved) => Window(null) with { ImageStatisticsDrift = moved };
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [Moved(false), Moved(true)], null, null, _time.GetUtcNow()).Active);
        Assert.True(AlertRuleEvaluator.Evaluate(rule, [Moved(true), Moved(true)], null, null, _time.GetUtcNow()).Active);
    }

    [Fact]
    public void Firing_WhenConditionPersists_IsDeduplicated()
    {
        var history = new List<WindowResult> { Window(true), Window(true), Window(true) };
        var first = Step(null, Drift3, history).Alert!;
        _time.Advance(TimeSpan.FromMinutes(5));
        history.Add(Window(true));
        var again = Step(first, Drift3, history);
        Assert.Equal(first.Id, again.Alert!.Id);
        Assert.Null(again.Notification);
        Assert.False(again.Changed);
        Assert.Equal(_time.GetUtcNow(), again.Alert.LastEvaluatedAt);
    }

    [Fact]
    public void Firing_AcknowledgedThenConditionClears_ResolvesWithNotification()
    {
        var fired = Step(null, Drift3, [Window(true), Window(true), Window(true)]).Alert!;
        _time.Advance(TimeSpan.FromMinutes(1));
        var acked = AlertLifecycle.Acknowledge(fired, "ops", _time.GetUtcNow());
        Assert.Equal(AlertState.Acknowledged, acked.State);
        Assert.Equal("ops", acked.AcknowledgedBy);
        _time.Advance(TimeSpan.FromMinutes(10));
        var t = Step(acked, Drift3, [Window(true), Window(true), Window(true), Window(false)]);
        Assert.Equal(AlertState.Resolved, t.Alert!.State);
        Assert.Equal(_time.GetUtcNow(), t.Alert.ResolvedAt);
        Assert.Equal(NotificationKind.Resolved, t.Notification!.Kind);
        Assert.Throws<ConflictException>(() => AlertLifecycle.Acknowledge(t.Alert, "ops", _time.GetUtcNow()));
    }

    [Fact]
    public void Resolved_WhenConditionReturns_FiresANewAlert()
    {
        var fired = Step(null, Drift3, [Window(true), Window(true), Window(true)]).Alert!;
        var resolved = AlertLifecycle.Resolve(fired, _time.GetUtcNow());
        var again = Step(resolved, Drift3, [Window(true), Window(true), Window(true)]);
        Assert.NotEqual(fired.Id, again.Alert!.Id);
        Assert.Equal(AlertState.Firing, again.Alert.State);
    }

    [Fact]
    public void Silence_MutesNotificationsUntilItExpires()
    {
        var silence = new Silence { Id = "s", Model = "m", RuleId = "drift", StartsAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow().AddHours(1) };
        var muted = Step(null, Drift3, [Window(true), Window(true), Window(true)], silence);
        Assert.True(muted.Alert!.Silenced);
        Assert.Null(muted.Notification);
        _time.Advance(TimeSpan.FromHours(2));
        var loud = Step(null, Drift3, [Window(true), Window(true), Window(true)], silence);
        Assert.False(loud.Alert!.Silenced);
        Assert.NotNull(loud.Notification);
    }

    [Fact]
    public void Silence_CreatedAfterFiring_MutesRepeatsAndTheResolve_AndTheAlertReadsSilenced()
    {
        var history = new List<WindowResult> { Window(true), Window(true), Window(true) };
        var fired = AlertLifecycle.Apply(null, AlertRuleEvaluator.Evaluate(Drift3, history, 0.9, null, _time.GetUtcNow()), "m", [], _time.GetUtcNow(), () => "a1", TimeSpan.FromHours(1)).Alert!;
        var silence = new Silence { Id = "s", Model = "m", RuleId = null, StartsAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow().AddHours(8) };
        Assert.True(AlertLifecycle.WithSilences(fired, [silence], _time.GetUtcNow()).Silenced);

        _time.Advance(TimeSpan.FromHours(2));
        var repeat = AlertLifecycle.Apply(fired, AlertRuleEvaluator.Evaluate(Drift3, history, 0.9, null, _time.GetUtcNow()), "m", [silence], _time.GetUtcNow(), () => "a2", TimeSpan.FromHours(1));
        Assert.Null(repeat.Notification);
        Assert.True(repeat.Alert!.Silenced);
        var manual = AlertLifecycle.Close(repeat.Alert, [silence], _time.GetUtcNow());
        Assert.Equal(AlertState.Resolved, manual.Alert!.State);
        Assert.Null(manual.Notification);
        var automatic = Step(repeat.Alert, Drift3, [Window(false)], silence);
        Assert.Equal(AlertState.Resolved, automatic.Alert!.State);
        Assert.Null(automatic.Notification);
    }

    [Fact]
    public void Silence_Ended_AnnouncesAnAlertThatFiredUnderIt_AndItsResolve()
    {
        var history = new List<WindowResult> { Window(true), Window(true), Window(true) };
        var silence = new Silence { Id = "s", Model = "m", RuleId = "drift", StartsAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow().AddHours(1) };
        var muted = Step(null, Drift3, history, silence).Alert!;
        Assert.False(AlertLifecycle.WithSilences(muted, [], _time.GetUtcNow()).Silenced);
        // Without the silence (removed or expired) the next evaluation announces it once.
        var announced = Step(muted, Drift3, history);
        Assert.Equal(NotificationKind.Firing, announced.Notification!.Kind);
        Assert.False(announced.Alert!.Silenced);
        Assert.Null(Step(announced.Alert, Drift3, history).Notification);
        Assert.Equal(NotificationKind.Resolved, AlertLifecycle.Close(announced.Alert, [], _time.GetUtcNow()).Notification!.Kind);
    }

    [Fact]
    public void Close_OfAnAlertNeverAnnounced_SendsNoResolve()
    {
        var silence = new Silence { Id = "s", Model = "m", RuleId = "drift", StartsAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow().AddHours(1) };
        var muted = Step(null, Drift3, [Window(true), Window(true), Window(true)], silence).Alert!;
        _time.Advance(TimeSpan.FromHours(2));
        var closed = AlertLifecycle.Close(muted, [], _time.GetUtcNow(), "resolved: model 'm' was deleted");
        Assert.Equal(("resolved: model 'm' was deleted", AlertState.Resolved), (closed.Alert!.Detail, closed.Alert.State));
        Assert.Null(closed.Notification);
    }

    [Fact]
    public void ConfidenceShift_IsADefaultWarningRule_FiringOnConsecutiveConfidenceDrift()
    {
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.ConfidenceShift);
        Assert.Equal(AlertSeverity.Warning, rule.Severity);
        var drifted = Window(false) with { ConfidenceDrift = true };
        Assert.True(drifted.Flagged);
        Assert.False(Window(false).Flagged);
        var history = Enumerable.Repeat(drifted, rule.ConsecutiveWindows).ToList();
        Assert.True(AlertRuleEvaluator.Evaluate(rule, history, null, null, _time.GetUtcNow()).Active);
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [.. history, Window(true) with { ConfidenceDrift = false }], null, null, _time.GetUtcNow()).Active);
        // Prediction and embedding rules do not read confidence drift.
        Assert.False(AlertRuleEvaluator.Evaluate(AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.PredictionShift), history, null, null, _time.GetUtcNow()).Active);
    }

    [Fact]
    public void Silence_ForAnotherRule_DoesNotMute()
    {
        var silence = new Silence { Id = "s", Model = "m", RuleId = "other", StartsAt = _time.GetUtcNow(), EndsAt = _time.GetUtcNow().AddHours(1) };
        Assert.NotNull(Step(null, Drift3, [Window(true), Window(true), Window(true)], silence).Notification);
    }

    [Fact]
    public void Accuracy_BelowBaselineMinusTolerance_FiresCritical()
    {
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.AccuracyBelowBaseline);
        Assert.Null(Step(null, rule, [Window(null, 0.86)]).Alert);
        var t = Step(null, rule, [Window(null, 0.84)]);
        Assert.Equal(AlertSeverity.Critical, t.Alert!.Severity);
    }

    [Fact]
    public void NoTraffic_FiresAfterThePeriod()
    {
        var rule = new AlertRule { Id = "quiet", Kind = AlertRuleKind.NoTraffic, NoTrafficPeriod = TimeSpan.FromMinutes(30) };
        var last = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.False(AlertRuleEvaluator.Evaluate(rule, [], null, last, _time.GetUtcNow()).Active);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(AlertRuleEvaluator.Evaluate(rule, [], null, last, _time.GetUtcNow()).Active);
    }
}

public sealed class AlertRepeatTests
{
    private static readonly AlertRule Rule = new() { Id = "drift", Kind = AlertRuleKind.EmbeddingDrift, ConsecutiveWindows = 1 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private AlertLifecycle.Transition Step(Alert? current) => AlertLifecycle.Apply(current, new RuleOutcome(Rule, true, "drift"), "m", [], _time.GetUtcNow(),
        () => "a1", TimeSpan.FromHours(4));

    [Fact]
    public void StillFiring_IsNotifiedAgainAfterTheRepeatInterval_NotBefore()
    {
        var fired = Step(null).Alert!;
        _time.Advance(TimeSpan.FromHours(3));
        var quiet = Step(fired);
        Assert.Null(quiet.Notification);
        _time.Advance(TimeSpan.FromHours(1));
        var repeat = Step(quiet.Alert);
        Assert.Equal(NotificationKind.Firing, repeat.Notification!.Kind);
        Assert.Equal(_time.GetUtcNow(), repeat.Alert!.LastNotifiedAt);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Null(Step(repeat.Alert).Notification);
    }

    [Fact]
    public void Acknowledged_IsNotRepeated()
    {
        var acked = AlertLifecycle.Acknowledge(Step(null).Alert!, "ops", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromHours(10));
        Assert.Null(Step(acked).Notification);
    }
}
