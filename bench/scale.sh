#!/usr/bin/env bash
# bench/scale.sh (make bench-scale): how every command around training
# grows with the number of runs.  For each size (about 2k, 20k and 100k
# runs) it writes a sweep of tiny runs (spirals, 2 models x 2 optimizers x
# L lrs x 8 schedules x 6 budgets x S seeds), then measures with
# /usr/bin/time (wall, CPU = user + sys, peak RSS):
#   plan      the spec (no store yet), and again against the full store
#             (plan-store: a state lookup per run);
#   run       -j 1 into a new store, stopped after BENCH_RUN_CAP seconds:
#             runs/s over the first and the last BENCH_WINDOW runs finished
#             (from runs.ended);
#   report, check (the store against itself), export (csv; json with
#             --metrics) and merge (into a new store; then again, every run
#             the same) on the whole grid: the runs the cap left unfinished
#             are filled through the store's documented schema, with the
#             metrics and epoch rows of a finished run of the same schedule
#             and budget (keys, cells and configurations stay the tool's).
# Then `plan` alone on grids of about 10^6 runs (BENCH_PLAN_SIZES, 998400
# runs: issue 13's target is under 2 s and 300 MB), BENCH_REPS times.
# Medians of BENCH_REPS repetitions (1 at 100k); the growth exponent of a
# command between two sizes is log(t2/t1) / log(n2/n1) on its CPU time
# (1 = linear, 2 = quadratic).
#
#   BENCH_SIZES="2k 20k 100k"  BENCH_PLAN_SIZES=1m  BENCH_REPS=3  BENCH_RUN_CAP=300
#   BENCH_DIR=/tmp/rexsweep-bench-scale  REXSWEEP=build/rexsweep
set -eu
rx=$(realpath "${REXSWEEP:-build/rexsweep}")
sizes=${BENCH_SIZES:-2k 20k 100k}
plan_sizes=${BENCH_PLAN_SIZES-1m}
reps=${BENCH_REPS:-3}
cap=${BENCH_RUN_CAP:-300}
window=${BENCH_WINDOW:-500}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/rexsweep-bench-scale}
mkdir -p "$dir"
export OPENBLAS_NUM_THREADS=1
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# measure NAME SIZE REPS CMD...: runs CMD REPS times (output to /dev/null)
# and appends "NAME SIZE wall cpu rss_kb" (medians; the largest RSS).
measure() {
  local name=$1 size=$2 n=$3; shift 3
  local walls="" cpus="" rss=0 w u s m
  for _ in $(seq "$n"); do
    /usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$@" >/dev/null 2>"$dir/err" ||
      echo "warning: $name $size: $* failed: $(tail -1 "$dir/err")" >&2
    read -r w u s m <<<"$(tail -1 "$dir/time")"
    walls="$walls $w"
    cpus="$cpus $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$name $size $(median $walls) $(median $cpus) $rss" >>"$dir/results"
}

