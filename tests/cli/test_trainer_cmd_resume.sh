# A command trainer with checkpoints survives kill -9 of the whole of
# rexsweep (rexsweep-trainer(7), CHECKPOINTS): the program dies with its
# worker, the next run finds the run stale, hands the program its
# checkpoint directory with REXSWEEP_RESUME=1, and the resumed run ends
# with the same results as one never interrupted.
. tests/cli/lib.sh
. tests/cli/trainer/lib_trainer.sh
command -v setsid >/dev/null || fail "setsid is missing (util-linux)"
TRAINER_KEYS="  checkpoints: true" mkspec resume --mode slow
sed -i 's/full_epochs: 3/full_epochs: 8/' "$TMPDIR/resume.yaml"
db=$TMPDIR/r.db
setsid "$RX" run "$TMPDIR/resume.yaml" --db "$db" >"$TMPDIR/r1.out" 2>&1 &
leader=$!
for i in $(seq 200); do
  [ "$(cat "$TMPDIR"/echo/*.epoch 2>/dev/null || echo 0)" -ge 3 ] && break
  sleep 0.05
done
[ "$(cat "$TMPDIR"/echo/*.epoch)" -ge 3 ] || fail "the program did not get to epoch 3"
prog=$(cat "$TMPDIR"/echo/*.pid)
kill -9 -- -"$leader"
wait "$leader" 2>/dev/null || true
for i in $(seq 50); do kill -0 "$prog" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$prog" 2>/dev/null || fail "the program outlived its worker"
key=$(q "$db" "SELECT key FROM runs")
[ "$(q "$db" "SELECT status FROM runs")" = running ] || fail "status after kill -9: $(q "$db" "SELECT status FROM runs")"
ckpt=$db.ckpt/$key
[ -f "$ckpt/state.json" ] || fail "no checkpoint in $ckpt"

expect_exit 0 "$RX" run "$TMPDIR/resume.yaml" --db "$db"
[ "$(q "$db" "SELECT status || ' ' || attempts FROM runs")" = "done 2" ] || fail "after resume: $(q "$db" "SELECT status, attempts, error FROM runs")"
grep -qx "REXSWEEP_RESUME=1" "$TMPDIR/echo/$key.env" || fail "no REXSWEEP_RESUME=1: $(cat "$TMPDIR/echo/$key.env")"
from=$(q "$db" "SELECT value FROM run_metrics WHERE name='resumed_from_epoch'")
[ "${from%.*}" -ge 3 ] || fail "resumed from epoch '$from'"
[ ! -e "$ckpt" ] || fail "the checkpoint directory of a done run was kept"

# the same results as a run never interrupted
rm -rf "$TMPDIR/echo"
expect_exit 0 "$RX" run "$TMPDIR/resume.yaml" --db "$TMPDIR/u.db"
cols="epoch, step, train_loss, val_acc, val_loss"
[ "$(q "$db" "SELECT $cols FROM metrics ORDER BY epoch")" = "$(q "$TMPDIR/u.db" "SELECT $cols FROM metrics ORDER BY epoch")" ] ||
  fail "resumed metrics differ: $(q "$db" "SELECT $cols FROM metrics") vs $(q "$TMPDIR/u.db" "SELECT $cols FROM metrics")"
[ "$(q "$db" "SELECT test_acc, test_loss FROM runs")" = "$(q "$TMPDIR/u.db" "SELECT test_acc, test_loss FROM runs")" ] || fail "final results differ"
echo ok
