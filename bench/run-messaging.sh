#!/usr/bin/env bash
# Messaging under load: WebSocket clients through the gateway over two messaging instances (send-to-delivery
# latency, messages/s, no gap or duplicate per client), then the reads of a member of many conversations.
# Private PostgreSQL and RabbitMQ (or COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ).
# Usage: bash bench/run-messaging.sh [--clients 1000] [--conversations 100] [--messages 20] [--rate 100] [--keep] (--help for all)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
dotnet build bench/Messaging.Bench -c Release -nologo -v quiet
dotnet run --project bench/Messaging.Bench -c Release --no-build -- "$@"
