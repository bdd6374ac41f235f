# A run's work (steps x FLOPs per step, rx_cost.h) is one number from plan
# to the store: plan --json's cost is runs.cost, and the FLOPs a done run
# records; a store of schema 5 gets runs.cost when its sweep runs again;
# status weighs its ETA by it (budget x epochs for a sweep without it);
# plan names a run whose data cannot be read and exits 6.
. tests/cli/lib.sh
spec=tests/data/run/small.yaml
db=$TMPDIR/c.db
json() { python3 -c "import json,sys; d=json.load(open('$TMPDIR/out')); print($1)"; }

expect_exit 0 "$RX" plan "$spec" --db "$db" --json
cp "$TMPDIR/out" "$TMPDIR/plan.json"
grep -q "^sweep 'small': 12 runs in 4 cells, 180 epochs in all (5220 steps, 2.24 GFLOP)" \
  <("$RX" plan "$spec" --db "$db") || fail "plan's first line: $("$RX" plan "$spec" --db "$db" | head -1)"
expect_exit 1 "$RX" run "$spec" --db "$db" --max-runs 6 -q   # 1: runs left pending
q "$db" "SELECT key, cost, steps, flops, status FROM runs" > "$TMPDIR/runs"
python3 - "$TMPDIR/plan.json" "$TMPDIR/runs" <<'PY' || fail "plan and store disagree"
import json, sys
plan = json.load(open(sys.argv[1]))
jobs = {j["key"]: j for j in plan["jobs"]}
assert plan["cost"] == sum(j["cost"] for j in jobs.values()), plan["cost"]
assert plan["steps"] == 5220, plan["steps"]
done = 0
for line in open(sys.argv[2]):
    key, cost, steps, flops, status = line.strip().split("|")
    j = jobs[key]
    assert abs(float(cost) - j["cost"]) <= 1e-14 * j["cost"], (key, cost, j["cost"])
    if status == "done":
        done += 1
        assert int(steps) == j["steps"], (key, steps, j["steps"])
        assert abs(float(flops) * 1e-9 - j["cost"]) <= 1e-12 * j["cost"], (key, flops, j["cost"])
assert done == 6, done
PY

# a store of schema 5: its runs have no cost until their sweep runs again
old=$TMPDIR/v5.db
sqlite3 "$old" < tests/data/store/v5-small.sql
expect_exit 0 "$RX" status --db "$old" --json
[ "$(q "$old" "PRAGMA user_version")" = 5 ] || fail "status migrated the file"
expect_exit 1 "$RX" run "$spec" --db "$old" --max-runs 1 -q
[ "$(q "$old" "SELECT count(*) FROM runs WHERE cost > 0")" = 12 ] ||
  fail "costs of an old store: $(q "$old" "SELECT key, cost FROM runs")"

# status: the ETA weighs the runs by their cost.  One done run (cost 10
# in 10 s), one pending (100), one in flight (50, just started, by this
# shell: alive): 150 left at 1/s.  By budget x epochs, all equal: 20 s.
eta=$TMPDIR/eta.db
expect_exit 1 "$RX" run "$spec" --db "$eta" --max-runs 1 -q
set -- $(q "$eta" "SELECT key FROM runs ORDER BY status = 'done' DESC, key LIMIT 3")
q "$eta" "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE key NOT IN ('$1', '$2', '$3')"
q "$eta" "UPDATE runs SET budget = 0.5, full_epochs = 2 WHERE 1;
  UPDATE runs SET wall = 10, cost = 10 WHERE key = '$1';
  UPDATE runs SET cost = 100 WHERE key = '$2';
  UPDATE runs SET cost = 50, status = 'running', worker_host = '$(hostname)', worker_pid = $$,
    heartbeat = unixepoch(), started = unixepoch(), steps_done = 0, steps = 100
    WHERE key = '$3'"
expect_exit 0 "$RX" status --db "$eta" --json
json 'd["stores"][0]["sweeps"][0]["eta_seconds"]' | python3 -c "import sys; e = float(sys.stdin.read()); sys.exit(not 148 <= e <= 170)" ||
  fail "eta by cost: $(cat "$TMPDIR/out")"
# the running run starts again now: the time the checks above took, seconds
# on a loaded machine, would count as its elapsed time and move the eta
q "$eta" "UPDATE runs SET cost = NULL WHERE key = '$2';
  UPDATE runs SET started = unixepoch(), heartbeat = unixepoch() WHERE key = '$3'"
expect_exit 0 "$RX" status --db "$eta" --json
json 'd["stores"][0]["sweeps"][0]["eta_seconds"]' | python3 -c "import sys; e = float(sys.stdin.read()); sys.exit(not 19 <= e <= 23)" ||
  fail "eta by epochs: $(cat "$TMPDIR/out")"

# plan: a run whose data cannot be read has no work, and will fail
cat > "$TMPDIR/nodata.yaml" <<'EOF'
name: nodata
data: {dataset: csv, path: no-such-file.csv}
model: {type: mlp, hidden: [8]}
train: {batch_size: 16, full_epochs: 1}
seeds: 2
EOF
expect_exit 6 "$RX" plan "$TMPDIR/nodata.yaml" --db "$TMPDIR/none.db"
grep -q "run 0 ([0-9a-f]*) will fail: .*no-such-file.csv" "$TMPDIR/err" || fail "no data: $(cat "$TMPDIR/err")"
grep -q "2 runs in 1 cell, 2 epochs in all (0 steps, 0 GFLOP)" "$TMPDIR/out" || fail "no data plan: $(cat "$TMPDIR/out")"
echo ok
