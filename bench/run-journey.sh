#!/usr/bin/env bash
# A member's journey under load through the gateway: register -> profile -> discover -> connect -> message ->
# register for a paid event -> pay in the sandbox -> ticket, N virtual users at once per level; p50/p95/p99 per step and errors.
# identity, social, messaging, events, payments and the gateway in-process; private PostgreSQL and RabbitMQ (or COMMUNITY_*).
# Usage: bash bench/run-journey.sh [--users 50,200] [--timeout 60]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/Fleet.Bench -c Release -nologo -v quiet
dotnet run --project bench/Fleet.Bench -c Release --no-build -- journey "$@"
