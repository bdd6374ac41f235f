#!/usr/bin/env bash
# check: exit 0 (no regression), 1 (regression), 2 (usage), 3 (missing or
# not comparable) on hand-made stores, and a JUnit file that is valid XML
# with the right counts.
set -eu
cd "$(dirname "$0")/../.."
. tests/cli/lib_report.sh
T=${TMPDIR:-/tmp}

# base_sql [SKIP_CELL] [WORSE_CELL DELTA] [SEED0] [STATUS_OF_LAST]
# rex, linear, cosine x 25%, 100%; sgd lr 0.1; three seeds; error ~ 10%.
base_sql() {
  local skip=${1:-} worse=${2:-} delta=${3:-0} seed0=${4:-0} last=${5:-done}
  sql_sweep 1 nightly
  local n=0 s b k acc st
  for s in rex linear cosine; do
    for b in 0.25 1; do
      [ "$s/$b" = "$skip" ] && continue
      for k in 0 1 2; do
        acc=$(awk -v s=$s -v b=$b -v k=$k -v d=0 'BEGIN {
          base = (s == "rex") ? 0.90 : (s == "linear") ? 0.89 : 0.88
          if (b == 1) base += 0.02
          printf "%.6f", base + 0.002 * (k - 1) }')
        [ "$s/$b" = "$worse" ] && acc=$(awk -v a=$acc -v d=$delta 'BEGIN { printf "%.6f", a - d / 100 }')
        st=done
        [ "$s/$b/$k" = "rex/1/2" ] && st=$last
        if [ $st = done ]; then
          sql_run 1 $n $s sgd $b 0.1 $((seed0 + k)) $st $acc $acc
        else
          sql_run 1 $n $s sgd $b 0.1 $((seed0 + k)) $st NULL NULL
        fi
        n=$((n + 1))
      done
    done
  done
}

base_sql | make_store "$T/base.db"
base_sql | make_store "$T/same.db"
base_sql "" linear/0.25 2 | make_store "$T/worse.db"
base_sql cosine/1 | make_store "$T/missing.db"
base_sql "" "" 0 0 pending | make_store "$T/pending.db"
base_sql "" "" 0 0 diverged | make_store "$T/diverged.db"
base_sql "" "" 7 | make_store "$T/seeds.db"

expect() {   # expect CODE ARGS...: runs check, asserts its exit status
  local want=$1; shift
  set +e
  "$REXSWEEP" check "$@" >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  if [ $got -ne $want ]; then
    echo "check $*: exit $got, want $want"; cat "$T/out" "$T/err"; exit 1
  fi
}

# junit FILE TESTS FAILURES ERRORS: valid XML with these counts
junit() {
  python3 - "$@" <<'PY'
import sys, xml.dom.minidom
path, tests, failures, errors = sys.argv[1], *map(int, sys.argv[2:])
doc = xml.dom.minidom.parse(path)
suite = doc.getElementsByTagName("testsuite")[0]
cases = doc.getElementsByTagName("testcase")
got = (len(cases), len(doc.getElementsByTagName("failure")), len(doc.getElementsByTagName("error")))
attrs = tuple(int(suite.getAttribute(a)) for a in ("tests", "failures", "errors"))
want = (tests, failures, errors)
assert got == want, f"{path}: elements {got}, want {want}"
assert attrs == want, f"{path}: attributes {attrs}, want {want}"
PY
}

# 0: the same results
expect 0 --baseline "$T/base.db" --db "$T/same.db" --junit "$T/j0.xml"
grep -q "6 cells: 6 ok, 0 improved, 0 regressed, 0 missing, 0 not comparable; no regression (exit 0)" "$T/out"
junit "$T/j0.xml" 6 0 0

# 1: linear at 25% is 2 points worse
expect 1 --baseline "$T/base.db" --db "$T/worse.db" --abs 0.5 --junit "$T/j1.xml" --format markdown
grep -q '^| setting | optimizer | schedule | budget | lr | match | baseline | new | delta | allowed | verdict | note |$' "$T/out"
grep -q '| linear | 25% | 0.1 | key | 11.00 ± 0.20 (3) | 13.00 ± 0.20 (3) | +2.00 | 0.50 | REGRESSED | worse by 2.00, more than the 0.50 allowed |' "$T/out"
grep -q 'REGRESSION (exit 1)' "$T/out"
# ready for a pull-request comment: the verdict, then the regressions,
# then the whole table folded
sed -n 3p "$T/out" | grep -q '^\*\*6 cells: 5 ok, 0 improved, 1 regressed.*REGRESSION (exit 1)\*\*$' ||
  { echo "markdown: no verdict first: $(head -5 "$T/out")"; exit 1; }
sed -n 5p "$T/out" | grep -q '^- REGRESSED: .* linear 25% lr 0.1: worse by 2.00' ||
  { echo "markdown: no regression second: $(head -6 "$T/out")"; exit 1; }
[ "$(grep -n '^<details><summary>all 6 cells</summary>$' "$T/out" | cut -d: -f1)" -lt \
  "$(grep -n '^| setting |' "$T/out" | cut -d: -f1)" ] && grep -q '^</details>$' "$T/out" ||
  { echo "markdown: table not folded: $(cat "$T/out")"; exit 1; }
