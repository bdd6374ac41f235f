# Workers of short runs batch the store's work (issue 13): one transaction
# records the runs trained and claims the next ones, up to a tenth of a
# second of runs ahead.  What the batching must keep: every run trained
# once and recorded once, the same metrics bit for bit, claim order, the
# start of training in runs.started, a crash costing only a rerun of what
# the dead worker held, and a stop giving back what it never started.
. tests/cli/lib.sh
RXH=${REXSWEEP_HOOKS:-$(dirname "$RX")/rexsweep-hooks}
[ -x "$RXH" ] || fail "no hooks build at '$RXH'"
tiny=tests/data/run/tiny.yaml      # 288 runs of a millisecond; 240..251 diverge
metrics() { q "$1" "SELECT key, status, printf('%.17g %.17g %.17g', train_loss, val_acc, test_acc), steps_done FROM runs ORDER BY key"; }
order() { q "$1" "SELECT group_concat(grid_index, ' ') FROM (SELECT l.grid_index FROM sweep_runs l JOIN runs r ON r.key = l.key WHERE r.status <> 'pending' ORDER BY r.started, l.grid_index)"; }

# 1. -j 1 and -j 2: all recorded once, the same bits, grid order
expect_exit 1 "$RX" run "$tiny" --db "$TMPDIR/j1.db" -j 1 --quiet
grep -q '288 runs: 276 done (276 now), 0 failed, 12 diverged, 0 skipped, 0 interrupted, 0 running, 0 pending' "$TMPDIR/out" ||
  fail "-j 1 summary: $(cat "$TMPDIR/out")"
expect_exit 1 "$RX" run "$tiny" --db "$TMPDIR/j2.db" -j 2 --quiet
grep -q '288 runs: 276 done (276 now), 0 failed, 12 diverged' "$TMPDIR/out" || fail "-j 2 summary: $(cat "$TMPDIR/out")"
for db in j1 j2; do
  [ "$(q "$TMPDIR/$db.db" "SELECT count(*) FROM runs WHERE attempts = 1 AND started <= ended AND ended <= heartbeat")" = 288 ] ||
    fail "$db: runs not recorded exactly once: $(q "$TMPDIR/$db.db" "SELECT status, attempts, count(*) FROM runs GROUP BY 1, 2")"
done
[ "$(metrics "$TMPDIR/j1.db")" = "$(metrics "$TMPDIR/j2.db")" ] || fail "-j 2 changed metrics"
# runs.started is when training began, not when the run was claimed ahead
[ "$(order "$TMPDIR/j1.db")" = "$(seq -s ' ' 0 287)" ] || fail "-j 1 order: $(order "$TMPDIR/j1.db")"

# 2. a worker dies in run 40: that run fails; what it had trained and not
#    recorded yet, and what it had claimed ahead, its replacement trains
key=$("$RX" plan "$tiny" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][40]["key"])')
db=$TMPDIR/crash.db
RX_TEST_CRASH_KEY=$key expect_exit 1 "$RXH" run "$tiny" --db "$db" -j 1 --quiet
grep -q '288 runs: 275 done (275 now), 1 failed, 12 diverged, 0 skipped, 0 interrupted, 0 running, 0 pending' "$TMPDIR/out" ||
  fail "crash summary: $(cat "$TMPDIR/out")"
[ "$(q "$db" "SELECT status FROM runs WHERE key = '$key'")" = failed ] || fail "the crashed run"
q "$db" "SELECT error FROM runs WHERE key = '$key'" | grep -q 'died of signal 9' || fail "no reason"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE attempts = 2")" -gt 0 ] ||
  fail "nothing was held back by the dead worker: the runs are not batched"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status IN ('done', 'diverged') AND attempts IN (1, 2)")" = 287 ] ||
  fail "crash: $(q "$db" "SELECT status, attempts, count(*) FROM runs GROUP BY 1, 2")"
[ "$(metrics "$db" | grep -v "^$key|")" = "$(metrics "$TMPDIR/j1.db" | grep -v "^$key|")" ] ||
  fail "the retrained runs' metrics differ"

# 3. --fail-fast at the first diverged run (index 240): the runs before it
#    recorded, the ones claimed ahead given back untouched
db=$TMPDIR/ff.db
expect_exit 1 "$RX" run "$tiny" --db "$db" -j 1 --fail-fast --quiet
[ "$(q "$db" "SELECT status || ' ' || count(*) FROM runs GROUP BY status ORDER BY status")" = "$(printf 'diverged 1\ndone 240\npending 47')" ] ||
  fail "fail-fast: $(q "$db" "SELECT status, count(*) FROM runs GROUP BY 1")"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'pending' AND attempts = 0 AND worker_pid IS NULL AND started IS NULL")" = 47 ] ||
  fail "claimed-ahead runs not given back: $(q "$db" "SELECT attempts, worker_pid IS NULL, count(*) FROM runs WHERE status = 'pending' GROUP BY 1, 2")"
# and a rerun trains exactly those
expect_exit 1 "$RX" run "$tiny" --db "$db" -j 2 --quiet
grep -q '288 runs: 276 done (36 now), 0 failed, 12 diverged' "$TMPDIR/out" || fail "rerun: $(cat "$TMPDIR/out")"
[ "$(metrics "$db")" = "$(metrics "$TMPDIR/j1.db")" ] || fail "rerun metrics"

# 4. --max-runs with runs claimed ahead: exactly the first N of the grid
for j in 1 2; do
  db=$TMPDIR/max$j.db
  expect_exit 1 "$RX" run "$tiny" --db "$db" -j $j --max-runs 100 --quiet
  [ "$(q "$db" "SELECT count(*) || ' ' || max(l.grid_index) FROM runs r JOIN sweep_runs l ON l.key = r.key WHERE r.status = 'done' AND attempts = 1")" = "100 99" ] &&
    [ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'pending' AND attempts = 0")" = 188 ] ||
    fail "--max-runs 100 -j $j: $(q "$db" "SELECT status, attempts, count(*) FROM runs GROUP BY 1, 2")"
done

# 5. short runs, then long ones that beat while the short ones' records
#    are held back: all recorded, each once
db=$TMPDIR/mixed.db
for j in 1 2; do
  rm -f "$db"
  expect_exit 0 "$RX" run tests/data/run/mixed.yaml --db "$db" -j $j --quiet
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'done' AND attempts = 1 AND steps_done = steps")" = 16 ] ||
    fail "mixed -j $j: $(q "$db" "SELECT status, attempts, count(*) FROM runs GROUP BY 1, 2")"
done
echo ok
