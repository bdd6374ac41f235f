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
grep -q '^0  *[0-9a-f]\{16\}  1%  ' "$out" || fail "budget column"

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
