#!/usr/bin/env bash
# The kill test: AppHost runs two instances of every service (--replicas); under a steady load of reads and
# idempotent writes through the gateway, one instance of each service is SIGKILLed in turn (AppHost restarts it),
# then every service is rolled from the dashboard (POST /api/services/<name>/rolling-restart). Requests, failures by
# status and p50/p95 per phase, and whether every created group exists exactly once, in bench/results/kill-latest.txt.
# Usage: bash bench/run-kill.sh [--workers 8] [--steady 30] [--replicas 2] [--services identity,social] [--no-roll]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
# AppHost and every service, as scripts/run.sh builds them (Debug); AppHost then runs them with --no-build
dotnet build AppHost/AppHost.csproj -nologo -v quiet
for project in services/*/*.Api/*.Api.csproj gateway/Gateway/Gateway.csproj; do
  dotnet build "$project" -nologo -v quiet
done
dotnet build bench/Resilience.Bench -c Release -nologo -v quiet
dotnet run --project bench/Resilience.Bench -c Release --no-build -- "$@"
