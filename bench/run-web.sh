#!/usr/bin/env bash
# The web client's first view (issue: the reference web client; budget 1 s at the median, JavaScript <= 200 kB
# gzipped): the whole platform as `bash scripts/run.sh` runs it, the app built and served by the gateway at /app/,
# Debian's Chromium through playwright-core; fresh visitors after two warm-up loads (clients/web/test/first-view.mjs).
# Run it on a quiet machine: the figure is the browser's and the gateway's time, and a busy core doubles it.
# Usage: bash bench/run-web.sh [--loads 9]
set -euo pipefail
cd "$(dirname "$0")/.."
loads=9
while [ $# -gt 0 ]; do
    case "$1" in
        --loads) loads="$2"; shift 2 ;;
        --loads=*) loads="${1#*=}"; shift ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
bash scripts/setup.sh --test >/dev/null
(cd clients/web && npm run build --silent >/dev/null)
mkdir -p .local/bench/web
log=.local/bench/web/platform.log
gateway="${COMMUNITY_GATEWAY_URL:-http://localhost:8080}"
echo "web: starting the platform (scripts/run.sh; its output in $log)"
bash scripts/run.sh --gateway-url "$gateway" >"$log" 2>&1 &
runner=$!
stop() {
    if [ -f .local/apphost/apphost.pid ]; then kill -TERM "$(cat .local/apphost/apphost.pid)" 2>/dev/null || true; fi
    wait "$runner" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 600); do
    grep -q "everything is healthy" "$log" && break
    if ! kill -0 "$runner" 2>/dev/null; then
        echo "the platform did not start:" >&2
        tail -30 "$log" >&2
        exit 1
    fi
    sleep 1
done
grep -q "everything is healthy" "$log" || { echo "the platform was not healthy within 10 minutes" >&2; exit 1; }
# the services' start (migrations, JIT, first polls) settles before the first visitor: up to 2 minutes for a load
# average below 2
for _ in $(seq 1 24); do
    [ "$(awk '{print int($1)}' /proc/loadavg)" -lt 2 ] && break
    sleep 5
done
stamp=$(date -u +%Y%m%d-%H%M)
report="bench/results/web-$stamp.txt"
{
    echo "web client first view, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, gateway $gateway"
    node clients/web/test/first-view.mjs "$gateway" /usr/bin/chromium .local/bench/web/screenshots "$loads" </dev/null
} | tee "$report"
cp "$report" bench/results/web-latest.txt
echo "report written to $report and bench/results/web-latest.txt"
