#!/usr/bin/env bash
# The companion's streaming through the gateway: the fake model server delays its chunks; per stream, the model's first
# chunk -> the client's first delta (target 100 ms), single streams and 50/100/200 at once (target: 200 without errors).
# ai-companion, the gateway and the fake model in-process; private PostgreSQL and RabbitMQ (or COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ).
# Usage: bash bench/run-companion.sh [--short] [--levels 50,100,200] [--rounds 3] [--first-chunk-ms 300] [--chunk-ms 50] (--help for all)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/Companion.Bench -c Release -nologo -v quiet
dotnet run --project bench/Companion.Bench -c Release --no-build -- "$@"
