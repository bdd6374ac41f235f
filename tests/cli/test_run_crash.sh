# A worker that dies in the middle of a run (a crash, the OOM killer)
# fails that run with the reason; a new worker takes its place and the
# sweep goes on.  The crash comes from a test hook that only the hooks
# build (make check-cli: build/rexsweep-hooks) reads.
. tests/cli/lib.sh
RXH=${REXSWEEP_HOOKS:-$(dirname "$RX")/rexsweep-hooks}
[ -x "$RXH" ] || fail "no hooks build at '$RXH' (make $(basename "$(dirname "$RX")")/rexsweep-hooks, or set REXSWEEP_HOOKS)"
db=$TMPDIR/c.db
spec=tests/data/run/small.yaml
key=$("$RX" plan "$spec" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][3]["key"])')
# rexsweep itself ignores the hook's variable
RX_TEST_CRASH_KEY=$key expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/plain.db" -j 1 --quiet
[ "$(q "$TMPDIR/plain.db" "SELECT status FROM runs WHERE key='$key'")" = done ] || fail "rexsweep read RX_TEST_CRASH_KEY"
RX_TEST_CRASH_KEY=$key expect_exit 1 "$RXH" run "$spec" --db "$db" -j 1
[ "$(q "$db" "SELECT status FROM runs WHERE key='$key'")" = failed ] || fail "crashed run not failed"
q "$db" "SELECT error FROM runs WHERE key='$key'" | grep -q 'died of signal 9' || fail "no reason: $(q "$db" "SELECT error FROM runs WHERE key='$key'")"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done'")" -eq 11 ] || fail "the sweep stopped at the crash"
grep -q '11 done (11 now), 1 failed' "$TMPDIR/out" || fail "summary: $(cat "$TMPDIR/out")"
# and --retry-failed redoes it
expect_exit 0 "$RX" run "$spec" --db "$db" --retry-failed --quiet
[ "$(q "$db" "SELECT status FROM runs WHERE key='$key'")" = done ] || fail "retry"
echo ok
