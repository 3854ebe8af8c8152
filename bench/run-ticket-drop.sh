#!/usr/bin/env bash
# A ticket drop: 500 people register for one event at the same moment through two events
# instances on one private PostgreSQL (or COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ).
# Usage: bash bench/run-ticket-drop.sh [--people 500] [--capacity 100] [--rounds 3] [--warmups 4] [--pool 0]
# --pool: PostgreSQL connections per events instance (default 0: Npgsql's default, 100, as the services ship).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/TicketDrop.Bench -c Release -nologo -v quiet
dotnet run --project bench/TicketDrop.Bench -c Release --no-build -- "$@"
