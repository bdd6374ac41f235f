# A diverging run is stored as diverged with its step, and the sweep goes on.
. tests/cli/lib.sh
db=$TMPDIR/d.db
expect_exit 1 "$RX" run tests/data/run/diverge.yaml --db "$db"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done'")" -eq 2 ] || fail "the other runs must be done"
[ "$(q "$db" "SELECT status FROM runs WHERE lr=1e5")" = diverged ] || fail "not diverged"
[ "$(q "$db" "SELECT diverged_step > 0 FROM runs WHERE lr=1e5")" -eq 1 ] || fail "no diverged step"
grep -q '1 diverged' "$TMPDIR/out" || fail "summary: $(cat "$TMPDIR/out")"
# a diverged run is a result: it is not retried, even with --retry-failed
expect_exit 1 "$RX" run tests/data/run/diverge.yaml --db "$db" --retry-failed
grep -q '(0 now)' "$TMPDIR/out" || fail "diverged run retried"
# --fail-fast stops at the first failure
expect_exit 1 "$RX" run tests/data/run/diverge.yaml --db "$TMPDIR/ff.db" --fail-fast
[ "$(q "$TMPDIR/ff.db" "SELECT count(*) FROM runs WHERE status='done' AND lr=0.1")" -eq 0 ] || fail "fail-fast ran on"
# --diverged-ok: an lr sweep expects divergence; a failure still counts
expect_exit 0 "$RX" run tests/data/run/diverge.yaml --db "$db" --diverged-ok
expect_exit 0 "$RX" run tests/data/run/diverge.yaml --db "$db" --diverged-ok --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"] == "ok" and d["diverged"] == 1' \
  "$TMPDIR/out" || fail "json: $(cat "$TMPDIR/out")"
q "$db" "UPDATE runs SET status='failed' WHERE lr=0.1"
expect_exit 1 "$RX" run tests/data/run/diverge.yaml --db "$db" --diverged-ok
echo ok
