#!/usr/bin/env bash
# sweeps/rex-paper-mini.yaml end to end with -j 2: every one of its 576 cells
# is in the store with its 3 seeds and no run failed; rexsweep report has a
# value for every cell; the page generator of docs/rex-paper.md fills its blocks.
set -eu
spec=sweeps/rex-paper-mini.yaml
db=$TMPDIR/mini.db
out=$TMPDIR/out
err=$TMPDIR/err
fail() { echo "FAIL: $*"; echo "--- stdout"; tail -40 "$out"; echo "--- stderr"; tail -20 "$err"; exit 1; }

"$REXSWEEP" plan "$spec" >"$out" 2>"$err" || fail "plan"
grep -q "^sweep 'rex-paper-mini': 1728 runs in 576 cells" "$out" || fail "the mini's grid changed"

"$REXSWEEP" run "$spec" --db "$db" -j 2 --quiet >"$out" 2>"$err" || fail "run"

q() { sqlite3 -readonly -batch -noheader "$db" "$1"; }
[ "$(q "SELECT count(*) FROM sweep_results WHERE sweep = 'rex-paper-mini';")" -eq 1728 ] || fail "runs in the store"
bad=$(q "SELECT count(*) FROM sweep_results WHERE sweep = 'rex-paper-mini' AND status NOT IN ('done', 'diverged');")
[ "$bad" -eq 0 ] || { q "SELECT key, status, error FROM runs WHERE status NOT IN ('done', 'diverged') LIMIT 5;" >&2; fail "$bad runs not done"; }
[ "$(q "SELECT count(*) FROM (SELECT cell FROM sweep_results WHERE sweep = 'rex-paper-mini'
                               GROUP BY cell HAVING count(DISTINCT seed) = 3);")" -eq 576 ] || fail "cells with 3 seeds"
# every axis value is there
[ "$(q "SELECT count(DISTINCT model) || count(DISTINCT optimizer) || count(DISTINCT lr)
                || count(DISTINCT schedule) || count(DISTINCT budget) || count(DISTINCT seed)
          FROM sweep_results WHERE sweep = 'rex-paper-mini';")" = 226863 ] || fail "axis values"
[ "$(q "SELECT group_concat(DISTINCT schedule || ':' || sampling) FROM
          (SELECT schedule, sampling FROM runs WHERE schedule IN ('step', 'plateau') ORDER BY schedule);")" \
  = "plateau:epoch,step:[0.5,0.75]" ] || fail "the paper's sampling of step and plateau"

# The report (rexsweep report, markdown): 2 settings x 2 optimizers, a table
# of the 8 schedules each with a value (mean +- std over 3 seeds) in every
# budget column, Top-k of the 7 schedules of the paper's Table 1.
"$REXSWEEP" report --db "$db" --format markdown >"$out" 2>"$err" || fail "report"
[ "$(grep -c '^#.*fashion-mnist \(mlp\|cnn\).*, \(sgd\|adam\): test error' "$out")" -eq 4 ] || fail "4 cell tables"
cells=$(grep '^| \(rex\|linear\|cosine\|exp\|step\|plateau\|onecycle\|constant\) |.*± .* (3) |' "$out" |
        awk -F'|' '{ n = 0; for (i = 3; i <= 8; i++) if ($i ~ /[0-9]\.[0-9]+ ± [0-9.]+ \(3\)/) n++; c += n } END { print c + 0 }')
[ "$cells" -eq 192 ] || fail "192 cells (4 tables x 8 schedules x 6 budgets) with 3 seeds, got $cells"
grep -q '^#.*Top-1 / Top-3 rates (24 comparisons' "$out" || fail "Top-k over 24 comparisons"

# The page generator of docs/rex-paper.md: its own blocks, complete.
docs/rex-paper.sh -s rex-paper-mini "$db" >"$out" 2>"$err" || fail "page generator"
grep -q '^Sweep `rex-paper-mini` in `results/mini.db`: 1728 runs in the grid and 0 added by the adaptive lr grid; 1728 done, 0 failed' "$out" ||
  fail "status line"
[ "$(sed -n '/BEGIN generated: status/,/END generated: status/p' "$out" | grep -c '^| [0-9]*% | ')" -eq 6 ] ||
  fail "status rows: one per budget"
[ "$(sed -n '/BEGIN generated: report/,/END generated: report/p' "$out" | grep -c '± .* (3) |')" -eq 32 ] ||
  fail "the report in the page"
[ "$(sed -n '/BEGIN generated: summary/,/END/p' "$out" | grep -c '^| \(SGD + momentum\|Adam\) | [0-9]')" -eq 2 ] ||
  fail "REX's average rank per optimizer"
[ "$(sed -n '/BEGIN generated: summary/,/END/p' "$out" | grep -c '^- rex beats ')" -ge 7 ] || fail "verdicts"
[ "$(sed -n '/BEGIN generated: separate/,/END/p' "$out" | grep -c '^| [a-z]* | [0-9]\.[0-9][0-9] |')" -eq 16 ] ||
  fail "ranks with step and plateau apart: 8 schedules x 2 optimizers"
[ "$(sed -n '/BEGIN generated: compare/,/END/p' "$out" | grep -c '^| [a-z]* | [0-9]*% | [0-9]*% \[')" -eq 7 ] ||
  fail "the side by side: 7 Top-k rows"
[ "$(sed -n '/BEGIN generated: compare/,/END/p' "$out" | grep -c '^| [a-z]* | [0-9.]* / [0-9.]* \[')" -eq 6 ] ||
  fail "the side by side: 6 rank rows"
echo ok
