#!/usr/bin/env bash
# rex-paper.sh: the tables and figures of docs/rex-paper.md, from the stores.
#
#   docs/rex-paper.sh [-s SWEEP] [-p PAGE] [-f FIGDIR] [-v VAE_DB] PAPER_DB [SAMPLING_DB]
#
# Reads the store(s) with sqlite3 through the documented views
# (sweep_results, rexsweep-results(5)) and with `rexsweep report` (the binary
# in $REXSWEEP, default build/rexsweep) and prints each generated block of the
# page: status, report (rexsweep report --format markdown; without a report
# command, the cell tables and Top-k computed here), ranks (the paper's
# Figure 1 convention), spread, sampling and figures.  With -p PAGE it rewrites, in place, every block of PAGE between
#   <!-- BEGIN generated: NAME -->  and  <!-- END generated: NAME -->
# and leaves the hand-written text around them alone; without -p it prints
# every block to standard output.  With -f FIGDIR it also writes the SVG
# figures there: the charts of `rexsweep report --format html` (the average
# ranks of the paper's convention, the metric and the gap to the best per
# budget), each a standalone file.  SWEEP (default rex-paper) names the sweep to read in
# PAPER_DB; SAMPLING_DB holds the sweep rex-sampling and VAE_DB the sweep
# rex-paper-vae (its block is rexsweep report with the test loss as metric).
#
# The protocol is the paper's (../shared/REX-PAPER.md section 4):
#   - metric: test error in % (1 - test_acc), or test loss for a vae; lower is
#     better;
#   - a cell is (setting, optimizer, schedule, budget); its lr is the one with
#     the best mean validation metric over seeds (validation error, or
#     validation loss for a vae), preferring lrs whose every seed finished;
#     the cell's value is the mean +- sample std over seeds of that lr's test
#     metric; ties go to the smaller lr (as rexsweep report);
#   - Top-1/Top-3: per (setting, optimizer, budget), the 7 schedules of the
#     paper's Table 1 (constant, exp, onecycle, linear, step -- the better of
#     step and plateau on test, as the paper --, cosine, rex) ranked by mean
#     test metric; tied means share the rank;
#   - average rank: the same without constant (6 schedules), ties getting
#     their average rank, averaged over settings, per optimizer and budget.
set -eu

sweep=rex-paper page= figdir= vdb=
while getopts s:p:f:v: o; do
  case $o in
    v) vdb=$OPTARG ;;
    s) sweep=$OPTARG ;;
    p) page=$OPTARG ;;
    f) figdir=$OPTARG ;;
    *) echo "usage: $0 [-s SWEEP] [-p PAGE] [-f FIGDIR] [-v VAE_DB] PAPER_DB [SAMPLING_DB]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-s SWEEP] [-p PAGE] [-f FIGDIR] [-v VAE_DB] PAPER_DB [SAMPLING_DB]" >&2; exit 2; }
db=$1 sdb=${2:-}
for f in "$db" ${sdb:+"$sdb"} ${vdb:+"$vdb"}; do
  [ -f "$f" ] || { echo "$0: no results store at '$f'" >&2; exit 1; }
done
case $sweep in *[!A-Za-z0-9._-]*) echo "$0: bad sweep name '$sweep'" >&2; exit 2 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The temporary views every query below builds on.  r: one row per run of the
# sweep, v and t the validation and test metric (lower is better).
views="
CREATE TEMP VIEW r AS
SELECT upper(model) AS setting, optimizer, schedule, budget, lr, seed, status, wall,
       CASE WHEN model = 'vae' THEN val_loss ELSE 100.0 * (1 - val_acc) END AS v,
       CASE WHEN model = 'vae' THEN test_loss ELSE 100.0 * (1 - test_acc) END AS t
  FROM sweep_results WHERE sweep = '$sweep';
