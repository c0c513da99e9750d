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

# Three phases. The projects that drive Chromium (the dashboard pages, the end-to-end demo) wait on what a page shows;
# run beside the CLI suite on 2 cores they have timed out on pages that render in a second alone. So the other projects
# run first (two at a time, as `dotnet test` does on a solution), then the browser projects, each on its own.
browser_projects=(tests/Observatory.Dashboard.Tests/Observatory.Dashboard.Tests.csproj tests/Observatory.EndToEnd.Tests/Observatory.EndToEnd.Tests.csproj)
others=()
for csproj in tests/*.Tests/*.Tests.csproj; do
  case " ${browser_projects[*]} " in *" $csproj "*) ;; *) others+=("$csproj");; esac
done
# A solution filter of the other test projects, made here so a new test project is never left out.
filter="$root/artifacts/tests-without-browser.slnf"
{
  echo '{ "solution": { "path": "../Observatory.sln", "projects": ['
  for i in "${!others[@]}"; do
    sep=','; [ "$i" -eq $((${#others[@]} - 1)) ] && sep=''
    echo "  \"${others[$i]//\//\\\\}\"$sep"
  done
  echo '] } }'
} > "$filter"

rc=0
dotnet test "$filter" --no-build -c Debug -nologo -v q --logger trx --results-directory "$results" "$@" || rc=1
for csproj in "${browser_projects[@]}"; do
  dotnet test "$csproj" --no-build -c Debug -nologo -v q --logger trx --results-directory "$results" "$@" || rc=1
done

passed=0; failed=0

# Known-vulnerable packages: a high or critical advisory on any package (direct or transitive) fails the run, counted as
# one check. The test-only S3 server's npm tree is listed for information and exempt (it never ships).
vulnerable=$(dotnet list Observatory.sln package --vulnerable --include-transitive --format json 2>/dev/null | node -e '
let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
  let report; try { report = JSON.parse(s); } catch { console.log("ERROR the vulnerability report could not be read"); return; }
  const seen = new Set();
  for (const p of report.projects || []) for (const f of p.frameworks || [])
    for (const pkg of [...(f.topLevelPackages || []), ...(f.transitivePackages || [])])
      for (const v of pkg.vulnerabilities || [])
        if (/^(high|critical)$/i.test(v.severity)) seen.add(`${pkg.id} ${pkg.resolvedVersion} ${v.severity} ${v.advisoryurl}`);
  for (const line of seen) console.log(line);
});')
if [ -n "$vulnerable" ]; then
  echo "packages with high or critical advisories (or no report):"; echo "$vulnerable"; failed=$((failed + 1)); rc=1
else
  echo "dotnet list package --vulnerable: no high or critical advisory"; passed=$((passed + 1))
fi
if audit=$(cd tools/s3 && npm audit --omit=dev 2>&1); then
  echo "$audit" | tail -n 3 | sed 's/^/test-only S3 server (exempt): /'
else
  echo "test-only S3 server (exempt): npm audit gave no report here ($(echo "$audit" | grep -m1 -o 'audit endpoint returned an error\|[0-9]* vulnerabilit[a-z]*' || echo 'registry unreachable'))"
fi

for trx in $(find "$results" -name '*.trx'); do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done
if [ $rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit $rc
