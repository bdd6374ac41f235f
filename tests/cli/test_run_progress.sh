# The progress line on a terminal (a pty, through script(1)): one status
# line cut to the terminal's width and redrawn in place (no wrapped
# copies), cut again after a resize (SIGWINCH); off a terminal, one plain
# line per finished run; --quiet and --json print only the summary.
. tests/cli/lib.sh
command -v script >/dev/null || { echo "skip: no script(1)"; exit 0; }
spec=tests/data/run/long.yaml
db=$TMPDIR/p.db
# 80 columns, then 50 after 2 seconds
script -qfc "stty cols 80 rows 24; '$RX' run '$spec' --db '$db' -j 1 & p=\$!; sleep 2; stty cols 50; kill -WINCH \$p; wait \$p" \
  "$TMPDIR/pty" >/dev/null 2>&1 || fail "script: $(cat "$TMPDIR/pty")"
# the screen's lines: split at \r and \n, drop the erase-line sequences
tr '\r' '\n' < "$TMPDIR/pty" | sed 's/\x1b\[K//g' > "$TMPDIR/lines"
grep -q '^\[[0-9]*/4\]' "$TMPDIR/lines" || fail "no status line: $(cat -v "$TMPDIR/pty" | head -5)"
grep '^\[[0-9]*/4\]' "$TMPDIR/lines" | awk '{ if (length($0) > 79) bad = $0 } END { if (bad) { print "too long: " bad; exit 1 } }' ||
  fail "a status line is wider than the terminal"
# the uncut line is wider than 80 (a worker's run is on it), so it was cut
grep '^\[[0-9]*/4\]' "$TMPDIR/lines" | awk 'length($0) == 79 { n++ } END { exit !(n > 0) }' ||
  fail "no line was cut at 79 columns"
# after the resize, the lines fit 50 columns
last=$(grep '^\[[0-9]*/4\]' "$TMPDIR/lines" | tail -1)
[ "${#last}" -le 49 ] || fail "after SIGWINCH: '$last' (${#last} columns)"
# what a line holds: counts, elapsed and eta, throughput, runs with steps
grep -Eq '^\[[0-9]/4\] 0 failed 0 diverged \| [0-9]+s eta [0-9?]+[hms0-9]* \| [0-9]+ steps/s \| [0-9]+/6000 rex sgd' \
  "$TMPDIR/lines" || fail "status line content: $(grep '^\[' "$TMPDIR/lines" | sort -u | head -3)"
grep -c '^done ' "$TMPDIR/lines" | grep -qx 4 || fail "want 4 finished-run lines"

# off a terminal: one plain line per finished run, no status line
small=tests/data/run/small.yaml
expect_exit 0 "$RX" run "$small" --db "$TMPDIR/n.db"
[ "$(grep -c '^done ' "$TMPDIR/out")" -eq 12 ] || fail "plain lines: $(cat "$TMPDIR/out")"
! grep -q $'\r' "$TMPDIR/out" "$TMPDIR/err" || fail "carriage returns off a terminal"
# --quiet and --json on a terminal: the summary only
for o in --quiet --json; do
  script -qfc "stty cols 80; '$RX' run '$small' --db '$TMPDIR/q$o.db' -j 2 $o" "$TMPDIR/q" >/dev/null 2>&1
  # (script writes a "Script started/done" line of its own)
  [ "$(tr -d '\r' < "$TMPDIR/q" | grep -v '^Script ' | grep -c .)" -eq 1 ] ||
    fail "$o prints more than the summary: $(cat -v "$TMPDIR/q")"
  grep -Eq '12 done \(12 now\)|"done_now":12' "$TMPDIR/q" || fail "$o: $(cat -v "$TMPDIR/q")"
done
echo ok
