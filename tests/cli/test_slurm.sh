# rexsweep slurm without a cluster: fake sbatch and squeue on PATH record
# their arguments, and the array script itself runs here, task by task,
# with SLURM_ARRAY_TASK_ID set as Slurm would set it.
set -eu
. "$(dirname "$0")/../lib/cli.sh"

mkdir bin
cat >bin/sbatch <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG"
if [ -n "${FAKE_SBATCH_FAIL:-}" ]; then
  echo "sbatch: error: Batch job submission failed" >&2
  exit 1
fi
echo "$((4240 + $(wc -l <"$FAKE_LOG")));rxtest"
EOF
cat >bin/squeue <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG.squeue"
printf '%s' "${FAKE_QUEUE:-}"
EOF
chmod +x bin/sbatch bin/squeue
export PATH="$t/bin:$PATH" FAKE_LOG="$t/sbatch.log"

cat >sweep.yaml <<'EOF'
name: slurm-cli
data: {dataset: spirals, n_samples: 200, validation: 50}
model: {type: mlp, hidden: [8]}
train: {batch_size: 32, full_epochs: 2}
budgets: [50%, 100%]
optimizers:
  - {name: sgd, lr: [0.1]}
schedules: [rex, linear, cosine]
EOF

# 1. Review: the script on stdout and in the store dir; nothing submitted.
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --tasks 3 --time 5 --partition cpu --mem 1G \
  --store-dir shards --db merged.db
s=shards/rexsweep-array.sbatch
[ -x "$s" ] && [ -d shards/logs ] || fail "no script or logs directory"
cmp -s "$t/out" "$s" || fail "the printed script differs from $s"
[ ! -e "$FAKE_LOG" ] || fail "sbatch ran without --submit"
for want in '#SBATCH --array=0-2' '#SBATCH --cpus-per-task=1' '#SBATCH --time=5' \
            '#SBATCH --partition=cpu' '#SBATCH --mem=1G' '# rexsweep-tasks: 3' \
            "#SBATCH --output=$t/shards/logs/shard-%a.out" \
            '--shard "$((SLURM_ARRAY_TASK_ID + 1))/3"' \
            "--db \"$t/shards/shard-\${SLURM_ARRAY_TASK_ID}.db\" -j 1 --set train.blas_threads=1" \
            "'$t/sweep.yaml'" "export OPENBLAS_NUM_THREADS=1"; do
  grep -qF -- "$want" "$s" || fail "script lacks '$want'"
done
grep -q '^#!/bin/bash$' "$s" || fail "no shebang"

# More tasks than runs: one run per task.
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --tasks 50 --store-dir many
grep -qF '#SBATCH --array=0-5' many/rexsweep-array.sbatch || fail "tasks not clamped to the 6 runs"

# 2. Bad values never reach a script.
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --time '1 h' --store-dir bad1
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --store-dir 'a b'
[ ! -e 'a b' ] || fail "a bad store dir was created"
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --tasks -1
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --set no.such.key=1
expect_rc 2 "$REXSWEEP" slurm
grep -q "did you mean\|unknown" "$t/err" || true
[ ! -e bad1 ] || fail "a bad --time still created the store dir"

# 3. Submit with a merge job.
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --tasks 3 --store-dir shards --db merged.db \
  --merge --submit
grep -qx 'submitted array job 4241 (3 tasks, 6 runs) from .*/shards/rexsweep-array.sbatch' "$t/out" ||
  fail "no array job line: $(cat "$t/out")"
grep -q '^submitted merge job 4242 (after job 4241; ' "$t/out" || fail "no merge job line"
grep -q "^merge command: .* merge '$t/merged.db' $t/shards/shard-{0..2}.db$" "$t/out" ||
  fail "no merge command"
[ "$(sed -n 1p "$FAKE_LOG")" = "--parsable $t/shards/rexsweep-array.sbatch" ] ||
  fail "array submitted as '$(sed -n 1p "$FAKE_LOG")'"
[ "$(sed -n 2p "$FAKE_LOG")" = "--parsable --dependency=afterany:4241 $t/shards/rexsweep-merge.sbatch" ] ||
  fail "merge submitted as '$(sed -n 2p "$FAKE_LOG")'"
grep -q ' array 4241 0-2$' shards/jobs.txt && grep -q ' merge 4242 4241$' shards/jobs.txt ||
  fail "jobs.txt: $(cat shards/jobs.txt)"

# While a task of an earlier array is queued, no new array is submitted.
: >"$FAKE_LOG"
FAKE_QUEUE=$'4241_2\n' expect_rc 2 "$REXSWEEP" slurm sweep.yaml --tasks 3 --store-dir shards --submit
grep -q "still queued or running" "$t/err" && [ ! -s "$FAKE_LOG" ] || fail "submitted over a queued task"
# Rewriting the script for another task count warns.
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --tasks 2 --store-dir many
grep -q "warning: replacing .* another task count" "$t/err" || fail "no warning: $(cat "$t/err")"
rm "$FAKE_LOG"

# A failing sbatch is an I/O error.
FAKE_SBATCH_FAIL=1 expect_rc 4 "$REXSWEEP" slurm sweep.yaml --tasks 3 --store-dir other --submit
grep -q "cannot submit" "$t/err" || fail "no message for a failed sbatch"

