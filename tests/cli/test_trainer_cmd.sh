# The command trainer's hand-over and recording (rexsweep-trainer(7)): a
# stdlib Python program gets its configuration, key, seed, budget and
# the lr table, echoes them back, and reports step, epoch, final and
# named metrics; a changed code file gives new run keys.
. tests/cli/lib.sh
. tests/cli/trainer/lib_trainer.sh
mkspec cmd
cat >>"$TMPDIR/cmd.yaml" <<'YAML'
budgets: [50%, 100%]
schedules: [rex, {name: step, milestones: [0.5]}, {name: cosine, sampling: epoch}]
seeds: 2
YAML
db=$TMPDIR/c.db
expect_exit 0 "$RX" plan "$TMPDIR/cmd.yaml" --json
keys=$(python3 -c 'import json,sys; print(" ".join(j["key"] for j in json.load(open(sys.argv[1]))["jobs"]))' "$TMPDIR/out")
[ "$(echo $keys | wc -w)" -eq 12 ] || fail "plan: $(cat "$TMPDIR/out")"
expect_exit 0 "$RX" run "$TMPDIR/cmd.yaml" --db "$db" -j 2
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done'")" -eq 12 ] || fail "not all done: $(cat "$TMPDIR/out")"
for k in $keys; do
  [ -f "$TMPDIR/echo/$k.json" ] || fail "run $k got no hand-over"
  # the configuration is the stored canonical JSON
  [ "$(cat "$TMPDIR/echo/$k.json")" = "$(q "$db" "SELECT config FROM runs WHERE key='$k'")" ] ||
    fail "config of $k differs from the store's"
  # the lr table is `rexsweep schedule`'s, step for step
  sched=$(q "$db" "SELECT schedule FROM runs WHERE key='$k'")
  budget=$(q "$db" "SELECT budget FROM runs WHERE key='$k'")
  steps=$(q "$db" "SELECT steps FROM runs WHERE key='$k'")
  case $sched in
    step) sargs="step:milestones=[0.5]" ;;
    cosine) sargs="cosine --sampling epoch" ;;
    *) sargs=$sched ;;
  esac
  "$RX" schedule $sargs --steps "$steps" --epoch-steps 8 --lr 0.5 --momentum 0.9 |
    tail -n +2 | cut -d, -f1,3,4 >"$TMPDIR/want.lr"
  diff <(cut -d, -f1-3 "$TMPDIR/echo/$k.lr") "$TMPDIR/want.lr" >/dev/null ||
    fail "lr table of $k ($sched, budget $budget, $steps steps) differs from 'rexsweep schedule': $(diff <(cut -d, -f1-3 "$TMPDIR/echo/$k.lr") "$TMPDIR/want.lr" | head -5)"
  env=$TMPDIR/echo/$k.env
  grep -qx "REXSWEEP_RUN_KEY=$k" "$env" || fail "key of $k: $(cat "$env")"
  grep -qx "REXSWEEP_SEED=$(q "$db" "SELECT seed FROM runs WHERE key='$k'")" "$env" || fail "seed of $k"
  grep -qx "REXSWEEP_STEPS=$steps" "$env" || fail "steps of $k"
  grep -qx "REXSWEEP_STEPS_PER_EPOCH=8" "$env" || fail "steps per epoch of $k"
  grep -qx "REXSWEEP_BATCH_SIZE=32" "$env" || fail "batch size of $k"
  grep -qx "cwd=$(basename "$TMPDIR")" "$env" || fail "the program runs in the spec's directory"
