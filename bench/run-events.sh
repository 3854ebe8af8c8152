#!/usr/bin/env bash
# The events catalogue benchmark:  bash bench/run-events.sh [--events N] [--keep] [--runs N] ...
# Builds bench/Events.Bench in Release and runs it. It seeds a fresh database (events_bench) with
# 1,000,000 events, measures the nearby and catalogue queries, and writes the report to
# bench/results/events-<stamp>.txt and bench/results/events-latest.txt.
# PostgreSQL: COMMUNITY_POSTGRES when set (an Npgsql admin connection string), otherwise a private
# server started from the installed binaries in .local/bench/ (kept between runs so --keep works;
# delete that folder to reclaim the space).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

# PostgreSQL with contrib (earthdistance) is all it needs; setup.sh installs it when missing.
if [ -z "${COMMUNITY_POSTGRES:-}" ] && ! ls /usr/share/postgresql/*/extension/earthdistance.control >/dev/null 2>&1; then
    bash scripts/setup.sh
fi

dotnet build bench/Events.Bench/Events.Bench.csproj -c Release -nologo -v quiet
exec dotnet bench/Events.Bench/bin/Release/net10.0/Community.Events.Bench.dll "$@"
