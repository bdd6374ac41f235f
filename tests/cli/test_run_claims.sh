# Workers claim only the runs of their own invocation (issue 11): one spec
# run with different --set values, and two shards of one spec, share a
# store without leaving runs `running` or discarding a status.
. tests/cli/lib.sh
spec=tests/data/run/small.yaml

# --set: the first invocation stops after 2 runs, the second (another
# batch size, so 12 other runs) must do its own 12 and leave the first
# invocation's 10 pending runs alone.
db=$TMPDIR/set.db
expect_exit 1 "$RX" run "$spec" --db "$db" --set train.batch_size=32 --max-runs 2 --quiet
expect_exit 0 "$RX" run "$spec" --db "$db" --set train.batch_size=128 --quiet
grep -q '12 runs: 12 done (12 now)' "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "--set 128 summary"; }
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='running'")" -eq 0 ] || fail "runs left running"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE batch_size=128 AND status='done' AND attempts=1")" -eq 12 ] \
  || fail "the batch 128 runs are not done exactly once"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE batch_size=32 AND status='pending' AND attempts=0")" -eq 10 ] \
  || fail "the batch 32 runs were touched: $(q "$db" "SELECT status, attempts, count(*) FROM runs WHERE batch_size=32 GROUP BY 1, 2")"
# the overrides are part of the sweep's identity: two sweeps, 12 runs each
[ "$(q "$db" "SELECT group_concat(n_runs) FROM sweep_status")" = "12,12" ] \
  || fail "sweeps: $(q "$db" "SELECT sweep_id, n_runs FROM sweep_status")"
# and the first invocation resumes its own runs
expect_exit 0 "$RX" run "$spec" --db "$db" --set train.batch_size=32 --quiet
grep -q '12 runs: 12 done (10 now)' "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "--set 32 resume"; }

# Two concurrent shards on one store: both complete, every run done once.
db=$TMPDIR/shard.db
sed 's/seeds: 3/seeds: 6/' tests/data/run/slow.yaml > "$TMPDIR/s.yaml"
"$RX" run "$TMPDIR/s.yaml" --db "$db" --shard 1/2 --quiet >"$TMPDIR/o1" 2>"$TMPDIR/e1" & p1=$!
"$RX" run "$TMPDIR/s.yaml" --db "$db" --shard 2/2 --quiet >"$TMPDIR/o2" 2>"$TMPDIR/e2" & p2=$!
set +e; wait $p1; c1=$?; wait $p2; c2=$?; set -e
[ "$c1" -eq 0 ] && [ "$c2" -eq 0 ] || { cat "$TMPDIR"/[oe][12] >&2; fail "shards exited $c1 and $c2, want 0 and 0"; }
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done' AND attempts=1")" -eq 24 ] \
  || fail "not every run done exactly once: $(q "$db" "SELECT status, attempts, count(*) FROM runs GROUP BY 1, 2")"
n1=$(sed -n 's/.*done (\([0-9]*\) now).*/\1/p' "$TMPDIR/o1")
n2=$(sed -n 's/.*done (\([0-9]*\) now).*/\1/p' "$TMPDIR/o2")
[ $((n1 + n2)) -eq 24 ] || fail "the shards trained $n1 + $n2 runs, want 24"

# A run held by a live worker elsewhere is counted as running, not pending,
# and the invocation is incomplete (exit 1).
db=$TMPDIR/held.db
expect_exit 1 "$RX" run "$spec" --db "$db" --max-runs 1 --quiet
q "$db" "UPDATE runs SET status='running', worker_host='elsewhere', worker_pid=1, heartbeat=unixepoch('now') WHERE status='pending' AND seed=2"
expect_exit 1 "$RX" run "$spec" --db "$db" --quiet
grep -q ', 4 running' "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "runs running elsewhere not counted as running"; }
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='running' AND worker_host='elsewhere' AND attempts=0")" -eq 4 ] \
  || fail "a run held elsewhere was touched"

# Claim order is grid order, also on resume and within a shard: the first
# runs started are the first of the grid; an interrupted run comes back
# before the later ones.
db=$TMPDIR/order.db
order() { q "$db" "SELECT group_concat(grid_index, ' ') FROM (SELECT l.grid_index FROM sweep_runs l JOIN runs r ON r.key = l.key WHERE r.status <> 'pending' ORDER BY r.started, l.grid_index)"; }
expect_exit 1 "$RX" run "$spec" --db "$db" --max-runs 5 --quiet
[ "$(order)" = "0 1 2 3 4" ] || fail "first runs: $(order)"
q "$db" "UPDATE runs SET status='interrupted', started=NULL WHERE key IN (SELECT key FROM sweep_runs WHERE grid_index=2)"
expect_exit 0 "$RX" run "$spec" --db "$db" --quiet
[ "$(order)" = "0 1 3 4 2 5 6 7 8 9 10 11" ] || fail "resumed order: $(order)"
db=$TMPDIR/order2.db
expect_exit 0 "$RX" run "$spec" --db "$db" --shard 2/3 --quiet
o=$(order)
[ "$o" = "$(echo "$o" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" ] || fail "shard order: $o"
echo ok
