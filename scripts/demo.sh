#!/usr/bin/env bash
# The main job on the embedded default: builds Observatory, generates the sample image dataset and versions it with `obs`
# in a fresh git workspace under .work/demo (v1, a change refused by validation, v2, diff, log, restore v1 from history), then
# runs the monitoring half (scripts/demo-monitoring.sh): a registry dataset version as the reference, traffic without and with
# drift, the "retraining recommended" alert delivered to a local webhook sink, and the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="$root/.work/demo"

echo "== building" >&2
dotnet build Observatory.sln -c Release -nologo -v q -clp:ErrorsOnly
obs() { dotnet "$root/DataService/Observatory.Cli/bin/Release/net10.0/obs.dll" "$@"; }
samples() { dotnet "$root/samples/Observatory.Samples/bin/Release/net10.0/Observatory.Samples.dll" "$@"; }

rm -rf "$work"; mkdir -p "$work"; cd "$work"
git init -q . && git config user.email demo@observatory.local && git config user.name "Observatory demo"

echo "== sample dataset" >&2
samples generate data/shapes --train 120 --val 40

echo "== obs init / add / commit v1" >&2
obs init
obs add data/shapes
obs commit -m "shapes: first version" --tag

echo "== a new batch arrives: 30 more images; one label file gets a bad line" >&2
samples generate .work-new --train 30 --val 0 --seed 7 >/dev/null 2>&1
for f in .work-new/images/train/*; do n=$(basename "$f"); cp "$f" "data/shapes/images/train/new_$n"; done
for f in .work-new/labels/train/*; do n=$(basename "$f"); cp "$f" "data/shapes/labels/train/new_$n"; done
rm -rf .work-new
echo "7 0.5 0.5 1.3 0.2" >> data/shapes/labels/train/train_00000.txt
obs status | head -n 3
echo "== the validation gate refuses the version (class 7 does not exist, width 1.3 is outside [0,1])" >&2
obs commit -m "shapes: new batch" --tag || echo "(refused, exit $?)"
echo "== fix the label and commit v2" >&2
sed -i '$ d' data/shapes/labels/train/train_00000.txt
echo "0 0.5 0.5 0.2 0.2" >> data/shapes/labels/train/train_00000.txt
obs commit -m "shapes: new batch" --tag

echo "== what changed between the versions" >&2
obs diff shapes@v1 shapes@v2 | tail -n 4
obs log data/shapes

echo "== restore v1 from git history (no git checkout)" >&2
obs checkout --rev shapes@v1 data/shapes
obs status

echo "== push both versions to a remote (a local folder here; s3://bucket/prefix for MinIO/S3), then clone and pull v2" >&2
mkdir -p "$root/.work/demo-remote"; rm -rf "$root/.work/demo-remote/shapes" "$root/.work/demo-clone"
obs remote add storage "$root/.work/demo-remote/shapes" --default
git add .obs/config && git commit -qm "obs: default remote"
obs push --rev shapes@v1
obs push --rev shapes@v2
git clone -q "$work" "$root/.work/demo-clone"
(cd "$root/.work/demo-clone" && obs pull --rev shapes@v2 data/shapes && obs status)
echo
echo "workspace: $work (a git repo; try: cd $work && dotnet $root/DataService/Observatory.Cli/bin/Release/net10.0/obs.dll log)"

echo
echo "== the monitoring half: reference = a registry dataset version, traffic with drift, alert to a webhook, dashboard" >&2
bash "$root/scripts/demo-monitoring.sh"
