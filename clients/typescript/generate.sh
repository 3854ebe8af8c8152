#!/usr/bin/env bash
# Regenerates the TypeScript SDK from what the platform serves, in one command (needs the .NET SDK, node and the
# servers scripts/setup.sh installs): the contract test hosts every service and the gateway in-process and, with
# UPDATE_CONTRACT=1, writes their OpenAPI and AsyncAPI documents to contract/; then src/generated/ is made from them.
# Commit contract/ and src/generated/ together; CI (ClientContractTests) fails while they differ from the platform.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

UPDATE_CONTRACT=1 dotnet test "$root/tests/SystemTests/SystemTests.csproj" \
    --filter "FullyQualifiedName~ClientContractTests.The_committed_contract_is_what_the_platform_serves" \
    --logger "console;verbosity=minimal"

cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
node scripts/generate.mjs
# The hub's document must stay valid AsyncAPI (the parser `asyncapi validate` uses; CI runs the same check).
node scripts/validate-asyncapi.mjs contract/messaging.asyncapi.json
git -C "$root" status --short -- clients/typescript/contract clients/typescript/src/generated
