# cli.sh: sourced by shell tests.  Makes a scratch directory $t, removed
# at exit, and changes into it; $root is the repository.
#
#   fail MSG            prints FAIL: MSG and exits 1
#   expect_rc CODE CMD  runs CMD with stdout in $t/out and stderr in
#                       $t/err; fails unless it exits with CODE
: "${REXSWEEP:?set REXSWEEP to the binary}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t=$(mktemp -d "${TMPDIR:-/tmp}/cli.XXXXXX")
trap 'rm -rf "$t"' EXIT
cd "$t"

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_rc()
{
  local want=$1 rc=0
  shift
  "$@" >"$t/out" 2>"$t/err" || rc=$?
  [ "$rc" = "$want" ] || { cat "$t/out" "$t/err" >&2; fail "'$*' exited $rc, not $want"; }
}
