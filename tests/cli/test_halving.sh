# Successive halving end to end, on a synthetic problem whose ranking is
# known: a command trainer (sh + awk) whose validation accuracy peaks at
# lr = 0.01 and falls with |log10(lr) + 2|, so that rung 0 must promote
# 0.01, 0.03 and 0.003 (in that order) and rung 1 must promote 0.01.
# Then: plan's rungs and work, the report's ladder, resume after kill -9
# between rungs, and the sharded flow (one rung at a time, merged between
# rungs) giving the same runs as one process.
set -eu
. "$(dirname "$0")/../lib/cli.sh"
. "$root/tests/cli/lib_search.sh"

write_fake
write_spec halving halving

# 1. plan: 3 rungs; 2 groups of 9 -> 3 -> 1 candidates, 2 seeds each:
#    36 + 12 + 4 = 52 runs at most against the grid's 108; epochs
#    32.4 + 32.4 + 36 = 100.8 against 453.6 (22.2%)
expect_rc 0 "$REXSWEEP" plan halving.yaml --db h.db
grep -q "successive halving over 3 rungs, eta 3, 2 groups" out || fail "plan: no search line"
grep -Eq "^0 +10% +18 +36 " out || fail "plan: rung 0 row"
grep -Eq "^1 +30% +6 +12 " out || fail "plan: rung 1 row"
grep -Eq "^2 +100% +2 +4 " out || fail "plan: rung 2 row"
grep -q "at most 52 runs and 100.8 epochs" out || fail "plan: totals"
grep -q "22.2% of the full grid's 108 runs and 453.6 epochs" out || fail "plan: grid share"

