#!/usr/bin/env bash
# The one test command:  bash scripts/test.sh
# Installs what is missing (setup.sh), builds the solution in Release, runs every test project,
# keeps one TRX file per project in .local/test-results/ and ends with one summary line:
#   N passed, N failed, N skipped
# Exits non-zero when the build fails, a test fails, a test run aborts, or no test ran.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results=.local/test-results
trx_name=community-tests.trx
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# no MSBuild nodes outliving the run (they would hold this script's output open)
export MSBUILDDISABLENODEREUSE=1

# A run that stops before the tests (setup, build or format check) still ends with the summary line: no test ran.
stop_before_tests() {
    echo "$1" >&2
    echo "0 passed, 0 failed, 0 skipped"
    exit 1
}

bash scripts/setup.sh --test || stop_before_tests "SETUP FAILED (scripts/setup.sh --test)"

rm -rf "$results"
mkdir -p "$results"
# every project writes <project>/TestResults/$trx_name; remove those of earlier runs
find . -path ./.git -prune -o -path ./.local -prune -o -type f -name "$trx_name" -path '*/TestResults/*' -print0 | xargs -0 -r rm -f

echo "== dotnet build Community.sln -c Release"
if ! dotnet build Community.sln -c Release -nologo > "$results/build.log" 2>&1; then
    cat "$results/build.log"
    stop_before_tests "BUILD FAILED (log: $results/build.log)"
fi
grep -E '^ *[0-9]+ Warning\(s\)|^Time Elapsed' "$results/build.log" | sed 's/^ */   /'

# The code's layout and style are part of the build: CSharpier owns layout (.csharpierrc.json, 120 columns),
# .editorconfig's style rules are checked by dotnet format (the build enforces them too: EnforceCodeStyleInBuild).
echo "== dotnet csharpier check . && dotnet format style --verify-no-changes"
if ! { dotnet tool restore > "$results/format.log" 2>&1 &&
       dotnet csharpier check . >> "$results/format.log" 2>&1 &&
       dotnet format style Community.sln --verify-no-changes --severity warn --no-restore >> "$results/format.log" 2>&1; }; then
    cat "$results/format.log"
    stop_before_tests "FORMAT CHECK FAILED: run 'dotnet csharpier format . && dotnet format style Community.sln --severity warn' (log: $results/format.log)"
fi

echo "== dotnet test Community.sln -c Release --no-build"
dotnet test Community.sln -c Release --no-build --logger "trx;LogFileName=$trx_name"
test_exit=$?

# A test host can be torn down before its exit handlers have stopped the servers it started
# (RabbitMQ takes longest): stop whatever still runs from this checkout's test folders.
sweep_test_servers() {
    local dir data
    for dir in "$PWD"/.local/tests/*/; do
        [ -d "$dir" ] || continue
        pkill -KILL -f -- "-home ${dir}rabbitmq/home" 2>/dev/null || true
        # redis-server renames its process (no folder in its command line): its pid file names it
        if [ -f "${dir}redis/redis.pid" ]; then
            kill -KILL "$(head -n 1 "${dir}redis/redis.pid")" 2>/dev/null || true
        fi
        data=$(readlink -f "${dir}postgres/data" 2>/dev/null || true)
        if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
            pkill -KILL -f -- "-D $data" 2>/dev/null || true
        fi
    done
    rm -rf "$PWD/.local/tests"
}
sweep_test_servers

# One file per project: <project>/TestResults/$trx_name -> $results/<project>.trx
while IFS= read -r -d '' file; do
    project=$(basename "$(dirname "$(dirname "$file")")")
    mv "$file" "$results/$project.trx"
done < <(find . -path ./.git -prune -o -path ./.local -prune -o -type f -name "$trx_name" -path '*/TestResults/*' -print0)

# <Counters total= executed= passed= failed= error= timeout= aborted= ...>: skipped tests are
# the ones not executed; errors, timeouts and aborts count as failures.
counters() {
    grep -o '<Counters [^>]*>' "$1" | head -n 1 | awk '
        function attr(name) { return match($0, " " name "=\"[0-9]+\"") ? substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0 : 0 }
        { print attr("passed"), attr("failed") + attr("error") + attr("timeout") + attr("aborted"), attr("total") - attr("executed") }'
}

passed=0 failed=0 skipped=0
echo "== results ($results)"
shopt -s nullglob
for file in "$results"/*.trx; do
    read -r p f s < <(counters "$file")
    printf '   %-40s %d passed, %d failed, %d skipped\n' "$(basename "$file" .trx)" "${p:-0}" "${f:-0}" "${s:-0}"
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"

if [ $((passed + failed + skipped)) -eq 0 ]; then
    echo "FAILED: no test ran" >&2
    exit 1
fi
if [ "$failed" -gt 0 ]; then
    exit 1
fi
if [ "$test_exit" -ne 0 ]; then
    echo "FAILED: dotnet test exited with code $test_exit (a test run aborted or a project produced no results)" >&2
    exit "$test_exit"
fi
exit 0
