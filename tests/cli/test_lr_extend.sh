# The adaptive lr grid (rexsweep.yaml(5), ADAPTIVE LR GRID): a grid whose
# best lr is outside the spec's values extends until the chosen lr is
# interior; the spec's runs keep their keys (a store of the plain grid
# retrains nothing); the extension is deterministic and resumable, whole
# per shard; spec errors name file:line:column.
. tests/cli/lib.sh
spec=tests/data/extend/spirals.yaml
runs() { q "$1" "SELECT schedule, lr, count(*), group_concat(DISTINCT status) FROM runs GROUP BY schedule, lr ORDER BY schedule, lr"; }
keys() { q "$1" "SELECT key, status, val_acc, test_acc FROM runs ORDER BY key"; }

# plan before any run: the worst case (2 cells, 3 lrs on one side, 3 seeds)
expect_exit 0 "$RX" plan "$spec" --db "$TMPDIR/a.db"
grep -q "^adaptive lr grid: 2 tuning cells extend by up to 3 lrs per side: at most 18 extension runs" "$TMPDIR/out" ||
  { cat "$TMPDIR/out" >&2; fail "plan's worst case"; }

# one sweep: constant extends up (0.1 -> 0.3 -> 1, 0.3 interior), linear
# down (0.03 is best, 0.01 below it is worse)
expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/a.db" -j 2
grep -q "lr grid of sgd constant 100%: 0.1 is the largest lr tried; adding lr 0.3 (3 runs)" "$TMPDIR/err" ||
  { cat "$TMPDIR/err" >&2; fail "no note of the extension"; }
grep -q "lrx: 21 runs: 21 done (21 now)" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "summary"; }
runs "$TMPDIR/a.db" > "$TMPDIR/a.txt"
cat > "$TMPDIR/want.txt" <<'EOF'
constant|0.03|3|done
constant|0.1|3|done
constant|0.3|3|done
constant|1.0|3|done
linear|0.01|3|done
linear|0.03|3|done
linear|0.1|3|done
EOF
diff "$TMPDIR/want.txt" "$TMPDIR/a.txt" >&2 || fail "the extension is not the one expected"
# the report chooses the lr the extension found, interior, and does not
# warn about an edge
expect_exit 0 "$RX" report --db "$TMPDIR/a.db" --format json
grep -q '"lr_at_grid_edge"' "$TMPDIR/out" && fail "an lr-edge warning after the extension"
expect_exit 0 "$RX" report --db "$TMPDIR/a.db"
grep -Eq "constant +0.3 \(of 4\)" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "report's chosen lr"; }

# plan: the extension runs decided, by the stored results alone
expect_exit 0 "$RX" plan "$spec" --db "$TMPDIR/a.db" --limit 0
grep -q "^store: 9 extension runs decided (9 done, 0 diverged, 0 failed, 0 to run); cells: 2 interior, .* at most 0 more runs" "$TMPDIR/out" ||
  { cat "$TMPDIR/out" >&2; fail "plan after the sweep"; }
[ "$(grep -c "  done  *0.3  *sgd constant 100%, seed" "$TMPDIR/out")" -eq 3 ] || fail "plan lists the extension runs"
expect_exit 0 "$RX" plan "$spec" --db "$TMPDIR/a.db" --json
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["extension"]; assert (e["decided"], e["verdicts"]["interior"], len(e["runs"])) == (9, 2, 9), e' "$TMPDIR/out" ||
  fail "plan --json extension"

# rerun: nothing new
expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/a.db" -j 2 --quiet
grep -q "21 runs: 21 done (0 now)" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "rerun trained"; }

# a store of the plain grid: adding `extend` retrains none of its runs
sed 's/lr: {values: \[0.1, 0.03\], extend: 3}/lr: [0.1, 0.03]/' "$spec" > "$TMPDIR/plain.yaml"
grep -q "lr: \[0.1, 0.03\]}" "$TMPDIR/plain.yaml" || fail "plain spec not made"
expect_exit 0 "$RX" run "$TMPDIR/plain.yaml" --db "$TMPDIR/b.db" -j 2 --quiet
# a plain list at its edge: the warning points at the adaptive grid
grep -q "^warning: .*: the chosen lr is the largest of its grid in 1 of 2 tuned cells (constant at 100%): .*; let the grid extend itself: write the optimizer's lr as lr: {values: \[...\], extend: 2} (rexsweep.yaml(5), ADAPTIVE LR GRID)" "$TMPDIR/out" ||
  { cat "$TMPDIR/out" >&2; fail "plain grid: no advice to extend"; }
