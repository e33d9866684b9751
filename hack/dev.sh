#!/usr/bin/env bash
# Installs what is missing, builds, and runs what Causeway has today.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/lib.sh

require_swift
ensure_system_packages
log "building causeway (release)"
swift build -c release --product causeway
# The kubectl plugin is the same binary under the name kubectl looks for on the PATH.
mkdir -p .causeway-dev/bin
ln -sf "$(pwd)/.build/release/causeway" .causeway-dev/bin/kubectl-causeway
exec .build/release/causeway dev "$@"
