#!/usr/bin/env bash
# rex-paper.sh: the generated blocks of docs/rex-paper.md (and the summary in
# README.md), from the committed results store.
#
#   docs/rex-paper.sh [-s SWEEP] [-p PAGE] [-r README] [-f FIGDIR] [DB]
#
# DB (default results/rex-paper.db) holds the sweep SWEEP (default rex-paper,
# sweeps/rex-paper.yaml; tests/cli/test_paper_mini.sh reads rex-paper-mini).  Everything is read through documented interfaces:
# the store's views (rexsweep-results(5)) with sqlite3, and `rexsweep report`
# (the binary in $REXSWEEP, default build/rexsweep) in its markdown and JSON
# formats, whose JSON is read with sqlite3's JSON functions.  Without -p the
# blocks go to standard output; with -p PAGE every block of PAGE between
#   <!-- BEGIN generated: NAME -->  and  <!-- END generated: NAME -->
# is rewritten in place and the hand-written text around them is left alone;
# -r README does the same for README.md's blocks (the summary).  With
# -f FIGDIR the report's charts are written there as standalone SVG files.
# The output is a pure function of the store (the report's bootstrap has a
# fixed seed), so a test regenerates the page from the committed store and
# diffs it (tests/cli/test_paper_page.sh).
#
# The blocks:
#   status      how complete the sweep is, per budget
#   provenance  which trainer, BLAS kernel and commit produced the runs
#   summary     REX's average rank per budget and the verdicts against each
#               rival (also README.md's)
#   report      rexsweep report: the cell tables, Top-k, ranks, paired
#               statistics, bootstrap intervals and protocol warnings
#   separate    average ranks with step and plateau apart (--no-merge)
#   compare     side by side with the paper's Table 1 and Figure 1 ranks
#               (docs/rex-paper-reference.md)
#   figures     the charts (with -f)
set -eu

page= readme= figdir= sweep=rex-paper
usage="usage: $0 [-s SWEEP] [-p PAGE] [-r README] [-f FIGDIR] [DB]"
while getopts s:p:r:f: o; do
  case $o in
    s) sweep=$OPTARG ;;
    p) page=$OPTARG ;;
    r) readme=$OPTARG ;;
    f) figdir=$OPTARG ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