CREATE TEMP VIEW lrcell AS
SELECT setting, optimizer, schedule, budget, lr, count(*) AS n,
       sum(status = 'done') AS nd, sum(status = 'failed') AS nf,
       sum(status = 'diverged') AS ndv,
       avg(CASE WHEN status = 'done' THEN v END) AS v,
       avg(CASE WHEN status = 'done' THEN t END) AS t,
       CASE WHEN sum(status = 'done') > 1 THEN
         sqrt(max(0, (sum(CASE WHEN status = 'done' THEN t * t END)
                      - sum(CASE WHEN status = 'done' THEN t END)
                        * sum(CASE WHEN status = 'done' THEN t END) / sum(status = 'done'))
                     / (sum(status = 'done') - 1))) END AS s
  FROM r GROUP BY setting, optimizer, schedule, budget, lr;
CREATE TEMP VIEW cell AS
SELECT * FROM (
  SELECT *, row_number() OVER (PARTITION BY setting, optimizer, schedule, budget
                               ORDER BY (nd = n AND v IS NOT NULL) DESC, v IS NULL, v, lr) AS k
    FROM lrcell) WHERE k = 1;
CREATE TEMP VIEW contender AS
SELECT * FROM (
  SELECT setting, optimizer, budget, t, s, nd,
         CASE schedule WHEN 'plateau' THEN 'step' ELSE schedule END AS sched,
         row_number() OVER (PARTITION BY setting, optimizer, budget,
                                         CASE schedule WHEN 'plateau' THEN 'step' ELSE schedule END
                            ORDER BY t IS NULL, t) AS k
    FROM cell) WHERE k = 1 AND t IS NOT NULL;
CREATE TEMP VIEW ranked7 AS
SELECT *, rank() OVER (PARTITION BY setting, optimizer, budget ORDER BY t) AS rk FROM contender;
CREATE TEMP VIEW ranked6 AS
SELECT *, rank() OVER w + (count(*) OVER (PARTITION BY setting, optimizer, budget, t) - 1) / 2.0 AS rk
  FROM contender WHERE sched <> 'constant' WINDOW w AS (PARTITION BY setting, optimizer, budget ORDER BY t);
CREATE TEMP TABLE sched_order(name TEXT, pos INTEGER, label TEXT);
INSERT INTO sched_order VALUES ('rex', 1, 'REX'), ('linear', 2, 'linear'), ('cosine', 3, 'cosine'),
  ('exp', 4, 'exp (γ=-3)'), ('step', 5, 'step 50-75'), ('plateau', 6, 'plateau'),
  ('onecycle', 7, 'OneCycle'), ('constant', 8, 'constant');
"
q() { sqlite3 -readonly -batch -noheader -separator '|' "$db" ".bail on" "$views" "$1"; }
qs() { sqlite3 -readonly -batch -noheader -separator '|' "$sdb" "$1"; }
pct() { awk -v b="$1" 'BEGIN { printf "%g%%", b * 100 }'; }

budgets=$(q "SELECT DISTINCT budget FROM r ORDER BY budget;")
[ -n "$budgets" ] || { echo "$0: no runs of sweep '$sweep' in '$db'" >&2; exit 1; }
header() { # the header row and rule of a table with a column per budget
  local first=$1 line rule b
  line="| $first |" rule="|---|"
  for b in $budgets; do line="$line $(pct "$b") |"; rule="$rule---:|"; done
  printf '%s\n%s\n' "$line" "$rule"
}

