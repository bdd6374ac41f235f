# rexsweep run: a sweep, a rerun that skips, exit codes and the summary.
. tests/cli/lib.sh
db=$TMPDIR/s.db
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$db" -j 2
grep -q '^small: 12 runs: 12 done (12 now), 0 failed' "$TMPDIR/out" || fail "summary: $(cat "$TMPDIR/out")"
[ "$(grep -c '^done ' "$TMPDIR/out")" -eq 12 ] || fail "want one line per finished run"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done' AND attempts=1")" -eq 12 ] || fail "runs not done once"
[ "$(q "$db" "PRAGMA integrity_check")" = ok ] || fail integrity
# every run's schedule spans its own budget: the steps of a 50% run are
# half (rounded up) of the 100% run's
[ "$(q "$db" "SELECT DISTINCT steps FROM runs WHERE budget=0.5")" -eq 290 ] || fail "50% steps"
[ "$(q "$db" "SELECT DISTINCT steps FROM runs WHERE budget=1.0")" -eq 580 ] || fail "100% steps"
# a rerun skips everything
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$db" -j 2 --json
grep -q '"done":12,"done_now":0' "$TMPDIR/out" || fail "rerun: $(cat "$TMPDIR/out")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="ok", d' "$TMPDIR/out"
# a changed spec adds only the new runs
sed 's/seeds: 3/seeds: 4/' tests/data/run/small.yaml > "$TMPDIR/small4.yaml"
expect_exit 0 "$RX" run "$TMPDIR/small4.yaml" --db "$db" --quiet
grep -q '16 runs: 16 done (4 now)' "$TMPDIR/out" || fail "changed spec: $(cat "$TMPDIR/out")"
# --max-runs leaves the rest pending and says so with exit 1
expect_exit 1 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/m.db" --max-runs 5 --quiet
grep -q '5 done (5 now).* 7 pending' "$TMPDIR/out" || fail "max-runs: $(cat "$TMPDIR/out")"
# --max-runs 0 used to train everything: it is refused, nothing written
expect_exit 2 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/m0.db" --max-runs 0
grep -q "rexsweep plan" "$TMPDIR/err" || fail "max-runs 0: $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/m0.db" ] || fail "--max-runs 0 created the store"
# --json escapes what it prints (a quote and a backslash in the store path)
mkdir -p "$TMPDIR/a\"b\\c"
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/a\"b\\c/j.db" --max-runs 12 --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["store"].endswith("a\"b\\c/j.db"), d' \
  "$TMPDIR/out" || fail "--json: $(cat "$TMPDIR/out")"
# --set of a key that the spec sweeps is an error, as in a spec (it used
# to replace the axis silently); plan takes --set too, with the same keys
for kv in train.budget=0.5 train.seed=3 schedule.name=rex; do
  expect_exit 2 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/set.db" --set "$kv"
  grep -q "'${kv%%=*}' is swept by '.*' at tests/data/run/small.yaml:[0-9]*:[0-9]*" "$TMPDIR/err" ||
    fail "--set $kv: $(cat "$TMPDIR/err")"
  expect_exit 2 "$RX" plan tests/data/run/small.yaml --set "$kv"
done
[ ! -e "$TMPDIR/set.db" ] || fail "a refused --set wrote the store"
expect_exit 0 "$RX" plan tests/data/run/small.yaml --set train.full_epochs=2 --json
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][0]["key"])' "$TMPDIR/out" > "$TMPDIR/k1"
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/set.db" --set train.full_epochs=2 --quiet
[ "$(q "$TMPDIR/set.db" "SELECT count(*) FROM runs WHERE key = '$(cat "$TMPDIR/k1")'")" = 1 ] ||
  fail "plan --set and run --set disagree on the keys"
# a bad spec: exit 2, file:line:column, nothing written
printf 'name: bad\ntrain: {batchsize: 3}\n' > "$TMPDIR/bad.yaml"
expect_exit 2 "$RX" run "$TMPDIR/bad.yaml" --db "$TMPDIR/none.db"
grep -q "bad.yaml:2:" "$TMPDIR/err" || fail "no location: $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/none.db" ] || fail "a bad spec created the store"
# usage errors
expect_exit 2 "$RX" run
expect_exit 2 "$RX" run tests/data/run/small.yaml --no-such-option
expect_exit 2 "$RX" run tests/data/run/small.yaml --shard 4/3
# an unwritable store: exit 4
expect_exit 4 "$RX" run tests/data/run/small.yaml --db /proc/no/such/dir/x.db
echo ok
