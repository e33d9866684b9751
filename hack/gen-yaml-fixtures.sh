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
# Stale .json/.error/.any.json files for the fixture are removed first.
#
# kubectl itself is non-deterministic for a few inputs (two different YAML keys
# that stringify to the same JSON key, e.g. `1:` and `"1":`; the winner depends
# on Go map iteration order). Such fixtures must have "nondeterministic" in their
# name: they are run NONDET_RUNS times and every distinct output is recorded,
# sorted, in FIXTURE.any.json (a JSON array; a conforming result equals any one
# element). Every other fixture is run twice and the script fails loudly if the
# two outputs differ.
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
HOME="$(mktemp -d)"; export HOME
export LC_ALL=C
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP" "$HOME"' EXIT

echo "gen-yaml-fixtures: using $("$KUBECTL" version --client 2>/dev/null | head -n1) ($KUBECTL)" >&2

NONDET_RUNS="${NONDET_RUNS:-200}"

run_kubectl() { # $1=dir $2=name; writes $TMP/out $TMP/err, sets rc
    set +e
    # Run from the fixture's directory so error messages only contain the basename.
    (cd "$1" && "$KUBECTL" patch --local -f "$2.yaml" --type=json -p '[]' -o json) \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    set -e
}

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
        rm -f "$dir/$name.json" "$dir/$name.error" "$dir/$name.any.json"
        if [[ "$name" == *nondeterministic* ]]; then
            rm -rf "$TMP/variants"; mkdir "$TMP/variants"
            for ((i = 0; i < NONDET_RUNS; i++)); do
                run_kubectl "$dir" "$name"
                if [[ $rc -ne 0 ]]; then
                    echo "gen-yaml-fixtures: $yaml: kubectl failed on run $i: $(cat "$TMP/err")" >&2
                    exit 1
                fi
                cp "$TMP/out" "$TMP/variants/$(cksum <"$TMP/out" | tr ' ' '_')"
            done
            # Order the distinct outputs by their text, then wrap them in one array.
            for v in "$TMP/variants"/*; do printf '%s\t%s\n' "$(tr '\n' ' ' <"$v")" "$v"; done \
                | sort | cut -f2 | while read -r v; do cat "$v"; done | to_array >"$dir/$name.any.json"
            echo "gen-yaml-fixtures: $name: $(ls "$TMP/variants" | wc -l) distinct outputs in $NONDET_RUNS runs" >&2
            count=$((count + 1)); ok=$((ok + 1))
            continue
        fi
        run_kubectl "$dir" "$name"
        cp "$TMP/out" "$TMP/out.first"; cp "$TMP/err" "$TMP/err.first"; rc_first=$rc
        run_kubectl "$dir" "$name"
        if [[ $rc -ne $rc_first ]] || ! cmp -s "$TMP/out" "$TMP/out.first" || ! cmp -s "$TMP/err" "$TMP/err.first"; then
            echo "gen-yaml-fixtures: $yaml: kubectl gave different results on two runs;" \
                 "put 'nondeterministic' in the fixture's name" >&2
            exit 1
        fi
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
