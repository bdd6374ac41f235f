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
echo ok
