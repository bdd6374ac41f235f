#!/usr/bin/env bash
# report: the paper's ResNet20-CIFAR10 SGDM table loaded as a store gives
# the hand-worked ranks (tests/data/report/README); lr chosen on validation,
# not test; every format; missing, failed and diverged runs shown; errors.
set -eu
cd "$(dirname "$0")/../.."
. tests/cli/lib_report.sh
T=${TMPDIR:-/tmp}

fail() { echo "FAIL: $*"; exit 1; }

# ---- the paper's table -------------------------------------------------
paper_sql | make_store "$T/paper.db"
"$REXSWEEP" report --db "$T/paper.db" --format json >"$T/paper.json"
python3 - "$T/paper.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def tsv(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip() and not l.startswith("#")]
    budgets = [float(b) for b in rows[0][1:]]
    return budgets, {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}
budgets, err = tsv("tests/data/report/resnet20_cifar10_sgdm.tsv")
_, ranks = tsv("tests/data/report/resnet20_cifar10_sgdm_ranks.tsv")
assert d["metric"]["name"] == "error" and d["lr_selection"] == "none", d["metric"]
assert d["step_plateau_merged"] is True
assert d["budgets"] == budgets, d["budgets"]
(table,) = d["tables"]
for c in table["cells"]:
    want = err[c["schedule"]][budgets.index(c["budget"])]
    assert abs(c["mean"] - want) < 1e-9 and abs(c["std"] - 0.1) < 1e-9 and c["n"] == 3, c
avg = d["average_rank"]["sgd"]
assert sorted(avg) == sorted(ranks), sorted(avg)
for s, want in ranks.items():
    assert avg[s]["rank"] == want, (s, avg[s]["rank"], want)
    assert table["ranks"][s] == want, (s, table["ranks"][s])
# what the paper's all-settings table pins: REX 1.00 at 5% and 50%
assert avg["rex"]["rank"][1] == 1 and avg["rex"]["rank"][4] == 1
top = d["top_k"]["schedules"]
assert (top["rex"]["low"]["top1"], top["rex"]["high"]["top1"], top["rex"]["all"]["top3"]) == (3, 2, 6)
assert (top["step"]["high"]["top1"], top["step"]["low"]["top3"], top["step"]["high"]["top3"]) == (1, 0, 2)
assert top["cosine"]["all"]["top3"] == 5 and top["linear"]["all"]["top3"] == 5
assert top["exp"]["all"]["top3"] == 0 and top["onecycle"]["all"]["top1"] == 0
PY
"$REXSWEEP" report --db "$T/paper.db" >"$T/paper.txt"
grep -q '^rex       27.94 ± 0.10 (3)  12.86 ± 0.10 (3)  10.23 ± 0.10 (3)   8.37 ± 0.10 (3)  7.52 ± 0.10 (3)  7.52 ± 0.10 (3)$' "$T/paper.txt" || fail "text cell table"
grep -q '^step      5.00  5.00  4.00  3.00  4.00  1.00$' "$T/paper.txt" || fail "text rank table"
grep -q "step is the better of step and plateau" "$T/paper.txt" || fail "merge not stated"
"$REXSWEEP" report --db "$T/paper.db" --format markdown >"$T/paper.md"
grep -q '^| rex | 27.94 ± 0.10 (3) | 12.86 ± 0.10 (3) | 10.23 ± 0.10 (3) | 8.37 ± 0.10 (3) | 7.52 ± 0.10 (3) | 7.52 ± 0.10 (3) |$' "$T/paper.md" || fail "markdown"
"$REXSWEEP" report --db "$T/paper.db" --format csv -o "$T/paper.csv"
[ "$(wc -l <"$T/paper.csv")" -eq 43 ] || fail "csv rows"
grep -q '^spirals mlp,sgd,step,1,error,none,0.1,7.32' "$T/paper.csv" || fail "csv row"
# --no-merge ranks plateau on its own
"$REXSWEEP" report --db "$T/paper.db" --format json --no-merge |
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d["step_plateau_merged"] and "plateau" in d["ranked_schedules"]'

