# Every command has a man page that names every option of its --help, and
# every page renders without warnings; rexsweep(1) lists every command
# and every exit code of cli.h.
. tests/cli/lib.sh
for cmd in $("$RX" --help | awk '/^commands:/{f=1;next} f && /^   [a-z]/ {print $1}'); do
  page=man/rexsweep-$cmd.1
  [ -f "$page" ] || fail "no man page for '$cmd'"
  grep -q "^\.B.*$cmd" man/rexsweep.1 || fail "rexsweep(1) does not list '$cmd'"
  text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
  for opt in $("$RX" "$cmd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    [ "$opt" = --help ] && continue
    printf '%s\n' "$text" | grep -q -- "$opt" || fail "$page does not document '$opt'"
  done
done
for code in $(grep -oE '= [0-9]+,? */\*' src/cli/cli.h | grep -oE '[0-9]+'); do
  grep -q "^\.B $code\$" man/rexsweep.1 || fail "exit code $code not in rexsweep(1)"
done
if command -v groff >/dev/null; then
  for page in man/*.[157]; do
    w=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
    [ -z "$w" ] || fail "$page: $w"
  done
fi
echo ok
