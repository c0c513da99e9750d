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