# 2. run: exactly the promoted runs, the known ranking at every rung
expect_rc 0 "$REXSWEEP" run halving.yaml --db h.db -q -j 2
[ "$(sqlite3 h.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 52 ] || fail "not 52 runs"
lrs_at() { sqlite3 h.db "SELECT DISTINCT lr FROM runs WHERE budget = $1 ORDER BY lr"; }
[ "$(lrs_at 0.3 | tr '\n' ' ')" = "0.003 0.01 0.03 " ] || fail "rung 1 lrs: $(lrs_at 0.3)"
[ "$(lrs_at 1 | tr '\n' ' ')" = "0.01 " ] || fail "rung 2 lrs: $(lrs_at 1)"
# a rerun does nothing new
expect_rc 0 "$REXSWEEP" run halving.yaml --db h.db -q
grep -q "52 runs: 52 done (0 now)" out || fail "rerun trained again: $(cat out)"

# --max-runs holds for the whole search: 40 runs start (all of rung 0,
# 4 of rung 1), the exit says the search is not finished, a rerun is
expect_rc 1 "$REXSWEEP" run halving.yaml --db m.db -q --max-runs 40
[ "$(sqlite3 m.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 40 ] || fail "--max-runs 40"
expect_rc 0 "$REXSWEEP" run halving.yaml --db m.db -q
[ "$(done_keys m.db)" = "$(done_keys h.db)" ] || fail "--max-runs then resume chose other runs"

# 3. the report tells a halving sweep and its winners
expect_rc 0 "$REXSWEEP" report --db h.db
grep -q "Successive halving: eta 3, rungs 10%, 30%, 100%" out || fail "report: no halving section"
grep -q "^sgd / constant: 9 at 10% (best lr=0.01: [0-9.]*) -> 3 at 30% (best lr=0.01: [0-9.]*) -> 1 at 100% (best lr=0.01: [0-9.]*); winner lr=0.01, test error (%) [0-9.]*$" out ||
  fail "report: ladder of constant: $(grep constant out)"
grep -q "^sgd / linear: 9 at 10%.* -> 3 at 30%.* -> 1 at 100%.*; winner lr=0.01," out ||
  fail "report: ladder of linear"

# every format carries the ladder: JSON's search member, CSV's rung
# columns per cell, an HTML section; a grid's JSON has search null
expect_rc 0 "$REXSWEEP" report --db h.db --format json
python3 - out <<'PY' || fail "report json: $(head -c 600 out)"
import json, sys
d = json.load(open(sys.argv[1]))["search"]
assert d["strategy"] == "halving" and d["eta"] == 3 and d["budgets"] == [0.1, 0.3, 1], d
assert d["chosen_on"] == "val_acc", d["chosen_on"]
g = {x["schedule"]: x for x in d["groups"]}
assert sorted(g) == ["constant", "linear"], list(g)
c = g["constant"]
assert c["optimizer"] == "sgd" and c["group"] == "sgd / constant", c
assert c["winner"] == "lr=0.01" and c["winner_bracket"] == 2, c
(b,) = c["brackets"]
assert [(r["candidates"], r["promoted"], r["best"]) for r in b["rungs"]] == \
    [(9, 3, "lr=0.01"), (3, 1, "lr=0.01"), (1, None, "lr=0.01")], b["rungs"]
assert all(r["finished"] for r in b["rungs"]) and b["winner"] == "lr=0.01"
assert abs(b["rungs"][2]["best_validation"] - c["winner_validation"]) < 1e-12
PY
expect_rc 0 "$REXSWEEP" report --db h.db --format csv
head -1 out | grep -q ",rung_candidates,rung_promoted,rung_best,search_winner$" || fail "csv header: $(head -1 out)"
grep -q "^[^,]*,sgd,constant,0.1,.*,9,3,lr=0.01,lr=0.01$" out || fail "csv rung 0: $(grep constant out)"
grep -q "^[^,]*,sgd,constant,1,.*,1,,lr=0.01,lr=0.01$" out || fail "csv last rung: $(grep constant out)"
expect_rc 0 "$REXSWEEP" report --db h.db --format html
grep -q '<section class="search">' out || fail "html: no search section"
grep -q "<td>sgd / linear</td>" out || fail "html: no ladder row"
grep -v '^search:' halving.yaml | sed 's/^budgets: .*/budgets: [10%]/; s/^schedules: .*/schedules: [constant]/' >grid.yaml
expect_rc 0 "$REXSWEEP" run grid.yaml --db g.db -q
expect_rc 0 "$REXSWEEP" report --db g.db --format json
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["search"] is None' out ||
  fail "grid json: search is not null"
expect_rc 0 "$REXSWEEP" report --db g.db --format csv
head -1 out | grep -q ",warnings$" || fail "grid csv header changed: $(head -1 out)"

# 4. kill -9 between rungs, then resume: the same runs as without the kill
kill_between_rungs halving.yaml k.db
expect_rc 0 "$REXSWEEP" run halving.yaml --db k.db -q
[ "$(done_keys k.db)" = "$(done_keys h.db)" ] || fail "resume after kill -9 chose other runs"

# 5. shards: one rung at a time, each shard into its own store, merged
#    between rungs; a shard without --rung is refused
expect_rc 2 "$REXSWEEP" run halving.yaml --shard 1/2 --db x.db
grep -q "give --rung K" err || fail "shard without --rung: $(cat err)"
expect_rc 2 "$REXSWEEP" slurm halving.yaml --tasks 2
grep -q "one array per rung" err || fail "slurm of a halving sweep: $(cat err)"
sharded halving.yaml sh.db
[ "$(done_keys sh.db)" = "$(done_keys h.db)" ] || fail "sharded halving chose other runs"
# a shard of rung 1 reads only --from: without it (its own empty store)
# rung 0 is not finished, which is an error (3: runs missing), not a
# silent empty rung
expect_rc 3 "$REXSWEEP" run halving.yaml --rung 1 --shard 1/2 --db lone.db -q
grep -q "rung 0 is not finished for 2 groups" err || fail "rung 1 alone: $(cat err)"
[ ! -s lone.db ] || [ "$(sqlite3 lone.db "SELECT count(*) FROM runs")" = 0 ] ||
  fail "a rung-1 shard ran without rung 0's results"
echo ok