grep -q "add larger lrs" "$TMPDIR/out" && fail "plain grid: advice to add lrs by hand"
q "$TMPDIR/b.db" "SELECT key FROM runs ORDER BY key" > "$TMPDIR/plain_keys.txt"
[ "$(wc -l < "$TMPDIR/plain_keys.txt")" -eq 12 ] || fail "plain grid runs"
q "$TMPDIR/b.db" "SELECT key, ended FROM runs ORDER BY key" > "$TMPDIR/plain_ended.txt"
expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/b.db" -j 2 --quiet
grep -q "21 runs: 21 done (9 now)" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "extending a plain store"; }
q "$TMPDIR/b.db" "SELECT key, ended FROM runs WHERE key IN (SELECT key FROM runs) ORDER BY key" |
  grep -F -f "$TMPDIR/plain_keys.txt" > "$TMPDIR/after_ended.txt"
diff "$TMPDIR/plain_ended.txt" "$TMPDIR/after_ended.txt" >&2 || fail "a run of the plain grid was retrained"
keys "$TMPDIR/a.db" > "$TMPDIR/a_keys.txt"
keys "$TMPDIR/b.db" > "$TMPDIR/b_keys.txt"
diff "$TMPDIR/a_keys.txt" "$TMPDIR/b_keys.txt" >&2 || fail "the extension differs from a one-go sweep"
# the report of the extended sweep sees its extension runs (linked to it)
expect_exit 0 "$RX" report --db "$TMPDIR/b.db"
grep -Eq "constant +0.3 \(of 4\)" "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "report after extending a plain store"; }

# interrupted anywhere (here: after K runs), a rerun ends with the same runs
for k in 1 5 6 7 13 20; do
  db=$TMPDIR/k$k.db
  # at 13, the checks below want the constant cell's extension run first:
  # with -j 2 the two cells end in either order (the linear one first in
  # about 1 of 4 runs once workers held records back), so one worker there
  j=2; [ "$k" -ne 13 ] || j=1
  set +e; "$RX" run "$spec" --db "$db" -j $j --quiet --max-runs "$k" >/dev/null 2>&1; set -e
  n=$(q "$db" "SELECT count(*) FROM runs WHERE status = 'done'")
  [ "$n" -le "$k" ] || fail "--max-runs $k trained $n"
  [ "$k" -ne 13 ] || {
    # after the spec's 12 runs and one extension run: plan says what is on
    expect_exit 0 "$RX" plan "$spec" --db "$db"
    grep -q "^store: 6 extension runs decided (1 done, 0 diverged, 0 failed, 5 to run); cells: 0 interior, .* 2 extending, 0 waiting for their runs; at most 12 more runs" "$TMPDIR/out" ||
      { cat "$TMPDIR/out" >&2; fail "plan of an interrupted extension"; }
    # and the report says the grid is still extending, rather than warn
    # about an edge; check prints it as a note
    expect_exit 0 "$RX" report --db "$db" --format json
    python3 - "$TMPDIR/out" <<'PY' || fail "report of an extending grid"
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
kinds = [x["kind"] for x in w]
assert "lr_at_grid_edge" not in kinds, w
ext = [x for x in w if x["kind"] == "lr_grid_extending"]
assert len(ext) == 1 and [c["schedule"] for c in ext[0]["cells"]] == ["constant"], ext
assert "still extending (constant at 100%)" in ext[0]["text"], ext
PY
    expect_exit 3 "$RX" check --baseline "$db" --db "$db" --format json   # runs are missing
    grep -q "^note: .*: the adaptive lr grid of 1 cell is still extending (constant at 100%)" "$TMPDIR/err" ||
      { cat "$TMPDIR/err" >&2; fail "check: no note of the extending grid"; }
  }
  expect_exit 0 "$RX" run "$spec" --db "$db" -j 2 --quiet
  keys "$db" > "$TMPDIR/k.txt"
  diff "$TMPDIR/a_keys.txt" "$TMPDIR/k.txt" >&2 || fail "resumed after $k runs: another extension"
done

# shards: each holds its tuning cells whole and extends them from its own
# store; merged, the same runs as one sweep
for s in 1 2; do
  expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/s$s.db" --shard "$s/2" --quiet
done
[ "$(q "$TMPDIR/s1.db" "SELECT count(DISTINCT schedule) FROM runs")" -eq 1 ] || fail "a cell split over shards"
[ "$(q "$TMPDIR/s2.db" "SELECT count(DISTINCT schedule) FROM runs")" -eq 1 ] || fail "a cell split over shards"
expect_exit 0 "$RX" merge "$TMPDIR/m.db" "$TMPDIR/s1.db" "$TMPDIR/s2.db"
keys "$TMPDIR/m.db" > "$TMPDIR/m.txt"
diff "$TMPDIR/a_keys.txt" "$TMPDIR/m.txt" >&2 || fail "sharded extension differs"

