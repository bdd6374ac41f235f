#!/usr/bin/env bash
# docs/rex-paper.md is generated from the committed store: regenerate the page,
# README.md's summary and the figures from results/rex-paper.db with
# docs/rex-paper.sh, and diff them with the committed files, byte for byte.
# Then rexsweep verify retrains a sample of the committed runs (the first
# done run, by key, of each of the three smallest budgets) and matches every
# bit; and the specs of the replication plan.
set -eu
. "$(dirname "$0")/lib.sh"
db=results/rex-paper.db
[ -f "$db" ] || fail "no committed store at $db"

# A copy: reading a WAL store leaves -shm files beside it, and the checkout
# stays untouched.  The generator names the store results/<its file name>.
w=$TMPDIR/w
mkdir -p "$w/docs" "$w/results"
cp docs/rex-paper.md docs/rex-paper-reference.md docs/rex-paper.sh "$w/docs/"
cp -r docs/rex-paper "$w/docs/rex-paper.committed"
cp README.md "$w/README.md"
cp "$db" "$w/results/rex-paper.db"
(cd "$w" && REXSWEEP=$RX bash docs/rex-paper.sh -p docs/rex-paper.md -r README.md \
   -f docs/rex-paper results/rex-paper.db) >"$TMPDIR/out" 2>"$TMPDIR/err" ||
  { cat "$TMPDIR/err" >&2; fail "docs/rex-paper.sh failed"; }
diff -u docs/rex-paper.md "$w/docs/rex-paper.md" >&2 ||
  fail "docs/rex-paper.md differs from what docs/rex-paper.sh makes of $db (run make paper-page)"
diff -u README.md "$w/README.md" >&2 || fail "README.md's generated summary differs (run make paper-page)"
diff -r "$w/docs/rex-paper.committed" "$w/docs/rex-paper" >&2 || fail "the figures differ (run make paper-page)"
# every figure the page shows is committed, and only those
for f in $(grep -o '](rex-paper/[^)]*\.svg)' docs/rex-paper.md | sed 's/^](rex-paper\///; s/)$//'); do
  [ -f "docs/rex-paper/$f" ] || fail "the page shows docs/rex-paper/$f, which is not committed"
done
[ "$(ls docs/rex-paper | wc -l)" -eq "$(grep -c '](rex-paper/[^)]*\.svg)' docs/rex-paper.md)" ] ||
  fail "docs/rex-paper holds figures the page does not show"
# no machine paths on the page
! grep -n '/work/\|/home/\|/tmp/\|/usr/' docs/rex-paper.md >&2 || fail "a machine path on the page"

# verify: the bits of committed runs come back on this machine's kernel.
# Bits are per OpenBLAS kernel (tests/data/train/golden.txt): on another
# kernel the sample cannot match, and the test says so instead.
cat >"$TMPDIR/probe.yaml" <<'YAML'
name: probe
data: {dataset: spirals, n_samples: 64}
train: {full_epochs: 1}
YAML
"$RX" run "$TMPDIR/probe.yaml" --db "$TMPDIR/probe.db" --quiet >/dev/null 2>&1 || fail "probe run"
here=$(q "$TMPDIR/probe.db" "SELECT blas_core FROM provenance;")
theirs=$(q "$w/results/rex-paper.db" "SELECT group_concat(DISTINCT blas_core) FROM run_provenance WHERE status = 'done';")
keys=$(q "$w/results/rex-paper.db" "
  SELECT min(key) FROM sweep_results WHERE sweep = 'rex-paper' AND status = 'done'
   GROUP BY budget ORDER BY budget LIMIT 3;")
[ "$(echo "$keys" | wc -w)" -eq 3 ] || fail "fewer than 3 budgets with done runs in $db"
if [ "$here" = "$theirs" ]; then
  expect_exit 0 "$RX" verify --db "$w/results/rex-paper.db" $keys
  grep -q 'verify: 3 of 3 runs match' "$TMPDIR/out" || { cat "$TMPDIR/out" >&2; fail "verify summary"; }
else
  echo "skip verify: OpenBLAS kernel '$here' here, '$theirs' in $db (bits are per kernel)"
fi

# the replication's specs plan (the cluster ones are only planned here)
expect_exit 0 "$RX" plan sweeps/rex-paper.yaml --db "$TMPDIR/none.db"
grep -q "^sweep 'rex-paper': 1980 runs in 396 cells" "$TMPDIR/out" || fail "rex-paper's grid"
expect_exit 0 "$RX" plan sweeps/rex-paper-full.yaml --db "$TMPDIR/none.db"
grep -q "^sweep 'rex-paper-full': 3960 runs in 792 cells" "$TMPDIR/out" || fail "rex-paper-full's grid"
expect_exit 0 "$RX" plan sweeps/rex-paper-full-vae.yaml --db "$TMPDIR/none.db"
grep -q "^sweep 'rex-paper-full-vae': 1980 runs in 396 cells" "$TMPDIR/out" || fail "rex-paper-full-vae's grid"
echo ok