# --- status: how complete the store is ---------------------------------------
{
  q "SELECT count(*), sum(status = 'done'), sum(status = 'failed'), sum(status = 'diverged'),
            sum(status NOT IN ('done', 'failed', 'diverged')),
            (SELECT count(*) FROM cell), (SELECT count(*) FROM cell WHERE nd = n),
            printf('%.1f', sum(wall) / 60.0)
       FROM r;" |
  awk -F'|' -v sw="$sweep" '{
    printf "Sweep `%s`: %d runs, %d done, %d failed, %d diverged, %d not run; ", sw, $1, $2, $3, $4, $5
    printf "%d cells (after lr tuning), %d with every seed of the chosen lr done; the runs trained for %s minutes in all (summed over runs).\n", $6, $7, $8 }'
  q "SELECT setting, optimizer, schedule, budget, lr, nf, ndv FROM lrcell WHERE nf + ndv > 0
      ORDER BY setting, optimizer, schedule, budget, lr;" |
  awk -F'|' 'NR == 1 { print "\nRuns that did not finish (per setting, optimizer, schedule, budget and lr; failed/diverged):\n" }
    { printf "- %s %s %s %g%% lr %g: %d failed, %d diverged\n", $1, $2, $3, $4 * 100, $5, $6, $7 }'
} >"$tmp/status"

# --- cells: one table per setting and optimizer ----------------------------
{
  echo "Test error in % (mean ± std over seeds) at the lr chosen on validation (in brackets);"
  echo "the best mean of each column in bold (for the VAE: test loss)."
  q "SELECT DISTINCT setting, optimizer FROM cell ORDER BY setting DESC, optimizer DESC;" |
  while IFS='|' read -r setting opt; do
    echo
    unit="test error %"; [ "$setting" = VAE ] && unit="test loss"
    echo "**$setting, $opt** ($unit)"
    echo
    header schedule
    q "SELECT o.label, c.budget, c.t, c.s, c.lr, c.nd, c.n,
              c.t = (SELECT min(t) FROM cell m WHERE m.setting = c.setting
                       AND m.optimizer = c.optimizer AND m.budget = c.budget)
         FROM cell c JOIN sched_order o ON o.name = c.schedule
        WHERE c.setting = '$setting' AND c.optimizer = '$opt'
        ORDER BY o.pos, c.budget;" |
    awk -F'|' -v nb="$(echo $budgets | wc -w)" '
      function flush() { if (row != "") print row " |" }
      $1 != cur { flush(); cur = $1; row = "| " $1 }
      {
        if ($3 == "") v = "–"
        else {
          v = sprintf("%.2f", $3)
          v = v ($4 == "" ? "" : sprintf(" ± %.2f", $4))
          if ($8 == 1) v = "**" v "**"
          v = v sprintf(" (%g)", $5)
          if ($6 < $7) v = v sprintf(" [%d/%d seeds]", $6, $7)
        }
        row = row " | " v
      }
      END { flush() }'
  done
} >"$tmp/cells"

# --- topk: the paper's Table 1 -----------------------------------------------
{
  q "SELECT count(DISTINCT setting || optimizer || budget) FROM ranked7 WHERE budget < 0.2;
     SELECT count(DISTINCT setting || optimizer || budget) FROM ranked7 WHERE budget > 0.2;" |
  paste -sd' ' | awk '{ printf "Share of cells (setting, optimizer, budget) where a schedule is best (Top-1) or among the best three (Top-3) of the 7; low budgets 1/5/10%% (%d cells), high 25/50/100%% (%d cells).\n\n", $1, $2 }'
  echo "| schedule | low Top-1 | low Top-3 | high Top-1 | high Top-3 | all Top-1 | all Top-3 |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  q "WITH g AS (SELECT sched, budget < 0.2 AS low, rk FROM ranked7),
          n AS (SELECT low, count(DISTINCT setting || optimizer || budget) AS c FROM
                  (SELECT setting, optimizer, budget, budget < 0.2 AS low FROM ranked7) GROUP BY low)
     SELECT CASE sched WHEN 'constant' THEN 'none (constant)' WHEN 'exp' THEN 'exp decay'
                       WHEN 'onecycle' THEN 'OneCycle' WHEN 'step' THEN 'step (incl. plateau)'
                       WHEN 'rex' THEN 'REX' ELSE sched END,
            printf('%.0f%%', 100.0 * sum(low AND rk = 1) / (SELECT c FROM n WHERE low = 1)),
            printf('%.0f%%', 100.0 * sum(low AND rk <= 3) / (SELECT c FROM n WHERE low = 1)),
            printf('%.0f%%', 100.0 * sum(NOT low AND rk = 1) / (SELECT c FROM n WHERE low = 0)),
            printf('%.0f%%', 100.0 * sum(NOT low AND rk <= 3) / (SELECT c FROM n WHERE low = 0)),
            printf('%.0f%%', 100.0 * sum(rk = 1) / (SELECT sum(c) FROM n)),
            printf('%.0f%%', 100.0 * sum(rk <= 3) / (SELECT sum(c) FROM n))
       FROM g GROUP BY sched
      ORDER BY CASE sched WHEN 'constant' THEN 1 WHEN 'exp' THEN 2 WHEN 'onecycle' THEN 3
                          WHEN 'linear' THEN 4 WHEN 'step' THEN 5 WHEN 'cosine' THEN 6 ELSE 7 END;" |
  awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
} >"$tmp/topk"

