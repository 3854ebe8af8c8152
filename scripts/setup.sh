#!/usr/bin/env bash
# Installs what tests and AppHost need beyond the .NET SDK: PostgreSQL (+contrib, for
# cube/earthdistance) and RabbitMQ, from the distribution's packages (Debian/Ubuntu), and for
# the dashboard's browser test Node.js (with npm), Chromium and npm's playwright-core.
# Idempotent: does nothing when they are already installed. Servers are never used as system
# services: tests and AppHost start private instances of their own (LocalInfrastructure).
# A server given by COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ needs no local install.
set -euo pipefail

missing=()
if [ -z "${COMMUNITY_POSTGRES:-}" ]; then
    if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        missing+=(postgresql postgresql-contrib)
    elif ! ls /usr/share/postgresql/*/extension/earthdistance.control >/dev/null 2>&1; then
        missing+=(postgresql-contrib)
    fi
fi
if [ -z "${COMMUNITY_RABBITMQ:-}" ] && [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    missing+=(rabbitmq-server)
fi

# The dashboard's browser test (tests/AppHost.Tests/browser): Debian's Chromium, driven by playwright-core.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi

browser_check="$(dirname "${BASH_SOURCE[0]}")/../tests/AppHost.Tests/browser"
install_browser_check() {
    if [ ! -d "$browser_check/node_modules/playwright-core" ]; then
        echo "setup: npm ci in tests/AppHost.Tests/browser (playwright-core; no browser download)"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser_check" --no-audit --no-fund
    fi
}

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: PostgreSQL, RabbitMQ, Node.js and Chromium are installed"
    install_browser_check
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get here; install ${missing[*]} with your package manager" >&2
    exit 1
fi

echo "setup: installing ${missing[*]}"
# Keep the packages from starting their system services (we never use them): policy-rc.d
# answering 101 is Debian's standard way; an existing policy file is left untouched.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
install_browser_check
echo "setup: done"