# extend: 1 used up above: the warning says the limit was reached and to
# raise extend
sed 's/extend: 3/extend: 1/' "$spec" > "$TMPDIR/e1.yaml"
expect_exit 0 "$RX" run "$TMPDIR/e1.yaml" --db "$TMPDIR/e1.db" -j 2 --quiet
grep -q "^warning: .*: the chosen lr is the largest of its grid in 1 of 2 tuned cells (constant at 100%): .*; the adaptive grid reached its extension limit there (it added all the lrs above the spec's that its extend: 1 allows): raise extend (e.g. to 2)" "$TMPDIR/out" ||
  { cat "$TMPDIR/out" >&2; fail "extend 1: no limit warning"; }
expect_exit 0 "$RX" report --db "$TMPDIR/e1.db" --format json
python3 -c 'import json,sys; w=[x for x in json.load(open(sys.argv[1]))["warnings"] if x["kind"]=="lr_at_grid_edge"]; assert len(w)==1 and "raise extend" in w[0]["text"], w' "$TMPDIR/out" ||
  fail "extend 1: report"

# every lr diverged: the grid extends down, past divergence, to the best
cat > "$TMPDIR/div.yaml" <<'EOF'
name: lrdiv
data: {dataset: teacher, n_samples: 600, validation: 200, n_dims: 8}
model: {type: linear, loss: mse}
train: {batch_size: 32, full_epochs: 5}
optimizers:
  - {name: sgd, lr: {values: [3, 10], extend: 2, metric: loss}}
schedules: [constant]
seeds: 3
EOF
expect_exit 0 "$RX" run "$TMPDIR/div.yaml" --db "$TMPDIR/div.db" -j 2 --quiet --diverged-ok
q "$TMPDIR/div.db" "SELECT lr, group_concat(DISTINCT status) FROM runs GROUP BY lr ORDER BY lr" > "$TMPDIR/div.txt"
printf '0.3|done\n1.0|done\n3.0|diverged\n10.0|diverged\n' > "$TMPDIR/div_want.txt"
diff "$TMPDIR/div_want.txt" "$TMPDIR/div.txt" >&2 || fail "an all-diverged grid did not extend down"

# spec errors, before anything runs
printf 'name: e\noptimizers:\n  - {name: sgd, momentum: {values: [0.9], extend: 1}}\n' > "$TMPDIR/e1.yaml"
expect_exit 2 "$RX" plan "$TMPDIR/e1.yaml"
grep -q "e1.yaml:3:[0-9]*: 'momentum' in 'optimizers' cannot extend" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "extend on momentum"; }
printf 'name: e\noptimizers:\n  - {name: sgd, lr: {values: [0.1], extend: -1}}\n' > "$TMPDIR/e2.yaml"
expect_exit 2 "$RX" plan "$TMPDIR/e2.yaml"
grep -q "e2.yaml:3:.*'extend' must be a count" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "bad extend"; }
printf 'name: e\ngrid:\n  optimizer.lr: {values: [0.1, 0.3], extend: 1, metric: top5}\n' > "$TMPDIR/e3.yaml"
expect_exit 2 "$RX" plan "$TMPDIR/e3.yaml"
grep -q "e3.yaml:3:.*'metric' of an extending axis" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "bad metric"; }
printf 'name: e\ngrid:\n  optimizer.lr: {values: [0.1, 0.3], extend: 1}\n  train.seed: [1, 2]\nzip: [[optimizer.lr, train.seed]]\n' > "$TMPDIR/e4.yaml"
expect_exit 2 "$RX" plan "$TMPDIR/e4.yaml"
grep -q "cannot be zipped" "$TMPDIR/err" || { cat "$TMPDIR/err" >&2; fail "zipped extending axis"; }
# under grid: the same extension as in an optimizer entry
sed 's/  - {name: sgd, lr: {values: \[0.1, 0.03\], extend: 3}}/  - sgd\ngrid:\n  optimizer.lr: {values: [0.1, 0.03], extend: 3}/' "$spec" > "$TMPDIR/g.yaml"
grep -q "optimizer.lr: {values" "$TMPDIR/g.yaml" || fail "grid spec not made"
expect_exit 0 "$RX" run "$TMPDIR/g.yaml" --db "$TMPDIR/g.db" -j 2 --quiet
keys "$TMPDIR/g.db" > "$TMPDIR/g.txt"
diff "$TMPDIR/a_keys.txt" "$TMPDIR/g.txt" >&2 || fail "an extending grid key differs from the entry's"