# --- ranks: average rank per budget and optimizer ---------------------------
{
  echo "Average rank of the 6 schedules (1 = best; step is the better of step and plateau), over the settings."
  for opt in $(q "SELECT DISTINCT optimizer FROM ranked6 ORDER BY optimizer DESC;"); do
    echo
    echo "**$opt**"
    echo
    header schedule
    q "SELECT o.label, budget, printf('%.2f', avg(rk)),
              avg(rk) = min(avg(rk)) OVER (PARTITION BY budget)
         FROM ranked6 JOIN sched_order o ON o.name = sched
        WHERE optimizer = '$opt' GROUP BY sched, budget ORDER BY o.pos, budget;" |
    awk -F'|' '
      $1 != cur { if (row != "") print row " |"; cur = $1; row = "| " ($1 == "step 50-75" ? "step (or plateau)" : $1) }
      { row = row " | " ($4 == 1 ? "**" $3 "**" : $3) }
      END { if (row != "") print row " |" }'
  done
} >"$tmp/ranks"

# --- compare: side by side with the paper's Table 1 and SGDM average ranks ---
{
  echo "Top-1 / Top-3 over all cells: the paper (82 cells, 7 settings) against this sweep."
  echo
  echo "| schedule | paper Top-1 | here Top-1 | paper Top-3 | here Top-3 |"
  echo "|---|---:|---:|---:|---:|"
  q "WITH n AS (SELECT count(DISTINCT setting || optimizer || budget) AS c FROM ranked7),
          p(sched, pos, label, t1, t3) AS (VALUES ('constant', 1, 'none (constant)', 1, 5), ('exp', 2, 'exp decay', 5, 11),
            ('onecycle', 3, 'OneCycle', 13, 45), ('linear', 4, 'linear', 11, 70),
            ('step', 5, 'step (incl. plateau)', 5, 25), ('cosine', 6, 'cosine', 6, 64), ('rex', 7, 'REX', 70, 92))
     SELECT p.label, p.t1 || '%', printf('%.0f%%', 100.0 * sum(rk = 1) / (SELECT c FROM n)),
            p.t3 || '%', printf('%.0f%%', 100.0 * sum(rk <= 3) / (SELECT c FROM n))
       FROM p LEFT JOIN ranked7 r ON r.sched = p.sched GROUP BY p.sched ORDER BY p.pos;" |
  awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }'
  echo
  echo "Average rank with SGD with momentum (6 schedules): the paper's (recomputed from its tables) / this sweep's."
  echo
  header schedule
  q "WITH p(sched, budget, rk) AS (VALUES
       ('rex', 0.01, 1.40), ('rex', 0.05, 1.00), ('rex', 0.1, 1.25), ('rex', 0.25, 1.50), ('rex', 0.5, 1.00), ('rex', 1, 1.75),
       ('linear', 0.01, 3.60), ('linear', 0.05, 2.40), ('linear', 0.1, 3.00), ('linear', 0.25, 3.25), ('linear', 0.5, 3.75), ('linear', 1, 3.50),
       ('cosine', 0.01, 3.00), ('cosine', 0.05, 3.00), ('cosine', 0.1, 2.50), ('cosine', 0.25, 2.00), ('cosine', 0.5, 2.00), ('cosine', 1, 3.25),
       ('onecycle', 0.01, 3.80), ('onecycle', 0.05, 4.40), ('onecycle', 0.1, 3.75), ('onecycle', 0.25, 4.50), ('onecycle', 0.5, 5.00), ('onecycle', 1, 5.25),
       ('step', 0.01, 3.80), ('step', 0.05, 4.80), ('step', 0.1, 4.88), ('step', 0.25, 4.25), ('step', 0.5, 4.00), ('step', 1, 2.00),
       ('exp', 0.01, 5.40), ('exp', 0.05, 5.40), ('exp', 0.1, 5.62), ('exp', 0.25, 5.50), ('exp', 0.5, 5.25), ('exp', 1, 5.25))
     SELECT o.label, p.budget, printf('%.2f', p.rk), printf('%.2f', avg(r.rk))
       FROM p JOIN sched_order o ON o.name = p.sched
       LEFT JOIN ranked6 r ON r.sched = p.sched AND r.budget = p.budget AND r.optimizer = 'sgd'
      GROUP BY p.sched, p.budget ORDER BY o.pos, p.budget;" |
  awk -F'|' '
    $1 != cur { if (row != "") print row " |"; cur = $1; row = "| " ($1 == "step 50-75" ? "step (or plateau)" : $1) }
    { row = row " | " $3 " / " ($4 == "" ? "–" : $4) }
    END { if (row != "") print row " |" }'
} >"$tmp/compare"

