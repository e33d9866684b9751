#!/usr/bin/env bash
# Regenerates the YAML->JSON conformance corpus in Tests/KubeYAMLTests/Fixtures
# from kubectl's own client-side YAML decoding (sigs.k8s.io/yaml + goyaml.v2 fork).
#
# For every FIXTURE.yaml in Tests/KubeYAMLTests/Fixtures and .../Fixtures/multidoc
# it runs, fully offline (no API server, no kubeconfig):
#
#   KUBECONFIG=/nonexistent kubectl patch --local -f FIXTURE.yaml --type=json -p '[]' -o json
#
# An empty JSON-patch is a no-op, so kubectl prints the decoded object unchanged.
#   exit 0  -> FIXTURE.json  (kubectl's stdout, byte-for-byte; for multidoc/ the
#              concatenated objects kubectl prints are wrapped into one JSON array,
#              without touching the objects' text)
#   exit !0 -> FIXTURE.error (kubectl's stderr joined into a single line)
# Stale .json/.error files for the fixture are removed first.
#
# Usage: hack/gen-yaml-fixtures.sh            (from anywhere inside the repo)
#        KUBECTL=/path/to/kubectl hack/gen-yaml-fixtures.sh
set -euo pipefail

KUBECTL="${KUBECTL:-kubectl}"
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
    echo "gen-yaml-fixtures: kubectl not found (looked for '$KUBECTL'); install kubectl or set KUBECTL=" >&2
    exit 1
fi
KUBECTL="$(command -v "$KUBECTL")"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIXTURES="$ROOT/Tests/KubeYAMLTests/Fixtures"
if [[ ! -d "$FIXTURES" ]]; then
    echo "gen-yaml-fixtures: $FIXTURES does not exist" >&2
    exit 1
fi

# Make sure kubectl can never reach a cluster or pick up a user's config/plugins.
export KUBECONFIG=/nonexistent
export HOME="$(mktemp -d)"
export LC_ALL=C
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP" "$HOME"' EXIT

echo "gen-yaml-fixtures: using $("$KUBECTL" version --client 2>/dev/null | head -n1) ($KUBECTL)" >&2

# Join concatenated top-level pretty-printed objects ("{ ... }\n{ ... }") into a
# JSON array. kubectl prints every object starting with a line "{" and ending
# with a line "}" at column 0, and never prints those lines elsewhere.
to_array() {
    awk 'BEGIN { print "[" }
         { if (held != "") { if (held == "}" && $0 == "{") print "},"; else print held }
           held = $0 }
         END { if (held != "") print held; print "]" }'
}

count=0; ok=0; err=0
for dir in "$FIXTURES" "$FIXTURES/multidoc"; do
    [[ -d "$dir" ]] || continue
    shopt -s nullglob
    for yaml in "$dir"/*.yaml; do
        name="$(basename "$yaml" .yaml)"
        rm -f "$dir/$name.json" "$dir/$name.error"
        set +e
        # Run from the fixture's directory so error messages only contain the basename.
        (cd "$dir" && "$KUBECTL" patch --local -f "$name.yaml" --type=json -p '[]' -o json) \
            >"$TMP/out" 2>"$TMP/err"
        rc=$?
        set -e
        # Drop klog-formatted lines (they carry timestamps/pids) and join the rest.
        msg="$(grep -Ev '^[IWEF][0-9]{4} [0-9:.]+ +[0-9]+ ' "$TMP/err" | tr '\r\n' '  ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' || true)"
        if [[ $rc -eq 0 ]]; then
            if [[ -n "$msg" ]]; then
                echo "gen-yaml-fixtures: $yaml: kubectl succeeded but wrote to stderr: $msg" >&2
                exit 1
            fi
            if [[ ! -s "$TMP/out" ]]; then
                echo "gen-yaml-fixtures: $yaml: kubectl succeeded but printed nothing" >&2
                exit 1
            fi
            if [[ "$dir" == "$FIXTURES/multidoc" ]]; then
                to_array <"$TMP/out" >"$dir/$name.json"
            else
                cp "$TMP/out" "$dir/$name.json"
            fi
            ok=$((ok + 1))
        else
            [[ -n "$msg" ]] || msg="kubectl exited with status $rc and no message"
            printf '%s\n' "$msg" >"$dir/$name.error"
            err=$((err + 1))
        fi
        count=$((count + 1))
    done
done

if [[ $count -eq 0 ]]; then
    echo "gen-yaml-fixtures: no fixtures found under $FIXTURES" >&2
    exit 1
fi
echo "gen-yaml-fixtures: $count fixtures, $ok .json, $err .error" >&2
