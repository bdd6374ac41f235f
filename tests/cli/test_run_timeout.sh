# --timeout stores a run that runs too long as failed with the reason;
# failed runs are retried only with --retry-failed.
. tests/cli/lib.sh
db=$TMPDIR/t.db
sed 's/seeds: 3/seeds: 1/' tests/data/run/slow.yaml > "$TMPDIR/t.yaml"
expect_exit 1 "$RX" run "$TMPDIR/t.yaml" --db "$db" --timeout 0.02 --quiet
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='failed' AND error LIKE 'timed out after 0.02 s%'")" -eq 4 ] \
  || fail "timeouts: $(q "$db" "SELECT status, error FROM runs")"
grep -q '4 failed' "$TMPDIR/out" || fail "summary: $(cat "$TMPDIR/out")"
# without --retry-failed nothing is retried
expect_exit 1 "$RX" run "$TMPDIR/t.yaml" --db "$db" --quiet
grep -q '(0 now).* 4 skipped' "$TMPDIR/out" || fail "retried without the flag: $(cat "$TMPDIR/out")"
# with it, they run again (no timeout now) and are done on their second attempt
expect_exit 0 "$RX" run "$TMPDIR/t.yaml" --db "$db" --retry-failed --quiet
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status='done' AND attempts=2 AND error IS NULL")" -eq 4 ] \
  || fail "retry: $(q "$db" "SELECT status, attempts, error FROM runs")"
echo ok
