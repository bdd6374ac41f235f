# Every sweep and run records where it came from (rexsweep-results(5),
# provenance): the spec's git commit and whether it was dirty, the
# rexsweep and trainer versions, OpenBLAS and its kernel, the CPU, the
# compiler and the host.  report and verify show it; a store written
# before provenance (schema version 2) migrates and says so.
. tests/cli/lib.sh
src=$PWD
command -v git >/dev/null || { echo "skip: no git"; echo ok; exit 0; }
repo=$TMPDIR/repo
mkdir -p "$repo/sweeps"
cp tests/data/run/small.yaml "$repo/sweeps/small.yaml"
git -C "$repo" init -q
git -C "$repo" -c user.name=t -c user.email=t@t add sweeps/small.yaml
git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m spec
head=$(git -C "$repo" rev-parse HEAD)
db=$TMPDIR/p.db

# a clean repository
"$RX" run "$repo/sweeps/small.yaml" --db "$db" --max-runs 3 -q >/dev/null || true
[ "$(q "$db" "SELECT git_commit || ' ' || git_dirty FROM sweeps")" = "$head 0" ] ||
  fail "sweep: $(q "$db" "SELECT git_commit, git_dirty FROM sweeps")"
[ "$(q "$db" "SELECT count(DISTINCT provenance) FROM runs WHERE status = 'done'")" = 1 ] || fail "runs"
row=$(q "$db" "SELECT p.git_commit, p.git_dirty, p.rexsweep_version, p.trainer_version,
  p.blas_version, p.blas_core <> '', p.cpu IS NOT NULL, p.compiler, p.host
  FROM runs r JOIN provenance p ON p.id = r.provenance WHERE r.status = 'done' LIMIT 1")
ver=$("$RX" --version | sed -E 's/rexsweep ([^ ]+) \(trainer ([0-9]+)\)/\1|\2/')
case $row in
  "$head|0|$ver|OpenBLAS "*"|1|1|"*"|$(hostname)") ;;
  *) fail "provenance row: $row (want $head|0|$ver|OpenBLAS ...|$(hostname))" ;;
esac
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'pending' AND provenance IS NULL")" = 9 ] ||
  fail "a run never finished has no provenance"
# a dirty one: the spec edited but not committed
echo "# edited" >> "$repo/sweeps/small.yaml"
"$RX" run "$repo/sweeps/small.yaml" --db "$db" --max-runs 1 -q >/dev/null || true
[ "$(q "$db" "SELECT git_dirty FROM sweeps ORDER BY id DESC LIMIT 1")" = 1 ] || fail "dirty"
[ "$(q "$db" "SELECT count(*) FROM provenance")" = 2 ] || fail "one row per environment"
# outside any repository: no commit, dirty unknown
cp tests/data/run/small.yaml "$TMPDIR/loose.yaml"
"$RX" run "$TMPDIR/loose.yaml" --db "$TMPDIR/l.db" --max-runs 1 -q >/dev/null || true
[ "$(q "$TMPDIR/l.db" "SELECT coalesce(git_commit, 'null') || coalesce(git_dirty, 'null') FROM sweeps")" = nullnull ] ||
  fail "no repository"

# report: a provenance block after the tables, nothing else changed
"$RX" report --db "$db" > "$TMPDIR/r.txt"
grep -q "^== provenance of the finished runs ==" "$TMPDIR/r.txt" || fail "report: $(cat "$TMPDIR/r.txt")"
grep -q "^ *3 runs  rexsweep .*, trainer .*OpenBLAS .*host $(hostname), git ${head:0:12}\$" "$TMPDIR/r.txt" ||
  fail "report block: $(tail -4 "$TMPDIR/r.txt")"
grep -q "git ${head:0:12} (dirty)\$" "$TMPDIR/r.txt" || fail "report: the dirty run"
"$RX" report --db "$db" --format markdown | grep -q '^\*\*Provenance\*\* of the finished runs:' || fail "markdown"
"$RX" report --db "$db" --format csv | grep -qi provenance && fail "csv changed"

# verify: the environment beside the verdict
expect_exit 0 "$RX" verify --db "$db" --all
grep -q "^this machine: rexsweep" "$TMPDIR/out" || fail "verify: $(cat "$TMPDIR/out")"
grep -q "environment" "$TMPDIR/out" && fail "same environment flagged: $(cat "$TMPDIR/out")"
q "$db" "UPDATE provenance SET blas_core = 'Elsewhere', host = 'otherhost'"
expect_exit 0 "$RX" verify --db "$db" --all
grep -q "^match .*\[environment differs: blas_core 'Elsewhere' -> '[^']*'; host 'otherhost' -> '$(hostname)'\]" \
  "$TMPDIR/out" || fail "verify env: $(cat "$TMPDIR/out")"

# merge: provenance travels with the runs
"$RX" merge "$TMPDIR/m.db" "$db" "$TMPDIR/l.db" --quiet >/dev/null
[ "$(q "$TMPDIR/m.db" "SELECT count(*) FROM runs r JOIN provenance p ON p.id = r.provenance WHERE r.status = 'done'")" = 4 ] ||
  fail "merge lost provenance"
[ "$(q "$TMPDIR/m.db" "PRAGMA foreign_key_check")" = "" ] || fail "merge: dangling provenance"

# a store written before provenance (schema version 2) migrates
old=$TMPDIR/v2.db
sqlite3 "$old" < "$src/tests/data/store/v2-small.sql"
[ "$(q "$old" "PRAGMA user_version")" = 2 ] || fail "fixture"
"$RX" report --db "$old" | grep -q "^ *4 runs  not recorded" || fail "report on v2"
[ "$(q "$old" "PRAGMA user_version")" = 2 ] || fail "report migrated the file"
expect_exit 0 "$RX" verify --db "$old" --all
grep -q "\[environment not recorded\]" "$TMPDIR/out" || fail "verify on v2: $(cat "$TMPDIR/out")"
"$RX" run tests/data/run/small.yaml --db "$old" -q >/dev/null
[ "$(q "$old" "PRAGMA user_version")" -ge 3 ] || fail "not migrated"
[ "$(q "$old" "SELECT count(*) FROM runs WHERE status = 'done' AND provenance IS NULL")" = 4 ] ||
  fail "old runs changed"
[ "$(q "$old" "SELECT count(*) FROM runs WHERE status = 'done' AND provenance IS NOT NULL")" = 8 ] ||
  fail "new runs without provenance"
[ "$(q "$old" "SELECT count(*) FROM run_provenance WHERE host IS NULL")" = 4 ] || fail "view"
[ "$(q "$old" "PRAGMA integrity_check")" = ok ] || fail "integrity"
expect_exit 0 "$RX" verify --db "$old" --all -q
echo ok
