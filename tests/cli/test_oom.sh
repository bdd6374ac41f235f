# Out of memory while loading a spec and expanding its grid: every
# allocation from the start of main() is made to fail in turn (an
# LD_PRELOAD wrapper, tests/lib/failmalloc.c, built by make check; the
# binary reads no test variable).  Each failure must end cleanly: exit 4
# (out of memory is an I/O-class error) with a message saying so, no
# crash, nothing written; or, when the failure is absorbed (a retry, a
# fallback), exit 0 with exactly the plan of an untroubled run.  Run
# keys and exclusion are computed on the stack, so a failed malloc can
# never change a key or let an excluded run through (it once did both).
. tests/cli/lib.sh
if [ -z "${FAILMALLOC:-}" ]; then
  echo "skipped: no FAILMALLOC (under ASan an LD_PRELOAD malloc wrapper cannot work)"
  exit 0
fi
export OPENBLAS_NUM_THREADS=1
spec=tests/data/oom/spec.yaml
db=$TMPDIR/none.db
for fmt in ""; do
  expect_exit 0 "$RX" plan $fmt "$spec" --db "$db"
  cp "$TMPDIR/out" "$TMPDIR/ref$fmt"
  n=1 fired=0
  while :; do
    set +e
    RX_FAIL_ALLOC=$n LD_PRELOAD=$FAILMALLOC "$RX" plan $fmt "$spec" --db "$db" >"$TMPDIR/out" 2>"$TMPDIR/err"
    code=$?
    set -e
    if ! grep -q "^failmalloc: failed allocation $n$" "$TMPDIR/err"; then
      [ "$code" -eq 0 ] || fail "allocation $n: exit $code with no failure injected"
      break    # past the last allocation
    fi
    fired=$((fired + 1))
    case $code in
      0) cmp -s "$TMPDIR/out" "$TMPDIR/ref$fmt" ||
           fail "allocation $n failed, exit 0, but the plan differs: $(diff "$TMPDIR/ref$fmt" "$TMPDIR/out" | head -5)" ;;
      4) grep -v '^failmalloc:' "$TMPDIR/err" | grep -qi "out of memory\|cannot allocate memory" ||
           fail "allocation $n: exit 4 without saying out of memory: $(cat "$TMPDIR/err")" ;;
      *) fail "allocation $n: exit $code: $(cat "$TMPDIR/err")" ;;
    esac
    [ ! -e "$db" ] || fail "allocation $n: plan created the store"
    n=$((n + 1))
  done
  [ "$fired" -gt 100 ] || fail "only $fired allocations were tried"
  echo "plan $fmt: $fired allocation failures, each handled"
done
echo ok
