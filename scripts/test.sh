#!/usr/bin/env bash
# Runs every test of Observatory on a fresh machine: installs what the tests need when absent, builds, runs
# `dotnet test`, and ends with one line "N passed, N failed" summed from the TRX results of every test project.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! bash scripts/setup-test-deps.sh; then echo "test set-up failed"; echo "0 passed, 1 failed"; exit 1; fi

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build Observatory.sln -c Debug -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

dotnet test Observatory.sln --no-build -c Debug -nologo -v q --logger trx --results-directory "$results" "$@"
rc=$?

passed=0; failed=0
for trx in $(find "$results" -name '*.trx'); do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done
if [ $rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit $rc