junit "$T/j1.xml" 6 1 0
# ... within a wide enough margin it passes
expect 0 --baseline "$T/base.db" --db "$T/worse.db" --abs 2.5
expect 0 --baseline "$T/base.db" --db "$T/worse.db" --rel 0.2
expect 1 --baseline "$T/base.db" --db "$T/worse.db" --rel 0.1
# ... and with the seeds' spread: std 0.2 points, 2 points is 10 sigma
expect 1 --baseline "$T/base.db" --db "$T/worse.db" --sigma 5
expect 0 --baseline "$T/base.db" --db "$T/worse.db" --sigma 11
# the other way round it is an improvement, not a failure
expect 0 --baseline "$T/worse.db" --db "$T/base.db"
grep -q "1 improved" "$T/out"
# accuracy is checked in the right direction too
expect 1 --baseline "$T/base.db" --db "$T/worse.db" --metric acc --abs 0.5

# 3: a cell missing from the new store, or from the baseline
expect 3 --baseline "$T/base.db" --db "$T/missing.db" --junit "$T/j3.xml"
grep -q "MISSING: spirals mlp sgd cosine 100% lr 0.1: missing from the new store (3 baseline runs)" "$T/out"
junit "$T/j3.xml" 6 0 1
expect 3 --baseline "$T/missing.db" --db "$T/base.db"
grep -q "not in the baseline" "$T/out"
# an unfinished run is missing, never a pass
expect 3 --baseline "$T/base.db" --db "$T/pending.db" --junit "$T/jp.xml"
grep -q "new store: 0 failed and 1 unfinished of 3 runs" "$T/out"
junit "$T/jp.xml" 6 0 1
# a regression outranks a missing cell
base_sql cosine/1 linear/0.25 2 | make_store "$T/both.db"
expect 1 --baseline "$T/base.db" --db "$T/both.db" --abs 0.5
# a run that diverged where the baseline did not is a regression
expect 1 --baseline "$T/base.db" --db "$T/diverged.db" --abs 5
grep -q "1 of 3 runs diverged (baseline: 0 of 3)" "$T/out"
# another sweep name: everything is missing
expect 3 --baseline "$T/base.db" --db "$T/same.db" --sweep nosuch
grep -q "no sweep named 'nosuch'" "$T/err"
# no baseline store at all
expect 3 --baseline "$T/nothing.db" --db "$T/same.db"
grep -q "no baseline store at '$T/nothing.db'" "$T/err"

# other seeds: matched by cell, compared on the means
expect 0 --baseline "$T/base.db" --db "$T/seeds.db" --abs 0.01
grep -q " cell " "$T/out"
grep -q "6 ok" "$T/out"

# json
expect 1 --baseline "$T/base.db" --db "$T/worse.db" --format json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit"] == 1 and d["counts"]["regressed"] == 1 and len(d["cells"]) == 6, d["counts"]
bad = [c for c in d["cells"] if c["verdict"] == "regressed"]
assert bad[0]["schedule"] == "linear" and abs(bad[0]["delta"] - 2) < 1e-6, bad
' "$T/out"

# 2: usage
expect 2 --db "$T/same.db"
grep -q "check needs --baseline" "$T/err"
expect 2 --baseline "$T/base.db" --db "$T/same.db" --abs -1
expect 2 --baseline "$T/base.db" --db "$T/same.db" --format html
expect 2 --baseline "$T/base.db" --db "$T/same.db" --metric nope
expect 2 --baseline "$T/base.db" --db "$T/same.db" --bogus
expect 2 --baseline "$T/base.db" --db "$T/same.db" extra
"$REXSWEEP" check --help | grep -q -- "--sigma K"

# ---- the nightly workflow of rexsweep-check(1), on a tiny real sweep ----
"$REXSWEEP" plan sweeps/nightly.yaml | grep -q "^sweep 'nightly': 48 runs" || { echo "nightly.yaml"; exit 1; }
cat >"$T/tiny.yaml" <<'YAML'
name: tiny
data: {dataset: spirals, n_samples: 400, validation: 100}
model: {type: mlp, hidden: [16]}
train: {batch_size: 32, full_epochs: 3}
budgets: [34%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [0.1, 0.03]}
schedules: [rex, linear, step, {name: plateau, patience: 1}]
seeds: 2
YAML
"$REXSWEEP" run "$T/tiny.yaml" -j 2 --quiet --db "$T/night1.db" >/dev/null
sqlite3 "$T/night1.db" ".backup $T/baseline.db"
"$REXSWEEP" run "$T/tiny.yaml" -j 2 --quiet --db "$T/night2.db" >/dev/null
# training is deterministic: the same numbers, matched by run key
expect 0 --baseline "$T/baseline.db" --db "$T/night2.db" --format markdown --junit "$T/jn.xml"
grep -q "16 cells: 16 ok, 0 improved, 0 regressed, 0 missing, 0 not comparable; no regression (exit 0)" "$T/out"
[ "$(grep -c '| key |' "$T/out")" -eq 16 ] || { echo "not matched by key"; exit 1; }
junit "$T/jn.xml" 16 0 0
# a run lost from the new store is caught
sqlite3 "$T/night2.db" "UPDATE runs SET status = 'interrupted' WHERE rowid = (SELECT min(rowid) FROM runs)"
expect 3 --baseline "$T/baseline.db" --db "$T/night2.db"
"$REXSWEEP" report --db "$T/night1.db" --format html -o "$T/night.html"
grep -q 'id="chart-lr" data-kind="lr" data-series="rex linear step plateau"' "$T/night.html" ||
  { echo "lr curves of a real sweep"; exit 1; }
echo "check: ok"