# --- spread: is REX's gap to the best other schedule larger than the seeds' noise?
{
  echo "REX minus the best other schedule (of the 7), in the metric's units: negative means REX is best."
  echo "± is two standard errors of that difference, 2·sqrt(s₁²/n₁ + s₂²/n₂), from the seeds' spread;"
  echo "a difference inside it cannot be told from seed noise."
  echo
  header "setting, optimizer"
  q "WITH rx AS (SELECT * FROM contender WHERE sched = 'rex'),
          other AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY setting, optimizer, budget ORDER BY t) AS j
                                     FROM contender WHERE sched <> 'rex') WHERE j = 1)
     SELECT rx.setting || ', ' || rx.optimizer, rx.budget, rx.t - other.t,
            2 * sqrt(coalesce(rx.s * rx.s / rx.nd, 0) + coalesce(other.s * other.s / other.nd, 0)), other.sched
       FROM rx JOIN other USING (setting, optimizer, budget)
      ORDER BY rx.setting DESC, rx.optimizer DESC, rx.budget;" >"$tmp/spread.raw"
  awk -F'|' '
    $1 != cur { if (row != "") print row " |"; cur = $1; row = "| " $1 }
    { row = row sprintf(" | %+.2f ± %.2f (%s)", $3, $4, $5) }
    END { if (row != "") print row " |" }' "$tmp/spread.raw"
  echo
  awk -F'|' '{ n++; if ($3 < -$4) w++; else if ($3 > $4) l++; else e++ }
    END { printf "Of %d cells: REX is better than every other schedule by more than the noise in %d, ", n, w
          printf "worse than the best one by more than the noise in %d, and within the noise of the best in %d.\n", l, e }' "$tmp/spread.raw"
} >"$tmp/spread"

