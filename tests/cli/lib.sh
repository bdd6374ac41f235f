# Shared helpers for the CLI shell tests (sourced).
set -eu
RX=${REXSWEEP:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE CMD...: runs CMD, fails unless it exits with CODE.
expect_exit() {
  local want=$1; shift
  set +e; "$@" >"$TMPDIR/out" 2>"$TMPDIR/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$TMPDIR/out" "$TMPDIR/err" >&2; fail "'$*' exited $got, want $want"; }
}
# A busy timeout: a test may read while a worker still holds the write lock.
q() { sqlite3 -batch -noheader -cmd ".timeout 10000" "$@"; }
