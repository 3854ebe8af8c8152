#!/usr/bin/env bash
# The social benchmark:  bash bench/run-social.sh [--profiles N] [--keep] [--runs N] ...
# Builds bench/Social.Bench in Release and runs it. It seeds a fresh database (social_bench) with
# 1,000,000 profiles (and their connections, follows and blocks), measures discovery, the following
# list, the network path and suggestions, and writes the report to bench/results/social-<stamp>.txt
# and bench/results/social-latest.txt.
# PostgreSQL: COMMUNITY_POSTGRES when set (an Npgsql admin connection string), otherwise a private
# server started from the installed binaries in .local/bench/ (kept between runs so --keep works).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

if [ -z "${COMMUNITY_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    bash scripts/setup.sh
fi

dotnet build bench/Social.Bench/Social.Bench.csproj -c Release -nologo -v quiet
exec dotnet bench/Social.Bench/bin/Release/net10.0/Community.Social.Bench.dll "$@"
