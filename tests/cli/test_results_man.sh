#!/usr/bin/env bash
# The example queries of rexsweep-results(5) give the documented answers.
# Each "sqlite> " line (with its "   ...> " continuations) inside .EX/.EE is
# run with the sqlite3 shell against the example store (tests/data/store:
# schema.sql, the live schema checked by test_store, plus example-data.sql),
# and its output must equal the lines that follow it in the page.
set -eu
cd "$(dirname "$0")/../.."
man=man/rexsweep-results.5
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is missing (apt-get install sqlite3)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/example.db
cat tests/data/store/schema.sql tests/data/store/example-data.sql | sqlite3 -bail "$db"

# the page renders without warnings
if command -v groff >/dev/null; then
  warn=$(groff -man -ww -z "$man" 2>&1)
  [ -z "$warn" ] || { echo "groff warnings in $man:"; echo "$warn"; exit 1; }
fi

# roff escapes back to text, then split the examples into q.N and want.N
sed -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' "$man" |
awk -v dir="$work" '
  /^\.EX/ { inex = 1; next }
  /^\.EE/ { inex = 0; next }
  !inex { next }
  /^sqlite> / { n++; sub(/^sqlite> /, ""); print > (dir "/q." n); printf "" > (dir "/want." n); next }
  /^   \.\.\.> / && n { sub(/^   \.\.\.> /, ""); print >> (dir "/q." n); next }
  n { print >> (dir "/want." n) }
'

n=$(ls "$work"/q.* 2>/dev/null | wc -l)
[ "$n" -ge 8 ] || { echo "found only $n examples in $man"; exit 1; }
grep -q "optimizer = 'adam' AND budget = 0.1" "$work/q.1" ||
  { echo "the first example is not the best-schedule query"; exit 1; }

fail=0
for q in "$work"/q.*; do
  i=${q##*.}
  if ! sqlite3 -bail "$db" <"$q" >"$work/got.$i" 2>&1 || ! cmp -s "$work/want.$i" "$work/got.$i"; then
    echo "example $i of $man gives another answer:"
    sed 's/^/    /' "$q"
    diff "$work/want.$i" "$work/got.$i" | sed 's/^/    /' || true
    fail=1
  fi
done
# the demo's query (make demo) reads the same views: one row per cell
rows=$(sed "s/'quickstart'/'fmnist-demo'/" sweeps/quickstart.sql | sqlite3 -bail "$db" | wc -l)
[ "$rows" = 16 ] || { echo "sweeps/quickstart.sql gives $rows rows on the example store, not 16"; fail=1; }
[ "$fail" -eq 0 ] && echo "$n examples of $man give the documented answers"
exit "$fail"