# --- sampling: the Table 2 study ---------------------------------------------
if [ -n "$sdb" ]; then
  sviews="
  CREATE TEMP VIEW s AS
  SELECT schedule || CASE WHEN schedule = 'exp' THEN printf(' (γ=%g)', json_extract(schedule_json, '$.gamma')) ELSE '' END AS profile,
         CASE sampling WHEN '[0.5,0.75]' THEN '50-75' WHEN '[0.33,0.66]' THEN '33-66'
                       WHEN '[0.25,0.5,0.75]' THEN '25-50-75' WHEN 'iteration' THEN 'every iteration'
                       ELSE CASE WHEN sampling LIKE '%\%' ESCAPE '\\' THEN 'every ' || sampling ELSE sampling END END AS samp,
         budget, grid_index, status, 100.0 * (1 - test_acc) AS t
    FROM sweep_results WHERE sweep = 'rex-sampling';"
  sq() { sqlite3 -readonly -batch -noheader -separator '|' "$sdb" "$sviews" "$1"; }
  sbudgets=$(sq "SELECT DISTINCT budget FROM s ORDER BY budget;")
  {
    sq "SELECT count(*), sum(status = 'done'), sum(status <> 'done'), min(lr), min(optimizer)
          FROM sweep_results WHERE sweep = 'rex-sampling';" |
    awk -F'|' '{ printf "Test error in %% (mean ± std over seeds), %s at a fixed lr %g; %d runs, %d done, %d not done. The best sampling of each profile and budget in bold.\n\n", $5, $4, $1, $2, $3 }'
    line="| profile | sampling |" rule="|---|---|"
    for b in $sbudgets; do line="$line $(pct "$b") |"; rule="$rule---:|"; done
    printf '%s\n%s\n' "$line" "$rule"
    sq "WITH c AS (SELECT profile, samp, budget, min(grid_index) AS gi, avg(CASE WHEN status = 'done' THEN t END) AS m,
                          count(CASE WHEN status = 'done' THEN t END) AS nd,
                          sum(CASE WHEN status = 'done' THEN t * t END) AS ss
                     FROM s GROUP BY profile, samp, budget)
        SELECT profile, samp, budget, m,
               CASE WHEN nd > 1 THEN sqrt(max(0, (ss - nd * m * m) / (nd - 1))) END,
               m = min(m) OVER (PARTITION BY profile, budget),
               min(gi) OVER (PARTITION BY profile, samp) AS o
          FROM c ORDER BY o, budget;" |
    awk -F'|' '
      function flush() { if (row != "") print row " |" }
      $1 "|" $2 != cur { flush(); cur = $1 "|" $2; row = "| " ($1 != prof ? $1 : "") " | " $2; prof = $1 }
      { v = ($4 == "" ? "–" : sprintf("%.2f", $4) ($5 == "" ? "" : sprintf(" ± %.2f", $5)))
        if ($6 == 1) v = "**" v "**"
        row = row " | " v }
      END { flush() }'
  } >"$tmp/sampling"
fi

# --- report: the tool's own report, or the tables computed here ---------------
rexsweep=${REXSWEEP:-build/rexsweep}
has_report=0
"$rexsweep" report --help >/dev/null 2>&1 && has_report=1
if [ $has_report = 1 ]; then
  # its headings go two levels down, under the page's own
  "$rexsweep" report --db "$db" --sweep "$sweep" --format markdown |
    sed -e 's/^#/###/' -e 's#^\(- store: \)[^;]*/\([^/;]*;\)#\1results/\2#' >"$tmp/report"
  [ -z "$figdir" ] || "$rexsweep" report --db "$db" --sweep "$sweep" --format html -o "$tmp/report.html"
else
  { cat "$tmp/cells"; echo; cat "$tmp/topk"; } >"$tmp/report"
fi

