# Three `rexsweep run` processes on one store: every run done exactly
# once, and no "database is locked".
. tests/cli/lib.sh
db=$TMPDIR/c.db
sed 's/seeds: 3/seeds: 6/' tests/data/run/slow.yaml > "$TMPDIR/c.yaml"
for i in 1 2 3; do
  "$RX" run "$TMPDIR/c.yaml" --db "$db" --quiet >"$TMPDIR/o$i" 2>"$TMPDIR/e$i" &
done
wait
cat "$TMPDIR"/e? >&2
! grep -qi 'locked\|busy' "$TMPDIR"/e? || fail "lock errors"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done' AND attempts=1")" -eq 24 ] || fail "not every run done exactly once"
total=0
for i in 1 2 3; do
  n=$(sed -n 's/.*done (\([0-9]*\) now).*/\1/p' "$TMPDIR/o$i")
  total=$((total + n))
done
[ "$total" -eq 24 ] || fail "the processes trained $total runs, want 24"
echo ok
