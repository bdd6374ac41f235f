# Protocol warnings (rexsweep-report(1), WARNINGS) from a store the tool
# wrote: a 1% budget of 6 steps, a plateau that never fires (its lr never
# moves, so it equals constant seed by seed), in run's summary, report
# (text, JSON, --min-steps) and check; a clean sweep has none.
. tests/cli/lib.sh
db=$TMPDIR/w.db
cat > "$TMPDIR/warn.yaml" <<'YAML'
name: warn
data: {dataset: spirals, n_samples: 2000, validation: 200, noise: 0.05}
model: {type: mlp, hidden: [32, 32]}
train: {batch_size: 64, full_epochs: 20}
budgets: [1%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [0.05]}
schedules: [plateau, constant]
seeds: 2
YAML
expect_exit 0 "$RX" run "$TMPDIR/warn.yaml" --db "$db" -j 2 --quiet
out=$TMPDIR/out
cp "$out" "$TMPDIR/run.out"
grep -q '^warning: spirals mlp, sgd: budget 1% spans 6 optimizer steps, fewer than 50: its 2 cells' "$out" || fail "run: few steps: $(cat "$out")"
grep -q '^warning: spirals mlp, sgd: the lr of plateau never changed in any run of the chosen lr at 1%, 100%' "$out" || fail "run: lr never changed"
grep -q '^warning: spirals mlp, sgd: plateau and constant gave identical test values, seed by seed, at 1%, 100%' "$out" || fail "run: identical"
[ "$(grep -c '^warning:' "$out")" -eq 3 ] || fail "run: want 3 warnings: $(cat "$out")"
# --json keeps standard output one JSON object; the warnings go to stderr
expect_exit 0 "$RX" run "$TMPDIR/warn.yaml" --db "$db" --json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMPDIR/out" || fail "run --json: not JSON"
grep -q '^warning: .*plateau never changed' "$TMPDIR/err" || fail "run --json: no warning on stderr"
# report: a section of the text, kinds and cells in JSON, CSV per cell
expect_exit 0 "$RX" report --db "$db"
grep -q '^== protocol warnings (3) ==$' "$out" || fail "report: no section"
expect_exit 0 "$RX" report --db "$db" --format json
python3 - "$out" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
kinds = sorted(x["kind"] for x in w)
assert kinds == ["few_steps", "identical_results", "lr_never_changed"], kinds
few = [x for x in w if x["kind"] == "few_steps"][0]
assert sorted((c["schedule"], c["budget"]) for c in few["cells"]) == [("constant", 0.01), ("plateau", 0.01)], few
static = [x for x in w if x["kind"] == "lr_never_changed"][0]
assert {c["schedule"] for c in static["cells"]} == {"plateau"} and len(static["cells"]) == 2, static
PY
expect_exit 0 "$RX" report --db "$db" --format csv
grep -q '^spirals mlp,sgd,plateau,0.01,.*,few_steps lr_never_changed identical_results$' "$out" || fail "report csv: $(cat "$out")"
expect_exit 0 "$RX" report --db "$db" --min-steps 5 --format json
python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))["warnings"]; assert "few_steps" not in [x["kind"] for x in w], w' "$out"
expect_exit 2 "$RX" report --db "$db" --min-steps 0
grep -q -- "--min-steps must be at least 1" "$TMPDIR/err" || fail "min-steps 0"
# the HTML learning curves (the store's epoch rows): one line per schedule
# at the largest budget, 20 epochs, ending at the cell's validation mean
expect_exit 0 "$RX" report --db "$db" --format html -o "$TMPDIR/w.html"
expect_exit 0 "$RX" report --db "$db" --format json -o "$TMPDIR/w.json"
python3 - "$TMPDIR/w.html" "$TMPDIR/w.json" <<'PY'
import json, re, sys
page, rep = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
m = re.search(r'<svg [^>]*id="chart-learning-0" data-kind="learning" data-series="plateau constant".*?</svg>', page, re.S)
assert m, "no learning-curve chart"
for name in ("plateau", "constant"):
    g = re.search(r'<g class="series" data-series="%s".*?</g>' % name, m.group(0), re.S).group(0)
    vals = [float(v) for v in re.findall(r"<title>%s: ([-0-9.e+]+)</title>" % name, g)]
    assert len(vals) == 20, (name, len(vals))
    cell = [c for c in rep["tables"][0]["cells"] if c["schedule"] == name and c["budget"] == 1][0]
    want = cell["lrs"][0]["val_mean"]
    assert abs(vals[-1] - want) <= 1e-3 * max(1, abs(want)), (name, vals[-1], want)
