#!/usr/bin/env bash
# The paid-ticket saga's end-to-end latency (webhook received -> ticket confirmed) with events and
# payments in-process on a private PostgreSQL and RabbitMQ (or COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ).
# Usage: bash bench/run-saga.sh [--sequential 200] [--burst 50]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/Saga.Bench -c Release -nologo -v quiet
dotnet run --project bench/Saga.Bench -c Release --no-build -- "$@"
