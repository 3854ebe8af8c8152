#!/usr/bin/env bash
# Installs what the platform needs beyond the .NET SDK:
#   bash scripts/setup.sh          running (scripts/run.sh): PostgreSQL (+contrib, for cube/earthdistance),
#                                  RabbitMQ, Redis and Node.js from the distribution's packages (Debian/Ubuntu), and
#                                  the web client's build (clients/web)
#   bash scripts/setup.sh --test   testing (scripts/test.sh) adds Chromium and the npm packages of the browser
#                                  tests, and checks kustomize v5 (the manifests' render test)
# Idempotent: does nothing when they are already installed. Servers are never used as system
# services: tests and AppHost start private instances of their own (LocalInfrastructure).
# A server given by COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ / COMMUNITY_REDIS needs no local install.
set -euo pipefail

for_tests=false
[ "${1:-}" = "--test" ] && for_tests=true

# kustomize v5 renders deploy/k8s for tests/Deployment.Tests: a standalone `kustomize`, or the one
# built into kubectl 1.27+. Debian's kubernetes-client (kubectl 1.20, kustomize v2) is too old for
# components and replacements, and nothing outside the Debian, NuGet and npm registries is reachable
# here, so setup only says when it is missing: the render test then fails with the same advice.
has_kustomize() {
    command -v kustomize >/dev/null 2>&1 && return 0
    command -v kubectl >/dev/null 2>&1 || return 1
    local major
    major=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9][0-9]*\).*/\1/p')
    [ -n "$major" ] && [ "$major" -ge 5 ]
}
if ! $for_tests; then
    :
elif has_kustomize; then
    echo "setup: kustomize is available"
else
    echo "setup: kustomize v5 is missing: tests/Deployment.Tests will fail. Put kustomize v5 or kubectl 1.27+ on PATH." >&2
fi

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
if [ -z "${COMMUNITY_REDIS:-}" ] && [ ! -x /usr/bin/redis-server ]; then
    missing+=(redis-server)
fi

# Node.js builds the web client (clients/web) for running and testing; the browser tests (the dashboard's, the SDK's,
# the web client's) add Debian's Chromium, driven by playwright-core.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi
if $for_tests && [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi

browser_check="$(dirname "${BASH_SOURCE[0]}")/../tests/AppHost.Tests/browser"
sdk="$(dirname "${BASH_SOURCE[0]}")/../clients/typescript"
web="$(dirname "${BASH_SOURCE[0]}")/../clients/web"
install_browser_check() {
    if $for_tests && [ ! -d "$browser_check/node_modules/playwright-core" ]; then
        echo "setup: npm ci in tests/AppHost.Tests/browser (playwright-core; no browser download)"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser_check" --no-audit --no-fund
    fi
    # The TypeScript SDK (clients/typescript; the web client builds from its source; its contract test compiles it
    # and runs its node tests, its browser test bundles it with esbuild and drives Chromium with playwright-core).
    if [ ! -f "$sdk/node_modules/.package-lock.json" ] || [ "$sdk/package-lock.json" -nt "$sdk/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci in clients/typescript"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$sdk" --no-audit --no-fund
    fi
    # The web client (clients/web, built on the SDK's source): the gateway serves its build at /app/, and
    # tests/SystemTests/WebClientTests drives it in Chromium (axe-core and playwright-core are its dev dependencies).
    if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci in clients/web"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$web" --no-audit --no-fund
    fi
    # A Node.js too old for Vite (Debian 12's) cannot build it: the tests need it, so they stop here; a run goes on
    # without it (the gateway then answers /app/ with a problem saying the web client is not built).
    if ! "$(dirname "${BASH_SOURCE[0]}")/check-node.sh"; then
        if $for_tests; then
            return 1
        fi
        echo "setup: the web client is not built; everything else runs" >&2
        return 0
    fi
    # Built again only when a source of it (its own or the SDK's) is newer than the last build: a warm start skips it.
    if [ -f "$web/dist/index.html" ] && [ -z "$(find "$web/src" "$web/index.html" "$web/package-lock.json" "$web/vite.config.ts" \
        "$web/tsconfig.json" "$sdk/src" "$sdk/package-lock.json" -newer "$web/dist/index.html" -print -quit)" ]; then
        echo "setup: clients/web/dist is up to date"
        return 0
    fi
    echo "setup: building clients/web (vite build -> clients/web/dist, served at <gateway>/app/)"
    npm run --prefix "$web" --silent build > "$web/build.log" 2>&1 || { cat "$web/build.log"; echo "setup: the web client's build failed" >&2; return 1; }
}

if [ ${#missing[@]} -eq 0 ]; then
    if $for_tests; then
        echo "setup: PostgreSQL, RabbitMQ, Redis, Node.js and Chromium are installed"
    else
        echo "setup: PostgreSQL, RabbitMQ, Redis and Node.js are installed"
    fi
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
