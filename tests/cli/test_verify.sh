# verify trains stored runs again and compares every recorded value bit
# for bit: a clean store matches, a tampered one is caught run by run.
. tests/cli/lib.sh
db=$TMPDIR/v.db
spec=tests/data/run/small.yaml
"$RX" run "$spec" --db "$db" --set train.log_every=5 -j 2 -q >/dev/null
[ "$(q "$db" "SELECT count(*) FROM step_metrics")" -gt 0 ] || fail "no step rows recorded"

expect_exit 0 "$RX" verify --db "$db" --all
grep -q '^verify: 12 of 12 runs match, 0 differ, 0 errors' "$TMPDIR/out" || fail "clean store: $(cat "$TMPDIR/out")"
grep -q 'step rows' "$TMPDIR/out" || fail "no step rows compared"
expect_exit 0 "$RX" verify --db "$db" --json
python3 - "$TMPDIR/out" <<'PY' || fail "json: $(cat "$TMPDIR/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and d["match"] == 5 and len(d["runs"]) == 5, d
assert all(r["verdict"] == "match" and r["step_rows"] > 0 and r["compared"] > 100 for r in d["runs"])
PY

# the sample is deterministic, and --seed picks another one
"$RX" verify --db "$db" --sample 3 --seed 4 | grep -oE '^match +[0-9a-f]{16}' > "$TMPDIR/s1"
"$RX" verify --db "$db" --sample 3 --seed 4 | grep -oE '^match +[0-9a-f]{16}' > "$TMPDIR/s2"
[ "$(wc -l < "$TMPDIR/s1")" = 3 ] && cmp -s "$TMPDIR/s1" "$TMPDIR/s2" || fail "sample not deterministic"
"$RX" verify --db "$db" --sample 3 --seed 5 | grep -oE '^match +[0-9a-f]{16}' > "$TMPDIR/s3"
cmp -s "$TMPDIR/s1" "$TMPDIR/s3" && fail "--seed does not change the sample"
expect_exit 0 "$RX" verify --db "$db" --sample 50
grep -q '^verify: 12 of 12' "$TMPDIR/out" || fail "a sample larger than the store"

# tampering: a final metric, an epoch row, a step row, a configuration
k1=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 1")
k2=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 5")
k3=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 9")
k4=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 11")
# and final_lr (schema step 5): every metric of the metric-column table
k5=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 3")
q "$db" "UPDATE runs SET final_lr = final_lr * 3 WHERE key = '$k5';
         UPDATE runs SET test_acc = test_acc + 1e-15 WHERE key = '$k1';
         UPDATE metrics SET val_loss = 0.25 WHERE key = '$k2' AND epoch = 3;
         UPDATE step_metrics SET grad_norm = grad_norm * 2 WHERE key = '$k3' AND step = 10;
         UPDATE runs SET config = replace(config, '\"lr\":0.05', '\"lr\":0.5') WHERE key = '$k4'"
expect_exit 1 "$RX" verify --db "$db" --all
grep -q '^verify: 7 of 12 runs match, 5 differ' "$TMPDIR/out" || fail "tampered: $(cat "$TMPDIR/out")"
grep -A1 "^differs  $k5" "$TMPDIR/out" | grep -q 'final_lr  *stored' || fail "final_lr: $(cat "$TMPDIR/out")"
grep -A1 "^differs  $k1" "$TMPDIR/out" | grep -q 'test_acc  *stored' || fail "test_acc: $(cat "$TMPDIR/out")"
grep -A1 "^differs  $k2" "$TMPDIR/out" | grep -q 'epoch 3 val_loss  *stored 0.25 ' || fail "epoch row"
grep -A1 "^differs  $k3" "$TMPDIR/out" | grep -q 'step 10 grad_norm' || fail "step row"
grep -A1 "^differs  $k4" "$TMPDIR/out" | grep -q 'config  *stored does not match the run' || fail "config"
# by key (a unique prefix), quiet, json
expect_exit 1 "$RX" verify --db "$db" --quiet "${k1:0:8}" "$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1")"
[ "$(grep -c '^differs' "$TMPDIR/out")" = 1 ] && ! grep -q '^match' "$TMPDIR/out" || fail "quiet: $(cat "$TMPDIR/out")"
expect_exit 1 "$RX" verify --db "$db" --json "$k2"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="differs" and d["runs"][0]["diffs"][0]["what"]=="epoch 3 val_loss", d' "$TMPDIR/out" || fail "json diff"

# usage
expect_exit 2 "$RX" verify --db "$db" --all "$k1"
expect_exit 2 "$RX" verify --db "$db" --sample 0
expect_exit 2 "$RX" verify --db "$db" ffffffffffffffff
grep -q "no run 'ffffffffffffffff'" "$TMPDIR/err" || fail "unknown key: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" verify --db "$db" ""
expect_exit 2 "$RX" verify --db ""
expect_exit 4 "$RX" verify --db "$TMPDIR/none.db"
# the store is never written
sum=$(md5sum < "$db")
"$RX" verify --db "$db" --all -q >/dev/null || true
[ "$(md5sum < "$db")" = "$sum" ] || fail "verify wrote to the store"

# a diverged run is a result too, and verifies
d=$TMPDIR/d.db
"$RX" run tests/data/run/diverge.yaml --db "$d" -q >/dev/null || true
kd=$(q "$d" "SELECT key FROM runs WHERE status = 'diverged' LIMIT 1")
[ -n "$kd" ] || fail "no diverged run"
expect_exit 0 "$RX" verify --db "$d" "$kd"
echo ok