# 4. The tasks, run here as Slurm would run them; task 1 first "fails".
for k in 0 2; do
  SLURM_ARRAY_TASK_ID=$k bash "$s" >/dev/null || fail "task $k failed"
done
[ -s shards/shard-0.db ] && [ -s shards/shard-2.db ] && [ ! -e shards/shard-1.db ] ||
  fail "shard files: $(ls shards)"

# 5. --resubmit-failed: task 1 has no shard; while Slurm still runs it,
#    nothing is resubmitted.
: >"$FAKE_LOG"
FAKE_QUEUE=$'4241_1\n9999_0\n' expect_rc 0 "$REXSWEEP" slurm sweep.yaml --store-dir shards \
  --resubmit-failed
grep -q "nothing to resubmit" "$t/out" || fail "resubmitted a queued task: $(cat "$t/out")"
[ ! -s "$FAKE_LOG" ] || fail "sbatch ran for a queued task"
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --store-dir shards --resubmit-failed
[ "$(cat "$FAKE_LOG")" = "--parsable --array=1 $t/shards/rexsweep-array.sbatch" ] ||
  fail "resubmitted as '$(cat "$FAKE_LOG")'"
grep -q "^resubmitted 1 of 3 tasks as array job 4241: --array=1$" "$t/out" || fail "$(cat "$t/out")"
grep -q ' resubmit 4241 1$' shards/jobs.txt || fail "resubmit not recorded"
# A different grid, or task count, is refused.
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --store-dir shards --resubmit-failed \
  --set train.full_epochs=3
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --store-dir shards --resubmit-failed --tasks 4
expect_rc 2 "$REXSWEEP" slurm sweep.yaml --store-dir nowhere --resubmit-failed

# The resubmitted task resumes its shard; then everything is complete.
SLURM_ARRAY_TASK_ID=1 bash "$s" >/dev/null || fail "task 1 failed"
: >"$FAKE_LOG"
expect_rc 0 "$REXSWEEP" slurm sweep.yaml --store-dir shards --resubmit-failed --merge
grep -q "nothing to resubmit" "$t/out" && [ ! -s "$FAKE_LOG" ] || fail "resubmitted a complete array"

# 6. An adaptive lr grid: a shard is complete when its tuning cells are
#    resolved, not when the spec's own runs are.  The extend test's
#    problem: both cells' best lr lies outside the spec's [0.03, 0.1].
cp "$root/tests/data/extend/spirals.yaml" lrx.yaml
expect_rc 0 "$REXSWEEP" slurm lrx.yaml --tasks 2 --store-dir lrx
x=lrx/rexsweep-array.sbatch
grep -qF -- '--shard "$((SLURM_ARRAY_TASK_ID + 1))/2"' "$x" || fail "lrx script"
SLURM_ARRAY_TASK_ID=1 bash "$x" >/dev/null 2>&1 || fail "lrx task 1 failed"
# task 0 stops after the spec's 6 runs of its cell: the extension is left
"$REXSWEEP" run lrx.yaml --shard 1/2 --db lrx/shard-0.db -j 1 --max-runs 6 -q >/dev/null 2>&1 || true
[ "$(sqlite3 lrx/shard-0.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 6 ] ||
  fail "shard 0: $(sqlite3 lrx/shard-0.db "SELECT lr, status FROM runs")"
[ "$(sqlite3 lrx/shard-1.db "SELECT count(*) FROM runs WHERE status = 'done'")" -gt 6 ] ||
  fail "shard 1 did not extend"
: >"$FAKE_LOG"
expect_rc 0 "$REXSWEEP" slurm lrx.yaml --store-dir lrx --resubmit-failed
[ "$(cat "$FAKE_LOG")" = "--parsable --array=0 $t/lrx/rexsweep-array.sbatch" ] ||
  fail "a shard with extension runs left was not resubmitted: '$(cat "$FAKE_LOG")' $(cat "$t/out")"
# an extension decided but not yet stored (the task stopped between a
# cell's last run and its next lr) is as incomplete
sqlite3 lrx/shard-0.db "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE status != 'done'"
: >"$FAKE_LOG"
expect_rc 0 "$REXSWEEP" slurm lrx.yaml --store-dir lrx --resubmit-failed
grep -q -- "--array=0 " "$FAKE_LOG" || fail "an unstored extension counted as complete: $(cat "$t/out")"
# resumed, the cell extends to its end: complete
SLURM_ARRAY_TASK_ID=0 bash "$x" >/dev/null 2>&1 || fail "lrx task 0 failed"
: >"$FAKE_LOG"
expect_rc 0 "$REXSWEEP" slurm lrx.yaml --store-dir lrx --resubmit-failed
grep -q "nothing to resubmit" "$t/out" && [ ! -s "$FAKE_LOG" ] || fail "resubmitted a resolved shard"

# 7. The merge script, run here, gives the store of a local run.
bash shards/rexsweep-merge.sbatch >/dev/null || fail "merge job failed"
"$REXSWEEP" run sweep.yaml --db local.db -q >/dev/null
q="SELECT key, status FROM runs ORDER BY key"
[ "$(sqlite3 merged.db "$q")" = "$(sqlite3 local.db "$q")" ] || fail "merged store differs"
[ "$(sqlite3 merged.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 6 ] ||
  fail "merged store lacks runs"
echo ok
