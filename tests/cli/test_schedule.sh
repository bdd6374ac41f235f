#!/usr/bin/env bash
# rexsweep schedule: CSV shape, side by side, sampling, plateau, --plot,
# --svg, and the errors (exit 2 with a message naming what is wrong).
set -eu
: "${REXSWEEP:?}"
T=${TMPDIR:-/tmp}
fail() { echo "FAIL: $*" >&2; exit 1; }

# one schedule: header and T rows of step,p,lr,momentum
out=$($REXSWEEP schedule rex --steps 100)
[ "$(printf '%s\n' "$out" | head -1)" = "step,p,lr,momentum" ] || fail "header: $(printf '%s\n' "$out" | head -1)"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 101 ] || fail "rex: expected 101 lines"
printf '%s\n' "$out" | awk -F, 'NR > 1 && NF != 4 { exit 1 }' || fail "rex: not 4 columns"
[ "$(printf '%s\n' "$out" | sed -n 2p)" = "0,0,1,0.9" ] || fail "rex step 0: $(printf '%s\n' "$out" | sed -n 2p)"
# p = t/T; the paper's REX at p = 0.5 is 2/3
[ "$(printf '%s\n' "$out" | awk -F, '$1 == 50 { print $2 "," $3 }')" = "0.5,0.6666666667" ] || fail "rex at 50"

# side by side: one lr and one momentum column per schedule, labels as written
out=$($REXSWEEP schedule rex exp:gamma=-5 'step:milestones=[0.3,0.6]' --steps 40 --lr 0.1 --momentum 0.8)
head=$(printf '%s\n' "$out" | head -1)
[ "$head" = 'step,p,rex.lr,rex.momentum,exp:gamma=-5.lr,exp:gamma=-5.momentum,"step:milestones=[0.3,0.6].lr","step:milestones=[0.3,0.6].momentum"' ] \
  || fail "side-by-side header: $head"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 41 ] || fail "side by side: expected 41 lines"
row=$(printf '%s\n' "$out" | awk -F, '$1 == 12 { print $7 }')   # the step lr after 0.3
[ "$row" = "0.01" ] || fail "step at 12 of 40: '$row'"

# --sampling applies to all; a name's own sampling wins
out=$($REXSWEEP schedule linear linear:sampling=iteration --sampling 10% --steps 100)
[ "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f3 | sort -u | wc -l)" -eq 10 ] || fail "linear every 10%"
[ "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f5 | sort -u | wc -l)" -eq 100 ] || fail "per-name sampling"

# --param applies to every schedule; warm-up outside the budget adds rows
out=$($REXSWEEP schedule rex cosine --param warmup=10 --param warmup_counts=false --steps 50)
[ "$(printf '%s\n' "$out" | wc -l)" -eq 61 ] || fail "warm-up rows"

# onecycle cycles the momentum
out=$($REXSWEEP schedule onecycle --steps 10 --lr 1)
[ "$(printf '%s\n' "$out" | sed -n 2p)" = "0,0,0.1,0.95" ] || fail "onecycle start: $(printf '%s\n' "$out" | sed -n 2p)"

# plateau follows the given validation losses
out=$($REXSWEEP schedule plateau:patience=1 --steps 50 --epoch-steps 10 --val-losses 1,0.9,0.95,0.91,0.5)
[ "$(printf '%s\n' "$out" | awk -F, '$1 == 39 { print $3 }')" = "1" ] || fail "plateau before the drop"
[ "$(printf '%s\n' "$out" | awk -F, '$1 == 40 { print $3 }')" = "0.1" ] || fail "plateau drop at epoch 4"

# --plot draws a chart with a legend, not CSV
out=$($REXSWEEP schedule rex step --steps 200 --plot)
printf '%s\n' "$out" | grep -q '^  \* rex$' || fail "plot legend"
printf '%s\n' "$out" | grep -q 'step,p' && fail "plot printed CSV"
[ "$(printf '%s\n' "$out" | grep -c '|')" -ge 18 ] || fail "plot rows"

# --svg writes a valid SVG file
$REXSWEEP schedule rex onecycle 'step:sampling=[0.5,0.75]' --steps 300 --svg "$T/s.svg" > "$T/svg.out"
[ ! -s "$T/svg.out" ] || fail "--svg alone printed to stdout"
head -c 100 "$T/s.svg" | grep -q '<?xml' || fail "svg header"
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$T/s.svg" || fail "svg root"
[ "$(grep -c '<polyline' "$T/s.svg")" -eq 6 ] || fail "svg: 3 lr and 3 momentum lines"
grep -q 'step:sampling=\[0.5,0.75\]</text>' "$T/s.svg" || fail "svg legend"
if command -v xmllint >/dev/null; then
  xmllint --noout "$T/s.svg" || fail "xmllint"
elif [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/s.svg" || fail "svg parse"
fi
out=$($REXSWEEP schedule rex --steps 20 --svg "$T/t.svg" --csv)
[ "$(printf '%s\n' "$out" | wc -l)" -eq 21 ] || fail "--csv with --svg"

# --help lists every profile
$REXSWEEP schedule --help > "$T/help"
for p in rex linear cosine exp step plateau onecycle delayed-linear poly constant step-30-60-90; do
  grep -q "^  $p " "$T/help" || fail "help lacks $p"
done

# errors: exit 2 and a message naming the problem
expect_usage() {
  want=$1; shift
  set +e
  "$REXSWEEP" schedule "$@" >"$T/o" 2>"$T/e"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "'$*': exit $rc, want 2"
  [ ! -s "$T/o" ] || fail "'$*': printed to stdout"
  grep -qF -- "$want" "$T/e" || fail "'$*': message '$(cat "$T/e")' lacks '$want'"
}
expect_usage "unknown schedule 'rexx' (did you mean 'rex'?)" rexx --steps 10
expect_usage "schedule 'rex': 'd' must be a number in [0, 1), got '1'" rex:d=1 --steps 10
expect_usage "schedule 'exp' has no parameter 'gama' (did you mean 'gamma'?)" exp:gama=-2 --steps 10
expect_usage "'milestones' must be strictly increasing" 'step:milestones=[0.6,0.3]' --steps 10
expect_usage "'pct_start' must be a number in (0, 1)" onecycle:pct_start=1.5 --steps 10
expect_usage "'sampling' must be iteration, epoch" rex --sampling weekly --steps 10
expect_usage "schedule 'rex' has no parameter 'gamma'" rex exp --param gamma=-2 --steps 10
expect_usage "'--steps' is required" rex
expect_usage "epoch sampling needs '--epoch-steps'" rex:sampling=epoch --steps 10
expect_usage "name at least one schedule" --steps 10
expect_usage "unknown option '--stpes'" rex --stpes 10
echo ok
