# lib_report.sh: builds hand-made results stores with the sqlite3 shell,
# from the store's own schema (tests/data/store/schema.sql).  Sourced by
# test_report.sh, test_report_html.sh, test_check.sh and test_export.sh.

SCHEMA=tests/data/store/schema.sql

# sql_sweep ID NAME: the INSERT of a sweep row.
sql_sweep() {
  echo "INSERT INTO sweeps (id, name, spec, spec_hash, created, rexsweep_version, trainer_version, host) VALUES ($1, '$2', 'name: $2', 'h$1', 0, '0.1.0', 1, 'test');"
}

# sql_run SWEEP INDEX SCHED OPT BUDGET LR SEED STATUS TEST_ACC VAL_ACC [SAMPLING]
# The INSERTs of one run and its link to sweep SWEEP.  TEST_ACC and VAL_ACC
# are numbers, NULL or 'NaN'.  The run key is made from the fields, the
# trainer version kept out of it as the store does not care here.
sql_run() {
  local sw=$1 idx=$2 sched=$3 opt=$4 budget=$5 lr=$6 seed=$7 status=$8 tacc=$9 vacc=${10}
  local sampling=${11:-iteration}
  local key cell cfg sj
  key=$(printf '%s' "$sched/$opt/$budget/$lr/$seed/$sampling" | md5sum | cut -c1-16)
  cell=$(printf '%s' "$sched/$opt/$budget/$lr/$sampling" | md5sum | cut -c1-16)
  sj="{\"name\":\"$sched\",\"sampling\":\"$sampling\"}"
  cfg="{\"data\":{\"dataset\":\"spirals\",\"validation\":100},\"model\":{\"type\":\"mlp\"},\"optimizer\":{\"lr\":$lr,\"name\":\"$opt\"},\"schedule\":$sj,\"train\":{\"budget\":$budget,\"full_epochs\":4,\"seed\":$seed}}"
  local steps spe
  spe=25
  steps=$(awk -v b="$budget" 'BEGIN { s = b * 100; printf "%d", (s == int(s)) ? s : int(s) + 1 }')
  echo "INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum, weight_decay, batch_size, schedule, schedule_json, sampling, budget, full_epochs, seed, config, status, steps, steps_per_epoch, test_acc, val_acc) VALUES ('$key', '$cell', 'spirals', 'mlp', '$opt', $lr, 0, 0, 32, '$sched', '$sj', '$sampling', $budget, 4, $seed, '$cfg', '$status', $steps, $spe, $tacc, $vacc);"
  echo "INSERT INTO sweep_runs (sweep, key, grid_index) VALUES ($sw, '$key', $idx);"
}

# make_store FILE < SQL: a new store with the schema, then the SQL.
make_store() {
  rm -f "$1"
  { cat "$SCHEMA"; cat; } | sqlite3 "$1"
}

# paper_sql: the paper's ResNet20-CIFAR10 SGDM table
# (tests/data/report/resnet20_cifar10_sgdm.tsv) as a store: three seeds
# per cell at error - 0.1, error, error + 0.1, test_acc = 1 - error/100.
paper_sql() {
  sql_sweep 1 resnet20-cifar10
  awk -F'\t' '
    /^#/ || NF == 0 { next }
    $1 == "schedule" { for (i = 2; i <= NF; i++) b[i] = $i; next }
    { for (i = 2; i <= NF; i++) for (s = 0; s < 3; s++)
        printf "%s %s %d %.17g\n", $1, b[i], s, 1 - ($i + 0.1 * (s - 1)) / 100 }
  ' tests/data/report/resnet20_cifar10_sgdm.tsv |
  { n=0; while read -r sched budget seed acc; do
      sql_run 1 $n "$sched" sgd "$budget" 0.1 "$seed" done "$acc" "$acc"
      n=$((n + 1))
    done; }
}

# expect_exit COMMAND CODE MESSAGE ARGS...: runs `$REXSWEEP COMMAND ARGS`,
# asserts its exit status and that MESSAGE is on standard error; leaves
# the output in $T/out and $T/err.
expect_exit() {
  local cmd=$1 want=$2 msg=$3; shift 3
  set +e
  "$REXSWEEP" "$cmd" "$@" >"$T/out" 2>"$T/err"; local rc=$?
  set -e
  if [ $rc -ne $want ]; then
    cat "$T/err"; echo "FAIL: $cmd $*: exit $rc, want $want"; exit 1
  fi
  grep -q -- "$msg" "$T/err" || { cat "$T/err"; echo "FAIL: $cmd $*: no '$msg'"; exit 1; }
}
