# The bash completion knows every command, every option of each command's
# --help, and every schedule of the profile table.
. tests/cli/lib.sh
comp=src/cli/rexsweep.bash
bash -n "$comp" || fail "syntax"
. "$comp"
for cmd in $("$RX" --help | awk '/^commands:/{f=1;next} f && /^   [a-z]/ {print $1}'); do
  echo " $_rexsweep_commands " | grep -q " $cmd " || fail "command '$cmd' missing"
  for opt in $("$RX" "$cmd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    echo " $(_rexsweep_options "$cmd") " | grep -q -- " $opt " || fail "'$cmd $opt' missing"
  done
done
for s in $("$RX" schedule --help | sed -n '/^schedules/,/^$/p' | grep -E '^  [a-z]' | awk '{print $1}'); do
  echo " $_rexsweep_schedules " | grep -q " $s " || fail "schedule '$s' missing"
done
COMP_WORDS=(rexsweep sch); COMP_CWORD=1; _rexsweep
[ "${COMPREPLY[*]}" = schedule ] || fail "completing 'sch': ${COMPREPLY[*]}"
COMP_WORDS=(rexsweep run --ret); COMP_CWORD=2; _rexsweep
[ "${COMPREPLY[*]}" = --retry-failed ] || fail "completing 'run --ret': ${COMPREPLY[*]}"
# every --format offered is accepted by its command, and each command's
# own formats are offered
for cmd in report check export; do
  for f in $(_rexsweep_formats "$cmd"); do
    "$RX" "$cmd" --help | grep -q -- "$f" || fail "'$cmd --format $f' is offered, not in its help"
  done
done
[ "$(_rexsweep_formats export)" = "csv json" ] || fail "export formats: $(_rexsweep_formats export)"
COMP_WORDS=(rexsweep export --format ""); COMP_CWORD=3; _rexsweep
[ "${COMPREPLY[*]}" = "csv json" ] || fail "completing 'export --format': ${COMPREPLY[*]}"
# file names without extglob (no bash-completion package)
shopt -u extglob
mkdir -p "$TMPDIR/c/sub"; : > "$TMPDIR/c/a.yaml"; : > "$TMPDIR/c/b.db"; : > "$TMPDIR/c/c.txt"
COMP_WORDS=(rexsweep run "$TMPDIR/c/"); COMP_CWORD=2; _rexsweep
[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" = "$TMPDIR/c/a.yaml $TMPDIR/c/b.db $TMPDIR/c/sub " ] ||
  fail "completing files without extglob: ${COMPREPLY[*]}"
echo ok
