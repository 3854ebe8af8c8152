#!/usr/bin/env bash
# A ticket drop: 500 people register for one event at the same moment through two events
# instances on one private PostgreSQL (or COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ).
# Usage: bash bench/run-ticket-drop.sh [--people 500] [--capacity 100] [--rounds 3] [--warmups 4] [--pool 0] [--connection "..."]
# --pool: PostgreSQL connections per events instance (default 0: as the services ship, DatabaseSetup.DefaultPoolSize = 20).
# --connection "Key=value;...": Npgsql settings added to the services' connection string, e.g. "No Reset On Close=false"
#   to compare one against what DatabaseSetup.WithStatementReuse ships. Warm-up runs at least --warmups rounds and goes on
#   (up to 40) while a round still JIT-compiles more than 25 methods.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/TicketDrop.Bench -c Release -nologo -v quiet
dotnet run --project bench/TicketDrop.Bench -c Release --no-build -- "$@"
