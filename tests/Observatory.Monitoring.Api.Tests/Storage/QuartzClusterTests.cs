using System.Net.Http.Json;
using Observatory.Monitoring.Storage;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class QuartzClusterTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task TwoProcessesOnOnePostgres_RunEachScheduledFireExactlyOnce()
    {
        var cs = await PostgresDatabases.CreateAsync(pg);
        Dictionary<string, string> Node(string id) => new()
        {
            ["Monitoring:Store"] = "postgres",
            ["ConnectionStrings:Monitoring"] = cs,
            ["Monitoring:Quartz:Clustered"] = "true",
            ["Monitoring:Quartz:InstanceId"] = id,
        };
        await using var node1 = await ServiceProcess.StartAsync(Node("node1"));
        await using var node2 = await ServiceProcess.StartAsync(Node("node2"));

        using (var r = await node1.Client.PutAsJsonAsync("/api/models/shapes", new { classes = new[] { "a", "b" }, schedule = "0/2 * * * * ?" }))
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());

        await using var store = new PostgresMonitoringStore(cs);
        await Poll.UntilAsync(async () => (await store.ListJobRunsAsync("shapes", 1000)).Count(x => x.Job == "drift" && x.ScheduledAt is not null) >= 8,
            "8 scheduled drift runs across the cluster", 90);
        var runs = (await store.ListJobRunsAsync("shapes", 1000)).Where(x => x.ScheduledAt is not null).ToList();
        foreach (var job in new[] { "drift", "accuracy" })
        {
            var bySlot = runs.Where(x => x.Job == job).GroupBy(x => x.ScheduledAt).ToList();
            Assert.All(bySlot, g => Assert.True(g.Count() == 1, $"{job} fire {g.Key:O} ran {g.Count()} times on {string.Join(", ", g.Select(x => x.Instance))}"));
            // Consecutive fires are 2 s apart: no slot skipped in between.
            var slots = bySlot.Select(g => g.Key!.Value).Order().ToList();
            for (var i = 1; i < slots.Count; i++) Assert.Equal(TimeSpan.FromSeconds(2), slots[i] - slots[i - 1]);
        }
        Assert.All(runs, x => Assert.Contains(x.Instance, new[] { "node1", "node2" }));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class QuartzRecoveryTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task InstanceKilledMidJob_AnotherInstanceRecoversTheRun_RecordedOnce()
    {
        var cs = await PostgresDatabases.CreateAsync(pg);
        Dictionary<string, string> Node(string id) => new()
        {
            ["Monitoring:Store"] = "postgres",
            ["ConnectionStrings:Monitoring"] = cs,
            ["Monitoring:Quartz:Clustered"] = "true",
            ["Monitoring:Quartz:InstanceId"] = id,
        };
        // A window big enough that the drift job runs for a while: 40,000 + 5,000 reference events of 256 dimensions.
        var store = new PostgresMonitoringStore(cs);
        await using (store)
        {
            await store.MigrateAsync();
            var now = DateTimeOffset.UtcNow;
            await store.UpsertModelAsync(new Observatory.Monitoring.Contracts.MonitoredModel
            {
                Name = "big", Classes = ["a", "b"], EmbeddingDimension = 256, ReferenceUntil = now.AddHours(-3), Window = TimeSpan.FromHours(2),
                Schedule = "0 0 0 1 1 ? 2099", CreatedAt = now, UpdatedAt = now,
            });
            var rng = new Random(3);
            for (var b = 0; b < 45; b++)
            {
                var reference = b < 5;
                var events = Enumerable.Range(0, 1000).Select(i => new Observatory.Monitoring.Core.Events.InferenceEvent($"{b}-{i}",
                    reference ? now.AddHours(-4).AddSeconds(b * 1000 + i) : now.AddMinutes(-100).AddMilliseconds(b * 1000 + i),
                    i % 2 == 0 ? "a" : "b", rng.NextDouble(), Enumerable.Range(0, 256).Select(_ => (float)rng.NextDouble()).ToArray())).ToList();
                await store.InsertEventsAsync("big", events);
            }
        }

        await using var node1 = await ServiceProcess.StartAsync(Node("node1"));
        using (var r = await node1.Client.PostAsync("/api/models/big/jobs/drift/run", null)) Assert.True(r.IsSuccessStatusCode);
        // Kill node1 while Quartz has the job executing (its fired-trigger row says so).
        await Poll.UntilAsync(async () => await ExecutingAsync(cs) > 0, "drift job executing on node1");
        await node1.KillAsync();

        await using var node2 = await ServiceProcess.StartAsync(Node("node2"));
        await using var check = new PostgresMonitoringStore(cs);
        await Poll.UntilAsync(async () => (await check.ListJobRunsAsync("big", 10)).Any(x => x.Job == "drift"), "recovered drift run on node2", 120);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var runs = (await check.ListJobRunsAsync("big", 10)).Where(x => x.Job == "drift").ToList();
        var run = Assert.Single(runs);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal("node2", run.Instance);
        Assert.Single(await check.ListResultsAsync("big", "drift", 10));
    }

    private static async Task<long> ExecutingAsync(string cs)
    {
        await using var c = new Npgsql.NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM qrtz_fired_triggers WHERE state = 'EXECUTING' AND job_name = 'drift'", c);
        try { return (long)(await cmd.ExecuteScalarAsync())!; }
        catch (Npgsql.PostgresException) { return 0; }
    }
}
