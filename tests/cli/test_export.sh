#!/usr/bin/env bash
# export: runs (and per-epoch metrics) as CSV and JSON, whole store or one
# sweep; usage errors.
set -eu
cd "$(dirname "$0")/../.."
. tests/cli/lib_report.sh
T=${TMPDIR:-/tmp}

fail() { echo "FAIL: $*"; exit 1; }

{
  sql_sweep 1 one
  sql_sweep 2 two
  sql_run 1 0 rex sgd 0.5 0.1 0 done 0.9 0.91
  sql_run 1 1 rex sgd 0.5 0.1 1 diverged "'NaN'" NULL
  sql_run 2 0 linear adam 1 0.001 0 done 0.8 0.81
  echo "INSERT INTO metrics (key, epoch, step, samples, train_loss, lr)
        SELECT key, e, e * 25, e * 800, CASE WHEN status = 'diverged' AND e = 2 THEN 'NaN' ELSE 1.0 / e END, 0.1
        FROM runs, (SELECT 1 AS e UNION SELECT 2) WHERE schedule = 'rex';"
} | make_store "$T/x.db"

# CSV, every run: a header and one line per run
"$REXSWEEP" export --db "$T/x.db" --format csv >"$T/runs.csv"
[ "$(wc -l <"$T/runs.csv")" -eq 4 ] || fail "csv lines"
head -1 "$T/runs.csv" | grep -q '^key,cell,dataset,model,optimizer,lr,' || fail "csv header"
python3 - "$T/runs.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert sorted(r["schedule"] for r in rows) == ["linear", "rex", "rex"], rows
div = [r for r in rows if r["status"] == "diverged"][0]
assert div["test_acc"] == "" and div["schedule_json"] == '{"name":"rex","sampling":"iteration"}', div
PY
# one sweep, in grid order
"$REXSWEEP" export --db "$T/x.db" --sweep one --format csv -o "$T/one.csv"
[ "$(wc -l <"$T/one.csv")" -eq 3 ] || fail "--sweep csv lines"
head -1 "$T/one.csv" | grep -q '^sweep,sweep_id,grid_index,key,' || fail "--sweep csv header"
# per-epoch metrics: one line per run and epoch
"$REXSWEEP" export --db "$T/x.db" --sweep one --format csv --metrics >"$T/m.csv"
[ "$(wc -l <"$T/m.csv")" -eq 5 ] || fail "--metrics csv lines"
head -1 "$T/m.csv" | grep -q ',epoch,step,samples,train_loss,' || fail "--metrics header"
# JSON, with the metrics nested per run
"$REXSWEEP" export --db "$T/x.db" --format json --metrics >"$T/all.json"
python3 - "$T/all.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["sweep"] is None and len(d["runs"]) == 3, d
by = {(r["schedule"], r["seed"]): r for r in d["runs"]}
assert [m["epoch"] for m in by[("rex", 0)]["metrics"]] == [1, 2]
assert by[("rex", 0)]["metrics"][1]["train_loss"] == 0.5
assert by[("rex", 1)]["metrics"][1]["train_loss"] is None      # NaN: not JSON
assert by[("linear", 0)]["metrics"] == []
assert by[("rex", 0)]["test_acc"] == 0.9 and by[("rex", 0)]["status"] == "done"
PY
"$REXSWEEP" export --db "$T/x.db" --format json --sweep two |
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["sweep"]=="two" and [r["schedule"] for r in d["runs"]]==["linear"] and "metrics" not in d["runs"][0], d'

# --config: each run's configuration, nested in JSON (as runs.config
# holds it), a column per key in CSV; a damaged one is null, not bad JSON
"$REXSWEEP" run tests/data/run/small.yaml --db "$T/c.db" -q --max-runs 3 >/dev/null 2>&1 || true
sqlite3 "$T/c.db" "UPDATE runs SET config = '{bad' WHERE key = (SELECT max(key) FROM runs)"
sqlite3 -separator ' ' "$T/c.db" "SELECT key, config FROM runs" >"$T/configs"
for m in "" --metrics; do
  # shellcheck disable=SC2086
  "$REXSWEEP" export --db "$T/c.db" --format json --config --sweep small $m >"$T/c.json"
  python3 - "$T/c.json" "$T/configs" "$m" <<'PY' || fail "export --config json $m"
import json, sys
d = json.load(open(sys.argv[1]))
want = {}
for line in open(sys.argv[2]):
    key, cfg = line.rstrip("\n").split(" ", 1)
    want[key] = None if cfg == "{bad" else json.loads(cfg)
assert len(d["runs"]) == 12 == len(want), len(d["runs"])
for r in d["runs"]:
    assert r["config"] == want[r["key"]], r["key"]
    assert ("metrics" in r) == (sys.argv[3] == "--metrics")
assert sum(r["config"] is None for r in d["runs"]) == 1
assert d["runs"][0]["config"]["model"]["hidden"] == [32, 32]
PY
done
"$REXSWEEP" export --db "$T/c.db" --format csv --config >"$T/c.csv"
python3 - "$T/c.csv" "$T/configs" <<'PY' || fail "export --config csv"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = {}
for line in open(sys.argv[2]):
    key, cfg = line.rstrip("\n").split(" ", 1)
    want[key] = None if cfg == "{bad" else json.loads(cfg)
assert len(rows) == 12
cols = [c for c in rows[0] if c.startswith("config.")]
assert cols == sorted(cols) and "config.model.hidden" in cols and "config.data.dataset" in cols, cols
for r in rows:
    w = want[r["key"]]
    for c in cols:
        sec, k = c.split(".")[1:]
        if w is None:
            assert r[c] == "", (r["key"], c)
            continue
        got = r[c]
        if k not in w[sec]:        # another schedule's parameter
            assert got == "", (r["key"], c, got)
            continue
        v = w[sec][k]
        if isinstance(v, (list, dict)):
            assert json.loads(got) == v, (c, got)
        elif isinstance(v, bool):
            assert got == str(int(v)), (c, got)
        elif isinstance(v, (int, float)):
            assert float(got) == v, (c, got)
        else:
            assert got == v, (c, got)
PY
"$REXSWEEP" export --db "$T/c.db" --format csv --config --metrics --sweep small | head -1 |
  grep -q "^key,.*,epoch,.*,config.data.dataset," || fail "export --config --metrics csv"

expect_exit export 2 "export needs --format csv or --format json" --db "$T/x.db"
expect_exit export 2 "unknown format 'xml'" --db "$T/x.db" --format xml
expect_exit export 2 "no sweep named 'three'" --db "$T/x.db" --format csv --sweep three
expect_exit export 4 "no results store at" --db "$T/none.db" --format csv
"$REXSWEEP" export --help | grep -q -- "--metrics"
echo "export: ok"
