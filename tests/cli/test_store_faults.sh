# Store faults get the right exit code and lose nothing: a --db that is
# no store file, a read-only directory, a corrupt store, a full disk.
. tests/cli/lib.sh
spec=tests/data/run/small.yaml

# --db "" and ":memory:" would be SQLite's private temporary databases
for db in "" ":memory:"; do
  for cmd in "run $spec" "plan $spec" report export check; do
    extra=; [ "$cmd" = check ] && extra="--baseline $TMPDIR/none.db"
    [ "$cmd" = export ] && extra="--format csv"
    # shellcheck disable=SC2086
    expect_exit 2 "$RX" $cmd --db "$db" $extra
    grep -q "is not a store file name" "$TMPDIR/err" || fail "$cmd --db '$db': $(cat "$TMPDIR/err")"
  done
done
expect_exit 2 "$RX" merge "" "$TMPDIR/none.db"
# a directory, and a file in a missing directory
mkdir -p "$TMPDIR/dir"
expect_exit 2 "$RX" run "$spec" --db "$TMPDIR/dir"
grep -q "is a directory" "$TMPDIR/err" || fail "directory: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" report --db "$TMPDIR/dir"
expect_exit 4 "$RX" run "$spec" --db "$TMPDIR/missing/s.db"
grep -q "directory '$TMPDIR/missing' does not exist" "$TMPDIR/err" || fail "missing dir: $(cat "$TMPDIR/err")"
[ ! -e "$TMPDIR/missing" ] || fail "created the directory"
# a name that starts with "file:" is a file, not a URI
( cd "$TMPDIR" && "$RX" run "$OLDPWD/$spec" --db "file:x.db" --max-runs 1 -q >/dev/null ) || true
[ "$(q "$TMPDIR/file:x.db" "SELECT count(*) FROM runs WHERE status = 'done'")" = 1 ] ||
  fail "no store file named 'file:x.db'"

# a store in a read-only directory: the -wal and -shm files cannot be made
db=$TMPDIR/ro/s.db
mkdir -p "$TMPDIR/ro"
"$RX" run "$spec" --db "$db" --max-runs 2 -q >/dev/null || true
chmod 555 "$TMPDIR/ro"; chmod 666 "$db"; chmod 755 "$TMPDIR"
as_user=
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null; then as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
  else echo "skip: read-only directory (root without setpriv)"; fi
fi
if [ "$(id -u)" != 0 ] || [ -n "$as_user" ]; then
  # shellcheck disable=SC2086
  expect_exit 4 $as_user "$RX" run "$spec" --db "$db" -q
  grep -q "directory '$TMPDIR/ro' is read-only" "$TMPDIR/err" || fail "read-only dir: $(cat "$TMPDIR/err")"
  grep -q "attempt to write a readonly database" "$TMPDIR/err" && fail "SQLite's message: $(cat "$TMPDIR/err")"
  # shellcheck disable=SC2086
  expect_exit 4 $as_user "$RX" report --db "$db"
  grep -q "is read-only" "$TMPDIR/err" || fail "report, read-only dir: $(cat "$TMPDIR/err")"
fi
chmod 755 "$TMPDIR/ro"

# a corrupt store: random bytes over a run's stored configuration
db=$TMPDIR/c.db
"$RX" run "$spec" --db "$db" --max-runs 3 -q >/dev/null || true
q "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$db" "$TMPDIR/c0.db"
python3 - "$db" <<'EOF'
import random, sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(b'"data"')
random.seed(1)
for k in range(i + 20, i + 60):
    d[k] = random.randrange(256)
open(sys.argv[1], 'wb').write(d)
EOF
sum0=$(md5sum < "$db")
expect_exit 4 "$RX" run "$spec" --db "$db" -q
grep -q "store '$db' is corrupt" "$TMPDIR/err" || fail "corrupt row: $(cat "$TMPDIR/err")"
grep -q "quick_check: ok (the damage is inside a row)" "$TMPDIR/err" || fail "no quick_check: $(cat "$TMPDIR/err")"
grep -q "collision" "$TMPDIR/err" && fail "a corrupt row called a collision"
[ "$(md5sum < "$db")" = "$sum0" ] || fail "wrote into a corrupt store"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status <> 'pending' AND status <> 'done'")" = 0 ] ||
  fail "runs claimed in a corrupt store"
# a damaged page: quick_check fails, and nothing is written either
cp "$TMPDIR/c0.db" "$db"
python3 - "$db" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
p = d.find(b'"data"') // 4096 * 4096
d[p:p + 40] = b'\xa5' * 40
open(sys.argv[1], 'wb').write(d)
EOF
sum0=$(md5sum < "$db")
expect_exit 4 "$RX" run "$spec" --db "$db" -q
grep -q "store '$db' is corrupt.*malformed; quick_check: " "$TMPDIR/err" || fail "corrupt page: $(cat "$TMPDIR/err")"
[ "$(md5sum < "$db")" = "$sum0" ] || fail "wrote into a corrupt store"

# a full disk: a store on a small tmpfs
mnt=$TMPDIR/mnt
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then
  echo "skip: disk full (cannot mount a tmpfs here)"
  echo ok
  exit 0
fi
trap 'umount "$mnt"' EXIT
db=$mnt/s.db
# 500 KB of filler leaves room for a run or two: workers that record in
# batches write fewer WAL frames, and at 350 KB the whole sweep fitted
# under ASan (its runs are slower, so not batched: a record is checked
# for room alone, a batch for the sum of its runs)
head -c 500000 /dev/zero > "$mnt/filler"
expect_exit 4 "$RX" run "$spec" --db "$db" -j 2
grep -q "the disk holding store '$db' is full" "$TMPDIR/err" || fail "disk full: $(cat "$TMPDIR/err")"
[ "$(q "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'running'")" = 0 ] || fail "runs left running"
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status IN ('failed', 'diverged')")" = 0 ] ||
  fail "a full disk failed a run"
done=$(q "$db" "SELECT count(*) FROM runs WHERE status = 'done'")
[ "$done" -ge 1 ] && [ "$done" -lt 12 ] || fail "want some runs done, got $done"
# every done run has all its epochs
[ "$(q "$db" "SELECT count(*) FROM runs r WHERE status = 'done' AND epochs <> \
  (SELECT count(*) FROM metrics m WHERE m.key = r.key)")" = 0 ] || fail "a done run lost metrics"
# with room again, the sweep completes
mount -o remount,size=4m "$mnt"
expect_exit 0 "$RX" run "$spec" --db "$db" -j 2 -q
[ "$(q "$db" "SELECT count(*) FROM runs WHERE status = 'done'")" = 12 ] || fail "rerun"
echo ok