done
# every key has its metrics: steps, epochs, the final record, named ones
k=$(echo $keys | cut -d' ' -f1)
[ "$(q "$db" "SELECT count(*) FROM step_metrics WHERE key='$k'")" -eq "$(q "$db" "SELECT steps FROM runs WHERE key='$k'")" ] || fail "step metrics"
[ "$(q "$db" "SELECT count(*) FROM metrics WHERE key='$k'")" -eq "$(q "$db" "SELECT CAST(epochs + 0.999 AS INT) FROM runs WHERE key='$k'")" ] || fail "epoch metrics"
q "$db" "SELECT test_acc, val_acc, train_loss FROM run_results WHERE key='$k'" | grep -Eq '^0\.[0-9]+\|0\.[0-9]+\|0\.[0-9]+' || fail "final metrics: $(q "$db" "SELECT * FROM run_results WHERE key='$k'")"
[ "$(q "$db" "SELECT count(*) FROM run_metrics WHERE key='$k' AND name='weight_norm' AND scope='epoch'")" -ge 2 ] || fail "named epoch metric"
[ "$(q "$db" "SELECT count(*) FROM named_results WHERE key='$k' AND name='margin' AND scope='final' AND value > 0")" -eq 1 ] || fail "named final metric"
q "$db" "SELECT trainer FROM runs WHERE key='$k'" | grep -q '"command":\["python3","logreg.py"' || fail "trainer identity not recorded"
# reported metrics are used by name in report and check
expect_exit 0 "$RX" report --db "$db" --metric margin:max
grep -q "margin" "$TMPDIR/out" || fail "report of a named metric: $(cat "$TMPDIR/out")"
expect_exit 2 "$RX" report --db "$db" --metric margin
grep -q "'margin:max' or 'margin:min'" "$TMPDIR/err" || fail "bare named metric: $(cat "$TMPDIR/err")"
expect_exit 0 "$RX" check --baseline "$db" --db "$db" --metric margin:max
# plan counts the steps rexsweep hands the program: (12 + 24) x 3 schedules x 2 seeds
expect_exit 0 "$RX" plan "$TMPDIR/cmd.yaml"
grep -q "(216 steps), trained by 'python3'" "$TMPDIR/out" || fail "plan: $(head -2 "$TMPDIR/out")"
# verify retrains built-in runs only, and says why it leaves these alone
set +e; "$RX" verify --db "$db" "$k" >"$TMPDIR/out" 2>"$TMPDIR/err"; vrc=$?; set -e
[ $vrc -ne 0 ] && grep -q "was trained by a command trainer" "$TMPDIR/out" "$TMPDIR/err" || fail "verify ($vrc): $(cat "$TMPDIR/out" "$TMPDIR/err")"
# each worker slot gets its own device and its {worker}
TRAINER_KEYS="  gpus: [g0, g1]" mkspec gpus --worker "{worker}"
echo "seeds: 6" >>"$TMPDIR/gpus.yaml"
expect_exit 0 "$RX" run "$TMPDIR/gpus.yaml" --db "$TMPDIR/g.db" -j 2
n=0
for k in $(q "$TMPDIR/g.db" "SELECT key FROM runs"); do
  e=$TMPDIR/echo/$k.env
  w=$(sed -n 's/^argv=.*--worker \([0-9]*\).*/\1/p' "$e")
  grep -qx "REXSWEEP_WORKER=$w" "$e" && grep -qx "CUDA_VISIBLE_DEVICES=g$w" "$e" || fail "worker $w: $(cat "$e")"
  n=$((n + 1))
done
[ $n -eq 6 ] || fail "gpus: $n runs"
# rerunning does nothing; a changed code file gives new keys for every run
expect_exit 0 "$RX" run "$TMPDIR/cmd.yaml" --db "$db"
grep -q '12 done (0 now)' "$TMPDIR/out" || fail "rerun: $(cat "$TMPDIR/out")"
echo "# a comment" >>"$TMPDIR/logreg.py"
expect_exit 0 "$RX" plan "$TMPDIR/cmd.yaml" --json
keys2=$(python3 -c 'import json,sys; print(" ".join(j["key"] for j in json.load(open(sys.argv[1]))["jobs"]))' "$TMPDIR/out")
for k in $keys2; do
  case " $keys " in *" $k "*) fail "key $k survived a changed code file" ;; esac
done
echo ok
