# Stopping a sweep as a terminal does (signals to the process group):
# a first Ctrl-C stops claiming and interrupts the runs in flight after
# their step, a second stops at once; exit 130 either way, the summary
# says what to rerun, and nothing that finished is trained again.
. tests/cli/lib.sh
spec=tests/data/run/long.yaml
# wait_for DB SQL WANT: polls the store until the query gives WANT (20 s)
wait_for() {
  for _ in $(seq 200); do
    [ "$(q "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
    sleep 0.1
  done
  fail "timed out waiting for '$2' = $3 in $1"
}
# stop_sweep DB N: starts the sweep in its own process group, waits until
# the two short runs are done and the two long ones are training, then
# sends N SIGINTs to the group; sets code and secs (the time to exit)
stop_sweep() {
  setsid "$RX" run "$spec" --db "$1" -j 2 >"$TMPDIR/out" 2>"$TMPDIR/err" &
  local pid=$!
  wait_for "$1" "SELECT count(*) FROM runs WHERE status='done'" 2
  wait_for "$1" "SELECT count(*) FROM runs WHERE status='running'" 2
  sleep 0.3
  local t0=$(date +%s%N)
  for _ in $(seq "$2"); do kill -INT -- "-$pid"; sleep 0.05; done
  set +e; wait "$pid"; code=$?; set -e
  secs=$(( ($(date +%s%N) - t0) / 1000000 ))
}
for n in 1 2; do
  db=$TMPDIR/stop$n.db
  stop_sweep "$db" $n
  [ "$code" -eq 130 ] || fail "$n SIGINT: exit $code, want 130 ($(cat "$TMPDIR/out" "$TMPDIR/err"))"
  [ "$secs" -lt 5000 ] || fail "$n SIGINT: took ${secs} ms to stop"
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE status='running'")" -eq 0 ] || fail "runs left running"
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE status='interrupted'")" -eq 2 ] ||
    fail "$n SIGINT: want 2 interrupted: $(q "$db" "SELECT status, error FROM runs")"
  [ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done' AND attempts=1")" -eq 2 ] || fail "done runs"
  grep -q "2 done (2 now), 0 failed, 0 diverged, 0 skipped, 2 interrupted" "$TMPDIR/out" ||
    fail "summary: $(cat "$TMPDIR/out")"
  grep -qF "2 interrupted and 0 pending runs remain; to finish them, run the same command again: rexsweep run $spec --db $db -j 2" "$TMPDIR/out" ||
    fail "no rerun hint: $(cat "$TMPDIR/out")"
  # the rerun trains the two interrupted runs, never the finished ones
  expect_exit 0 "$RX" run "$spec" --db "$db" -j 2 --quiet
  grep -q "4 done (2 now)" "$TMPDIR/out" || fail "rerun: $(cat "$TMPDIR/out")"
  [ "$(q "$db" "SELECT group_concat(attempts, ' ') FROM (SELECT attempts FROM runs ORDER BY budget, key)")" = "1 1 2 2" ] ||
    fail "attempts: $(q "$db" "SELECT budget, attempts FROM runs")"
done
echo ok