db=${1:-results/rex-paper.db}
case $sweep in *[!A-Za-z0-9._-]*) echo "$0: bad sweep name '$sweep'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
ref=$here/rex-paper-reference.md
rexsweep=${REXSWEEP:-build/rexsweep}
[ -f "$db" ] || { echo "$0: no results store at '$db'" >&2; exit 1; }
[ -f "$ref" ] || { echo "$0: no reference table at '$ref'" >&2; exit 1; }
"$rexsweep" report --help >/dev/null 2>&1 ||
  { echo "$0: '$rexsweep' does not run (build it, or set REXSWEEP)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The store as the page names it: relative to the checkout, never a machine path.
dbname=results/$(basename "$db")
q() { sqlite3 -readonly -batch -noheader -separator '|' "$db" "$1"; }
# j FILE SQL: SQL over the JSON document FILE (in the table doc, column d)
j() { sqlite3 -batch -noheader -separator '|' :memory: \
        "CREATE TABLE doc AS SELECT CAST(readfile('$1') AS TEXT) AS d;" "$2"; }
pct() { awk -v b="$1" 'BEGIN { printf "%g%%", b * 100 }'; }

# The sweep is the newest row of that name, as the report reads it (a spec
# changed since, e.g. by adding an lr grid's extend, is a new row).
sid=$(q "SELECT max(id) FROM sweeps WHERE name = '$sweep';")
[ -n "$sid" ] || { echo "$0: no sweep '$sweep' in '$db'" >&2; exit 1; }

# The analysis reads a copy of the store holding only the budgets whose every
# run has finished: a budget half done would be compared on the lrs that
# happen to have run (the status block says which budgets are left out).
q "SELECT budget FROM sweep_results WHERE sweep_id = $sid GROUP BY budget
    HAVING sum(status NOT IN ('done', 'failed', 'diverged')) > 0 ORDER BY budget;" >"$tmp/open"
adb=$db
if [ -s "$tmp/open" ]; then
  adb=$tmp/analysed.db
  sqlite3 -readonly "$db" ".backup '$adb'"
  sqlite3 -batch "$adb" "PRAGMA foreign_keys = ON;
    DELETE FROM sweep_runs WHERE sweep = $sid
      AND key IN (SELECT key FROM sweep_results WHERE sweep_id = $sid AND budget IN ($(paste -sd, "$tmp/open")));"
fi

# The paper's conventions: plateau's patience is tuned like the lr; Top-k over
# the 7 schedules of Table 1 (step the better of step and plateau); average
# ranks over the 6 without constant (Figure 1).
tune="--tune schedule.patience"
report() { "$rexsweep" report --db "$adb" --sweep "$sweep" $tune "$@"; }
report --format json --vs rex >"$tmp/all.json"
report --format json --vs rex \
  --schedules rex,linear,cosine,exp,onecycle,step,plateau,constant >"$tmp/seven.json"
report --format json --vs rex --schedules rex,linear,cosine,exp,onecycle,step,plateau \
  >"$tmp/six.json"
report --format json --vs rex --bootstrap 0 --no-merge >"$tmp/apart.json"

[ -n "$(q "SELECT 1 FROM sweep_results WHERE sweep_id = $sid LIMIT 1;")" ] ||
  { echo "$0: no runs of sweep '$sweep' in '$db'" >&2; exit 1; }
# the budgets the analysis covers: the report's columns, which its rank
# arrays follow
budgets=$(j "$tmp/all.json" "SELECT value FROM doc, json_each(d, '\$.budgets') ORDER BY key;")
header() { # a table's header row and rule, one column per budget (default: the analysed ones)
  local line="| $1 |" rule="|---|" b
  for b in ${2:-$budgets}; do line="$line $(pct "$b") |"; rule="$rule---:|"; done
  printf '%s\n%s\n' "$line" "$rule"
}

# --- status ------------------------------------------------------------------
{
  # an extension run of the adaptive lr grid shares the grid_index of the
  # run it was derived from (rexsweep-results(5)): the grid's runs are the
  # distinct indexes, the extension runs the rest
  q "SELECT count(DISTINCT grid_index), count(*) - count(DISTINCT grid_index),
            sum(status = 'done'), sum(status = 'failed'), sum(status = 'diverged'),
            sum(status NOT IN ('done', 'failed', 'diverged')),
            printf('%.1f', coalesce(sum(wall), 0) / 3600.0)
       FROM sweep_results WHERE sweep_id = $sid;" |
  awk -F'|' -v s="$sweep" -v db="$dbname" '{
    printf "Sweep `%s` in `%s`: %d runs in the grid and %d added by the adaptive lr grid; ", s, db, $1, $2
    printf "%d done, %d failed, %d diverged, %d not run yet; ", $3, $4, $5, $6
    printf "the finished runs took %s hours in all, summed over runs (one BLAS thread each, on a shared machine).\n\n", $7 }'
  echo "| budget | steps | grid runs | extension runs | done | failed | diverged | not run |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  q "SELECT budget, max(steps), count(DISTINCT grid_index), count(*) - count(DISTINCT grid_index),
            sum(status = 'done'), sum(status = 'failed'),
            sum(status = 'diverged'), sum(status NOT IN ('done', 'failed', 'diverged'))
       FROM sweep_results WHERE sweep_id = $sid GROUP BY budget ORDER BY budget;" |
  awk -F'|' '{ printf "| %g%% | %s | %d | %d | %d | %d | %d | %d |\n", $1 * 100, $2 == "" ? "–" : $2, $3, $4, $5, $6, $7, $8 }'
  if [ -s "$tmp/open" ]; then
    echo
    awk '{ b = b (NR > 1 ? ", " : "") sprintf("%g%%", $1 * 100) }
      END { printf "The analysis below leaves out the budgets with runs not finished yet (%s): ", b
            printf "a budget half done would be compared on whichever lrs happen to have run.\n" }' "$tmp/open"
  fi
} >"$tmp/status"

# --- provenance --------------------------------------------------------------
{
  echo "Who trained the finished runs (the store's provenance table, rexsweep-results(5));"
  echo "\`rexsweep verify --sample\` retrains a sample and compares every metric bit for bit."
  echo
  echo "| runs | trainer | rexsweep | commit | BLAS (kernel) | compiler | CPU |"
  echo "|---:|---:|---|---|---|---|---|"
  q "SELECT count(*), p.trainer_version, p.rexsweep_version,
            CASE WHEN coalesce(p.git_commit, '') = '' THEN 'none recorded'
                 ELSE substr(p.git_commit, 1, 12) || CASE p.git_dirty WHEN 1 THEN ' (dirty)' ELSE '' END END,
            coalesce(p.blas_version, '?') || ' (' || coalesce(p.blas_core, '?') || ')',
            coalesce(p.compiler, '?'), coalesce(p.cpu, '?')
       FROM sweep_results r JOIN run_provenance p ON p.key = r.key
      WHERE r.sweep_id = $sid AND r.status = 'done'
      GROUP BY p.provenance ORDER BY min(p.ended);" |
  awk -F'|' '{ printf "| %d | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
} >"$tmp/provenance"

