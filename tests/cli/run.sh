#!/usr/bin/env bash
# Runs every tests/cli/test_*.sh against $REXSWEEP and prints a summary
# line "N passed, N failed".  Each test script exits non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
: "${REXSWEEP:?set REXSWEEP to the binary}"
export REXSWEEP
pass=0 fail=0 failed=()
for t in tests/cli/test_*.sh; do
  [ -e "$t" ] || continue
  tmp=$(mktemp -d)
  if TMPDIR="$tmp" bash "$t" >"$tmp/.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   $t"
  else
    fail=$((fail + 1)); failed+=("$t"); echo "FAIL $t"; sed 's/^/    /' "$tmp/.log" | tail -40
  fi
  rm -rf "$tmp"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
