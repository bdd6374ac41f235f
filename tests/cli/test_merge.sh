# rexsweep merge: three shards of a sweep merge into the store of the
# unsharded sweep, bit for bit; merging is idempotent; done beats failed;
# conflicts exit with 5; old schema versions are migrated; bad shards are
# reported and skipped.
set -eu
. "$(dirname "$0")/../lib/cli.sh"
. "$root/tests/lib/store_dump.sh"
keys() { sqlite3 "$1" "SELECT key FROM runs ORDER BY key"; }
status_of() { sqlite3 "$1" "SELECT status FROM runs WHERE key = '$2'"; }

# 16 runs, half of them diverging (lr 1e6), with unequal costs.
cat >sweep.yaml <<'EOF'
name: merge-cli
data: {dataset: spirals, n_samples: 200, validation: 50}
model: {type: mlp, hidden: [8]}
train: {batch_size: 32, full_epochs: 2}
budgets: [50%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [0.1, 1e6]}
schedules: [rex, cosine]
seeds: 2
EOF
expect_rc 1 "$REXSWEEP" run sweep.yaml --db all.db -q   # 1: some runs diverged
for k in 1 2 3; do
  expect_rc 1 "$REXSWEEP" run sweep.yaml --shard "$k/3" --db "s$k.db" -q
done

# 1. The shards are disjoint, none is empty, and together they cover the grid.
for k in 1 2 3; do
  [ -n "$(keys "s$k.db")" ] || fail "shard $k is empty"
done
cat <(keys s1.db) <(keys s2.db) <(keys s3.db) | sort >union.txt
[ -z "$(uniq -d union.txt)" ] || fail "shards overlap: $(uniq -d union.txt)"
[ "$(cat union.txt)" = "$(keys all.db)" ] || fail "shards do not cover the grid"

# 2. The merge equals the unsharded sweep, bit for bit.
expect_rc 0 "$REXSWEEP" merge m.db s1.db s2.db s3.db
grep -q '^total: 16 runs added, 0 replaced, 0 same, 0 kept, 0 conflicts, 1 sweeps added$' out ||
  fail "totals: $(cat out)"
grep -q '^m.db: 16 runs, 8 done$' out || fail "no store line: $(cat out)"
store_dump all.db >all.txt
store_dump m.db >m.txt
grep -q '^run|' all.txt && grep -q '^metric|' all.txt || fail "empty dump"
diff -u all.txt m.txt >&2 || fail "the merged store differs from the unsharded run"

# 3. Merging again is a no-op.
expect_rc 0 "$REXSWEEP" merge m.db s3.db s1.db s2.db
grep -q '^total: 0 runs added, 0 replaced, 16 same, 0 kept, 0 conflicts, 0 sweeps added$' out ||
  fail "second merge: $(cat out)"
store_dump m.db | cmp -s - m.txt || fail "a second merge changed the store"

# 4. Done beats failed, in either order.
k=$(sqlite3 s1.db "SELECT key FROM runs WHERE status = 'done' ORDER BY key LIMIT 1")
cp s1.db f.db
sqlite3 f.db "UPDATE runs SET status = 'failed', error = 'node lost', train_loss = NULL,
              test_acc = NULL WHERE key = '$k'; DELETE FROM metrics WHERE key = '$k'"
expect_rc 0 "$REXSWEEP" merge m.db f.db
[ "$(status_of m.db "$k")" = done ] || fail "a failed run replaced a done one"
store_dump m.db | cmp -s - m.txt || fail "merging a worse shard changed the store"
expect_rc 0 "$REXSWEEP" merge n.db f.db
[ "$(status_of n.db "$k")" = failed ] || fail "the failed run was not merged"
expect_rc 0 "$REXSWEEP" merge n.db s1.db
grep -q 'runs added, 1 replaced' out || fail "no replacement counted: $(cat out)"
[ "$(status_of n.db "$k")" = done ] || fail "a done run did not replace a failed one"
[ "$(sqlite3 n.db "SELECT count(*) FROM metrics WHERE key = '$k'")" = \
  "$(sqlite3 s1.db "SELECT count(*) FROM metrics WHERE key = '$k'")" ] || fail "metrics not replaced"

# 5. Two different results for one run key: exit 5, the key named, the
#    store keeping its own result, everything else merged.
cp s2.db c.db
ck=$(sqlite3 c.db "SELECT key FROM runs WHERE status = 'done' ORDER BY key LIMIT 1")
sqlite3 c.db "UPDATE runs SET test_acc = test_acc + 0.125 WHERE key = '$ck'"
expect_rc 5 "$REXSWEEP" merge m.db c.db
grep -q "conflict: run $ck " err || fail "conflict not named: $(cat err)"
grep -q ', 1 conflicts' out || fail "conflict not counted: $(cat out)"
store_dump m.db | cmp -s - m.txt || fail "a conflicting shard changed the store"
expect_rc 5 "$REXSWEEP" merge q.db s2.db c.db s1.db s3.db
store_dump q.db | cmp -s - m.txt || fail "the shards after a conflicting one were not merged"

# 6. A shard of an older schema version is migrated (and left as it was).
# A real version-1 store with s1.db's rows: the tables and indexes of a
# store rexsweep wrote before (the fixture's, less its views), then the
# rows, column by column.
sed -n '/^CREATE TABLE/,/;$/p; /^CREATE INDEX/p' "$root/tests/data/store/v2-small.sql" |
  sqlite3 old.db
[ -z "$(sqlite3 old.db "SELECT name FROM sqlite_master WHERE type = 'view'")" ] || fail "views"
for tbl in sweeps runs sweep_runs metrics step_metrics; do
  cols=$(sqlite3 old.db "SELECT group_concat(name) FROM pragma_table_info('$tbl')")
  sqlite3 old.db "ATTACH 's1.db' AS s; INSERT INTO $tbl ($cols) SELECT $cols FROM s.$tbl"
done
sqlite3 old.db "PRAGMA application_id = $(sqlite3 s1.db 'PRAGMA application_id'); PRAGMA user_version = 1"
expect_rc 0 "$REXSWEEP" merge o.db old.db s2.db s3.db
grep -q '^old.db (schema 1): ' out || fail "no schema 1: $(cat out)"
[ "$(sqlite3 old.db 'PRAGMA user_version')" = 1 ] || fail "the old shard was rewritten"
# final_lr came with schema 5 and cost with 7: an older shard's runs
# cannot have them
STORE_DUMP_SKIP='final_lr|cost' store_dump m.db >m5.txt
STORE_DUMP_SKIP='final_lr|cost' store_dump o.db | cmp -s - m5.txt || fail "merge of an old shard differs"
[ "$(sqlite3 o.db "SELECT count(*) FROM runs WHERE final_lr IS NOT NULL")" -gt 0 ] ||
  fail "the current shards' final_lr was not merged"

# 7. Bad shards and bad usage.
expect_rc 4 "$REXSWEEP" merge p.db s1.db missing.db s2.db
grep -q "cannot open shard 'missing.db'" err || fail "no message for a missing shard"
[ ! -e missing.db ] || fail "a missing shard was created"
[ "$(keys p.db | wc -l)" = "$(cat <(keys s1.db) <(keys s2.db) | wc -l)" ] ||
  fail "the other shards were not merged"
echo "not a database" >junk.db
expect_rc 4 "$REXSWEEP" merge p.db junk.db
expect_rc 2 "$REXSWEEP" merge m.db s1.db m.db
expect_rc 2 "$REXSWEEP" merge m.db
expect_rc 2 "$REXSWEEP" merge
expect_rc 0 "$REXSWEEP" merge --help
echo ok
