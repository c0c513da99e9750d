#!/usr/bin/env bash
# The monitoring half of the main job on the embedded default: the registry's dataset version as the reference, the
# Monitoring service (SQLite, in-process Quartz), a local webhook sink, production traffic without and then with drift,
# the "retraining recommended" alert delivered to the sink, then the way back: the drifted window's outliers exported into the
# next version of the training set (obs import-window, obs commit), the retrained model version registered as trained on it,
# post-retraining traffic, the alert resolved and its resolve notice delivered; and the dashboard. Expects a Release build
# (scripts/demo.sh).
# Environment (defaults in brackets; tests/Observatory.EndToEnd.Tests runs it headless with its own values):
#   OBS_DEMO_CONFIGURATION [Release]  build outputs to run      OBS_DEMO_WORK [.work/demo-monitoring]  logs, store, alerts.jsonl
#   OBS_DEMO_REGISTRY [data-registry] the registry workspace     OBS_DEMO_*_PORT: MONITORING [5080], SINK [5099], DASHBOARD [5000]
#   OBS_DEMO_WINDOW [00:30:00] drift window   OBS_DEMO_NO_DRIFT_EVENTS [200]   OBS_DEMO_DRIFT_EVENTS [300]
#   OBS_DEMO_EXPORT_COUNT [300] outliers exported into the next dataset version; after the retraining OBS_DEMO_AFTER_NO_DRIFT_EVENTS
#   [100] and OBS_DEMO_AFTER_DRIFT_EVENTS [200]
#   OBS_DEMO_KEEP_RUNNING [auto]: after printing the URL, 1 waits (until killed), 0 exits, auto waits only in a terminal
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="${OBS_DEMO_WORK:-$root/.work/demo-monitoring}"
registry="${OBS_DEMO_REGISTRY:-$root/data-registry}"
config="${OBS_DEMO_CONFIGURATION:-Release}"
mport=${OBS_DEMO_MONITORING_PORT:-5080}; sport=${OBS_DEMO_SINK_PORT:-5099}; dport=${OBS_DEMO_DASHBOARD_PORT:-5000}
api="http://127.0.0.1:$mport"
rm -rf "$work"; mkdir -p "$work"
bin() { echo "$root/$1/bin/$config/net10.0/$2"; }
obs() { dotnet "$(bin DataService/Observatory.Cli obs.dll)" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== reference: data-registry/shapes-train at HEAD (regenerated deterministically, objects into the registry cache)" >&2
OBS_DEMO_REGISTRY="$registry" OBS_DEMO_CONFIGURATION="$config" bash scripts/registry-samples.sh v2
(cd "$registry" && obs add shapes-train shapes-val -q >/dev/null && obs status)

echo "== webhook sink on 127.0.0.1:$sport and the Monitoring service on 127.0.0.1:$mport" >&2
node -e "require('http').createServer((q,r)=>{let b='';q.on('data',d=>b+=d);q.on('end',()=>{require('fs').appendFileSync('$work/alerts.jsonl',b+'\n');r.end('ok')})}).listen($sport,'127.0.0.1')" &
pids+=($!)
dotnet "$(bin Monitoring/Observatory.Monitoring.Api Observatory.Monitoring.Api.dll)" --urls "$api" \
  "--ConnectionStrings:Monitoring=Data Source=$work/monitoring.db" "--Monitoring:EmbeddingCacheDirectory=$work/embeddings" "--Monitoring:ImageStore:Url=$work/images" \
  --Monitoring:Webhooks:0:Name=sink --Monitoring:Webhooks:0:Url=http://127.0.0.1:$sport/alerts --Monitoring:Webhooks:0:Format=json \
  --Monitoring:DeliveryIntervalSeconds=2 "--Monitoring:DashboardUrl=http://127.0.0.1:$dport" "--Monitoring:ReferenceRoots:0=$registry" "--Monitoring:ReferenceRoots:1=$work" > "$work/monitoring.log" 2>&1 &
pids+=($!)
for i in $(seq 1 60); do curl -sf $api/healthz >/dev/null && break; sleep 0.5; done

echo "== register model 'shapes' whose reference is the dataset version" >&2
curl -sf -X PUT $api/api/models/shapes -H 'Content-Type: application/json' -d "{
  \"classes\": [\"circle\", \"square\", \"triangle\"], \"embeddingModel\": \"resnet18\", \"baselineAccuracy\": 0.9,
  \"reference\": {\"repoPath\": \"$registry\", \"pointerPath\": \"shapes-train.obs\", \"revision\": \"HEAD\"},
  \"window\": \"${OBS_DEMO_WINDOW:-00:30:00}\", \"schedule\": \"0 0 0/6 * * ?\" }" >/dev/null
curl -sf -X POST $api/api/models/shapes/jobs/reference-embedding/run >/dev/null

# Production traffic is uploaded as images: the service embeds them with the model's encoder and keeps them for the export.
sim() { dotnet "$(bin samples/Observatory.TrafficSimulator Observatory.TrafficSimulator.dll)" --url "$api" --model shapes --classes 0,1,2 --upload "$@"; }
drift_results() { curl -sf "$api/api/models/shapes/drift?limit=1000" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).length))"; }
# Runs the drift job now and waits for its result (a fixed sleep is too short on a busy machine).
drift_run() {
  local before; before=$(drift_results)
  curl -sf -X POST "$api/api/models/shapes/jobs/drift/run" >/dev/null
  for i in $(seq 1 240); do [ "$(drift_results)" -gt "$before" ] && return 0; sleep 0.25; done
  echo "the drift run stored no result in 60 s (see $work/monitoring.log)" >&2; exit 1
}
echo "== production traffic without drift, then a drift run" >&2
sim --scenario no-drift --events "${OBS_DEMO_NO_DRIFT_EVENTS:-200}" --seed 11
drift_run
curl -sf $api/api/models/shapes/drift | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of JSON.parse(s))console.log('window of '+w.eventCount+' events: drift score '+w.value.toFixed(4)+', drifted '+w.flagged)})"

