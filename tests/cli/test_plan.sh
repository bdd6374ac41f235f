#!/usr/bin/env bash
# rexsweep plan: exit codes (0 good spec, 2 bad spec or usage, 4 unreadable
# file), the message of every malformed spec on stderr and nothing on
# stdout, the table and --json on stdout.
set -eu
D=tests/data/spec
out=$TMPDIR/out
err=$TMPDIR/err
fail() { echo "FAIL: $*"; echo "--- stdout"; head -20 "$out"; echo "--- stderr"; cat "$err"; exit 1; }

# A good spec: exit 0, the count and one row per run, nothing on stderr.
"$REXSWEEP" plan $D/ok/issue-example.yaml >"$out" 2>"$err" || fail "good spec"
grep -q "^sweep 'fmnist-mlp-budgets': 864 runs in 288 cells" "$out" || fail "summary line"
[ "$(grep -c '^[0-9]' "$out")" -eq 864 ] || fail "one row per run"
grep -q '^index  key  ' "$out" || fail "table header"
[ ! -s "$err" ] || fail "stderr not empty"
# budgets read as exact percentages
grep -q '^0  *[0-9a-f]\{16\}  new  *1%  ' "$out" || fail "budget column"

# --limit: the first N rows and a count of the rest; the summary counts all.
"$REXSWEEP" plan $D/ok/issue-example.yaml --limit 10 >"$out" 2>"$err" || fail "--limit"
[ "$(grep -c '^[0-9]' "$out")" -eq 10 ] || fail "--limit 10 rows"
[ "$(awk '$1 ~ /^[0-9]+$/ {print $1}' "$out" | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ] || fail "--limit: the first rows"
grep -q "^\.\.\. 854 more runs (--limit 0 lists every run)$" "$out" || fail "--limit rest line"
grep -q "^sweep 'fmnist-mlp-budgets': 864 runs in 288 cells" "$out" || fail "--limit summary"
"$REXSWEEP" plan $D/ok/issue-example.yaml --limit 0 >"$out" 2>"$err" || fail "--limit 0"
[ "$(grep -c '^[0-9]' "$out")" -eq 864 ] || fail "--limit 0 rows"
! grep -q "more run" "$out" || fail "--limit 0 rest line"
"$REXSWEEP" plan $D/ok/issue-example.yaml --limit=863 >"$out" 2>"$err" || fail "--limit=863"
grep -q "^\.\.\. 1 more run (--limit 0 lists every run)$" "$out" || fail "--limit one more"
for bad in x -1 2.5; do
  rc=0; "$REXSWEEP" plan $D/ok/issue-example.yaml --limit "$bad" >"$out" 2>"$err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q "option '--limit' needs" "$err" && [ ! -s "$out" ] || fail "bad --limit '$bad'"
done
# a grid of more than 1000 runs lists 1000 by default; the rows agree with --limit 0
cat >"$TMPDIR/big.yaml" <<'EOS'
name: big
data: {dataset: spirals, n_samples: 200, validation: 50}
model: {type: mlp, hidden: [8]}
train: {batch_size: 50, full_epochs: 1}
budgets: [10%, 50%, 100%]
schedules: [rex, linear, {name: exp, gamma: -3}, constant]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [0.3, 0.1, 0.03]}
seeds: 100
EOS
"$REXSWEEP" plan "$TMPDIR/big.yaml" >"$out" 2>"$err" || fail "big plan"
[ "$(grep -c '^[0-9]' "$out")" -eq 1000 ] || fail "default limit rows"
grep -q "^\.\.\. 2600 more runs (--limit 0 lists every run)$" "$out" || fail "default limit rest line"
"$REXSWEEP" plan "$TMPDIR/big.yaml" --limit 0 >"$TMPDIR/all" 2>"$err" || fail "big plan --limit 0"
[ "$(grep -c '^[0-9]' "$TMPDIR/all")" -eq 3600 ] || fail "big --limit 0 rows"
# the same rows, and the same keys as --json (the run's configuration is rebuilt per row)
[ "$(grep '^[0-9]' "$out" | sed 's/  */ /g')" = "$(grep '^[0-9]' "$TMPDIR/all" | head -1000 | sed 's/  */ /g')" ] || fail "limited rows differ"
"$REXSWEEP" plan --json "$TMPDIR/big.yaml" >"$TMPDIR/big.json" || fail "big --json"
[ "$(awk '$1 ~ /^[0-9]+$/ {print $2}' "$TMPDIR/all")" = "$(python3 -c 'import json,sys; print("\n".join(j["key"] for j in json.load(open(sys.argv[1]))["jobs"]))' "$TMPDIR/big.json")" ] || fail "table and --json keys"
python3 - "$TMPDIR/big.json" <<'EOF2' || fail "big --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["runs"] == 3600 and d["cells"] == 36 and len(d["jobs"]) == 3600, (d["runs"], d["cells"])
j = d["jobs"][3599]
assert j["index"] == 3599 and j["config"]["train"]["seed"] == 99, j
assert j["config"]["schedule"]["name"] == "constant" and j["config"]["optimizer"]["lr"] == 0.03, j
EOF2
"$REXSWEEP" plan --json --limit 2 $D/ok/zip.yaml >"$out" 2>"$err" || fail "--json --limit"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"] == 6 and len(d["jobs"]) == 2 and d["jobs"][1]["index"] == 1' "$out" || fail "--json --limit content"

