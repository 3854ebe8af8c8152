#!/usr/bin/env bash
# Gateway overhead: the same authenticated GET direct to messaging, through our gateway and through Debian's nginx,
# driven by the same closed-loop load tool; req/s, p50/p99 and the ratios. Private PostgreSQL and RabbitMQ (or COMMUNITY_*).
# Usage: bash bench/run-gateway.sh [--connections 32] [--seconds 15] [--warmup 3] [--rounds 3] [--nginx-workers 2]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  # Only this benchmark needs nginx: installed here, from Debian, rather than by setup.sh for everyone.
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
  # The package starts a system nginx on port 80; the benchmark runs its own.
  $SUDO systemctl stop nginx >/dev/null 2>&1 || $SUDO service nginx stop >/dev/null 2>&1 || true
fi
dotnet build bench/Fleet.Bench -c Release -nologo -v quiet
dotnet run --project bench/Fleet.Bench -c Release --no-build -- gateway "$@"
