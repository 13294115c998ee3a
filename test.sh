#!/usr/bin/env bash
# Runs every test of the system (after installing what is missing) and ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
install_prerequisites || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test AiProgress.Tests/AiProgress.Tests.csproj --nologo "$@" 2>&1 | tee -a "$log" || status=1

# dotnet test prints "Passed!  - Failed: F, Passed: P, ..." per assembly; sum them into the plain closing line.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
[ "$passed" -gt 0 ] || status=1
echo "Tests: $passed passed, $failed failed"
exit $status
