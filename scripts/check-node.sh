#!/usr/bin/env bash
# Whether the Node.js on PATH can build the web client: Vite (clients/web) needs the Node it names in its `engines`
# (clients/web/package-lock.json, packages["node_modules/vite"].engines.node), written here as `required`. Debian 12
# and Ubuntu 24.04 ship Node 18, which cannot. Exit 0 when it can; otherwise it says why and what to do, exit 1.
set -euo pipefail

required="^20.19.0 || >=22.12.0"

version="$(node --version 2>/dev/null || true)"
if [[ ! "$version" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    echo "check-node: no Node.js on PATH (node --version said '${version}'); the web client needs Node ${required}" >&2
    exit 1
fi
major=${BASH_REMATCH[1]}
minor=${BASH_REMATCH[2]}
if { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } || [ "$major" -gt 22 ]; then
    exit 0
fi
echo "check-node: Node.js ${version} cannot build the web client, which needs ${required} (Vite's engines)." >&2
echo "check-node: install a newer Node.js (Debian 13, or NodeSource's or nvm's 22.x) and run this again." >&2
exit 1
