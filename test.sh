#!/usr/bin/env bash
# Runs every test of the system (after installing what is missing) and ends with one summary line:
# the Vue app's type-check and Vitest specs, then the .NET suite (unit, pipeline on real Redis/MariaDB,
# the real local model, the AppHost in local mode, and the browser end to end in headless Chromium).
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
install_prerequisites test || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

echo "== AiProgress.Web: type-check and build, then Vitest"
(cd AiProgress.Web && npm run --silent build >/dev/null && NO_COLOR=1 npx vitest run --reporter=dot) 2>&1 | tee -a "$log" || status=1
web_passed=$(grep -oE 'Tests +[0-9]+ passed' "$log" | awk '{s+=$2} END {print s+0}')
web_failed=$(grep -oE 'Tests +([0-9]+ passed \| )?[0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')

echo "== .NET: AiProgress.Tests"
figures=AiProgress.Tests/TestResults/fault-figures.md
rm -f "$figures"
dotnet test AiProgress.Tests/AiProgress.Tests.csproj --nologo "$@" 2>&1 | tee -a "$log" || status=1

if [ -f "$figures" ]; then
  echo "== Faults injected (SIGKILL) and how the system healed"
  cat "$figures"
fi

# dotnet test prints "Passed!  - Failed: F, Passed: P, ..." per assembly; add the web counts to one closing line.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
passed=$((passed + web_passed)); failed=$((failed + web_failed))
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "Tests: $passed passed, $failed failed"
exit $status
