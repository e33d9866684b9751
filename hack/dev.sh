#!/usr/bin/env bash
# Installs what is missing, builds, and runs what Causeway has today.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib.sh

require_swift
ensure_system_packages
log "building causeway (release)"
swift build -c release --product causeway
exec .build/release/causeway dev "$@"