# --- vae: the VAE setting's own sweep ------------------------------------------
if [ -n "$vdb" ]; then
  {
    sqlite3 -readonly -batch -noheader -separator '|' "$vdb" \
      "SELECT count(*), sum(status = 'done'), sum(status = 'failed'), sum(status = 'diverged'),
              sum(status NOT IN ('done', 'failed', 'diverged')), printf('%.1f', sum(wall) / 60.0)
         FROM sweep_results WHERE sweep = 'rex-paper-vae';" |
    awk -F'|' '{ printf "Sweep `rex-paper-vae`: %d runs, %d done, %d failed, %d diverged, %d not run; the runs trained for %s minutes in all (summed over runs).\n\n", $1, $2, $3, $4, $5, $6 }'
    if [ $has_report = 1 ]; then
      "$rexsweep" report --db "$vdb" --sweep rex-paper-vae --metric loss --format markdown |
        sed -e 's/^#/###/' -e 's#^\(- store: \)[^;]*/\([^/;]*;\)#\1results/\2#'
    else
      echo "(needs rexsweep report)"
    fi
  } >"$tmp/vae"
fi

# --- figures -----------------------------------------------------------------
# The report's own charts (one SVG writer, one colour per schedule by name):
# every <svg class="chart"> of an HTML report becomes a standalone file named
# after its id.  charts HTML PREFIX IDS: the charts whose id matches the
# extended regex IDS, written as $figdir/PREFIX<id>.svg; prints the names.
charts() {
  awk -v dir="$figdir" -v pre="$2" -v want="$3" '
    /<svg .*class="chart"/ { id = $0; sub(/.* id="/, "", id); sub(/".*/, "", id)
                             inside = id ~ want; if (!inside) next
                             f = dir "/" pre id ".svg"; print > f; next }
    inside { print > f; if (/<\/svg>/) { inside = 0; close(f); print pre id ".svg" } }' "$1"
}
figs=
if [ -n "$figdir" ] && [ $has_report = 0 ]; then
  echo "$0: -f needs rexsweep report (its charts are the figures)" >&2
  figdir=
fi
if [ -n "$figdir" ]; then
  mkdir -p "$figdir"
  # the paper's Figure 1: average ranks without constant, step the better of
  # step and plateau (--schedules ranks that set; merging is the default)
  "$rexsweep" report --db "$db" --sweep "$sweep" --format html --bootstrap 0 \
    --schedules rex,linear,cosine,exp,onecycle,step,plateau -o "$tmp/report6.html"
  {
    charts "$tmp/report6.html" "$sweep-paper-" '^chart-rank-'
    # per setting and optimizer: the metric against budget and the gap to the
    # best schedule of each budget with its paired interval; the learning curves
    charts "$tmp/report.html" "$sweep-" '^chart-(metric|gap|learning)-'
  } >"$tmp/cellfigs"
  figs=$(paste -sd' ' "$tmp/cellfigs")
  {
    rel=$figdir
    [ -n "$page" ] && rel=$(realpath --relative-to="$(dirname "$page")" "$figdir")
    for f in $figs; do echo "![${f%.svg}]($rel/$f)"; echo; done
  } >"$tmp/figures"
fi

# --- output ------------------------------------------------------------------
blocks="status report ranks compare spread"
[ -n "$sdb" ] && blocks="$blocks sampling"
[ -n "$vdb" ] && blocks="$blocks vae"
[ -n "$figdir" ] && blocks="$blocks figures"
if [ -z "$page" ]; then
  for b in $blocks; do
    echo "<!-- BEGIN generated: $b -->"; cat "$tmp/$b"; echo "<!-- END generated: $b -->"; echo
  done
  exit 0
fi
[ -f "$page" ] || { echo "$0: no page at '$page'" >&2; exit 1; }
awk -v dir="$tmp" '
  /^<!-- END generated: / { skip = 0 }
  !skip { print }
  /^<!-- BEGIN generated: / {
    name = $4; f = dir "/" name
    if ((getline l < f) > 0) { print l; while ((getline l < f) > 0) print l; close(f); skip = 1 }
  }' "$page" >"$tmp/page"
cp "$tmp/page" "$page"
