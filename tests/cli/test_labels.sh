#!/usr/bin/env bash
# Pins the labels (setting, optimizer, schedule), the report and the check
# on stores the tool wrote (tests/data/labels: real keys, cells and
# configurations, made-up metrics): the label pass may be rewritten for
# speed, never change what it says.  Store a sweeps a data key, the hidden
# sizes, sgd's momentum, step's milestones and linear's sampling; store b
# zips the model type with the hidden sizes (so they stay out of the
# setting), varies adam's beta2 and has an exp schedule; check labels a and
# b together (sgd is "sgd" alone in b, "sgd(momentum=0.9)" next to a).
# Store c is part of a as an older version stored it, without some keys:
# next to a, a key some runs lack varies (the setting and linear's label).
# RX_UPDATE_GOLDEN=1 rewrites the goldens (only on purpose).
set -eu
src=$PWD
dir=$src/tests/data/labels
: "${REXSWEEP:?}"
cd "$TMPDIR"
for s in a b c; do
  rm -f "$s.db"
  cat "$src/tests/data/store/schema.sql" "$dir/$s.sql" | sqlite3 "$s.db"
done

# run NAME WANT_EXIT ARGS...: runs rexsweep ARGS into NAME.out and compares
# it with the golden $dir/NAME.out.
bad=0
run() {
  local name=$1 want=$2; shift 2
  set +e
  "$REXSWEEP" "$@" >"$name.out" 2>"$name.err"; local rc=$?
  set -e
  if [ "$rc" -ne "$want" ]; then
    cat "$name.err"; echo "FAIL: rexsweep $*: exit $rc, want $want"; bad=1; return
  fi
  if [ "${RX_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$name.out" "$dir/$name.out"
  elif ! diff -u "$dir/$name.out" "$name.out" >"$name.diff"; then
    head -40 "$name.diff"
    echo "FAIL: rexsweep $*: output differs from tests/data/labels/$name.out"; bad=1
  fi
}
run report_a 0 report --db a.db --format csv
run report_b 0 report --db b.db --format csv
run report_a_text 0 report --db a.db
run check_aa 0 check --baseline a.db --db a.db --format json
run check_ab 1 check --baseline a.db --db b.db --format json
run check_ba 1 check --baseline b.db --db a.db
run check_ac 3 check --baseline a.db --db c.db --format json
run check_ca 3 check --baseline c.db --db a.db --format markdown
[ "$bad" = 0 ] || exit 1
echo ok
