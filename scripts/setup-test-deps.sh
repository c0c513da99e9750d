#!/usr/bin/env bash
# Installs what the tests need when it is absent; idempotent and quick when everything is there.
#  - git (LibGit2Sharp needs none, but tests compare with the git CLI)
#  - chromium + fonts-roboto (Debian's browser for the Playwright dashboard tests; Playwright never downloads one; Roboto is
#    the font of Radzen's material theme)
#  - PostgreSQL 15 server binaries (initdb, pg_ctl) — the monitoring store tests start a throwaway cluster
#  - prometheus (for promtool only: each host's /metrics test runs `promtool check metrics`; the server is never started)
#  - s3rver (npm) in tools/s3, patched: real S3 XML namespace (Minio's parser needs it) — started by the test fixtures
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v git >/dev/null || need+=(git)
command -v node >/dev/null || need+=(nodejs npm)
command -v chromium >/dev/null || need+=(chromium)
dpkg -s fonts-roboto >/dev/null 2>&1 || need+=(fonts-roboto)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v promtool >/dev/null; then
  [ ${#need[@]} -gt 0 ] || apt-get update -qq
  # Without recommends: the exporters and web assets it would pull in are not used.
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# s3rver: a real S3-compatible server process for the remote tests.
if [ ! -f tools/s3/node_modules/s3rver/lib/controllers/bucket.js ] || grep -q 'doc.s3.amazonaws.com/2006-03-01' tools/s3/node_modules/s3rver/lib/controllers/*.js; then
  (cd tools/s3 && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  sed -i 's#http://doc.s3.amazonaws.com/2006-03-01/#http://s3.amazonaws.com/doc/2006-03-01/#g' tools/s3/node_modules/s3rver/lib/controllers/*.js
fi
