# Specs built to exhaust the parser are refused quickly, in bounded memory,
# with file:line:column and exit 2: 20,000 aliases of an optimizer entry
# with 1000 lrs (88 KB, 20 million runs), 20,000 aliases of a range and of
# an exclude rule, and 100,000 nested '['.  No timing asserts: a memory
# cap (ulimit -v) and a generous timeout stand in for "quickly".
. tests/cli/lib.sh
export OPENBLAS_NUM_THREADS=1   # OpenBLAS's own threads spin when ulimit -v refuses them
lrs=$(seq 1 1000 | sed 's/$/e-4/' | paste -sd, -)
aliases() { local i; for i in $(seq 2 "$1"); do printf ', *%s' "$2"; done; }
{ echo "name: bomb"
  echo "optimizers: [&o {name: sgd, lr: [$lrs]}$(aliases 20000 o)]"; } > "$TMPDIR/entries.yaml"
{ echo "name: bomb"
  echo "budgets: [&r {from: 0.0001, to: 1, step: 0.0001}$(aliases 20000 r)]"; } > "$TMPDIR/ranges.yaml"
{ echo "name: bomb"
  echo "seeds: 10"
  echo "grid: {data.noise: [$(seq 1 100 | sed 's/$/e-3/' | paste -sd, -)]}"
  echo "exclude: [&e {seeds: 1, data.noise: 5e-3}$(aliases 20000 e)]"; } > "$TMPDIR/exclude.yaml"
{ printf 'name: deep\ngrid: {data.noise: '; head -c 100000 /dev/zero | tr '\0' '['; echo; } > "$TMPDIR/deep.yaml"
[ "$(wc -c < "$TMPDIR/entries.yaml")" -lt 100000 ] || fail "the entries bomb is not small"

# capped: 300 MB of address space, 20 s
# (ASan reserves terabytes of address space for its shadow: no cap there)
if ldd "$RX" 2>/dev/null | grep -q libasan; then cap=unlimited; else cap=300000; fi
limited() { ( ulimit -v $cap; exec timeout 20 "$@" ); }
for cmd in plan run; do
  expect_exit 2 limited "$RX" $cmd "$TMPDIR/entries.yaml" --db "$TMPDIR/x.db"
  grep -q "entries.yaml:2:14: 'optimizers' alone has more than 10000000 runs, the limit of a grid" \
    "$TMPDIR/err" || fail "$cmd: entries bomb message: $(cat "$TMPDIR/err")"
done
expect_exit 2 limited "$RX" plan "$TMPDIR/ranges.yaml"
grep -q "ranges.yaml:2:10: 'budgets' alone has more than 10000000 runs" "$TMPDIR/err" ||
  fail "ranges bomb message: $(cat "$TMPDIR/err")"
expect_exit 2 limited "$RX" plan "$TMPDIR/deep.yaml"
grep -q "deep.yaml:2:82: lists and mappings nested more than 64 deep" "$TMPDIR/err" ||
  fail "deep nesting message: $(cat "$TMPDIR/err")"
expect_exit 2 limited "$RX" train "$TMPDIR/deep.yaml"
[ ! -e "$TMPDIR/x.db" ] || fail "a refused spec created the store"

# an aliased exclude rule counts once: the spec plans, and the rule works
expect_exit 0 limited "$RX" plan "$TMPDIR/exclude.yaml"
grep -q "^sweep 'bomb': 999 runs" "$TMPDIR/out" || fail "aliased exclude: $(head -1 "$TMPDIR/out")"
# ... and more than 1000 distinct rules are refused at the first one over
{ echo "name: x"; echo "seeds: 2000"; echo "exclude:"
  seq 0 1000 | sed 's/.*/  - {seeds: &}/'; } > "$TMPDIR/rules.yaml"
expect_exit 2 "$RX" plan "$TMPDIR/rules.yaml"
grep -q "rules.yaml:1004:5: 'exclude' has more than 1000 rules" "$TMPDIR/err" ||
  fail "too many rules: $(cat "$TMPDIR/err")"
echo ok
