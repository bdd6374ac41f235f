# Hyperband end to end on the synthetic problem of test_halving.sh (the
# validation accuracy peaks at lr = 0.01 and falls with |log10(lr) + 2|):
# 3 rungs, eta 3, so 3 brackets per group over the 9 lrs in grid order:
#   s=2 from 10%: all 9 -> 3 (0.003, 0.01, 0.03) -> 1 (0.01)
#   s=1 from 30%: ceil(3*3/2) = 5, the lrs 1e-4 .. 0.01 -> 1 (0.01)
#   s=0 at 100%:  ceil(3*1/1) = 3, the next slice: 0.03, 0.1, 0.3
# The runs of a candidate two brackets share train once: per group 9 at
# 10%, 6 at 30%, 4 at 100%, x 2 seeds x 2 schedules = 76 runs.
set -eu
. "$(dirname "$0")/../lib/cli.sh"
. "$root/tests/cli/lib_search.sh"

write_fake
write_spec hb hyperband

# 1. plan: each bracket's rungs and worst case, then all of them (a
#    candidate two brackets run at one budget counted once, at most the
#    group's 9): 36 + 32 + 20 = 88 runs, 32.4 + 86.4 + 180 = 298.8 epochs
expect_rc 0 "$REXSWEEP" plan hb.yaml --db h.db
grep -q "search: hyperband over 3 rungs, eta 3, 3 brackets, 2 groups" out || fail "plan: no search line: $(cat out)"
grep -q "^bracket 2 (from 10%):" out || fail "plan: bracket 2"
grep -q "^bracket 2: at most 52 runs and 100.8 epochs" out || fail "plan: bracket 2 total"
grep -q "^bracket 1: at most 24 runs and 90 epochs" out || fail "plan: bracket 1 total"
grep -q "^bracket 0: at most 12 runs and 108 epochs" out || fail "plan: bracket 0 total"
grep -q "hyperband: at most 88 runs and 298.8 epochs" out || fail "plan: totals"
grep -q "65.9% of the full grid's 108 runs and 453.6 epochs" out || fail "plan: grid share"
expect_rc 0 "$REXSWEEP" plan hb.yaml --db h.db --json
python3 - out <<'PY' || fail "plan json"
import json, sys
s = json.load(open(sys.argv[1]))["search"]
assert s["strategy"] == "hyperband" and s["eta"] == 3
assert [b["bracket"] for b in s["brackets"]] == [2, 1, 0]
assert [[r["candidates_max"] for r in b["rungs"]] for b in s["brackets"]] == [[18, 6, 2], [10, 2], [6]]
assert [r["runs_max"] for r in s["rungs"]] == [36, 32, 20]
PY