# Runs whose splits would be empty with no data axis: the data settings are
# checked once, and every run is named (the first 10), exit 6.
cat >"$TMPDIR/tiny.yaml" <<'EOS'
name: tiny
data: {dataset: blobs, n_samples: 3, validation: 0}
model: {type: mlp, hidden: [8]}
train: {batch_size: 16, full_epochs: 1}
seeds: 12
EOS
rc=0; "$REXSWEEP" plan "$TMPDIR/tiny.yaml" --db "$TMPDIR/none.db" >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 6 ] || fail "tiny: exit $rc"
[ "$(grep -c "will fail: the test split of 'blobs' is empty" "$err")" -eq 10 ] || fail "tiny: 10 runs named"
grep -q "^rexsweep: run 9 ([0-9a-f]*) will fail" "$err" || fail "tiny: run 9"
grep -q "^rexsweep: \.\.\. and 2 more runs with empty splits$" "$err" || fail "tiny: the rest"
[ "$(grep -c '^[0-9]' "$out")" -eq 12 ] || fail "tiny: the plan is printed"

# --json: one object with every run and its canonical configuration.
"$REXSWEEP" plan --json $D/ok/zip.yaml >"$out" 2>"$err" || fail "--json"
python3 - "$out" <<'EOF' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "zip" and d["runs"] == 6 and d["cells"] == 6, d
assert d["axes"] == ["budgets", "optimizers", "train.batch_size", "seeds"], d["axes"]
assert [j["index"] for j in d["jobs"]] == list(range(6))
assert d["jobs"][0]["config"]["train"]["batch_size"] == 32
assert d["jobs"][5]["config"]["optimizer"]["name"] == "adam"
assert all(len(j["key"]) == 16 for j in d["jobs"])
EOF

# The same spec gives the same keys, run after run.
"$REXSWEEP" plan $D/ok/ranges.yaml >"$out"
"$REXSWEEP" plan $D/ok/ranges.yaml | cmp -s - "$out" || fail "plan is not stable"

# --db and the spec's store.
"$REXSWEEP" plan $D/ok/single-run.yaml >"$out" 2>"$err" || fail "single run"
grep -q "store 'results/single.db'" "$out" || fail "spec store"
"$REXSWEEP" plan --db other.db $D/ok/single-run.yaml >"$out" || fail "--db"
grep -q "store 'other.db'" "$out" || fail "--db store"

