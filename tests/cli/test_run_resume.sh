# SIGKILL at random moments never corrupts the store, and reruns end with
# exactly the runs and metrics of an uninterrupted sweep.  SIGINT exits
# 130 with the runs in flight marked interrupted.
. tests/cli/lib.sh
# 24 runs, about 5 s with -j 2: the ten kills below land all over the sweep
spec=$TMPDIR/slow6.yaml
sed 's/seeds: 3/seeds: 6/' tests/data/run/slow.yaml > "$spec"
expect_exit 0 "$RX" run "$spec" --db "$TMPDIR/ref.db" -j 2 --quiet
dump() {
  q "$1" "SELECT key, status, steps_done, train_loss, val_loss, val_acc, test_loss, test_acc FROM runs ORDER BY key"
  q "$1" "SELECT key, epoch, step, train_loss, val_loss, test_acc, lr, momentum, grad_norm FROM metrics ORDER BY key, epoch"
}
dump "$TMPDIR/ref.db" > "$TMPDIR/ref.txt"
db=$TMPDIR/k.db
RANDOM=42
for i in $(seq 10); do
  setsid "$RX" run "$spec" --db "$db" -j 2 --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$(q "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity after kill $i"
done
expect_exit 0 "$RX" run "$spec" --db "$db" -j 2 --quiet
dump "$db" > "$TMPDIR/k.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/k.txt" >&2 || fail "resumed sweep differs from the uninterrupted one"
[ "$(q "$db" "SELECT count(*) FROM metrics")" -eq "$(q "$TMPDIR/ref.db" "SELECT count(*) FROM metrics")" ] || fail "duplicate metric rows"

# SIGINT: exit 130, runs in flight interrupted, then resume
db2=$TMPDIR/i.db
"$RX" run "$spec" --db "$db2" -j 2 --quiet >"$TMPDIR/out" 2>&1 &
pid=$!
sleep 0.7
kill -INT "$pid"
set +e; wait "$pid"; code=$?; set -e
[ "$code" -eq 130 ] || fail "SIGINT exit $code, want 130 ($(cat "$TMPDIR/out"))"
[ "$(q "$db2" "SELECT count(*) FROM runs WHERE status='running'")" -eq 0 ] || fail "runs left running"
expect_exit 0 "$RX" run "$spec" --db "$db2" -j 2 --quiet
dump "$db2" > "$TMPDIR/i.txt"
diff "$TMPDIR/ref.txt" "$TMPDIR/i.txt" >&2 || fail "resumed after SIGINT differs"
echo ok
