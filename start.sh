#!/usr/bin/env bash
# Starts the whole system: installs what is missing, then runs the Aspire AppHost (Ctrl+C stops everything).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
install_prerequisites run
exec dotnet run --project AiProgress.AppHost --launch-profile http "$@"