# --- summary -----------------------------------------------------------------
# REX's average rank (6 schedules) per optimizer and budget, with its
# bootstrap interval, then the verdicts of the paired statistics.
{
  echo "Average rank of REX among the 6 schedules of the paper's Figure 1 (1 = best; 95% bootstrap interval over seeds):"
  echo
  header optimizer
  j "$tmp/six.json" "
    SELECT o.key, r.key, r.value, c.value ->> '\$[0]', c.value ->> '\$[1]'
      FROM doc, json_each(d, '\$.average_rank') o,
           json_each(o.value, '\$.rex.rank') r
      LEFT JOIN json_each(d, '\$.statistics.average_rank_ci.' || o.key || '.rex') c ON c.key = r.key
     ORDER BY o.key DESC, r.key;" |
  awk -F'|' '
    $1 != cur { if (row != "") print row " |"; cur = $1; row = "| " ($1 == "sgd" ? "SGD + momentum" : $1 == "adam" ? "Adam" : $1) }
    { row = row " | " ($3 == "" ? "–" : sprintf("%.2f", $3) ($4 == "" ? "" : sprintf(" [%.2f, %.2f]", $4, $5))) }
    END { if (row != "") print row " |" }'
  echo
  echo "REX against each rival over every (optimizer, budget) comparison, paired seed by seed:"
  echo
  j "$tmp/all.json" "SELECT value FROM doc, json_each(d, '\$.statistics.verdicts');" |
    sed 's/^/- /'
} >"$tmp/summary"

# --- report ------------------------------------------------------------------
# its headings go two levels down, under the page's own; the store's path is
# named as in the checkout
report --format markdown --vs rex |
  sed -e 's/^#/###/' -e "s#^\(- store: \)[^;]*;#\1$dbname;#" >"$tmp/report"

# --- separate: step and plateau apart -------------------------------------
{
  echo "The same average ranks (all schedules, constant included) with step and plateau ranked apart"
  echo "(\`--no-merge\`); the report above merges them as the paper does."
  for opt in $(j "$tmp/apart.json" "SELECT key FROM doc, json_each(d, '\$.average_rank') ORDER BY key DESC;"); do
    echo
    echo "**$opt**"
    echo
    header schedule
    j "$tmp/apart.json" "
      SELECT s.key, r.key, r.value FROM doc, json_each(d, '\$.average_rank.$opt') s,
             json_each(s.value, '\$.rank') r ORDER BY s.id, r.key;" |
    awk -F'|' '
      $1 != cur { if (row != "") print row " |"; cur = $1; row = "| " $1 }
      { row = row " | " ($3 == "" ? "–" : sprintf("%.2f", $3)) }
      END { if (row != "") print row " |" }'
  done
} >"$tmp/separate"

# --- compare: the paper's numbers beside this sweep's -----------------------
# reftable NAME: the rows of the reference table after <!-- reference: NAME -->
reftable() {
  awk -v want="<!-- reference: $1 -->" '
    $0 == want { on = 1; n = 0; next }
    on && /^\|/ { if (++n > 2) print; next }
    on && n > 0 { exit }' "$ref" |
  sed -e 's/^| *//' -e 's/ *|$//' -e 's/ *| */|/g' -e 's/%//g'
}
reftable topk >"$tmp/ref-topk"
reftable ranks-sgd >"$tmp/ref-ranks"
{
  echo "Top-1 / Top-3 over all comparisons: the paper (82 cells, 7 settings; docs/rex-paper-reference.md)"
  echo "against this sweep (the 7 schedules of its Table 1, step the better of step and plateau);"
  echo "this sweep's 95% bootstrap interval in brackets."
  echo
  echo "| schedule | paper Top-1 | here Top-1 | paper Top-3 | here Top-3 |"
  echo "|---|---:|---:|---:|---:|"
  # this sweep's rates with their intervals, one line per schedule
  j "$tmp/seven.json" "
    SELECT s.key, s.value ->> '\$.all.top1_rate', s.value ->> '\$.all.top3_rate'
      FROM doc, json_each(d, '\$.top_k.schedules') s;" >"$tmp/here-topk"
  j "$tmp/seven.json" "
    SELECT s.key, s.value ->> '\$.all.top1_rate[0]', s.value ->> '\$.all.top1_rate[1]',
           s.value ->> '\$.all.top3_rate[0]', s.value ->> '\$.all.top3_rate[1]'
      FROM doc, json_each(d, '\$.statistics.top_k_ci') s;" >"$tmp/here-topk-ci"
  awk -F'|' '
    function p(x) { return x == "" ? "–" : sprintf("%.0f%%", 100 * x) }
    FILENAME == ARGV[1] { t1[$1] = $2; t3[$1] = $3; next }
    FILENAME == ARGV[2] { c1[$1] = " [" p($2) ", " p($3) "]"; c3[$1] = " [" p($4) ", " p($5) "]"
                          if ($2 == "") c1[$1] = ""; if ($4 == "") c3[$1] = ""; next }
    { printf "| %s | %s%% | %s%s | %s%% | %s%s |\n", $1, $6, p(t1[$1]), c1[$1], $7, p(t3[$1]), c3[$1] }
  ' "$tmp/here-topk" "$tmp/here-topk-ci" "$tmp/ref-topk"
  echo
  echo "Average rank with SGD with momentum (6 schedules, Figure 1's convention): the paper's"
  echo "(recomputed from its tables) / this sweep's, with this sweep's 95% bootstrap interval."
  echo
  paper_budgets="0.01 0.05 0.1 0.25 0.5 1"
  header schedule "$paper_budgets"
  # this sweep's ranks by budget value (the paper's columns are all six)
  j "$tmp/six.json" "
    SELECT s.key, printf('%g', b.value), r.value, c.value ->> '\$[0]', c.value ->> '\$[1]'
      FROM doc, json_each(d, '\$.average_rank.sgd') s, json_each(s.value, '\$.rank') r
      JOIN json_each(d, '\$.budgets') b ON b.key = r.key
      LEFT JOIN json_each(d, '\$.statistics.average_rank_ci.sgd.' || s.key) c ON c.key = r.key;" \
    >"$tmp/here-ranks"
  awk -F'|' -v pb="$paper_budgets" '
    BEGIN { nb = split(pb, B, " ") }
    FILENAME == ARGV[1] { v[$1, $2] = ($3 == "" ? "–" : sprintf("%.2f", $3) ($4 == "" ? "" : sprintf(" [%.2f, %.2f]", $4, $5))); next }
    { row = "| " $1
      for (i = 2; i <= NF; i++) row = row " | " $i " / " ((($1, B[i - 1]) in v) ? v[$1, B[i - 1]] : "–")
      print row " |" }
  ' "$tmp/here-ranks" "$tmp/ref-ranks"
} >"$tmp/compare"

