#!/usr/bin/env bash
# The monitoring half of the main job on the embedded default: the registry's dataset version as the reference, the
# Monitoring service (SQLite, in-process Quartz), a local webhook sink, production traffic without and then with drift,
# the "retraining recommended" alert delivered to the sink, and the dashboard. Expects a Release build (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="$root/.work/demo-monitoring"
rm -rf "$work"; mkdir -p "$work"
obs() { dotnet "$root/DataService/Observatory.Cli/bin/Release/net10.0/obs.dll" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== reference: data-registry/shapes-train at HEAD (regenerated deterministically, objects into the registry cache)" >&2
bash scripts/registry-samples.sh v2
(cd data-registry && obs add shapes-train shapes-val -q >/dev/null && obs status)

echo "== webhook sink on 127.0.0.1:5099 and the Monitoring service on 127.0.0.1:5080" >&2
node -e "require('http').createServer((q,r)=>{let b='';q.on('data',d=>b+=d);q.on('end',()=>{require('fs').appendFileSync('$work/alerts.jsonl',b+'\n');r.end('ok')})}).listen(5099,'127.0.0.1')" &
pids+=($!)
dotnet "$root/Monitoring/Observatory.Monitoring.Api/bin/Release/net10.0/Observatory.Monitoring.Api.dll" --urls http://127.0.0.1:5080 \
  "--ConnectionStrings:Monitoring=Data Source=$work/monitoring.db" "--Monitoring:EmbeddingCacheDirectory=$work/embeddings" \
  --Monitoring:Webhooks:0:Name=sink --Monitoring:Webhooks:0:Url=http://127.0.0.1:5099/alerts --Monitoring:Webhooks:0:Format=json \
  --Monitoring:DeliveryIntervalSeconds=2 > "$work/monitoring.log" 2>&1 &
pids+=($!)
for i in $(seq 1 60); do curl -sf http://127.0.0.1:5080/healthz >/dev/null && break; sleep 0.5; done

echo "== register model 'shapes' whose reference is the dataset version" >&2
curl -sf -X PUT http://127.0.0.1:5080/api/models/shapes -H 'Content-Type: application/json' -d "{
  \"classes\": [\"circle\", \"square\", \"triangle\"], \"embeddingDimension\": 152, \"baselineAccuracy\": 0.9,
  \"reference\": {\"repoPath\": \"$root/data-registry\", \"pointerPath\": \"shapes-train.obs\", \"revision\": \"HEAD\"},
  \"window\": \"00:30:00\", \"schedule\": \"0 0 0/6 * * ?\" }" >/dev/null
curl -sf -X POST http://127.0.0.1:5080/api/models/shapes/jobs/reference-embedding/run >/dev/null

sim() { dotnet "$root/samples/Observatory.TrafficSimulator/bin/Release/net10.0/Observatory.TrafficSimulator.dll" --url http://127.0.0.1:5080 --model shapes "$@"; }
echo "== production traffic without drift, then a drift run" >&2
sim --scenario no-drift --events 200 --seed 11
curl -sf -X POST http://127.0.0.1:5080/api/models/shapes/jobs/drift/run >/dev/null; sleep 3
curl -sf http://127.0.0.1:5080/api/models/shapes/drift | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of JSON.parse(s))console.log('window of '+w.eventCount+' events: drift score '+w.value.toFixed(4)+', drifted '+w.flagged)})"

echo "== production traffic drifts (brightness and blur rise); the drift job runs three times (its cron, sped up)" >&2
sim --scenario gradual-drift --events 300 --seed 12
for i in 1 2 3; do
  curl -sf -X POST http://127.0.0.1:5080/api/models/shapes/jobs/drift/run >/dev/null; sleep 2
done
curl -sf http://127.0.0.1:5080/api/models/shapes/drift | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of JSON.parse(s))console.log('window of '+w.eventCount+' events: drift score '+w.value.toFixed(4)+', drifted '+w.flagged)})"

echo "== the alert, and its delivery to the webhook sink" >&2
curl -sf -X POST http://127.0.0.1:5080/api/jobs/notification-delivery/run >/dev/null
for i in $(seq 1 30); do [ -s "$work/alerts.jsonl" ] && break; sleep 1; done
curl -sf "http://127.0.0.1:5080/api/alerts?model=shapes" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const a of JSON.parse(s))console.log('alert: '+a.severity+' '+a.state+' — '+a.summary)})"
if [ -s "$work/alerts.jsonl" ]; then echo "webhook sink received $(wc -l < "$work/alerts.jsonl") notification(s): $work/alerts.jsonl"; else echo "no notification reached the sink" >&2; exit 1; fi

echo "== dashboard" >&2
dotnet "$root/Dashboard/Observatory.Dashboard/bin/Release/net10.0/Observatory.Dashboard.dll" --urls http://127.0.0.1:5000 --environment Development \
  "--Dashboard:RepositoryPath=$root/data-registry" --Dashboard:MonitoringUrl=http://127.0.0.1:5080 > "$work/dashboard.log" 2>&1 &
pids+=($!)
for i in $(seq 1 60); do curl -sf http://127.0.0.1:5000/ >/dev/null && break; sleep 0.5; done
echo "dashboard: http://127.0.0.1:5000  (monitoring API http://127.0.0.1:5080, logs in $work)"
if [ "${OBS_DEMO_KEEP_RUNNING:-1}" = 1 ] && [ -t 1 ]; then echo "press Ctrl+C to stop"; wait; fi