# ---- lr tuning: validation and test disagree ---------------------------
# lr 0.1 has the better validation accuracy (0.95 vs 0.90) but the worse
# test accuracy (0.80 vs 0.85): the report must pick 0.1 and show 20.00.
lr_sql() {   # lr_sql VAL_01 VAL_03
  sql_sweep 1 tune
  local n=0 s k
  for s in rex linear; do
    for k in 0 1 2; do
      sql_run 1 $n $s sgd 1 0.1 $k done 0.80 "$1"; n=$((n + 1))
      sql_run 1 $n $s sgd 1 0.3 $k done 0.85 "$2"; n=$((n + 1))
    done
  done
}
lr_sql 0.95 0.90 | make_store "$T/tune.db"
"$REXSWEEP" report --db "$T/tune.db" >"$T/tune.txt"
grep -q '^rex       20.00 ± 0.00 (3)$' "$T/tune.txt" || fail "lr not chosen on validation"
grep -q '^rex       0.1 (of 2)$' "$T/tune.txt" || fail "chosen lr not shown"
grep -q "lr: tuned per cell .* on the best mean" "$T/tune.txt" || fail "selection not stated"
if grep -q WARNING "$T/tune.txt"; then fail "warning without --select-on test"; fi
"$REXSWEEP" report --db "$T/tune.db" --select-on test >"$T/tune-test.txt" 2>"$T/err"
grep -q '^rex       15.00 ± 0.00 (3)$' "$T/tune-test.txt" || fail "--select-on test"
grep -q "WARNING: the lr of each cell was chosen on the TEST metric" "$T/tune-test.txt" || fail "no warning"
grep -q "warning: choosing each cell's lr on the TEST metric" "$T/err" || fail "no stderr warning"
# no validation values: refuse to choose on test silently
lr_sql NULL NULL | make_store "$T/noval.db"
expect_exit report 2 "no validation error (%) to choose on; choosing on the test metric must be asked for with '--select-on test'" --db "$T/noval.db"
"$REXSWEEP" report --db "$T/noval.db" --select-on test 2>/dev/null | grep -q '^rex       15.00' || fail "explicit test selection"

# ---- honesty: failed, diverged and missing runs ------------------------
{
  sql_sweep 1 honest
  sql_run 1 0 rex sgd 0.5 0.1 0 done 0.9 0.9
  sql_run 1 1 rex sgd 0.5 0.1 1 failed NULL NULL
  sql_run 1 2 linear sgd 0.5 0.1 0 diverged "'NaN'" "'NaN'"
  sql_run 1 3 linear sgd 0.5 0.1 1 diverged NULL NULL
  sql_run 1 4 cosine sgd 0.5 0.1 0 done 0.8 0.8
  sql_run 1 5 cosine sgd 0.5 0.1 1 pending NULL NULL
  sql_run 1 6 step sgd 0.5 0.1 0 running NULL NULL
} | make_store "$T/honest.db"
"$REXSWEEP" report --db "$T/honest.db" >"$T/honest.txt"
for want in 'rex       10.00 (1)\*' 'linear     diverged\*' 'cosine    20.00 (1)\*' 'step        missing\*' \
            'rex at 50%: lr 0.1: 1 failed of 2' 'linear at 50%: lr 0.1: 2 diverged of 2' \
            'cosine at 50%: lr 0.1: 1 missing of 2' 'step at 50%: lr 0.1: 1 missing of 1'; do
  grep -q "$want" "$T/honest.txt" || { cat "$T/honest.txt"; fail "honesty: '$want'"; }
done
# the all-diverged cell ranks last
"$REXSWEEP" report --db "$T/honest.db" --format json |
  python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["tables"][0]["ranks"]; assert r["rex"]==[1] and r["cosine"]==[2] and r["linear"]==[3] and r["step"]==[None], r'

# ---- loss when nothing recorded an accuracy (a VAE) --------------------
cp "$T/paper.db" "$T/loss.db"
sqlite3 "$T/loss.db" "UPDATE runs SET test_loss = 1 - test_acc, val_loss = 1 - val_acc, test_acc = NULL, val_acc = NULL"
"$REXSWEEP" report --db "$T/loss.db" >"$T/loss.txt" 2>"$T/err"
grep -q "no run recorded an accuracy: reporting the test loss" "$T/err" || fail "loss fallback"
grep -q "== spirals mlp, sgd: test loss ==" "$T/loss.txt" || fail "loss heading"

# ---- several sweeps ------------------------------------------------------
{ paper_sql; sql_sweep 2 other; } | make_store "$T/two.db"
"$REXSWEEP" report --db "$T/two.db" | grep -q "sweep: all sweeps" || fail "all sweeps"
"$REXSWEEP" report --db "$T/two.db" --sweep resnet20-cifar10 | grep -q "sweep: resnet20-cifar10" || fail "--sweep"