echo "== production traffic drifts (brightness and blur rise); the drift job runs three times (its cron, sped up)" >&2
sim --scenario gradual-drift --events "${OBS_DEMO_DRIFT_EVENTS:-300}" --seed 12
for i in 1 2 3; do drift_run; done
curl -sf $api/api/models/shapes/drift | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of JSON.parse(s))console.log('window of '+w.eventCount+' events: drift score '+w.value.toFixed(4)+', drifted '+w.flagged)})"

echo "== the alert, and its delivery to the webhook sink" >&2
curl -sf -X POST $api/api/jobs/notification-delivery/run >/dev/null
for i in $(seq 1 30); do [ -s "$work/alerts.jsonl" ] && break; sleep 1; done
curl -sf "$api/api/alerts?model=shapes" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const a of JSON.parse(s))console.log('alert: '+a.severity+' '+a.state+' — '+a.summary)})"
if [ -s "$work/alerts.jsonl" ]; then echo "webhook sink received $(wc -l < "$work/alerts.jsonl") notification(s): $work/alerts.jsonl"; else echo "no notification reached the sink" >&2; exit 1; fi

echo "== the way back: the drifted window's outliers become the next version of the training set" >&2
# A writable copy of the registry: the demo never commits into this repository's own data-registry.
loop="$work/registry"
cp -r "$registry" "$loop"
(cd "$loop" && git init -q && git config user.email demo@observatory.local && git config user.name "Observatory demo" \
  && git add -A && git commit -qm "registry as the demo found it")
window_end=$(curl -sf "$api/api/models/shapes/drift?limit=1" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s)[0].windowEnd))")
(cd "$loop" && obs import-window "$api" shapes --window "$window_end" --select outliers --count "${OBS_DEMO_EXPORT_COUNT:-300}" shapes-train \
  && obs commit -m "shapes-train: the outliers of the drifted window ending $window_end" --tag && obs log shapes-train | head -n 4)

echo "== the retrained model, version 2, registered as trained on shapes-train@v3: the reference moves with it" >&2
curl -sf -X PUT $api/api/models/shapes -H 'Content-Type: application/json' -d "{
  \"version\": \"2\", \"classes\": [\"circle\", \"square\", \"triangle\"], \"embeddingModel\": \"resnet18\", \"baselineAccuracy\": 0.9,
  \"trainedOn\": {\"repoPath\": \"$loop\", \"pointerPath\": \"shapes-train.obs\", \"revision\": \"shapes-train@v3\"},
  \"window\": \"${OBS_DEMO_WINDOW:-00:30:00}\", \"schedule\": \"0 0 0/6 * * ?\" }" >/dev/null
curl -sf -X POST "$api/api/models/shapes/jobs/reference-embedding/run?wait=true" >/dev/null

echo "== post-retraining traffic: the mix production now sees (normal images and the brighter, blurred kind); two drift runs" >&2
sim --scenario no-drift --events "${OBS_DEMO_AFTER_NO_DRIFT_EVENTS:-100}" --seed 21
sim --scenario gradual-drift --events "${OBS_DEMO_AFTER_DRIFT_EVENTS:-200}" --seed 22
for i in 1 2; do drift_run; done
curl -sf "$api/api/models/shapes/drift?limit=2" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const w of JSON.parse(s))console.log('window of '+w.eventCount+' events against '+w.details.reference.dataset.revision+': drift score '+w.value.toFixed(4)+', drifted '+w.flagged)})"
curl -sf -X POST $api/api/jobs/notification-delivery/run >/dev/null
for i in $(seq 1 30); do grep -q '"status":"resolved"' "$work/alerts.jsonl" && break; sleep 1; done
curl -sf "$api/api/alerts?model=shapes" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{for(const a of JSON.parse(s))console.log('alert: '+a.severity+' '+a.state+' — '+a.summary)})"
if grep -q '"status":"resolved"' "$work/alerts.jsonl"; then echo "the resolve notice reached the webhook sink: $work/alerts.jsonl"; else echo "no resolve notice reached the sink" >&2; exit 1; fi

echo "== dashboard" >&2
dotnet "$(bin Dashboard/Observatory.Dashboard Observatory.Dashboard.dll)" --urls "http://127.0.0.1:$dport" --environment Development \
  "--Dashboard:RepositoryPath=$registry" "--Dashboard:MonitoringUrl=$api" > "$work/dashboard.log" 2>&1 &
pids+=($!)
for i in $(seq 1 60); do curl -sf "http://127.0.0.1:$dport/" >/dev/null && break; sleep 0.5; done
echo "dashboard: http://127.0.0.1:$dport  (monitoring API $api, logs in $work)"
keep=${OBS_DEMO_KEEP_RUNNING:-auto}
if [ "$keep" = 1 ] || { [ "$keep" = auto ] && [ -t 1 ]; }; then echo "press Ctrl+C to stop"; wait; fi
