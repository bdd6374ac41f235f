# lib_search.sh: what the search tests (test_halving.sh, test_hyperband.sh)
# share, sourced after tests/lib/cli.sh (in the scratch directory):
#   write_fake           writes fake.sh, a command trainer (sh + awk) whose
#                        validation accuracy peaks at lr = 0.01 and falls
#                        with |log10(lr) + 2| ($1 lr, $2 budget, $3 seed;
#                        SLOW=S sleeps S seconds above the 10% budget)
#   write_spec NAME STRATEGY
#                        writes NAME.yaml: 9 lrs, 2 schedules, 2 seeds over
#                        budgets 10%, 30%, 100%, eta 3, trained by fake.sh
#   done_keys DB         the keys of DB's done runs, sorted
#   kill_between_rungs SPEC DB
#                        runs SPEC into DB and kill -9s it once a 30% run
#                        exists, before any 100% run
#   sharded SPEC MERGED  runs SPEC rung by rung (3 rungs), two shards each
#                        into their own stores, merged into MERGED between

write_fake()
{
  cat >fake.sh <<'EOF'
# $1 lr, $2 budget, $3 seed; writes one epoch and the final record on fd 3
[ -n "${SLOW:-}" ] && [ "$2" != 0.1 ] && sleep "$SLOW"
awk -v lr="$1" -v b="$2" -v s="$3" 'BEGIN {
  d = log(lr) / log(10) + 2; if (d < 0) d = -d
  v = 0.9 - 0.05 * d + 0.05 * b + 0.0001 * s
  printf("{\"epoch\": 1, \"val_acc\": %.6f}\n{\"final\": true, \"test_acc\": %.6f}\n", v, v - 0.01)
}' >&3
EOF
}

write_spec()
{
  cat >"$1.yaml" <<EOF
name: $1
data: {dataset: spirals, n_samples: 64}
train: {batch_size: 64, full_epochs: 9}
budgets: [10%, 30%, 100%]
optimizers:
  - {name: sgd, lr: {from: 0.0001, to: 1, mantissas: [1, 3]}}
schedules: [constant, linear]
seeds: 2
search: {strategy: $2, eta: 3}
trainer:
  command: [sh, fake.sh, "{optimizer.lr}", "{train.budget}", "{train.seed}"]
  code: [fake.sh]
  train_size: 64
EOF
}

done_keys() { sqlite3 "$1" "SELECT key FROM runs WHERE status = 'done' ORDER BY key"; }

kill_between_rungs()
{
  SLOW=0.3 setsid "$REXSWEEP" run "$1" --db "$2" -q >/dev/null 2>&1 &
  local pid=$! n
  for _ in $(seq 1 300); do
    n=$(sqlite3 -cmd ".timeout 5000" "$2" "SELECT count(*) FROM runs WHERE budget = 0.3" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.05
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 0.5   # the trainer of the run in flight (its own process group) ends
  [ "$(sqlite3 "$2" "SELECT count(*) FROM runs WHERE budget = 1")" = 0 ] || fail "killed too late"
}

sharded()
{
  local k s from
  for k in 0 1 2; do
    from=""
    [ "$k" -gt 0 ] && from="--from $2"
    for s in 1 2; do
      # shellcheck disable=SC2086
      expect_rc 0 "$REXSWEEP" run "$1" --rung "$k" $from --shard "$s/2" --db "s$k-$s.db" -q
    done
    expect_rc 0 "$REXSWEEP" merge "$2" "s$k-1.db" "s$k-2.db"
  done
}