# 2. run: exactly the brackets' runs, the known choice at every rung
expect_rc 0 "$REXSWEEP" run hb.yaml --db h.db -q -j 2
[ "$(sqlite3 h.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 76 ] || fail "not 76 runs"
lrs_at() { sqlite3 h.db "SELECT DISTINCT lr FROM runs WHERE budget = $1 ORDER BY lr" | tr '\n' ' '; }
[ "$(lrs_at 0.3)" = "0.0001 0.0003 0.001 0.003 0.01 0.03 " ] || fail "rung 1 lrs: $(lrs_at 0.3)"
[ "$(lrs_at 1)" = "0.01 0.03 0.1 0.3 " ] || fail "rung 2 lrs: $(lrs_at 1)"
expect_rc 0 "$REXSWEEP" run hb.yaml --db h.db -q
grep -q "76 runs: 76 done (0 now)" out || fail "rerun trained again: $(cat out)"

# 3. the report: each bracket's ladder and the overall winner
expect_rc 0 "$REXSWEEP" report --db h.db
grep -q "^Hyperband: eta 3, rungs 10%, 30%, 100%, 3 brackets" out || fail "report: no hyperband section"
grep -q "^  bracket 2: 9 at 10% (best lr=0.01: [0-9.]*) -> 3 at 30% .* -> 1 at 100% .*; winner lr=0.01," out ||
  fail "report: bracket 2: $(grep 'bracket 2' out)"
grep -q "^  bracket 1: 5 at 30% (best lr=0.01: [0-9.]*) -> 1 at 100% .*; winner lr=0.01," out ||
  fail "report: bracket 1: $(grep 'bracket 1' out)"
grep -q "^  bracket 0: 3 at 100% (best lr=0.03: [0-9.]*); winner lr=0.03," out ||
  fail "report: bracket 0: $(grep 'bracket 0' out)"
grep -q "^  winner lr=0.01 (bracket 2), test error" out || fail "report: overall winner"
expect_rc 0 "$REXSWEEP" report --db h.db --format json
python3 - out <<'PY' || fail "report json"
import json, sys
s = json.load(open(sys.argv[1]))["search"]
assert s["strategy"] == "hyperband"
for g in s["groups"]:
    assert g["winner"] == "lr=0.01" and g["winner_bracket"] == 2, g
    b = {x["bracket"]: x for x in g["brackets"]}
    assert [(r["candidates"], r["promoted"]) for r in b[2]["rungs"]] == [(9, 3), (3, 1), (1, None)]
    assert [(r["candidates"], r["promoted"]) for r in b[1]["rungs"]] == [(5, 1), (1, None)]
    assert [(r["candidates"], r["best"]) for r in b[0]["rungs"]] == [(3, "lr=0.03")]
PY
expect_rc 0 "$REXSWEEP" report --db h.db --format csv
# at 100% the three brackets ran 1 + 1 + 3 candidates (0.01 twice, once trained)
grep -q "^[^,]*,sgd,constant,1,.*,5,,lr=0.01,lr=0.01$" out || fail "csv at 100%: $(grep ',constant,1,' out)"

# 4. resume: cut by --max-runs, or killed between rungs, a rerun trains
#    the same runs as one uninterrupted run (promotions are a pure
#    function of the results)
expect_rc 1 "$REXSWEEP" run hb.yaml --db m.db -q --max-runs 40
expect_rc 0 "$REXSWEEP" run hb.yaml --db m.db -q
[ "$(done_keys m.db)" = "$(done_keys h.db)" ] || fail "--max-runs then resume chose other runs"
kill_between_rungs hb.yaml k.db
expect_rc 0 "$REXSWEEP" run hb.yaml --db k.db -q
[ "$(done_keys k.db)" = "$(done_keys h.db)" ] || fail "resume after kill -9 chose other runs"

# 5. shards one rung at a time, merged between rungs: the same runs;
#    slurm refuses a hyperband sweep as it does halving
sharded hb.yaml s.db
[ "$(done_keys s.db)" = "$(done_keys h.db)" ] || fail "sharded hyperband chose other runs"
expect_rc 2 "$REXSWEEP" slurm hb.yaml --tasks 2
grep -q "is a hyperband sweep" err || fail "slurm of a hyperband sweep: $(cat err)"

# 6. runs are shared with a grid sweep: the grid of the same points
#    trains only the 32 runs hyperband did not
grep -v '^search:' hb.yaml | sed 's/^name: hb/name: grid/' >grid.yaml
expect_rc 0 "$REXSWEEP" run grid.yaml --db h.db -q
grep -q "108 runs: 108 done (32 now)" out || fail "grid after hyperband: $(cat out)"

# 7. spec errors name the place and what is expected
sed 's/strategy: hyperband/strategy: hyperbnd/' hb.yaml >bad.yaml
expect_rc 2 "$REXSWEEP" plan bad.yaml
grep -q "bad.yaml:9:20: 'search.strategy' must be one of grid, halving, hyperband" err || fail "bad strategy: $(cat err)"
sed 's/^budgets: .*/budgets: [100%]/' hb.yaml >one.yaml
expect_rc 2 "$REXSWEEP" plan one.yaml
grep -q "one.yaml:9:1: hyperband needs rungs: list two or more budgets" err || fail "one budget: $(cat err)"
echo ok
