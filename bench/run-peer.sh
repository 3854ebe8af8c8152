#!/usr/bin/env bash
# A real peer side by side (issue 33): our messaging hub through the gateway (official SignalR client) and ejabberd
# multi-user chat (archived in PostgreSQL by mod_mam), the same clients, rooms and messages/s, one after the other
# in one process; prints throughput, p50/p95/p99 send-to-delivery of both and the ratios ours / ejabberd.
# Installs ejabberd from Debian when missing and runs a PRIVATE one (own config, ports, node; .local/bench/ejabberd),
# never the system service; it is stopped at the end of the run.
# Usage: bash bench/run-peer.sh [--clients 1000] [--conversations 100] [--messages 20] [--rate 100] (--help for all)
#        bash bench/run-peer.sh --clients 10000 --conversations 1000 --rate 200   # the issue's real-time row
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/sbin/ejabberdctl ] || [ ! -d /usr/lib/erlang/lib/p1_pgsql-* ] 2>/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "ejabberd is not installed and this is not root: apt-get install ejabberd erlang-p1-pgsql" >&2
        exit 1
    fi
    apt-get update -qq
    # Installed only: the package's own service must not start (the benchmark runs its own node).
    policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ejabberd erlang-p1-pgsql
    [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
fi
bash scripts/setup.sh >/dev/null
# Every client is a socket on each side (ours: four in this process: client, gateway in and out, hub): as many open
# files as the hard limit allows, inherited by ejabberd too.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dotnet build bench/Messaging.Bench -c Release -nologo -v quiet
if [ -z "${PEER_TRACE:-}" ]; then
    dotnet run --project bench/Messaging.Bench -c Release --no-build -- --peer "$@"
    exit
fi
# PEER_TRACE=1: a dotnet-trace (sampled thread time) of our side's timed sends, from the moment they begin,
# written to .local/bench/peer-ours.nettrace and .speedscope.json (the run itself is the same).
# PEER_TRACE_PROFILE=gc-verbose instead records the collections and samples allocations with their stacks (every
# ~100 KB allocated); at the end the report says what the pauses are made of and who allocated
# (`Community.Messaging.Bench --trace-report FILE`, bench/README.md) into .local/bench/peer-ours-gc.txt.
dotnet tool restore >/dev/null
mkdir -p .local/bench
log=.local/bench/peer-run.log
bench=bench/Messaging.Bench/bin/Release/net10.0/Community.Messaging.Bench
"$bench" --peer "$@" 2>&1 | tee "$log" &
until grep -q '^timed sends begin ' "$log" 2>/dev/null; do sleep 0.2; done
dotnet dotnet-trace collect -p "$(pgrep -n -f "^$bench")" --profile ${PEER_TRACE_PROFILE:-dotnet-sampled-thread-time} \
    --duration 00:00:00:${PEER_TRACE_SECONDS:-20} -o .local/bench/peer-ours.nettrace >/dev/null
if [ "${PEER_TRACE_PROFILE:-}" = gc-verbose ]; then
    wait
    "$bench" --trace-report .local/bench/peer-ours.nettrace | tee .local/bench/peer-ours-gc.txt
    exit
fi
dotnet dotnet-trace convert .local/bench/peer-ours.nettrace --format speedscope -o .local/bench/peer-ours >/dev/null
wait