# ---- paired statistics ----------------------------------------------------
# rex is better than linear on every seed (by 1, 2, 1, 2 points at 10%,
# by 0.5 on each seed at 50%); constant ties rex at 10% and is 3 points
# worse at 50%; seeds 1..4 match.
{ sql_sweep 1 paired
  n=0
  for b in 0.1 0.5; do for seed in 1 2 3 4; do
    rex=$(awk -v s=$seed 'BEGIN { printf "%.4f", 0.80 + 0.01 * s }')
    if [ $b = 0.1 ]; then d=$(( seed % 2 ? 1 : 2 )); else d=0.5; fi
    lin=$(awk -v r=$rex -v d=$d 'BEGIN { printf "%.4f", r - d / 100 }')
    con=$(awk -v r=$rex -v b=$b 'BEGIN { printf "%.4f", b == 0.5 ? r - 0.03 : r }')
    sql_run 1 $n rex sgd $b 0.1 $seed done $rex $rex; n=$((n + 1))
    sql_run 1 $n linear sgd $b 0.1 $seed done $lin $lin; n=$((n + 1))
    sql_run 1 $n constant sgd $b 0.1 $seed done $con $con; n=$((n + 1))
  done; done; } | make_store "$T/paired.db"
"$REXSWEEP" report --db "$T/paired.db" --format json >"$T/paired.json"
python3 - "$T/paired.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["statistics"]
assert s["reference"] == "rex" and s["reference_from"] == "best_average_rank", s["reference"]
lin = s["versus"]["linear"]["all"]
assert (lin["wins"], lin["losses"], lin["ties"]) == (2, 0, 0), lin
assert lin["beyond_noise_reference_better"] == 2 and lin["with_interval"] == 2, lin
con = s["versus"]["constant"]
assert (con["all"]["wins"], con["all"]["ties"]) == (1, 1), con
p = [x for x in s["pairs"] if x["schedule"] == "linear" and x["budget"] == 0.1][0]
# d = 1, 2, 1, 2: mean 1.5, s = sqrt(1/3), t(.975, 3) = 3.182446305284263
se = (1 / 3) ** 0.5 / 2
assert p["pairs"] == 4 and abs(p["diff"] - 1.5) < 1e-9 and abs(p["se"] - se) < 1e-9, p
assert abs(p["lo"] - (1.5 - 3.182446305284263 * se)) < 1e-9, p
assert p["beyond_noise"] == 1 and p["result"] == "reference_better", p
assert s["bootstrap_replicates"] == 1000 and "rex" in s["average_rank_ci"]["sgd"]
PY
"$REXSWEEP" report --db "$T/paired.db" --format markdown >"$T/paired.md"
grep -q -- "- rex beats linear in 1 of 1 high-budget comparisons, loses 0, ties 0 (sign test p = 1.00, Wilcoxon p = 1.00); beyond noise in 1 (rex better) and 0 (linear better) of the 1 with two or more matched seeds" "$T/paired.md" || fail "verdict"
grep -q '^| linear | +1.50 \[+0.58, +2.42\]! | +0.50 \[+0.50, +0.50\]! |$' "$T/paired.md" || fail "paired table"
# the bootstrap has a fixed seed: the same output every time
"$REXSWEEP" report --db "$T/paired.db" --format markdown | cmp -s - "$T/paired.md" || fail "not deterministic"
"$REXSWEEP" report --db "$T/paired.db" --vs linear --format json |
  python3 -c 'import json,sys; s=json.load(sys.stdin)["statistics"]; assert s["reference"] == "linear" and s["reference_from"] == "vs" and s["versus"]["rex"]["all"]["losses"] == 2, s["versus"]'
"$REXSWEEP" report --db "$T/paired.db" --schedules rex,linear --bootstrap 0 --format json |
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ranked_schedules"] == ["rex", "linear"] and "average_rank_ci" not in d["statistics"], d["ranked_schedules"]'
expect_exit report 2 "--vs 'cosine': no such ranked schedule (ranked: rex, linear, constant)" --db "$T/paired.db" --vs cosine
expect_exit report 2 "unknown schedule 'cosine' in --schedules (the store has: rex, linear, constant)" --db "$T/paired.db" --schedules rex,cosine
expect_exit report 2 "--bootstrap must be between 0 and 1000000" --db "$T/paired.db" --bootstrap -1

# ---- errors --------------------------------------------------------------
expect_exit report 2 "no sweep named 'nope' in '$T/two.db' (sweeps: 'other', 'resnet20-cifar10')" --db "$T/two.db" --sweep nope
expect_exit report 2 "unknown metric 'eror'; did you mean 'error'?" --db "$T/paper.db" --metric eror
expect_exit report 2 "unknown format 'pdf'" --db "$T/paper.db" --format pdf
expect_exit report 2 "--select-on must be 'val' or 'test'" --db "$T/paper.db" --select-on train
expect_exit report 2 "unknown option '--bogus'" --db "$T/paper.db" --bogus
expect_exit report 4 "no results store at '$T/none.db'" --db "$T/none.db"
expect_exit report 4 "cannot write '$T/no/such/dir/r.txt'" --db "$T/paper.db" -o "$T/no/such/dir/r.txt"
"$REXSWEEP" report --help | grep -q -- "--select-on val|test"
echo "report: ok"
