# `status` follows a run while it trains: its progress (steps done /
# steps) is recorded when training starts (0 of them) and at every
# epoch's end at least 20 ms after the last epoch's (these epochs take about
# 80 ms), so polling status shows it move.  A trigger logs every progress
# the workers write.
. tests/cli/lib.sh
spec=tests/data/run/long.yaml   # 2 long runs: 100 epochs of 60 steps
db=$TMPDIR/p.db
json() { python3 -c "import json,sys; d=json.load(open('$TMPDIR/out')); print($1)"; }
sqlite3 -bail "$db" < tests/data/store/schema.sql
q "$db" "CREATE TABLE progress_log (key TEXT, steps_done INTEGER, steps INTEGER);
  CREATE TRIGGER progress_log AFTER UPDATE OF steps_done ON runs WHEN new.status = 'running'
  BEGIN INSERT INTO progress_log VALUES (new.key, new.steps_done, new.steps); END;"

setsid "$RX" run "$spec" --db "$db" -j 2 --quiet >/dev/null 2>&1 &
pid=$!
# poll: one long run seen part-way, then further on
key="" first=0 later=0
for _ in $(seq 300); do
  if "$RX" status --db "$db" --json >"$TMPDIR/out" 2>/dev/null; then
    read -r k d s <<<"$(json '" ".join(next((str(r["key"]), str(r["steps_done"]), str(r["steps"])) for r in d["stores"][0]["running"] if r["steps"] == 6000) if any(r["steps"] == 6000 for r in d["stores"][0]["running"]) else "- - -")')"
    if [ "$k" != - ] && [ "$d" != nan ] && [ "${d%.*}" -gt 0 ] && [ "${d%.*}" -lt 6000 ]; then
      if [ -z "$key" ]; then key=$k first=${d%.*}
      elif [ "$k" = "$key" ] && [ "${d%.*}" -gt "$first" ]; then later=${d%.*}; break
      fi
    fi
  fi
  sleep 0.05
done
[ "$later" -gt "$first" ] || fail "status never showed a run's progress move (run $key at $first)"
wait "$pid" || fail "the run failed"

# what the workers wrote: 0 at the start, then every epoch's end
for k in $(q "$db" "SELECT key FROM runs WHERE steps = 6000"); do
  [ "$(q "$db" "SELECT steps_done || '/' || steps FROM progress_log WHERE key = '$k' AND steps_done IS NOT NULL ORDER BY rowid LIMIT 1")" = 0/6000 ] ||
    fail "run $k: no progress at its start: $(q "$db" "SELECT steps_done FROM progress_log WHERE key = '$k' LIMIT 3")"
  n=$(q "$db" "SELECT count(DISTINCT steps_done) FROM progress_log WHERE key = '$k' AND steps_done % 60 = 0 AND steps_done > 0")
  [ "$n" = 100 ] || fail "run $k: progress at $n of 100 epoch ends"
done
[ "$(q "$db" "SELECT count(DISTINCT key) FROM progress_log WHERE steps = 6000")" = 2 ] || fail "the long runs"
echo ok