PY
expect_exit 0 "$RX" report --db "$db" --format html --curve-budget 1% -o "$TMPDIR/w1.html"
grep -q 'id="chart-learning-0"' "$TMPDIR/w1.html" || fail "--curve-budget 1%"
expect_exit 2 "$RX" report --db "$db" --format html --curve-budget 7%
grep -q -- "--curve-budget '7%': no run has that budget" "$TMPDIR/err" || fail "--curve-budget 7%"
# check: the new store's warnings close the comparison; exit status unchanged
expect_exit 0 "$RX" check --baseline "$db" --db "$db"
grep -q '^== protocol warnings (new store) ==$' "$out" || fail "check: no section"
grep -q '^warning: spirals mlp, sgd: plateau and constant gave identical' "$out" || fail "check: identical"
expect_exit 0 "$RX" check --baseline "$db" --db "$db" --format json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" || fail "check --format json: not JSON"
grep -q '^warning: ' "$TMPDIR/err" || fail "check json: warnings not on stderr"
# run's summary and check read the store a cell group at a time (never
# every run at once): their warnings must be the report's, word for word
# and in order, on this store, on the labels' stores (settings, optimizer
# and schedule labels from varying keys), and on a store whose schedule
# column disagrees with a run's configuration (a cell read in two parts:
# the whole store is read instead)
same_as_report() {
  expect_exit 0 "$RX" report --db "$1" --format json
  python3 -c 'import json,sys; [print("warning: " + w["text"]) for w in json.load(open(sys.argv[1]))["warnings"]]' \
    "$TMPDIR/out" >"$TMPDIR/want"
  [ -s "$TMPDIR/want" ] || fail "$1: the report has no warnings to compare"
  set +e; "$RX" check --baseline "$1" --db "$1" >"$TMPDIR/out" 2>"$TMPDIR/err"; set -e
  sed -n '/^== protocol warnings (new store) ==$/,$p' "$TMPDIR/out" | grep '^warning: ' >"$TMPDIR/got" || true
  diff "$TMPDIR/want" "$TMPDIR/got" >&2 || fail "$1: check's warnings are not the report's"
}
same_as_report "$db"
grep '^warning: ' "$TMPDIR/want" | diff - <(grep '^warning: ' "$TMPDIR/run.out") >&2 ||
  fail "run's summary warnings are not the report's"
for s in a b; do
  rm -f "$TMPDIR/$s.db"
  cat tests/data/store/schema.sql "tests/data/labels/$s.sql" | sqlite3 "$TMPDIR/$s.db"
  same_as_report "$TMPDIR/$s.db"
done
cp "$db" "$TMPDIR/split.db"
q "$TMPDIR/split.db" "UPDATE runs SET schedule = 'renamed' WHERE rowid = (SELECT min(rowid) FROM runs WHERE schedule = 'plateau')"
same_as_report "$TMPDIR/split.db"
# a sweep whose protocol is sound: no warning
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$TMPDIR/s.db" -j 2 --quiet
! grep -q '^warning:' "$out" || fail "clean sweep warned: $(cat "$out")"
expect_exit 0 "$RX" check --baseline "$TMPDIR/s.db" --db "$TMPDIR/s.db"
grep -A1 '^== protocol warnings (new store) ==$' "$out" | grep -q '^none$' || fail "check: want none"
echo ok