# Every malformed spec: exit 2, exactly its message on stderr, no stdout.
n=0
for f in $D/bad/*.yaml; do
  want=$(head -1 "$f" | sed 's/^# expect: //')
  rc=0
  (cd $D && "$REXSWEEP" plan "bad/$(basename "$f")") >"$out" 2>"$err" || rc=$?
  [ "$rc" -eq 2 ] || fail "$f: exit $rc, want 2"
  [ "$(cat "$err")" = "$want" ] || fail "$f: message"
  [ ! -s "$out" ] || fail "$f: stdout not empty"
  n=$((n + 1))
done
[ "$n" -ge 30 ] || fail "only $n malformed specs"

# Against an existing store: counts by state and each run's state, read
# only.  The store is built with the sqlite3 shell from the live schema,
# holding 4 of the 6 runs of zip.yaml in different states.
db=$TMPDIR/store.db
sqlite3 -bail "$db" < tests/data/store/schema.sql
"$REXSWEEP" plan --json $D/ok/zip.yaml >"$out"
python3 - "$out" <<'EOF' | sqlite3 -bail "$db"
import json, sys
d = json.load(open(sys.argv[1]))
states = ["done", "failed", None, "interrupted", "running", None]
for job, state in zip(d["jobs"], states):
    if state is None:
        continue
    c = job["config"]
    print("INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum, weight_decay,"
          " batch_size, schedule, schedule_json, sampling, budget, full_epochs, seed, config,"
          " status) VALUES ('%s', '%s', 'spirals', 'mlp', '%s', 0.1, 0, 0, %d, 'constant',"
          " '{}', 'iteration', %s, 10, %d, '%s', '%s');"
          % (job["key"], job["cell"], c["optimizer"]["name"], c["train"]["batch_size"],
             c["train"]["budget"], c["train"]["seed"], json.dumps(c), state))
EOF
cp "$db" "$TMPDIR/before.db"
"$REXSWEEP" plan --db "$db" $D/ok/zip.yaml >"$out" 2>"$err" || fail "plan against a store"
grep -q "^store '$db': 2 new, 1 done, 1 failed, 0 diverged, 1 interrupted, 1 running, 0 pending$" "$out" || fail "store counts"
[ "$(awk '$1 ~ /^[0-9]+$/ {print $3}' "$out" | tr '\n' ' ')" = "done failed new interrupted running new " ] || fail "state column"
cmp -s "$db" "$TMPDIR/before.db" || fail "plan wrote to the store"
"$REXSWEEP" plan --json --db "$db" $D/ok/zip.yaml >"$out" || fail "--json against a store"
python3 - "$out" <<'EOF' || fail "--json store"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["store"]
assert s["exists"] and s["new"] == 2 and s["done"] == 1 and s["running"] == 1, s
assert [j["state"] for j in d["jobs"]] == ["done", "failed", "new", "interrupted", "running", "new"]
EOF
"$REXSWEEP" plan --db "$TMPDIR/none.db" $D/ok/zip.yaml >"$out" || fail "missing store"
grep -q "^store '$TMPDIR/none.db' does not exist yet (or is empty): every run is new$" "$out" || fail "missing store line"
[ ! -e "$TMPDIR/none.db" ] || fail "plan created the store"
# a 0-byte file, which run takes as a new store, is one for plan too
: > "$TMPDIR/empty.db"
"$REXSWEEP" plan --db "$TMPDIR/empty.db" $D/ok/zip.yaml >"$out" || fail "plan refused an empty store"
grep -q "^store '$TMPDIR/empty.db' does not exist yet (or is empty): every run is new$" "$out" || fail "empty store line"
[ ! -s "$TMPDIR/empty.db" ] || fail "plan wrote into the empty store"
# a file that is not a rexsweep store is a store error (4), after the spec checked out
sqlite3 "$TMPDIR/other.db" "CREATE TABLE t (x);"
rc=0; "$REXSWEEP" plan --db "$TMPDIR/other.db" $D/ok/zip.yaml >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 4 ] && grep -q "^rexsweep: " "$err" || fail "not a store: exit $rc"

# A missing file is an i/o error (4); usage errors are 2.
rc=0; "$REXSWEEP" plan no-such.yaml >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 4 ] || fail "missing file: exit $rc"
grep -q "^rexsweep: cannot read 'no-such.yaml': " "$err" || fail "missing file message"
rc=0; "$REXSWEEP" plan >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 2 ] && grep -q '^usage: rexsweep plan' "$err" || fail "no spec"
rc=0; "$REXSWEEP" plan --frobnicate $D/ok/zip.yaml >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown option '--frobnicate'" "$err" || fail "unknown option"
rc=0; "$REXSWEEP" plan $D/ok/zip.yaml $D/ok/zip.yaml >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 2 ] || fail "two specs"
rc=0; "$REXSWEEP" plan --db >"$out" 2>"$err" || rc=$?
[ "$rc" -eq 2 ] || fail "--db without a file"
"$REXSWEEP" plan --help >"$out" 2>"$err" || fail "--help"
grep -q '^usage: rexsweep plan SPEC' "$out" || fail "--help text"
echo "plan: ok ($n malformed specs)"
