# Every --json output goes through the one JSON writer: names and paths
# with quotes and backslashes stay valid JSON.
. tests/cli/lib.sh
mkdir -p "$TMPDIR/we\"ird\\dir"
db="$TMPDIR/we\"ird\\dir/s.db"
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$db" --max-runs 12 --json --quiet
python3 - "$TMPDIR/out" "$db" <<'PY' || fail "run --json: $(cat "$TMPDIR/out")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["store"] == sys.argv[2], o["store"]
assert o["status"] == "ok" and o["done"] == 12, o
PY
expect_exit 0 "$RX" plan tests/data/run/small.yaml --db "$db" --json
python3 - "$TMPDIR/out" "$db" <<'PY' || fail "plan --json"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["store"]["path"] == sys.argv[2] and o["store"]["done"] == 12, o["store"]
PY
expect_exit 0 "$RX" train train.full_epochs=1 --json --quiet
tail -1 "$TMPDIR/out" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["model"].startswith("mlp"), o' ||
  fail "train --json: $(tail -1 "$TMPDIR/out")"
echo ok
