#!/usr/bin/env bash
# The semantic search benchmark:  bash bench/run-search.sh [--profiles N] [--runs N] ...
# Builds bench/Search.Bench in Release and runs it. It seeds a fresh database (search_bench) with 100,000 people
# documents whose embeddings are synthetic and clustered (fixed seed), then prints recall@10 against exact search
# and p50/p95/p99 per query for the store the service uses and the alternatives measured; the report goes to
# bench/results/search-<stamp>.txt and bench/results/search-latest.txt.
# PostgreSQL: COMMUNITY_POSTGRES when set (an Npgsql admin connection string), otherwise a private server started
# from the installed binaries in .local/bench/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

# PostgreSQL with contrib (cube) is all it needs; setup.sh installs it when missing.
if [ -z "${COMMUNITY_POSTGRES:-}" ] && ! ls /usr/share/postgresql/*/extension/cube.control >/dev/null 2>&1; then
    bash scripts/setup.sh
fi

dotnet build bench/Search.Bench/Search.Bench.csproj -c Release -nologo -v quiet
exec dotnet bench/Search.Bench/bin/Release/net10.0/Community.Search.Bench.dll "$@"
