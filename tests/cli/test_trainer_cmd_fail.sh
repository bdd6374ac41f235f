# A command trainer's failures (rexsweep-trainer(7)): a crash, a timeout,
# a malformed metrics line and a missing program fail the run with the
# reason and the last lines of its output; a NaN loss is a divergence;
# SIGTERM reaches the program and the run is interrupted.  Each failing
# run leaves the sweep going.
. tests/cli/lib.sh
. tests/cli/trainer/lib_trainer.sh
db=$TMPDIR/f.db
st() { q "$db" "SELECT status FROM runs r JOIN sweep_runs l ON l.key = r.key JOIN sweeps s ON s.id = l.sweep WHERE s.name = '$1'"; }
col() { q "$db" "SELECT $2 FROM runs r JOIN sweep_runs l ON l.key = r.key JOIN sweeps s ON s.id = l.sweep WHERE s.name = '$1'"; }

mkspec crash --mode crash
expect_exit 1 "$RX" run "$TMPDIR/crash.yaml" --db "$db"
[ "$(st crash)" = failed ] || fail "crash: $(st crash)"
col crash error | grep -q "'python3' exited with status 3" || fail "crash reason: $(col crash error)"
col crash output | grep -q 'ValueError: the rexsweep test crash' || fail "crash stderr: $(col crash output)"
col crash output | grep -q 'loading the data' || fail "crash stdout"
grep -q "exited with status 3" "$TMPDIR/out" || fail "the reason is not printed: $(cat "$TMPDIR/out")"

# the output kept is the last 20 lines, at most 4 KiB, whole lines only
mkspec noisy --mode noisy
expect_exit 1 "$RX" run "$TMPDIR/noisy.yaml" --db "$db"
col noisy output >"$TMPDIR/noisy.out"
[ "$(wc -c <"$TMPDIR/noisy.out")" -le 4097 ] || fail "output tail of $(wc -c <"$TMPDIR/noisy.out") bytes"
[ "$(grep -c '^noise line [0-9]* x*$' "$TMPDIR/noisy.out")" = "$(wc -l <"$TMPDIR/noisy.out")" ] || fail "a cut line in the tail"
tail -1 "$TMPDIR/noisy.out" | grep -q '^noise line 999 ' || fail "the tail does not end with the last line"

TRAINER_KEYS="  timeout: 1s
  grace: 1" mkspec timeout --mode timeout
expect_exit 1 "$RX" run "$TMPDIR/timeout.yaml" --db "$db"
[ "$(st timeout)" = failed ] || fail "timeout: $(st timeout)"
col timeout error | grep -q "timed out after 1 s" || fail "timeout reason: $(col timeout error)"
# --timeout applies too, whichever is shorter
mkspec timeout2 --mode timeout
start=$(date +%s)
expect_exit 1 "$RX" run "$TMPDIR/timeout2.yaml" --db "$db" --timeout 1
[ $(( $(date +%s) - start )) -lt 20 ] || fail "--timeout did not stop the program"
col timeout2 error | grep -q "timed out after 1 s" || fail "timeout2 reason: $(col timeout2 error)"

mkspec malformed --mode malformed
expect_exit 1 "$RX" run "$TMPDIR/malformed.yaml" --db "$db"
[ "$(st malformed)" = failed ] || fail "malformed: $(st malformed)"
col malformed error | grep -q "malformed metrics line 2: expected a number at column 21" || fail "malformed reason: $(col malformed error)"

mkspec repeat --mode repeat
expect_exit 1 "$RX" run "$TMPDIR/repeat.yaml" --db "$db"
col repeat error | grep -q "malformed metrics line 2: epoch 1 after epoch 1 (epochs must increase)" || fail "repeat reason: $(col repeat error)"

mkspec diverge --mode diverge
expect_exit 1 "$RX" run "$TMPDIR/diverge.yaml" --db "$db"
[ "$(st diverge)" = diverged ] || fail "diverge: $(st diverge)"
[ "$(col diverge diverged_step)" = 5 ] || fail "diverged step: $(col diverge diverged_step)"
col diverge error | grep -q "'loss' is not finite at step 5" || fail "diverge reason: $(col diverge error)"

cat >"$TMPDIR/missing.yaml" <<YAML
name: missing
train: {full_epochs: 1}
trainer: {command: [./no-such-program], steps_per_epoch: 4}
YAML
expect_exit 1 "$RX" run "$TMPDIR/missing.yaml" --db "$db"
col missing error | grep -q "cannot run './no-such-program': No such file or directory" || fail "missing: $(col missing error)"

# an interrupt reaches the program's process group; the run is interrupted
mkspec hang --mode hang
"$RX" run "$TMPDIR/hang.yaml" --db "$db" >"$TMPDIR/hang.out" 2>&1 &
pid=$!
for i in $(seq 100); do ls "$TMPDIR"/echo/*.started >/dev/null 2>&1 && break; sleep 0.1; done
ls "$TMPDIR"/echo/*.started >/dev/null 2>&1 || fail "the program did not start"
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
[ $rc -eq 130 ] || fail "interrupted run exited $rc: $(cat "$TMPDIR/hang.out")"
[ "$(st hang)" = interrupted ] || fail "hang: $(st hang)"
[ "$(cat "$TMPDIR"/echo/*.signal)" = 15 ] || fail "the program did not get SIGTERM"
child=$(cat "$TMPDIR"/echo/*.started)
! kill -0 "$child" 2>/dev/null || fail "the program outlived the run"
echo ok
