#!/usr/bin/env bash
# Regenerates the files of the sample datasets tracked in data-registry/ at version v1 or v2 (deterministic: the same bytes,
# hence the same hashes as the committed pointers), for the demo and for anyone who clones the registry without its remote.
#   bash scripts/registry-samples.sh v1|v2
# OBS_DEMO_REGISTRY names another copy of the registry (default data-registry/); OBS_DEMO_CONFIGURATION the build [Release].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "${OBS_DEMO_REGISTRY:-$root/data-registry}"
version=${1:?usage: registry-samples.sh v1|v2}
samples() { dotnet "$root/samples/Observatory.Samples/bin/${OBS_DEMO_CONFIGURATION:-Release}/net10.0/Observatory.Samples.dll" "$@" >/dev/null 2>&1; }

rm -rf shapes-train shapes-val .batch
samples generate shapes-train --train 120 --val 0 --seed 1
samples generate shapes-val --train 0 --val 40 --seed 2
if [ "$version" = v2 ]; then
  # v2: a new batch of 40 training images (seed 3) and 10 validation images (seed 4), added under new names.
  samples generate .batch/train --train 40 --val 0 --seed 3
  samples generate .batch/val --train 0 --val 10 --seed 4
  for f in .batch/train/images/train/*; do cp "$f" "shapes-train/images/train/b2_$(basename "$f")"; done
  for f in .batch/train/labels/train/*; do cp "$f" "shapes-train/labels/train/b2_$(basename "$f")"; done
  for f in .batch/val/images/val/*; do cp "$f" "shapes-val/images/val/b2_$(basename "$f")"; done
  for f in .batch/val/labels/val/*; do cp "$f" "shapes-val/labels/val/b2_$(basename "$f")"; done
  rm -rf .batch
  # COCO files describe v1 only; v2 drops them rather than ship a stale annotation file.
  rm -f shapes-train/annotations/instances_*.json shapes-val/annotations/instances_*.json
  rmdir shapes-train/annotations shapes-val/annotations
fi
