# runs.final_lr is the lr of a run's last step: for a finished run, the
# lr its last epoch row recorded (that row is written at the last step).
. tests/cli/lib.sh
db=$TMPDIR/f.db
expect_exit 0 "$RX" run tests/data/run/small.yaml --db "$db" --quiet
[ "$(q "$db" "SELECT count(*) FROM run_results WHERE status = 'done' AND final_lr IS NULL")" -eq 0 ] ||
  fail "done runs without final_lr"
bad=$(q "$db" "SELECT count(*) FROM runs r WHERE final_lr IS NOT (SELECT lr FROM metrics m
               WHERE m.key = r.key ORDER BY epoch DESC LIMIT 1)")
[ "$bad" -eq 0 ] || fail "$bad runs whose final_lr is not their last lr"
echo ok
