# rexsweep status: per sweep the runs by state and an ETA, the runs in
# flight (host, pid, progress, heartbeat age) during a live run, stale
# runs and what happens to them; read-only, so it works while a writer
# holds the store's write lock; --store-dir, --sweep, --watch.
. tests/cli/lib.sh
spec=tests/data/run/long.yaml
db=$TMPDIR/s.db
expect_exit 4 "$RX" status --db "$TMPDIR/none.db"
grep -q "no results store at" "$TMPDIR/err" || fail "missing store: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" status --db "$db" --store-dir "$TMPDIR"
json() { python3 -c "import json,sys; d=json.load(open('$TMPDIR/out')); print($1)"; }

# a live run: two long runs in flight
setsid "$RX" run "$spec" --db "$db" -j 2 --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
  n=$(q "$db" "SELECT count(*) FROM runs WHERE status='running' AND steps_done > 0" 2>/dev/null || echo 0)
  [ "$n" = 2 ] && break
  sleep 0.1
done
[ "$n" = 2 ] || fail "the runs never showed progress"
expect_exit 0 "$RX" status --db "$db" --json
[ "$(json 'len(d["stores"][0]["running"])')" = 2 ] || fail "running: $(cat "$TMPDIR/out")"
[ "$(json 'd["stores"][0]["running"][0]["host"]')" = "$(hostname)" ] || fail "host"
wpid=$(json 'd["stores"][0]["running"][0]["pid"]')
kill -0 "$wpid" || fail "pid $wpid is not a live worker"
json 'd["stores"][0]["running"][0]["steps_done"] > 0 and d["stores"][0]["running"][0]["steps"] == 6000' | grep -qx True ||
  fail "progress: $(cat "$TMPDIR/out")"
json 'd["stores"][0]["running"][0]["heartbeat_age"] < 60' | grep -qx True || fail "heartbeat age"
json 'd["stores"][0]["sweeps"][0]' | grep -q "'done': 2, 'running': 2" || fail "counts: $(cat "$TMPDIR/out")"
json 'd["stores"][0]["sweeps"][0]["eta_seconds"] > 0' | grep -qx True || fail "no eta: $(cat "$TMPDIR/out")"
expect_exit 0 "$RX" status --db "$db"
grep -Eq '^  long #1 +4 +2 +2 +0 +0 +0 +0  [0-9]+[ms]' "$TMPDIR/out" || fail "text: $(cat "$TMPDIR/out")"
grep -Eq "^    [0-9a-f]{16}  $(hostname | cut -c1-12) +[0-9]+  [0-9]+/6000 +[0-9]+%" "$TMPDIR/out" ||
  fail "text running: $(cat "$TMPDIR/out")"

# a writer holds the write lock (BEGIN IMMEDIATE) for 4 s: status does
# not wait for it
{ echo "BEGIN IMMEDIATE;"; echo "UPDATE runs SET attempts = attempts WHERE 0;"; sleep 4; echo "COMMIT;"; } |
  sqlite3 "$db" &
lock=$!
sleep 0.5
t0=$(date +%s%N)
expect_exit 0 timeout 3 "$RX" status --db "$db" --json
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ] || fail "status waited for the writer"
[ "$(json 'len(d["stores"][0]["running"])')" = 2 ] || fail "running under a lock"
wait "$lock"
wait "$pid" || fail "the run failed"

# stale runs: a worker of this host that is gone, a heartbeat an hour old
k1=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1")
k2=$(q "$db" "SELECT key FROM runs ORDER BY key LIMIT 1 OFFSET 1")
sh -c 'exit 0' & dead=$!; wait $dead
q "$db" "UPDATE runs SET status='running', worker_host='$(hostname)', worker_pid=$dead,
  heartbeat=unixepoch(), started=unixepoch(), steps_done=10, steps=6000 WHERE key='$k1'"
q "$db" "UPDATE runs SET status='running', worker_host='elsewhere', worker_pid=1,
  heartbeat=unixepoch()-3600, started=unixepoch()-4000 WHERE key='$k2'"
expect_exit 0 "$RX" status --db "$db" --json
[ "$(json 'len(d["stores"][0]["running"])')" = 0 ] || fail "stale runs listed as running"
[ "$(json 'len(d["stores"][0]["stale"])')" = 2 ] || fail "stale: $(cat "$TMPDIR/out")"
json '[s["why"] for s in d["stores"][0]["stale"]]' | grep -q "worker $dead on this host is gone" || fail "why dead"
json '[s["why"] for s in d["stores"][0]["stale"]]' | grep -q "no heartbeat for 1h00m" || fail "why old"
json 'd["stores"][0]["sweeps"][0]["eta_seconds"]' | grep -qx None || fail "eta with nothing alive"
expect_exit 0 "$RX" status --db "$db"
grep -q "stale (the next 'rexsweep run' of its sweep claims it again)" "$TMPDIR/out" || fail "text stale"
grep -q -- "- (nothing running)" "$TMPDIR/out" || fail "text eta: $(cat "$TMPDIR/out")"
# ... and run does what status said
expect_exit 0 "$RX" run "$spec" --db "$db" --quiet
grep -q "4 done (2 now)" "$TMPDIR/out" || fail "the stale runs were not redone: $(cat "$TMPDIR/out")"

# --sweep, --store-dir, --watch
expect_exit 2 "$RX" status --db "$db" --sweep nosuch
grep -q "no sweep named 'nosuch'" "$TMPDIR/err" || fail "unknown sweep"
mkdir "$TMPDIR/shards"
cp "$db" "$TMPDIR/shards/shard-0.db"; cp "$db" "$TMPDIR/shards/shard-1.db"
expect_exit 0 "$RX" status --store-dir "$TMPDIR/shards" --json --sweep long
[ "$(json 'len(d["stores"])')" = 2 ] || fail "store-dir"
timeout 1.6 "$RX" status --db "$db" --watch 0.5 --json > "$TMPDIR/w" || true
[ "$(wc -l < "$TMPDIR/w")" -ge 3 ] || fail "--watch: $(cat "$TMPDIR/w")"
echo ok
