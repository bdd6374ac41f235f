# store_dump.sh: sourced by shell tests that compare results stores.
#
#   store_dump DB    prints the results of a store, one line per row:
#                    sweeps (name, spec hash), their runs in grid order, every
#                    run and every per-epoch, per-step and named metric row
#                    (run_metrics), every column except
#                    the ones that depend on when and where a run ran
#                    (times, host, pid, attempts, provenance).  REAL values are printed as the hex
#                    of their 8 IEEE-754 bytes, so equal dumps mean
#                    bit-identical metrics.

# The columns of table $2 in store $1 that a rerun elsewhere reproduces,
# each as a bit-exact SQL expression, comma-separated.
store_dump_cols()
{
  sqlite3 "$1" "SELECT name FROM pragma_table_info('$2') ORDER BY cid" |
    grep -vxE 'worker_host|worker_pid|heartbeat|started|ended|wall|attempts|provenance' |
    sed "s/.*/CASE typeof(&) WHEN 'real' THEN hex(ieee754_to_blob(&)) ELSE quote(&) END/" |
    paste -sd, -
}

store_dump()
{
  sqlite3 "$1" "SELECT 'sweep', name, spec_hash FROM sweeps ORDER BY name, spec_hash;
                SELECT 'link', s.name, l.grid_index, l.key FROM sweep_runs l
                  JOIN sweeps s ON s.id = l.sweep ORDER BY s.name, l.grid_index;
                SELECT 'run', $(store_dump_cols "$1" runs) FROM runs ORDER BY key;
                SELECT 'metric', $(store_dump_cols "$1" metrics) FROM metrics ORDER BY key, epoch;
                SELECT 'step', $(store_dump_cols "$1" step_metrics) FROM step_metrics ORDER BY key, step;
                SELECT 'named', $(store_dump_cols "$1" run_metrics) FROM run_metrics
                  ORDER BY key, name, scope, at"
}
