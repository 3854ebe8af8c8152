#!/usr/bin/env bash
# Outbox throughput: payments' OutboxDispatcher publishing to RabbitMQ with publisher confirms; a backlog drained
# (events/s) and a paced stream (commit -> confirmed -> received latency). Private PostgreSQL and RabbitMQ (or COMMUNITY_*).
# Usage: bash bench/run-outbox.sh [--backlog 20000] [--rate 200] [--seconds 20]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/Fleet.Bench -c Release -nologo -v quiet
dotnet run --project bench/Fleet.Bench -c Release --no-build -- outbox "$@"
