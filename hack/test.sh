#!/usr/bin/env bash
# Installs what is missing, builds everything (zero warnings in our code), runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib.sh

require_swift
ensure_system_packages
ensure_kubectl

log "building (debug, with tests)"
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log" | grep -E 'error:|warning:|Compiling|Build' || true
if grep -E '^/.*/(Sources|Tests)/.*(warning|error):' "$build_log" | grep -v '/.build' >/dev/null; then
  log "our code has warnings or errors:"; grep -E '(warning|error):' "$build_log" | grep -v '/.build' | sort -u
  exit 1
fi
grep -q 'error:' "$build_log" && exit 1

log "running tests"
swift test --skip-build --parallel "$@"
