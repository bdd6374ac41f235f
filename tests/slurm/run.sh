#!/usr/bin/env bash
# The Slurm test: starts a real single-node Slurm cluster on this machine
# (tests/slurm/cluster.sh), runs a small sweep through a 4-task job array
# written by `rexsweep slurm`, merges the shards with `rexsweep merge` and
# checks that the merged store holds exactly the run keys and the
# bit-identical final metrics of the same sweep run in one local process.
#
#   REXSWEEP=build/rexsweep bash tests/slurm/run.sh     (make check-slurm)
#   RX_SLURM_SMOKE=1 ...    only the cluster and a 'hostname' array
#
# Needs root or sudo (it installs slurm-wlm and munge when missing and
# runs the daemons as root).  Everything lives in one temporary directory,
# removed at exit together with every process the test started.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
: "${REXSWEEP:?set REXSWEEP to the rexsweep binary}"
REXSWEEP=$(cd "$(dirname "$REXSWEEP")" && pwd)/$(basename "$REXSWEEP")
. tests/slurm/cluster.sh
. tests/lib/store_dump.sh

t0=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rx-slurm.XXXXXX")
# munged wants every directory above its socket traversable by all.
chmod 755 "$tmp"
cleanup()
{
  local rc=$?
  slurm_stop
  rm -rf "$tmp"
  echo "slurm-test: $([ "$rc" = 0 ] && echo ok || echo FAIL) in $(($(date +%s) - t0))s" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail()
{
  echo "slurm-test: FAIL: $*" >&2
  for f in "$tmp"/work/shards/logs/*.out; do
    [ -e "$f" ] && { echo "== $f"; tail -20 "$f"; } >&2
  done
  exit 1
}

slurm_install
slurm_start "$tmp/cluster"

# 1. Smoke: a plain array, one line per task.
mkdir -p "$tmp/smoke"
id=$(slurm_sbatch --array=0-3 --output="$tmp/smoke/out-%a.txt" \
       --wrap 'echo "$(hostname) $SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT"')
slurm_wait_job "$id" 60
for k in 0 1 2 3; do
  [ "$(cat "$tmp/smoke/out-$k.txt" 2>/dev/null)" = "$(hostname) $k 4" ] ||
    fail "smoke task $k wrote '$(cat "$tmp/smoke/out-$k.txt" 2>/dev/null)'"
done
echo "slurm-test: smoke array ok (job $id)" >&2
[ "${RX_SLURM_SMOKE:-0}" = 1 ] && exit 0

# 2. A small sweep: 12 runs of a tiny MLP on the synthetic spirals.
work=$tmp/work
mkdir -p "$work"
cp tests/slurm/sweep.yaml "$work/sweep.yaml"

# The reference: the whole sweep in one local process.
"$REXSWEEP" run "$work/sweep.yaml" --db "$work/local.db" -j 1 --quiet >/dev/null

# The same sweep as a 4-task array plus a dependent merge job.
# (The marker lets slurm_stop find the jobs' processes; see cluster.sh.)
RX_SLURM_TEST_DIR=$SLURM_DIR "$REXSWEEP" slurm "$work/sweep.yaml" --tasks 4 --cpus-per-task 1 --time 10 \
    --store-dir "$work/shards" --db "$work/merged.db" --merge --submit \
    --rexsweep "$REXSWEEP" >"$work/submit.txt"
cat "$work/submit.txt" >&2
array=$(sed -n 's/^submitted array job \([0-9]*\).*/\1/p' "$work/submit.txt")
merge=$(sed -n 's/^submitted merge job \([0-9]*\).*/\1/p' "$work/submit.txt")
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids in the output of 'rexsweep slurm --submit'"
slurm_wait_job "$array" 180
slurm_wait_job "$merge" 60
for k in 0 1 2 3; do
  [ -s "$work/shards/shard-$k.db" ] || fail "no shard store for task $k"
  grep -q "^slurm-test: " "$work/shards/logs/shard-$k.out" || fail "task $k logged no summary"
done
[ -s "$work/merged.db" ] || fail "the merge job wrote no store"

# Every shard ran a non-empty, disjoint part of the grid.
total=0
for k in 0 1 2 3; do
  n=$(sqlite3 "$work/shards/shard-$k.db" "SELECT count(*) FROM runs WHERE status = 'done'")
  [ "$n" -gt 0 ] || fail "shard $k ran nothing"
  total=$((total + n))
done

# The merged store equals the local one: sweeps, grid links, run keys,
# statuses and every metric, final and per epoch, bit for bit.
n_local=$(sqlite3 "$work/local.db" "SELECT count(*) FROM runs WHERE status = 'done'")
[ "$total" = "$n_local" ] || fail "shards hold $total done runs, the local sweep $n_local"
store_dump "$work/local.db" >"$work/local.txt"
store_dump "$work/merged.db" >"$work/merged.txt"
grep -q '^metric|' "$work/local.txt" || fail "the local store has no metrics"
diff -u "$work/local.txt" "$work/merged.txt" >&2 || fail "the merged store differs from the local sweep"

# Merging again by hand changes nothing.
"$REXSWEEP" merge "$work/merged.db" "$work/shards"/shard-*.db >/dev/null
store_dump "$work/merged.db" | cmp -s - "$work/merged.txt" || fail "a second merge changed the store"
echo "slurm-test: sweep of $n_local runs through array job $array, merge job $merge: identical" >&2

# 3. Stragglers: task 1 lost its node before writing anything, task 2 was
#    stopped in the middle of a run.  --resubmit-failed re-runs exactly
#    those two shards as a partial array (whose SLURM_ARRAY_TASK_COUNT is
#    2, not 4), and a new merge job rebuilds the merged store.
rm -f "$work/shards/shard-1.db"* "$work/merged.db"*
k2=$(sqlite3 "$work/shards/shard-2.db" "SELECT key FROM runs ORDER BY key LIMIT 1")
sqlite3 "$work/shards/shard-2.db" "DELETE FROM metrics WHERE key = '$k2';
  UPDATE runs SET status = 'interrupted', test_acc = NULL WHERE key = '$k2'"
RX_SLURM_TEST_DIR=$SLURM_DIR "$REXSWEEP" slurm "$work/sweep.yaml" --store-dir "$work/shards" \
    --db "$work/merged.db" --resubmit-failed --merge --rexsweep "$REXSWEEP" >"$work/resubmit.txt"
cat "$work/resubmit.txt" >&2
grep -q '^resubmitted 2 of 4 tasks as array job [0-9]*: --array=1,2$' "$work/resubmit.txt" ||
  fail "unexpected resubmission"
array=$(sed -n 's/^resubmitted .* as array job \([0-9]*\).*/\1/p' "$work/resubmit.txt")
merge=$(sed -n 's/^submitted merge job \([0-9]*\).*/\1/p' "$work/resubmit.txt")
slurm_wait_job "$array" 180
slurm_wait_job "$merge" 60
store_dump "$work/merged.db" | diff -u "$work/local.txt" - >&2 ||
  fail "after the resubmission the merged store differs from the local sweep"
"$REXSWEEP" slurm "$work/sweep.yaml" --store-dir "$work/shards" --resubmit-failed \
    --rexsweep "$REXSWEEP" | grep -q "nothing to resubmit" || fail "shards still incomplete"
echo "slurm-test: stragglers resubmitted as array job $array and merged: identical" >&2

# 4. A command trainer (rexsweep-trainer(7)) through an array: each task
#    runs the program in the spec's directory on the node, and the merged
#    store equals the local sweep's, named metrics included.
cmd=$tmp/cmd
mkdir -p "$cmd"
cp tests/cli/trainer/logreg.py "$cmd/"
cat >"$cmd/cmd.yaml" <<'YAML'
name: slurm-cmd
data: {dataset: blobs, n_samples: 256}
optimizer: {name: sgd, momentum: 0.9, lr: 0.5}
train: {batch_size: 32, full_epochs: 2}
budgets: [50%, 100%]
schedules: [rex, linear]
seeds: 2
trainer: {command: [python3, logreg.py], code: [logreg.py], train_size: 256}
YAML
"$REXSWEEP" run "$cmd/cmd.yaml" --db "$cmd/local.db" -j 1 --quiet >/dev/null
RX_SLURM_TEST_DIR=$SLURM_DIR "$REXSWEEP" slurm "$cmd/cmd.yaml" --tasks 2 --cpus-per-task 1 --time 10 \
    --store-dir "$cmd/shards" --db "$cmd/merged.db" --merge --submit \
    --rexsweep "$REXSWEEP" >"$cmd/submit.txt"
array=$(sed -n 's/^submitted array job \([0-9]*\).*/\1/p' "$cmd/submit.txt")
merge=$(sed -n 's/^submitted merge job \([0-9]*\).*/\1/p' "$cmd/submit.txt")
[ -n "$array" ] && [ -n "$merge" ] || fail "command trainer: no job ids: $(cat "$cmd/submit.txt")"
slurm_wait_job "$array" 180
slurm_wait_job "$merge" 60
[ "$(sqlite3 "$cmd/merged.db" "SELECT count(*) FROM runs WHERE status = 'done'")" = 8 ] ||
  fail "command trainer: $(sqlite3 "$cmd/merged.db" "SELECT status, error, output FROM runs")"
[ "$(sqlite3 "$cmd/merged.db" "SELECT count(*) FROM run_metrics WHERE name = 'margin'")" = 8 ] ||
  fail "command trainer: named metrics missing from the merged store"
store_dump "$cmd/local.db" >"$cmd/local.txt"
store_dump "$cmd/merged.db" | diff -u "$cmd/local.txt" - >&2 ||
  fail "command trainer: the merged store differs from the local sweep"
echo "slurm-test: command trainer through array job $array, merge job $merge: identical" >&2

# 5. A halving sweep, submitted as rexsweep-slurm(1) HALVING SWEEPS says:
#    one array per rung, each task reading the merged store of the rungs
#    below (--from) and writing its own, a merge job after each array, the
#    next array after that merge.  The merged store holds exactly the runs
#    of the same search run in one local process, bit for bit.
hv=$tmp/halving
mkdir -p "$hv/shards"
cat >"$hv/h.yaml" <<'YAML'
name: slurm-halving
data: {dataset: spirals, n_samples: 200, validation: 50}
model: {type: mlp, hidden: [8]}
train: {batch_size: 32, full_epochs: 2}
budgets: [25%, 50%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [1, 0.3, 0.1, 0.03, 0.01, 0.003]}
schedules: [rex, linear]
search: {strategy: halving, eta: 3}
YAML
"$REXSWEEP" run "$hv/h.yaml" --db "$hv/local.db" -j 1 --quiet --diverged-ok >/dev/null
after=
for K in 0 1 2; do
  a=$(slurm_sbatch --array=0-1 ${after:+--dependency=afterok:$after} \
        --output="$hv/shards/r$K-%a.out" \
        --wrap "$REXSWEEP run $hv/h.yaml --rung $K --from $hv/merged.db --shard slurm/2 \
                --db $hv/shards/r$K-\$SLURM_ARRAY_TASK_ID.db --quiet --diverged-ok")
  after=$(slurm_sbatch --dependency=afterany:"$a" --output="$hv/shards/m$K.out" \
            --wrap "$REXSWEEP merge $hv/merged.db $hv/shards/r$K-*.db")
done
slurm_wait_job "$after" 300 || fail "halving: the rung jobs did not finish"
[ -s "$hv/merged.db" ] || fail "halving: no merged store: $(cat "$hv"/shards/*.out)"
store_dump "$hv/local.db" >"$hv/local.txt"
store_dump "$hv/merged.db" | diff -u "$hv/local.txt" - >&2 ||
  fail "halving: the rung arrays chose other runs than the local search: $(cat "$hv"/shards/*.out)"
echo "slurm-test: halving sweep through 3 rung arrays and merges: identical" >&2
