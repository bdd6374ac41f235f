# A dataset too small for its splits is an error before any training:
# exit 6 naming the split, the data and every size, in train; a failed
# run with that reason in run, while the other runs go on (exit 1); and a
# warning per run with exit 6 in plan when the configuration tells
# (synthetic sets).  data.validation 0 asks for no validation split.
. tests/cli/lib.sh
printf '1,2,0\n3,4,1\n5,6,0\n7,8,1\n' > "$TMPDIR/four.csv"
# 4 rows: the carved test set (a fifth) is empty
expect_exit 6 "$RX" train data.dataset=csv "data.path=$TMPDIR/four.csv"
grep -q "the test split of '$TMPDIR/four.csv' is empty: its 4 samples give test 0" "$TMPDIR/err" ||
  fail "csv: $(cat "$TMPDIR/err")"
[ ! -s "$TMPDIR/out" ] || fail "trained anyway: $(cat "$TMPDIR/out")"
# test 2 + validation 2 leave no training samples
expect_exit 6 "$RX" train data.dataset=csv "data.path=$TMPDIR/four.csv" data.test_subset=2 data.validation=2
grep -q "the training split of '$TMPDIR/four.csv' is empty: .* training 0" "$TMPDIR/err" ||
  fail "empty train: $(cat "$TMPDIR/err")"
# a synthetic test set of n_samples / 4 = 0
expect_exit 6 "$RX" train data.dataset=blobs data.n_samples=3
grep -q "the test split of 'blobs' is empty" "$TMPDIR/err" || fail "blobs: $(cat "$TMPDIR/err")"
# enough rows: fine
expect_exit 0 "$RX" train data.dataset=csv "data.path=$TMPDIR/four.csv" data.test_subset=1 train.full_epochs=1

# run: the tiny run fails with the reason, the other is done, exit 1
cat > "$TMPDIR/splits.yaml" <<'YAML'
name: splits
data: {dataset: blobs, validation: 0}
model: {type: mlp, hidden: [8]}
train: {batch_size: 16, full_epochs: 1}
grid:
  data.n_samples: [3, 200]
YAML
db=$TMPDIR/s.db
expect_exit 1 "$RX" run "$TMPDIR/splits.yaml" --db "$db" --quiet
[ "$(q "$db" "SELECT status FROM runs ORDER BY key" | sort | paste -sd,)" = "done,failed" ] ||
  fail "statuses: $(q "$db" "SELECT key, status FROM runs")"
q "$db" "SELECT error FROM runs WHERE status = 'failed'" | grep -q "the test split of 'blobs' is empty: its 3 samples" ||
  fail "stored reason: $(q "$db" "SELECT error FROM runs")"
[ "$(q "$db" "SELECT count(*) FROM metrics m JOIN runs r USING (key) WHERE r.status = 'failed'")" -eq 0 ] ||
  fail "a failed run has metrics"
# plan: the run that will fail is named, the plan is printed, exit 6
expect_exit 6 "$RX" plan "$TMPDIR/splits.yaml" --db "$TMPDIR/none.db"
grep -q "^rexsweep: run 0 ([0-9a-f]*) will fail: the test split of 'blobs' is empty" "$TMPDIR/err" ||
  fail "plan: $(cat "$TMPDIR/err")"
grep -q "^sweep 'splits': 2 runs" "$TMPDIR/out" || fail "plan output: $(cat "$TMPDIR/out")"
echo ok
