#!/usr/bin/env bash
# The Go example applier in CI (.ci/run runs this after npm test): build it,
# run the golden vectors and a short exploration through it, compared run by
# run with the built-in applier, check that its "<=" variant is caught, and
# that restarting it at every simulated process start changes nothing.
set -euo pipefail
cd "$(dirname "$0")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
go build -o "$out/regsim-go-applier" .
cd ../..
bin="$out/regsim-go-applier"
expect() { # expect CODE CMD...: run CMD, fail unless it exits with CODE
  local want="$1"; shift
  local got=0
  "$@" > "$out/log" 2>&1 || got=$?
  tail -n 3 "$out/log"
  if [ "$got" != "$want" ]; then echo "go-applier ci: \`$*\` exited $got, want $want" >&2; exit 1; fi
}
expect 0 npx regsim conformance fixtures/applier-conformance.json --applier "$bin"
expect 1 npx regsim conformance fixtures/applier-conformance.json --applier "$bin -variant lte-rollback"
expect 0 npx regsim explore --seed 20250901 --runs 40 --compare "$bin"
expect 1 npx regsim explore --seed 20250901 --runs 40 --compare "$bin -variant lte-rollback"
# Statelessness: a fresh child at every simulated process start and before 2 % of applies gives the built-in trace.
scenario=fixtures/regressions/held-registration-overtaken.json
builtin="$(npx regsim replay "$scenario" --json)"
restarted="$(npx regsim replay "$scenario" --json --applier "$bin" --restart-child 0.02)"
if [ "$builtin" != "$restarted" ]; then echo "go-applier ci: with restarts the child gave $restarted, the built-in applier $builtin" >&2; exit 1; fi
echo "replay with --restart-child 0.02: the built-in trace hash"
echo "go-applier ci: ok"
