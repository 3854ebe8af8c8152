#!/usr/bin/env bash
# Runs the whole platform locally (see: bash scripts/run.sh --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec dotnet run --project AppHost -- "$@"
