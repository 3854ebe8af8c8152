#!/usr/bin/env bash
# Runs the whole platform locally (see: bash scripts/run.sh --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
bash scripts/setup.sh
# AppHost first, with its progress on screen (restore, then each project as it is built); AppHost then builds the
# services itself, printing [n/total] as each is done.
echo "run: building AppHost (restores packages on a first run)"
dotnet build AppHost/AppHost.csproj -nologo -v minimal -clp:NoSummary
exec dotnet run --no-build --project AppHost -- "$@"