# --- figures -------------------------------------------------------------------
# every <svg class="chart"> of an HTML report becomes a standalone file named
# after its id: charts HTML PREFIX IDS writes the charts whose id matches the
# extended regex IDS as $figdir/PREFIX<id>.svg and prints their names
charts() {
  awk -v dir="$figdir" -v pre="$2" -v want="$3" '
    /<svg .*class="chart"/ { id = $0; sub(/.* id="/, "", id); sub(/".*/, "", id)
                             inside = id ~ want; if (!inside) next
                             f = dir "/" pre id ".svg"; print > f; next }
    inside { print > f; if (/<\/svg>/) { inside = 0; close(f); print pre id ".svg" } }' "$1"
}
if [ -n "$figdir" ]; then
  mkdir -p "$figdir"
  rm -f "$figdir"/*.svg
  report --format html --bootstrap 0 --schedules rex,linear,cosine,exp,onecycle,step,plateau \
    -o "$tmp/six.html"
  report --format html --bootstrap 0 -o "$tmp/all.html"
  {
    charts "$tmp/six.html" "paper-" '^chart-rank-'
    charts "$tmp/all.html" "" '^chart-(metric|gap|learning)-'
  } >"$tmp/figlist"
  rel=$figdir
  [ -z "$page" ] || rel=$(realpath -m --relative-to="$(dirname "$page")" "$figdir")
  while read -r f; do echo "![${f%.svg}]($rel/$f)"; echo; done <"$tmp/figlist" >"$tmp/figures"
fi

# --- output ------------------------------------------------------------------
blocks="status provenance summary report separate compare"
[ -z "$figdir" ] || blocks="$blocks figures"
# fill PAGE's generated blocks in place
fill() {
  awk -v dir="$tmp" '
    /^<!-- END generated: / { skip = 0 }
    !skip { print }
    /^<!-- BEGIN generated: / {
      name = $4; f = dir "/" name
      if ((getline l < f) > 0) { print l; while ((getline l < f) > 0) print l; close(f); skip = 1 }
    }' "$1" >"$tmp/filled"
  cat "$tmp/filled" >"$1"
}
if [ -z "$page" ] && [ -z "$readme" ]; then
  for b in $blocks; do
    echo "<!-- BEGIN generated: $b -->"; cat "$tmp/$b"; echo "<!-- END generated: $b -->"; echo
  done
  exit 0
fi
if [ -n "$page" ]; then
  [ -f "$page" ] || { echo "$0: no page at '$page'" >&2; exit 1; }
  fill "$page"
fi
if [ -n "$readme" ]; then
  [ -f "$readme" ] || { echo "$0: no README at '$readme'" >&2; exit 1; }
  fill "$readme"
fi