: >"$dir/results"
: >"$dir/runs"
: >"$dir/sizes"
# runs SIZE SPEC: records the number of runs of a size's grid
runs() { echo "$1 $("$rx" plan "$2" --json --limit 1 --db "$dir/none.db" | grep -o '"runs":[0-9]*' | cut -d: -f2)" >>"$dir/sizes"; }
echo "rexsweep bench-scale: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "binary: $rx (tree at $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
for size in $sizes; do
  read -r L S <<<"$(grid "$size")"
  r=$reps
  [ "$size" = 100k ] && r=1
  y=$dir/$size.yaml db=$dir/$size.db
  spec "$size" $L $S >"$y"
  runs "$size" "$y"
  rm -f "$db" "$db"-* "$dir/$size-merged.db"*
  measure plan "$size" "$r" "$rx" plan "$y" --db "$db"

  # run: tiny runs, one worker, until done or the cap
  t0=$(date +%s.%N)
  set +e
  timeout -s INT "$cap" "$rx" run "$y" --db "$db" -j 1 --quiet >/dev/null 2>"$dir/run.err"
  set -e
  t1=$(date +%s.%N)
  n=$(q "$db" "SELECT count(*) FROM runs")
  read -r ndone first last <<<"$(q -separator ' ' "$db" "
    WITH f AS (SELECT ended, row_number() OVER (ORDER BY ended) AS i FROM runs
               WHERE status IN ('done', 'diverged') AND ended IS NOT NULL),
         m AS (SELECT max(i) AS n, min($window, max(i) / 2) AS w FROM f)
    SELECT m.n,
      printf('%.0f', (m.w - 1) / ((SELECT ended FROM f WHERE i = m.w) - (SELECT ended FROM f WHERE i = 1))),
      printf('%.0f', (m.w - 1) / ((SELECT ended FROM f WHERE i = m.n) - (SELECT ended FROM f WHERE i = m.n - m.w + 1)))
    FROM m")"
  echo "run $size $n $ndone $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') $first $last" >>"$dir/runs"

  # the rest of the grid, filled from finished runs of the same schedule
  # and budget
  q "$db" "
    CREATE TEMP TABLE tmpl AS SELECT schedule, budget, min(key) AS key FROM runs
      WHERE status = 'done' GROUP BY schedule, budget;
    DELETE FROM metrics WHERE key IN (SELECT key FROM runs WHERE status <> 'done');
    INSERT INTO metrics (key, epoch, step, samples, train_loss, train_acc, val_loss, val_acc,
                         test_loss, test_acc, lr, momentum, grad_norm, wall)
      SELECT p.key, m.epoch, m.step, m.samples, m.train_loss, m.train_acc, m.val_loss, m.val_acc,
             m.test_loss, m.test_acc, m.lr * p.lr / t.lr, m.momentum, m.grad_norm, m.wall
      FROM runs p JOIN tmpl USING (schedule, budget) JOIN runs t ON t.key = tmpl.key
      JOIN metrics m ON m.key = t.key WHERE p.status <> 'done';
    UPDATE runs AS p SET status = 'done', attempts = 1, started = t.started, ended = t.ended,
      wall = t.wall, epochs = t.epochs, steps = t.steps, steps_done = t.steps_done,
      steps_per_epoch = t.steps_per_epoch, samples = t.samples, flops = t.flops,
      n_params = t.n_params, model_desc = t.model_desc, train_loss = t.train_loss,
      train_acc = t.train_acc, val_loss = t.val_loss,
      val_acc = t.val_acc + (abs(random()) % 1000) / 100000.0, test_loss = t.test_loss,
      test_acc = t.test_acc + (abs(random()) % 1000) / 100000.0, best_val_acc = t.best_val_acc,
      best_val_loss = t.best_val_loss, best_test_acc = t.best_test_acc,
      worker_host = NULL, worker_pid = NULL, error = NULL
    FROM tmpl JOIN runs t ON t.key = tmpl.key
    WHERE p.status <> 'done' AND p.schedule = tmpl.schedule AND p.budget = tmpl.budget;"
  left=$(q "$db" "SELECT count(*) FROM runs WHERE status <> 'done'")
  [ "$left" -eq 0 ] || echo "warning: $size: $left runs left unfilled (no finished run of their schedule and budget)"

  measure plan-store "$size" "$r" "$rx" plan "$y" --db "$db"
  measure report "$size" "$r" "$rx" report --db "$db"
  measure check "$size" "$r" "$rx" check --baseline "$db" --db "$db"
  measure export-csv "$size" "$r" "$rx" export --db "$db" --format csv
  measure export-json "$size" "$r" "$rx" export --db "$db" --format json --metrics
  rm -f "$dir/$size-merged.db"*
  measure merge-new "$size" 1 "$rx" merge "$dir/$size-merged.db" "$db" --quiet
  measure merge-same "$size" 1 "$rx" merge "$dir/$size-merged.db" "$db" --quiet
  sed -i "\$s/\$/ $(du -m "$db" | cut -f1)/" "$dir/runs"
done
# plan alone on the largest grids: the compact runs and the rows it prints
for size in $plan_sizes; do
  read -r L S <<<"$(grid "$size")"
  y=$dir/$size.yaml
  spec "$size" $L $S >"$y"
  runs "$size" "$y"
  measure plan "$size" "$reps" "$rx" plan "$y" --db "$dir/none.db"
done

echo
echo "run (-j 1, tiny runs; stopped after ${cap} s): runs/s over the first and last $window runs finished"
printf '%-6s %8s %8s %8s %10s %10s %9s\n' size runs finished wall_s start_r/s end_r/s store_MB
while read -r _ size n ndone wall first last mb; do
  printf '%-6s %8s %8s %8s %10s %10s %9s\n' "$size" "$n" "$ndone" "$wall" "$first" "$last" "$mb"
done <"$dir/runs"
echo
echo "time and peak memory (medians of $reps repetitions, 1 at 100k; merge once)"
echo "sizes in runs: $(awk '{ printf "%s%s=%s", (NR > 1 ? ", " : ""), $1, $2 }' "$dir/sizes")"
printf '%-12s %-6s %9s %9s %9s\n' command size wall_s cpu_s rss_MB
while read -r name size wall cpu rss; do
  printf '%-12s %-6s %9s %9s %9.0f\n' "$name" "$size" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done <"$dir/results"
echo
echo "growth exponent of the CPU time (log t2/t1 / log n2/n1; 1 = linear)"
awk -v sizefile="$dir/sizes" '
  BEGIN { while ((getline l < sizefile) > 0) { split(l, f, " "); n[f[1]] = f[2] } }
  { c = $1; s = $2; t[c, s] = $4; if (!(c in seen)) { seen[c] = 1; order[++k] = c }
    if (!(s in sz)) { sz[s] = 1; sizes[++m] = s } }
  END {
    printf "%-12s", "command"; for (j = 2; j <= m; j++) printf " %14s", sizes[j-1] "->" sizes[j]; print ""
    for (i = 1; i <= k; i++) {
      printf "%-12s", order[i]
      for (j = 2; j <= m; j++) {
        if (!((order[i], sizes[j-1]) in t) || !((order[i], sizes[j]) in t)) { printf " %14s", "-"; continue }
        a = t[order[i], sizes[j-1]]; b = t[order[i], sizes[j]]
        if (a > 0.05 && b > 0) printf " %14.2f", log(b / a) / log(n[sizes[j]] / n[sizes[j-1]])
        else printf " %14s", "(too fast)"
      }
      print ""
    }
  }' "$dir/results"
echo "load after: $(uptime | sed 's/.*load average://')"
