# Checkpoints: a sweep killed (kill -9) at random moments, or stopped by
# SIGINT, resumes each run from its checkpoint, and the final metrics are
# bit for bit those of a sweep never stopped; a damaged checkpoint is
# ignored with a warning (the run starts over); checkpoints are removed
# once the runs are done.
. tests/cli/lib.sh
spec=tests/data/run/ckpt.yaml
expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/ref.db" -j 2 --quiet
# every value at full precision
dump() {
  q "$1" "SELECT key, status, steps_done, printf('%.17g|%.17g|%.17g|%.17g|%.17g|%.17g', train_loss,
    val_loss, val_acc, test_loss, test_acc, best_val_loss) FROM runs ORDER BY key"
  q "$1" "SELECT key, epoch, step, samples, printf('%.17g|%.17g|%.17g|%.17g|%.17g|%.17g', train_loss,
    train_acc, val_loss, test_acc, lr, grad_norm) FROM metrics ORDER BY key, epoch"
  q "$1" "SELECT key, step, printf('%.17g|%.17g|%.17g', loss, lr, grad_norm) FROM step_metrics ORDER BY key, step"
}
dump "$TMPDIR/ref.db" > "$TMPDIR/ref.txt"
[ "$(grep -c . "$TMPDIR/ref.txt")" -gt 100 ] || fail "reference dump too small"

# kill -9 at random moments while runs train; checkpoints every 0.2 s
# of training
db=$TMPDIR/k.db
RANDOM=7
saw_ckpt=0
for i in 1 2 3 4; do
  setsid "$RX" run "$spec" --db "$db" -j 2 --checkpoint-every 0.2 >"$TMPDIR/k$i.out" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    n=$(q "$db" "SELECT count(*) FROM runs WHERE status = 'running' AND steps_done > 0" 2>/dev/null || true)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.05
  done
  sleep "0.$((RANDOM % 4 + 3))"
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$(q "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity after kill $i"
  ls "$db.ckpt"/*.ckpt >/dev/null 2>&1 && saw_ckpt=1
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE status != 'done'")" -gt 0 ] || break
done
[ "$saw_ckpt" = 1 ] || fail "no checkpoint was ever written"
expect_exit 0 "$RX" run "$spec" --db "$db" -j 2 --checkpoint-every 0.2
# resumed again and again, each time from further on
[ "$(cat "$TMPDIR/k"*.out "$TMPDIR/err" | grep -c "resumes from its checkpoint at step [1-9]")" -ge 3 ] ||
  fail "too few resumes: $(cat "$TMPDIR/k"*.out "$TMPDIR/out" "$TMPDIR/err")"
dump "$db" > "$TMPDIR/k.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/k.txt" >&2 || fail "resumed after kill -9 differs from the uninterrupted sweep"
[ -z "$(ls -A "$db.ckpt")" ] || fail "checkpoints left after the runs are done: $(ls "$db.ckpt")"

# SIGINT: the runs in flight save a checkpoint and the rerun resumes them
db=$TMPDIR/i.db
setsid "$RX" run "$spec" --db "$db" -j 2 --checkpoint-every 1000 >"$TMPDIR/i.out" 2>&1 &
pid=$!
for _ in $(seq 200); do
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE steps_done > 200 AND status = 'running'" 2>/dev/null)" = 2 ] && break
  sleep 0.05
done
kill -INT -- "-$pid"
set +e; wait "$pid"; code=$?; set -e
[ "$code" -eq 130 ] || fail "SIGINT: exit $code ($(cat "$TMPDIR/i.out"))"
[ "$(ls "$db.ckpt"/*.ckpt | wc -l)" -eq 2 ] || fail "SIGINT: want 2 checkpoints: $(ls "$db.ckpt")"
expect_exit 0 "$RX" run "$spec" --db "$db" -j 2
[ "$(grep -c "resumed at step [1-9][0-9]*" "$TMPDIR/out")" -eq 2 ] || fail "after SIGINT: $(cat "$TMPDIR/out")"
dump "$db" > "$TMPDIR/i.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/i.txt" >&2 || fail "resumed after SIGINT differs"

# a damaged checkpoint: a warning, the run starts over, the same result
db=$TMPDIR/d.db
setsid "$RX" run "$spec" --db "$db" -j 1 --checkpoint-every 1000 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE steps_done > 200 AND status = 'running'" 2>/dev/null)" = 1 ] && break
  sleep 0.05
done
kill -INT -- "-$pid"; wait "$pid" || true
ck=$(ls "$db.ckpt"/*.ckpt)
printf '\x42' | dd of="$ck" bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_exit 0 "$RX" run "$spec" --db "$db" -j 1
grep -q "warning: run [0-9a-f]*: ignoring its checkpoint: checkpoint '.*' is damaged or cut short (bad checksum); the run starts over" "$TMPDIR/err" ||
  fail "no warning: $(cat "$TMPDIR/err")"
! grep -q "resumed at" "$TMPDIR/out" || fail "resumed from a damaged checkpoint"
dump "$db" > "$TMPDIR/d.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/d.txt" >&2 || fail "after a damaged checkpoint"
# rexsweep slurm --requeue: Slurm's USR1 before the time limit reaches
# the batch shell, the task checkpoints its run, exits cleanly and asks
# to be requeued (a fake scontrol records it); the requeued task resumes
mkdir "$TMPDIR/bin"
printf '#!/bin/sh\necho "$*" >> "%s/scontrol.log"\n' "$TMPDIR" > "$TMPDIR/bin/scontrol"
chmod +x "$TMPDIR/bin/scontrol"
expect_exit 0 "$RX" slurm "$spec" --tasks 1 --store-dir "$TMPDIR/sl" --requeue --time 10:00
s=$TMPDIR/sl/rexsweep-array.sbatch
grep -qx '#SBATCH --signal=B:USR1@120' "$s" && grep -qx '#SBATCH --requeue' "$s" ||
  fail "no requeue in the script: $(cat "$s")"
bash -n "$s" || fail "script syntax"
db=$TMPDIR/sl/shard-0.db
SLURM_ARRAY_TASK_ID=0 SLURM_JOB_ID=77 PATH="$TMPDIR/bin:$PATH" bash "$s" >"$TMPDIR/t1.out" 2>&1 &
sp=$!
for _ in $(seq 200); do
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE steps_done > 200 AND status = 'running'" 2>/dev/null)" = 1 ] && break
  sleep 0.05
done
kill -USR1 "$sp"
wait "$sp" || fail "the task did not exit cleanly: $(cat "$TMPDIR/t1.out")"
[ "$(cat "$TMPDIR/scontrol.log")" = "requeue 77" ] || fail "no requeue: $(cat "$TMPDIR/scontrol.log" 2>&1)"
[ "$(ls "$db.ckpt"/*.ckpt | wc -l)" -eq 1 ] || fail "no checkpoint after USR1"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'interrupted'")" -eq 1 ] || fail "not interrupted"
SLURM_ARRAY_TASK_ID=0 SLURM_JOB_ID=77 PATH="$TMPDIR/bin:$PATH" bash "$s" >"$TMPDIR/t2.out" 2>&1 ||
  fail "the requeued task failed: $(cat "$TMPDIR/t2.out")"
grep -q "resumed at step [1-9]" "$TMPDIR/t2.out" || fail "requeued task: $(cat "$TMPDIR/t2.out")"
dump "$db" > "$TMPDIR/s.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/s.txt" >&2 || fail "requeued and resumed differs"
echo ok
