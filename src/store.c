/*
 * store.c: the SQLite results store (rx_store.h, rexsweep-results(5)).
 * The only file that includes <sqlite3.h>.
 *
 * Every write is one BEGIN IMMEDIATE transaction run by write_tx(), which
 * retries the whole body on SQLITE_BUSY: a body is a function that may run
 * more than once, so it resets whatever it reports before it writes.
 */
#include "rx_store.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rx_keys.h"
#include "rx_metrics.h"
#include "rx_sched.h"
#include "rx_trainer.h"

/* ---- the schema: one migration step per version ------------------------
 * A store at version k gets steps k+1 .. RX_STORE_SCHEMA_VERSION applied
 * in one transaction.  Steps are never edited once released: a change is
 * a new step.  rexsweep-results(5) documents the result. */

/* A metric column holds a REAL, or the text 'NaN', 'Infinity' or
 * '-Infinity' for a non-finite value (SQLite would turn NaN into NULL),
 * or NULL when the value was not recorded.  (The CHECK avoids a typeof()
 * IN list: lists of three or more cost a temporary index per row.) */
#define METRIC(c)                                                       \
    c " ANY CHECK (typeof(" c ") <> 'text' AND typeof(" c ") <> 'blob' OR " c \
    " IN ('NaN', 'Infinity', '-Infinity'))"
/* The finite value of a metric column, NULL otherwise (for the views). */
#define FIN(x) \
    "CASE WHEN typeof(" x ") IN ('real', 'integer') AND abs(" x \
    ") <= 1.7976931348623157e308 THEN " x " END"
#define STATES "'pending', 'running', 'done', 'failed', 'diverged', 'interrupted'"

static const char migration_1[] =
    "CREATE TABLE sweeps (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  spec TEXT NOT NULL,\n"
    "  spec_hash TEXT NOT NULL,\n"
    "  created REAL NOT NULL,\n"
    "  rexsweep_version TEXT NOT NULL,\n"
    "  trainer_version INTEGER NOT NULL,\n"
    "  host TEXT NOT NULL,\n"
    "  git_commit TEXT,\n"
    "  UNIQUE (name, spec_hash)\n"
    ") STRICT;\n"
    "CREATE TABLE runs (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  cell TEXT NOT NULL,\n"
    "  dataset TEXT NOT NULL,\n"
    "  model TEXT NOT NULL,\n"
    "  optimizer TEXT NOT NULL,\n"
    "  lr REAL NOT NULL,\n"
    "  momentum REAL NOT NULL,\n"
    "  weight_decay REAL NOT NULL,\n"
    "  batch_size INTEGER NOT NULL,\n"
    "  schedule TEXT NOT NULL,\n"
    "  schedule_json TEXT NOT NULL,\n"
    "  sampling TEXT NOT NULL,\n"
    "  budget REAL NOT NULL,\n"
    "  full_epochs REAL NOT NULL,\n"
    "  seed INTEGER NOT NULL,\n"
    "  config TEXT NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (" STATES ")),\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  worker_host TEXT,\n"
    "  worker_pid INTEGER,\n"
    "  heartbeat REAL,\n"
    "  started REAL,\n"
    "  ended REAL,\n"
    "  wall REAL,\n"
    "  epochs REAL,\n"
    "  steps INTEGER,\n"
    "  steps_done INTEGER,\n"
    "  steps_per_epoch INTEGER,\n"
    "  samples INTEGER,\n"
    "  flops REAL,\n"
    "  n_params INTEGER,\n"
    "  model_desc TEXT,\n"
    "  " METRIC("train_loss") ",\n"
    "  " METRIC("train_acc") ",\n"
    "  " METRIC("val_loss") ",\n"
    "  " METRIC("val_acc") ",\n"
    "  " METRIC("test_loss") ",\n"
    "  " METRIC("test_acc") ",\n"
    "  " METRIC("best_val_acc") ",\n"
    "  " METRIC("best_val_loss") ",\n"
    "  " METRIC("best_test_acc") ",\n"
    "  diverged_step INTEGER,\n"
    "  error TEXT\n"
    ") STRICT;\n"
    "CREATE TABLE sweep_runs (\n"
    "  sweep INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,\n"
    "  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,\n"
    "  grid_index INTEGER NOT NULL,\n"
    "  PRIMARY KEY (sweep, key)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE metrics (\n"
    "  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,\n"
    "  epoch INTEGER NOT NULL,\n"
    "  step INTEGER NOT NULL,\n"
    "  samples INTEGER NOT NULL,\n"
    "  " METRIC("train_loss") ",\n"
    "  " METRIC("train_acc") ",\n"
    "  " METRIC("val_loss") ",\n"
    "  " METRIC("val_acc") ",\n"
    "  " METRIC("test_loss") ",\n"
    "  " METRIC("test_acc") ",\n"
    "  " METRIC("lr") ",\n"
    "  " METRIC("momentum") ",\n"
    "  " METRIC("grad_norm") ",\n"
    "  " METRIC("wall") ",\n"
    "  PRIMARY KEY (key, epoch)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE step_metrics (\n"
    "  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,\n"
    "  step INTEGER NOT NULL,\n"
    "  " METRIC("loss") ",\n"
    "  " METRIC("lr") ",\n"
    "  " METRIC("momentum") ",\n"
    "  " METRIC("grad_norm") ",\n"
    "  PRIMARY KEY (key, step)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE INDEX sweep_runs_order ON sweep_runs (sweep, grid_index);\n"
    "CREATE INDEX sweep_runs_key ON sweep_runs (key);\n"
    "CREATE INDEX runs_cell ON runs (cell);\n"
    "CREATE INDEX runs_status ON runs (status);\n"
    "CREATE INDEX runs_axes ON runs (dataset, optimizer, budget, schedule);\n";

/* mean_M and std_M (sample standard deviation) of metric M over the done
 * runs of a cell; m holds the cell's means. */
#define DONE(x) "CASE WHEN r.status = 'done' THEN " x " END"
#define MEAN_STD(M)                                                        \
    "  max(m." M ") AS mean_" M ",\n"                                      \
    "  sqrt(sum(" DONE("(r." M " - m." M ") * (r." M " - m." M ")") ") / " \
    "(count(" DONE("r." M) ") - 1)) AS std_" M
#define COUNT_STATE(s, name) "count(CASE WHEN r.status = '" s "' THEN 1 END) AS " name

/* The columns of run_results before its metrics, and of epoch_results
 * before its metrics (a later step that adds a metric rebuilds the view
 * from these and the metric table: metric_step). */
#define RUN_RESULTS_HEAD                                                  \
    "CREATE VIEW run_results AS SELECT\n"                                 \
    "  key, cell, dataset, model, optimizer, lr, momentum, weight_decay,\n" \
    "  batch_size, schedule, schedule_json, sampling, budget, full_epochs,\n" \
    "  seed, status, attempts, epochs, steps, steps_done, samples, flops,\n" \
    "  wall,\n"
#define RUN_RESULTS_TAIL "  diverged_step, error\nFROM runs;\n"
#define EPOCH_RESULTS_HEAD                                                 \
    "CREATE VIEW epoch_results AS SELECT\n"                                \
    "  r.key, r.cell, r.dataset, r.model, r.optimizer, r.lr, r.schedule,\n" \
    "  r.sampling, r.budget, r.seed, r.status,\n"                          \
    "  m.epoch, m.step, m.samples,\n"
#define EPOCH_RESULTS_TAIL "FROM runs r JOIN metrics m ON m.key = r.key;\n"

/* The pieces of cell_results (steps 2 and 6): the axes after the cell,
 * the means of the done runs (m), the counts by state, the statistics. */
#define CELL_AXES                                                      \
    "r.dataset, r.model, r.optimizer, r.lr, r.momentum,\n"            \
    "  r.weight_decay, r.batch_size, r.schedule, r.schedule_json,\n"  \
    "  r.sampling, r.budget, r.full_epochs"
#define CELL_MEANS                                                              \
    "    avg(CASE WHEN status = 'done' THEN test_acc END) AS test_acc,\n"     \
    "    avg(CASE WHEN status = 'done' THEN test_loss END) AS test_loss,\n"   \
    "    avg(CASE WHEN status = 'done' THEN val_acc END) AS val_acc,\n"       \
    "    avg(CASE WHEN status = 'done' THEN val_loss END) AS val_loss,\n"     \
    "    avg(CASE WHEN status = 'done' THEN train_acc END) AS train_acc,\n"   \
    "    avg(CASE WHEN status = 'done' THEN train_loss END) AS train_loss\n"
#define CELL_COUNTS                                                     \
    "  max(r.epochs) AS epochs, max(r.steps) AS steps,\n"             \
    "  count(*) AS n_runs,\n"                                          \
    "  " COUNT_STATE("done", "n_done") ",\n"                           \
    "  " COUNT_STATE("diverged", "n_diverged") ",\n"                   \
    "  " COUNT_STATE("failed", "n_failed") ",\n"                       \
    "  count(CASE WHEN r.status IN ('pending', 'running', 'interrupted')" \
    " THEN 1 END) AS n_pending,\n"
#define CELL_STATS                                                      \
    MEAN_STD("test_acc") ",\n" MEAN_STD("test_loss") ",\n"              \
    MEAN_STD("val_acc") ",\n" MEAN_STD("val_loss") ",\n"                \
    MEAN_STD("train_acc") ",\n" MEAN_STD("train_loss") "\n"

static const char migration_2[] =
    RUN_RESULTS_HEAD
    "  " FIN("train_loss") " AS train_loss,\n"
    "  " FIN("train_acc") " AS train_acc,\n"
    "  " FIN("val_loss") " AS val_loss,\n"
    "  " FIN("val_acc") " AS val_acc,\n"
    "  " FIN("test_loss") " AS test_loss,\n"
    "  " FIN("test_acc") " AS test_acc,\n"
    "  " FIN("best_val_acc") " AS best_val_acc,\n"
    "  " FIN("best_val_loss") " AS best_val_loss,\n"
    "  " FIN("best_test_acc") " AS best_test_acc,\n"
    RUN_RESULTS_TAIL
    "CREATE VIEW cell_results AS\n"
    "WITH m AS (SELECT cell,\n"
    CELL_MEANS
    "  FROM run_results GROUP BY cell)\n"
    "SELECT r.cell, " CELL_AXES ",\n"
    CELL_COUNTS
    CELL_STATS
    "FROM run_results r JOIN m ON m.cell = r.cell\n"
    "GROUP BY r.cell, " CELL_AXES ";\n"
    EPOCH_RESULTS_HEAD
    "  " FIN("m.train_loss") " AS train_loss,\n"
    "  " FIN("m.train_acc") " AS train_acc,\n"
    "  " FIN("m.val_loss") " AS val_loss,\n"
    "  " FIN("m.val_acc") " AS val_acc,\n"
    "  " FIN("m.test_loss") " AS test_loss,\n"
    "  " FIN("m.test_acc") " AS test_acc,\n"
    "  " FIN("m.lr") " AS epoch_lr,\n"
    "  " FIN("m.momentum") " AS epoch_momentum,\n"
    "  " FIN("m.grad_norm") " AS grad_norm,\n"
    "  " FIN("m.wall") " AS wall\n"
    EPOCH_RESULTS_TAIL
    "CREATE VIEW sweep_results AS SELECT\n"
    "  s.name AS sweep, l.sweep AS sweep_id, l.grid_index, r.*\n"
    "FROM sweep_runs l JOIN sweeps s ON s.id = l.sweep\n"
    "  JOIN run_results r ON r.key = l.key;\n"
    "CREATE VIEW sweep_status AS SELECT\n"
    "  s.id AS sweep_id, s.name AS sweep,\n"
    "  datetime(s.created, 'unixepoch') AS created,\n"
    "  count(r.key) AS n_runs,\n"
    "  " COUNT_STATE("pending", "pending") ",\n"
    "  " COUNT_STATE("running", "running") ",\n"
    "  " COUNT_STATE("done", "done") ",\n"
    "  " COUNT_STATE("failed", "failed") ",\n"
    "  " COUNT_STATE("diverged", "diverged") ",\n"
    "  " COUNT_STATE("interrupted", "interrupted") "\n"
    "FROM sweeps s LEFT JOIN sweep_runs l ON l.sweep = s.id\n"
    "  LEFT JOIN runs r ON r.key = l.key\n"
    "GROUP BY s.id;\n";

/* The part of schema step v that the metric table writes (rx_metrics.h):
 * a column in each table that holds a metric whose row says since = v,
 * and run_results or epoch_results rebuilt when runs or metrics gained
 * one.  Into buf (snprintf rules); "" when step v adds no metric. */
static size_t metric_step(int v, char *buf, size_t size)
{
    static const struct {
        unsigned where;
        const char *table;
    } tabs[] = {{RX_MC_RUN, "runs"}, {RX_MC_EPOCH, "metrics"}, {RX_MC_STEP, "step_metrics"}};
    int n;
    unsigned added = 0;
    const rx_metric_col *c = rx_metric_cols(&n);
    size_t k = 0;
#define PUT(...) (k += (size_t)snprintf(buf + (k < size ? k : size), k < size ? size - k : 0, \
                                        __VA_ARGS__))
#define FIN_AS(x, as) PUT("  CASE WHEN typeof(%s) IN ('real', 'integer') AND abs(%s) <= " \
                          "1.7976931348623157e308 THEN %s END AS %s", x, x, x, as)
    if (size)
        buf[0] = '\0';
    /* steps 1 and 2, released, spell their metric columns out */
    if (v <= 2)
        return 0;
    for (int i = 0; i < n; i++)
        for (int t = 0; t < 3; t++)
            if (c[i].since == v && (c[i].flags & tabs[t].where)) {
                PUT("ALTER TABLE %s ADD COLUMN %s ANY CHECK (typeof(%s) <> 'text' AND "
                    "typeof(%s) <> 'blob' OR %s IN ('NaN', 'Infinity', '-Infinity'));\n",
                    tabs[t].table, c[i].name, c[i].name, c[i].name, c[i].name);
                added |= tabs[t].where;
            }
    if (added & RX_MC_RUN) {
        PUT("DROP VIEW run_results;\n%s", RUN_RESULTS_HEAD);
        for (int i = 0; i < n; i++)
            if (c[i].flags & RX_MC_RUN) {
                FIN_AS(c[i].name, c[i].name);
                PUT(",\n");
            }
        PUT("%s", RUN_RESULTS_TAIL);
    }
    if (added & RX_MC_EPOCH) {
        PUT("DROP VIEW epoch_results;\n%s", EPOCH_RESULTS_HEAD);
        char col[64];
        const char *sep = "";
        for (int i = 0; i < n; i++)
            if (c[i].flags & RX_MC_EPOCH) {
                snprintf(col, sizeof col, "m.%s", c[i].name);
                PUT("%s", sep);
                FIN_AS(col, c[i].epoch_as ? c[i].epoch_as : c[i].name);
                sep = ",\n";
            }
        PUT("\n%s", EPOCH_RESULTS_TAIL);
    }
#undef FIN_AS
#undef PUT
    return k;
}

/* Where sweeps and runs come from (rx_provenance.h): one row per distinct
 * environment, keyed by a hash of its content, so that shards merge by
 * copying rows.  Sweeps and runs recorded before this step have none. */
static const char migration_provenance[] =
    "CREATE TABLE provenance (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  git_commit TEXT,\n"
    "  git_dirty INTEGER,\n"
    "  rexsweep_version TEXT NOT NULL,\n"
    "  trainer_version INTEGER NOT NULL,\n"
    "  blas_version TEXT,\n"
    "  blas_core TEXT,\n"
    "  cpu TEXT,\n"
    "  compiler TEXT,\n"
    "  host TEXT NOT NULL\n"
    ") STRICT;\n"
    "ALTER TABLE sweeps ADD COLUMN git_dirty INTEGER;\n"
    "ALTER TABLE sweeps ADD COLUMN provenance TEXT REFERENCES provenance (id);\n"
    "ALTER TABLE runs ADD COLUMN provenance TEXT REFERENCES provenance (id);\n"
    "CREATE VIEW run_provenance AS SELECT\n"
    "  r.key, r.cell, r.status, r.ended, p.id AS provenance, p.git_commit,\n"
    "  p.git_dirty, p.rexsweep_version, p.trainer_version, p.blas_version,\n"
    "  p.blas_core, p.cpu, p.compiler, p.host\n"
    "FROM runs r LEFT JOIN provenance p ON p.id = r.provenance;\n";

/* Command trainers (rexsweep-trainer(7)): what produced a run, the tail
 * of a failed program's output, and metrics under names of their own in
 * long format, one row per (run, name, scope, at). */
static const char migration_trainers[] =
    "ALTER TABLE runs ADD COLUMN trainer TEXT;\n"
    "ALTER TABLE runs ADD COLUMN output TEXT;\n"
    "CREATE TABLE run_metrics (\n"
    "  key TEXT NOT NULL REFERENCES runs (key) ON DELETE CASCADE,\n"
    "  name TEXT NOT NULL,\n"
    "  scope TEXT NOT NULL CHECK (scope IN ('step', 'epoch', 'final')),\n"
    "  at INTEGER NOT NULL,\n"
    "  " METRIC("value") ",\n"
    "  PRIMARY KEY (key, name, scope, at)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "CREATE VIEW named_results AS SELECT\n"
    "  r.key, r.cell, r.status, m.name, m.scope, m.at,\n"
    "  " FIN("m.value") " AS value\n"
    "FROM runs r JOIN run_metrics m ON m.key = r.key;\n";

/* cell_results per sweep, with the report's test error: one row per
 * (sweep name, cell) over the distinct runs of the sweeps of that name
 * (a run shared by two sweeps counts in both; runs of no sweep, NULL),
 * and the test error in % (100 * (1 - accuracy), the report's "error"),
 * NULL where there is no accuracy (regression, vae). */
#define ERR_PCT(x) "100.0 * (1.0 - " x ")"
static const char migration_cell_sweep[] =
    "DROP VIEW cell_results;\n"
    "CREATE VIEW cell_results AS\n"
    "WITH r AS (SELECT s.name AS sweep, x.* FROM run_results x\n"
    "    LEFT JOIN (SELECT DISTINCT l.key, n.name FROM sweep_runs l\n"
    "      JOIN sweeps n ON n.id = l.sweep) s ON s.key = x.key),\n"
    "m AS (SELECT sweep, cell,\n"
    CELL_MEANS
    "  FROM r GROUP BY sweep, cell)\n"
    "SELECT r.sweep, r.cell, " CELL_AXES ",\n"
    CELL_COUNTS
    "  " ERR_PCT("max(m.test_acc)") " AS mean_test_error,\n"
    "  100.0 * sqrt(sum(" DONE("(r.test_acc - m.test_acc) * (r.test_acc - m.test_acc)") ") / "
    "(count(" DONE("r.test_acc") ") - 1)) AS std_test_error,\n"
    CELL_STATS
    "FROM r JOIN m ON m.cell = r.cell AND m.sweep IS r.sweep\n"
    "GROUP BY r.sweep, r.cell, " CELL_AXES ";\n";

/* A run's cost before it runs (rx_cost.h), which `status` weights its
 * ETA by; NULL for the runs added before this step (until a sweep of
 * theirs is run again). */
static const char migration_cost[] = "ALTER TABLE runs ADD COLUMN cost REAL;\n";

static const char *const migrations[] = {
    migration_1,          /* 1: tables and indexes */
    migration_2,          /* 2: the views */
    migration_provenance, /* 3: provenance of sweeps and runs */
    migration_trainers,   /* 4: command trainers: runs.trainer, runs.output, run_metrics */
    "",                   /* 5: final_lr (its column and view: metric_step) */
    migration_cell_sweep, /* 6: cell_results per sweep, with the test error in % */
    migration_cost,       /* 7: runs.cost */
};
_Static_assert(sizeof migrations / sizeof migrations[0] == RX_STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* ---- fault injection (test builds only) --------------------------------
 * Compiled only with -DRX_FAULT_INJECTION (tests/test_store_fault.c
 * includes this file with it defined): a normal build has none of it and
 * reads no environment.  SQLite's own technique: an allocator that fails
 * from the Nth allocation on, and a VFS shim that fails every write from
 * the Nth on, so that each failure point of every store write is
 * exercised in turn. */
#ifdef RX_FAULT_INJECTION

static struct {
    sqlite3_mem_methods real_mem;
    sqlite3_vfs *real_vfs;
    long malloc_at, writes_at;   /* fail from the Nth call on; 0: never */
    int once;                    /* fail the Nth call only (a transient fault) */
    long n_malloc, n_write;      /* calls counted since rx_store_fault_set */
    int installed;
} fault;

/* Counts a call; 1 when it must fail. */
static int fault_now(long at, long *n)
{
    if (at <= 0)
        return 0;
    ++*n;
    return fault.once ? *n == at : *n >= at;
}

static void *fault_malloc(int n)
{
    if (fault_now(fault.malloc_at, &fault.n_malloc))
        return NULL;
    return fault.real_mem.xMalloc(n);
}

static void *fault_realloc(void *p, int n)
{
    if (fault_now(fault.malloc_at, &fault.n_malloc))
        return NULL;
    return fault.real_mem.xRealloc(p, n);
}

/* A file of the shim: the real file follows it in the same allocation. */
typedef struct fault_file {
    sqlite3_file base;
    sqlite3_file *real;
} fault_file;

#define REAL(f) (((fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, o);
}
static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 o)
{
    if (fault_now(fault.writes_at, &fault.n_write))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 n)
{
    if (fault_now(fault.writes_at, &fault.n_write))
        return SQLITE_IOERR_TRUNCATE;
    return REAL(f)->pMethods->xTruncate(REAL(f), n);
}
static int ff_sync(sqlite3_file *f, int flags)
{
    if (fault_now(fault.writes_at, &fault.n_write))
        return SQLITE_IOERR_FSYNC;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *n)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), n);
}
static int ff_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_chars(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
    *pp = NULL; /* no memory-mapped reads: every access goes through here */
    return SQLITE_OK;
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    return SQLITE_OK;
}

static const sqlite3_io_methods fault_io = {
    3, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock, ff_unlock,
    ff_reserved, ff_fcntl, ff_sector, ff_chars, ff_shm_map, ff_shm_lock, ff_shm_barrier,
    ff_shm_unmap, ff_fetch, ff_unfetch};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    fault_file *ff = (fault_file *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    f->pMethods = NULL;
    int rc = fault.real_vfs->xOpen(fault.real_vfs, name, ff->real, flags, out);
    if (ff->real->pMethods)
        f->pMethods = &fault_io;
    return rc;
}
static int fv_delete(sqlite3_vfs *v, const char *name, int sync)
{
    return fault.real_vfs->xDelete(fault.real_vfs, name, sync);
}
static int fv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    return fault.real_vfs->xAccess(fault.real_vfs, name, flags, out);
}
static int fv_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
    return fault.real_vfs->xFullPathname(fault.real_vfs, name, n, out);
}
static void *fv_dlopen(sqlite3_vfs *v, const char *name)
{
    return fault.real_vfs->xDlOpen(fault.real_vfs, name);
}
static void fv_dlerror(sqlite3_vfs *v, int n, char *out)
{
    fault.real_vfs->xDlError(fault.real_vfs, n, out);
}
static void (*fv_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    return fault.real_vfs->xDlSym(fault.real_vfs, h, sym);
}
static void fv_dlclose(sqlite3_vfs *v, void *h)
{
    fault.real_vfs->xDlClose(fault.real_vfs, h);
}
static int fv_random(sqlite3_vfs *v, int n, char *out)
{
    return fault.real_vfs->xRandomness(fault.real_vfs, n, out);
}
static int fv_sleep(sqlite3_vfs *v, int us)
{
    return fault.real_vfs->xSleep(fault.real_vfs, us);
}
static int fv_time(sqlite3_vfs *v, double *out)
{
    return fault.real_vfs->xCurrentTime(fault.real_vfs, out);
}
static int fv_lasterr(sqlite3_vfs *v, int n, char *out)
{
    return fault.real_vfs->xGetLastError(fault.real_vfs, n, out);
}
static int fv_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    return fault.real_vfs->xCurrentTimeInt64(fault.real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
    2, 0, 1024, NULL, "rx-fault", NULL, fv_open, fv_delete, fv_access, fv_full,
    fv_dlopen, fv_dlerror, fv_dlsym, fv_dlclose, fv_random, fv_sleep, fv_time, fv_lasterr,
    fv_time64, NULL, NULL, NULL};

static int fault_install(void)
{
    if (fault.installed)
        return RX_OK;
    sqlite3_shutdown();
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &fault.real_mem) != SQLITE_OK)
        return RX_ESTORE;
    sqlite3_mem_methods m = fault.real_mem;
    m.xMalloc = fault_malloc;
    m.xRealloc = fault_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK ||
        sqlite3_initialize() != SQLITE_OK)
        return RX_ESTORE;
    fault.real_vfs = sqlite3_vfs_find(NULL);
    if (!fault.real_vfs)
        return RX_ESTORE;
    fault_vfs.szOsFile = (int)sizeof(fault_file) + fault.real_vfs->szOsFile;
    fault_vfs.mxPathname = fault.real_vfs->mxPathname;
    if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK)
        return RX_ESTORE;
    fault.installed = 1;
    return RX_OK;
}

static void fault_set(long malloc_at, long writes_at, int once)
{
    fault.malloc_at = malloc_at;
    fault.writes_at = writes_at;
    fault.once = once;
    fault.n_malloc = fault.n_write = 0;
}

static int fault_hit(void)
{
    return (fault.malloc_at > 0 && fault.n_malloc >= fault.malloc_at) ||
           (fault.writes_at > 0 && fault.n_write >= fault.writes_at);
}

#endif /* RX_FAULT_INJECTION */

/* ---- the handle ------------------------------------------------------- */

/* Statements prepared once per handle (SQLITE_PREPARE_PERSISTENT), so the
 * per-run recording path does no SQL parsing. */
enum {
    S_INS_RUN, S_GET_CONFIG, S_SET_COST, S_INS_LINK, S_STATUS_OF, S_LINKED, S_CLAIM_PICK,
    S_CLAIM_SET, S_CLAIM_KEY, S_DEL_METRICS, S_DEL_STEPS, S_DEL_NAMED, S_HEARTBEAT, S_FINISH,
    S_INS_METRIC, S_INS_STEP, S_FINISH_EXTRA, S_INS_NAMED, S_UNCLAIM, N_STMT
};

/* A statement's text may hold lists that the metric-column table
 * (rx_metrics.h) fills in when it is prepared (expand_sql):
 *   %R  ", NAME" for every metric column of runs   %r  ", ?K" for each
 *   %N  ", NULL" for every metric column of runs
 *   %E  ", NAME" for every column of metrics       %e  ", ?K" for each
 *   %S  ", NAME" for every column of step_metrics  %s  ", ?K" for each
 * where K counts up from the statement's first free parameter, P_RUN,
 * P_EPOCH or P_STEP. */
#define RESULT_COLS                                                      \
    "wall, epochs, steps, steps_done, steps_per_epoch, samples, flops, " \
    "n_params, model_desc, diverged_step, error%R"
#define P_RUN 20    /* S_FINISH: ?7 .. ?17 are the fixed result columns, ?18 provenance,
                       ?19 the start of training */
#define P_EPOCH 5   /* S_INS_METRIC: key, epoch, step, samples */
#define P_STEP 3    /* S_INS_STEP: key, step */

/* Is a run claimable (rx_store_claim): r is the runs table's prefix, the
 * rest are the parameters retry_failed, stale_after, now and host. */
#define CLAIMABLE(r, retry, stale, now, host)                                 \
    "(" r "status IN ('pending', 'interrupted')"                               \
    " OR (" retry " AND " r "status = 'failed')"                              \
    " OR (" r "status = 'running' AND ((" stale " > 0 AND " r "heartbeat < "  \
    now " - " stale ") OR (" r "worker_host = " host                          \
    " AND NOT rx_pid_alive(" r "worker_pid)))))"
/* Takes run ?1 for worker (?2, ?3) at time ?4, clearing the last attempt. */
#define CLAIM_SET                                                         \
    "UPDATE runs SET status = 'running', attempts = attempts + 1,"        \
    " worker_host = ?2, worker_pid = ?3, heartbeat = ?4, started = ?4,"   \
    " ended = NULL, (" RESULT_COLS ") = (NULL, NULL, NULL, NULL, NULL,"   \
    " NULL, NULL, NULL, NULL, NULL, NULL%N)"

static const char *const stmt_sql[N_STMT] = {
    [S_INS_RUN] =
        "INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum,"
        " weight_decay, batch_size, schedule, schedule_json, sampling, budget,"
        " full_epochs, seed, config, cost) VALUES"
        " (:key, :cell, :dataset, :model, :optimizer, :lr, :momentum, :weight_decay,"
        " :batch_size, :schedule, :schedule_json, :sampling, :budget, :full_epochs,"
        " :seed, :config, :cost)"
        " ON CONFLICT (key) DO NOTHING",
    [S_GET_CONFIG] = "SELECT config FROM runs WHERE key = ?1",
    /* a run added before runs.cost, or whose data changed size */
    [S_SET_COST] = "UPDATE runs SET cost = ?2 WHERE key = ?1 AND cost IS NOT ?2",
    [S_INS_LINK] =
        "INSERT INTO sweep_runs (sweep, key, grid_index) VALUES (?1, ?2, ?3)"
        " ON CONFLICT DO NOTHING",
    [S_STATUS_OF] = "SELECT status FROM runs WHERE key = ?1",
    [S_LINKED] =
        "SELECT l.grid_index, r.config, r.cost FROM sweep_runs l JOIN runs r ON r.key = l.key"
        " WHERE l.sweep = ?1 AND l.key = ?2",
    [S_CLAIM_PICK] =
        "SELECT r.key, l.grid_index FROM sweep_runs l JOIN runs r ON r.key = l.key"
        " WHERE l.sweep = ?1 AND " CLAIMABLE("r.", "?2", "?3", "?4", "?5")
        " ORDER BY l.grid_index LIMIT 1",
    [S_CLAIM_SET] = CLAIM_SET " WHERE key = ?1",
    [S_CLAIM_KEY] =
        CLAIM_SET " WHERE key = ?1 AND " CLAIMABLE("", "?5", "?6", "?4", "?2"),
    [S_DEL_METRICS] = "DELETE FROM metrics WHERE key = ?1",
    [S_DEL_STEPS] = "DELETE FROM step_metrics WHERE key = ?1",
    [S_DEL_NAMED] = "DELETE FROM run_metrics WHERE key = ?1",
    [S_HEARTBEAT] =
        "UPDATE runs SET heartbeat = ?2, steps_done = coalesce(?5, steps_done),"
        " steps = coalesce(?6, steps) WHERE key = ?1 AND status = 'running'"
        " AND worker_host = ?3 AND worker_pid = ?4",
    [S_FINISH] =
        "UPDATE runs SET status = ?5, ended = ?6, heartbeat = ?6, provenance = ?18,"
        " started = coalesce(?19, started), ("
        RESULT_COLS ") = (?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17%r)"
        " WHERE key = ?1 AND status = 'running' AND worker_host = ?2"
        " AND worker_pid = ?3",
    [S_INS_METRIC] =
        "INSERT INTO metrics (key, epoch, step, samples%E) VALUES (?1, ?2, ?3, ?4%e)",
    [S_INS_STEP] =
        "INSERT INTO step_metrics (key, step%S) VALUES (?1, ?2%s)",
    [S_FINISH_EXTRA] = "UPDATE runs SET trainer = ?2, output = ?3 WHERE key = ?1",
    /* a name reported twice at one point keeps its last value */
    [S_INS_NAMED] =
        "INSERT OR REPLACE INTO run_metrics (key, name, scope, at, value)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* a run claimed ahead and never started: as it was before the claim
     * (whose clearing of an old attempt's rows stands) */
    [S_UNCLAIM] =
        "UPDATE runs SET status = 'pending', attempts = max(attempts - 1, 0),"
        " worker_host = NULL, worker_pid = NULL, heartbeat = NULL, started = NULL"
        " WHERE key = ?1 AND status = 'running' AND worker_host = ?2 AND worker_pid = ?3",
};

struct rx_store {
    sqlite3 *db;
    char *path;
    int readonly;
    int found_version;
    char host[256];       /* this machine, for sweeps.host */
    char w_host[256];     /* the worker identity of the last claim */
    long w_pid;
    int corrupt;          /* an inconsistency was found: write nothing more */
    char corrupt_msg[512];
    int has_prov;         /* prov is recorded with sweeps and finished runs */
    rx_provenance prov;
    sqlite3_stmt *stmt[N_STMT];
};

/* A body asks write_tx for a retry with this (never an rx_status). */
#define STORE_BUSY (-1)

static const char *const state_names[RX_STATE_COUNT] = {
    "pending", "running", "done", "failed", "diverged", "interrupted"};

const char *rx_run_state_name(rx_run_state s)
{
    return (unsigned)s < RX_STATE_COUNT ? state_names[s] : "?";
}

int rx_run_state_parse(const char *s)
{
    for (int i = 0; i < RX_STATE_COUNT; i++)
        if (s && strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

rx_run_state rx_run_state_of(rx_run_status s)
{
    switch (s) {
    case RX_RUN_DONE: return RX_STATE_DONE;
    case RX_RUN_DIVERGED: return RX_STATE_DIVERGED;
    case RX_RUN_INTERRUPTED: return RX_STATE_INTERRUPTED;
    default: return RX_STATE_FAILED;
    }
}

static int is_busy(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static void dir_of(const char *path, char *buf, size_t size);

/* Runs PRAGMA quick_check (its first findings, "ok" when none) into buf.
 * Returns 1 when the store passes. */
static int quick_check(rx_store *st, char *buf, size_t size)
{
    sqlite3_stmt *s;
    size_t k = 0;
    int ok = 0;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(3)", -1, &s, NULL) != SQLITE_OK) {
        snprintf(buf, size, "cannot run it: %s", sqlite3_errmsg(st->db));
        return 0;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && k < size) {
        const char *z = (const char *)sqlite3_column_text(s, 0);
        ok = z && strcmp(z, "ok") == 0;
        k += (size_t)snprintf(buf + k, size - k, "%s%s", k ? "; " : "", z ? z : "?");
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ok = 0;
        snprintf(buf, size, "cannot run it: %s", sqlite3_errstr(rc));
    }
    sqlite3_finalize(s);
    return ok;
}

/* An inconsistency found in st (a corrupt page, a row that no longer
 * matches its key): runs quick_check, and from now on this handle refuses
 * to write, so that nothing is built on damaged data.  Returns RX_ESTORE. */
static int store_corrupt(rx_store *st, rx_err *err, const char *what, const char *detail)
{
    char qc[256];
    int ok = quick_check(st, qc, sizeof qc);
    st->corrupt = 1;
    snprintf(st->corrupt_msg, sizeof st->corrupt_msg, "%s: %s; quick_check: %s%s", what,
             detail, qc, ok ? " (the damage is inside a row)" : "");
    return rx_errf(err, RX_ESTORE, "store '%s' is corrupt: %s", st->path, st->corrupt_msg);
}

/* Why SQLite could not write: SQLite reports "attempt to write a readonly
 * database" for a read-only file, filesystem or directory alike; only
 * the last needs the WAL's -wal and -shm files created beside the store. */
static int readonly_fail(rx_store *st, rx_err *err, const char *what, const char *msg)
{
    char dir[4096];
    struct statvfs vfs;
    dir_of(st->path, dir, sizeof dir);
    if (statvfs(st->path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return rx_errf(err, RX_ESTORE, "store '%s' is on a read-only filesystem: %s", st->path,
                       what);
    if (access(st->path, W_OK) != 0 && errno == EACCES)
        return rx_errf(err, RX_ESTORE, "store '%s' is read-only (no write permission): %s",
                       st->path, what);
    if (access(dir, W_OK) != 0 && errno == EACCES)
        return rx_errf(err, RX_ESTORE,
                       "directory '%s' is read-only: SQLite must create '%s-wal' and '%s-shm' "
                       "beside the store, even to read it; make the directory writable or "
                       "copy the store elsewhere (%s)",
                       dir, st->path, st->path, what);
    return rx_errf(err, RX_ESTORE, "store '%s': %s: %s", st->path, what, msg);
}

/* Refuses a write of about need bytes that would leave less than
 * RX_STORE_RESERVE free on the store's filesystem.  A store filled to the
 * last byte cannot even record that its runs stopped (every change
 * appends to the WAL), so the reserve is what releases them. */
static int check_space(rx_store *st, double need, rx_err *err)
{
    struct statvfs vfs;
    char dir[4096];
    dir_of(st->path, dir, sizeof dir);
    if (statvfs(dir, &vfs) != 0)
        return RX_OK; /* no answer: let SQLite find out */
    double avail = (double)vfs.f_bavail * (double)vfs.f_frsize;
    if (avail - need >= RX_STORE_RESERVE)
        return RX_OK;
    return rx_errf(err, RX_ESTORE,
                   "the disk holding store '%s' is full: %.0f KiB free, and %d KiB are kept "
                   "in reserve to release runs in flight",
                   st->path, avail / 1024, RX_STORE_RESERVE / 1024);
}

/* Turns a failed SQLite call into STORE_BUSY or an RX_ESTORE message. */
static int sql_fail(rx_store *st, int rc, rx_err *err, const char *what)
{
    if (is_busy(rc))
        return STORE_BUSY;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(st->db));
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return store_corrupt(st, err, what, msg);
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
        return readonly_fail(st, err, what, msg);
    default:
        return rx_errf(err, RX_ESTORE, "store '%s': %s: %s", st->path, what, msg);
    }
}

static int exec(rx_store *st, const char *sql, rx_err *err, const char *what)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RX_OK : sql_fail(st, rc, err, what);
}

/* A cached statement, reset and with its bindings cleared. */
/* Appends ", NAME", ", NULL" or ", ?K" for every metric column whose
 * flags include `where` (RX_MC_*) to buf at *k (snprintf rules). */
static void metric_list(char *buf, size_t size, size_t *k, unsigned where, char what, int p0)
{
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    for (int i = 0; i < n; i++) {
        if (!(c[i].flags & where))
            continue;
        size_t room = *k < size ? size - *k : 0;
        if (what == 'n')
            *k += (size_t)snprintf(buf + size - room, room, ", %s", c[i].name);
        else if (what == 'N')
            *k += (size_t)snprintf(buf + size - room, room, ", NULL");
        else
            *k += (size_t)snprintf(buf + size - room, room, ", ?%d", p0++);
    }
}

/* The text of a statement with its metric lists filled in (RESULT_COLS
 * says which); NULL when it does not fit in buf. */
static const char *expand_sql(const char *t, char *buf, size_t size)
{
    size_t k = 0;
    for (; *t; t++) {
        unsigned where = 0;
        char what = 0;
        int p0 = 0;
        if (t[0] == '%') {
            switch (t[1]) {
            case 'R': where = RX_MC_RUN, what = 'n'; break;
            case 'r': where = RX_MC_RUN, what = 'p', p0 = P_RUN; break;
            case 'N': where = RX_MC_RUN, what = 'N'; break;
            case 'E': where = RX_MC_EPOCH, what = 'n'; break;
            case 'e': where = RX_MC_EPOCH, what = 'p', p0 = P_EPOCH; break;
            case 'S': where = RX_MC_STEP, what = 'n'; break;
            case 's': where = RX_MC_STEP, what = 'p', p0 = P_STEP; break;
            }
        }
        if (what) {
            metric_list(buf, size, &k, where, what, p0);
            t++;
        } else if (k + 1 < size) {
            buf[k++] = *t;
        } else {
            k++;
        }
    }
    if (k >= size)
        return NULL;
    buf[k] = '\0';
    return buf;
}

static int stmt(rx_store *st, int id, sqlite3_stmt **out, rx_err *err)
{
    if (!st->stmt[id]) {
        char text[8192];
        const char *sql = expand_sql(stmt_sql[id], text, sizeof text);
        if (!sql)
            return rx_errf(err, RX_ESTORE, "statement %d is too long", id);
        int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &st->stmt[id], NULL);
        if (rc != SQLITE_OK)
            return sql_fail(st, rc, err, "cannot prepare a statement");
    } else {
        sqlite3_reset(st->stmt[id]);
        sqlite3_clear_bindings(st->stmt[id]);
    }
    *out = st->stmt[id];
    return RX_OK;
}

/* Steps a statement that returns no rows. */
static int step_done(rx_store *st, sqlite3_stmt *s, rx_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? RX_OK : sql_fail(st, rc, err, what);
}

/* Binds a double, non-finite values as their text encoding. */
static void bind_num(sqlite3_stmt *s, int i, double x)
{
    if (isfinite(x))
        sqlite3_bind_double(s, i, x);
    else
        sqlite3_bind_text(s, i, isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity", -1,
                          SQLITE_STATIC);
}

/* Binds text that stays valid until the statement is reset: SQLite
 * keeps the pointer, so binding allocates nothing and cannot fail (a
 * failed bind would leave NULL in its place, silently). */
static void bind_str(sqlite3_stmt *s, int i, const char *z)
{
    if (z)
        sqlite3_bind_text(s, i, z, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Sleeps a little longer each attempt, with jitter so that competing
 * processes do not retry in lockstep. */
static void backoff(int attempt)
{
    unsigned h = (unsigned)getpid() * 2654435761u + (unsigned)attempt * 40503u;
    double ms = (attempt < 7 ? (double)(1 << attempt) : 100.0) * (0.5 + (h % 1000) / 1000.0);
    struct timespec ts = {0, (long)(ms * 1e6)};
    nanosleep(&ts, NULL);
}

typedef int (*tx_body)(rx_store *st, void *ctx, rx_err *err);

static int busy_error(rx_store *st, rx_err *err)
{
    return rx_errf(err, RX_ESTORE, "store '%s' is busy: another process held it for %d seconds",
                   st->path, RX_STORE_BUSY_SECONDS);
}

/* Runs fn, outside any transaction, until the store is not busy. */
static int with_retry(rx_store *st, tx_body fn, void *ctx, rx_err *err)
{
    double deadline = rx_now() + RX_STORE_BUSY_SECONDS;
    for (int attempt = 0;; attempt++) {
        int s = fn(st, ctx, err);
        if (s != STORE_BUSY)
            return s;
        if (rx_now() >= deadline)
            return busy_error(st, err);
        backoff(attempt);
    }
}

/* Runs the SQL script ctx. */
static int exec_body(rx_store *st, void *ctx, rx_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, ctx, NULL, NULL, &msg);
    if (rc != SQLITE_OK && !is_busy(rc))
        rc = rx_errf(err, RX_ESTORE, "store '%s': %s", st->path,
                     msg ? msg : sqlite3_errstr(rc));
    else if (rc != SQLITE_OK)
        rc = STORE_BUSY;
    sqlite3_free(msg);
    return rc;
}


/* Runs body inside BEGIN IMMEDIATE ... COMMIT, retrying the whole
 * transaction while another connection holds the lock.  The body's error
 * rolls everything back. */
static int write_tx(rx_store *st, tx_body body, void *ctx, rx_err *err)
{
    if (st->readonly)
        return rx_errf(err, RX_ESTORE, "store '%s' is open read-only", st->path);
    if (st->corrupt)
        return rx_errf(err, RX_ESTORE, "store '%s' is corrupt, so nothing more is written: %s",
                       st->path, st->corrupt_msg);
    double deadline = rx_now() + RX_STORE_BUSY_SECONDS;
    for (int attempt = 0;; attempt++) {
        int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        int s;
        if (rc == SQLITE_OK) {
            s = body(st, ctx, err);
            if (s == RX_OK) {
                while (is_busy(rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) &&
                       rx_now() < deadline)
                    backoff(attempt);
                if (rc == SQLITE_OK)
                    return RX_OK;
                s = sql_fail(st, rc, err, "cannot commit");
            }
            if (!sqlite3_get_autocommit(st->db))
                sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        } else {
            s = sql_fail(st, rc, err, "cannot begin a transaction");
        }
        if (s != STORE_BUSY)
            return s;
        if (rx_now() >= deadline)
            return busy_error(st, err);
        backoff(attempt);
    }
}

/* ---- opening and migrating -------------------------------------------- */

/* A zombie has exited: its run is stale although kill(pid, 0) succeeds
 * (an orphan stays a zombie where PID 1 does not reap, as in containers). */
static int pid_is_zombie(long pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    return p && p[1] == ' ' && p[2] == 'Z';
}

/* rx_pid_alive(pid): 1 when a live process pid exists on this host. */
static void fn_pid_alive(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sqlite3_int64 pid = sqlite3_value_int64(argv[0]);
    int alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) &&
                !pid_is_zombie((long)pid);
    sqlite3_result_int(ctx, alive);
}

/* Checks that st holds a rexsweep store (or nothing yet) of a version this
 * build can read; sets *version. */
static int check_version(rx_store *st, void *ctx, rx_err *err)
{
    int *version = ctx;
    /* one statement, so one snapshot even outside a transaction */
    sqlite3_stmt *s;
    int app = 0, n_objects = 0;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT (SELECT application_id FROM pragma_application_id),"
                                " (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) FROM sqlite_master)",
                                -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        app = sqlite3_column_int(s, 0);
        *version = sqlite3_column_int(s, 1);
        n_objects = sqlite3_column_int(s, 2);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, err, "cannot read the schema version");
    if (app != RX_STORE_APP_ID && (app != 0 || n_objects > 0))
        return rx_errf(err, RX_ESTORE,
                       "'%s' is not a rexsweep store (application_id %#x)", st->path,
                       (unsigned)app);
    if (*version > RX_STORE_SCHEMA_VERSION)
        return rx_errf(err, RX_ESTORE,
                       "store '%s' has schema version %d, newer than this rexsweep "
                       "(%s) reads (%d); upgrade rexsweep",
                       st->path, *version, RX_VERSION, RX_STORE_SCHEMA_VERSION);
    return RX_OK;
}

/* Migrates to *(int *)ctx inside the write transaction: re-reading the
 * version there makes concurrent first opens of a new file safe. */
static int migrate_body(rx_store *st, void *ctx, rx_err *err)
{
    int target = *(int *)ctx, v, rc;
    if ((rc = check_version(st, &v, err)))
        return rc;
    char gen[16384];
    for (int k = v; k < target; k++) {
        if (metric_step(k + 1, gen, sizeof gen) >= sizeof gen)
            return rx_errf(err, RX_ESTORE, "schema step %d is too long", k + 1);
        if ((rc = exec(st, migrations[k], err, "cannot migrate the schema")) ||
            (rc = exec(st, gen, err, "cannot migrate the schema")))
            return rc == STORE_BUSY ? rc : rx_errctx(err, rc, "step %d", k + 1);
    }
    if (v < target) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
                 target, RX_STORE_APP_ID);
        return exec(st, sql, err, "cannot set the schema version");
    }
    return RX_OK;
}

static int migrate(rx_store *st, int target, rx_err *err)
{
    int ro = st->readonly;
    st->readonly = 0;
    int rc = write_tx(st, migrate_body, &target, err);
    st->readonly = ro;
    return rc;
}

/* Replaces st's read-only connection by a migrated in-memory copy. */
static int migrate_in_memory(rx_store *st, rx_err *err)
{
    sqlite3 *mem;
    if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
        sqlite3_close(mem);
        return rx_errf(err, RX_ENOMEM, "store '%s': cannot open a memory copy", st->path);
    }
    sqlite3_backup *b = sqlite3_backup_init(mem, "main", st->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(mem);
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        int s = rx_errf(err, RX_ESTORE, "store '%s': cannot copy it to migrate it: %s",
                        st->path, sqlite3_errstr(rc));
        sqlite3_close(mem);
        return s;
    }
    sqlite3_close(st->db);
    st->db = mem;
    sqlite3_create_function(mem, "rx_pid_alive", 1, SQLITE_UTF8, NULL, fn_pid_alive, NULL,
                            NULL);
    sqlite3_exec(mem, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return migrate(st, RX_STORE_SCHEMA_VERSION, err);
}

/* The directory part of path ("." when it has none), into buf. */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* SQLite opens a private temporary database for "" and a private memory
 * one for ":memory:": either would look like an empty store and vanish. */
int rx_store_check_path(const char *path, unsigned flags, rx_err *err)
{
    struct stat sb;
    char dir[4096];
    if (!path || !*path || strcmp(path, ":memory:") == 0)
        return rx_errf(err, RX_EINVAL,
                       "'%s' is not a store file name (SQLite would use a private %s "
                       "database); name a file, e.g. results/rexsweep.db",
                       path ? path : "", path && *path ? "in-memory" : "temporary");
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return rx_errf(err, RX_EINVAL,
                           "store '%s' is a directory; name a file in it, e.g. '%s/rexsweep.db'",
                           path, path);
        return RX_OK;
    }
    if (errno != ENOENT)
        return rx_errf(err, RX_EIO, "cannot open store '%s': %s", path, strerror(errno));
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &sb) != 0)
        return rx_errf(err, RX_EIO, "cannot %s store '%s': directory '%s' %s",
                       flags & RX_STORE_CREATE ? "create" : "open", path, dir,
                       errno == ENOENT ? "does not exist" : strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return rx_errf(err, RX_EIO, "cannot %s store '%s': '%s' is not a directory",
                       flags & RX_STORE_CREATE ? "create" : "open", path, dir);
    if (!(flags & RX_STORE_CREATE))
        return rx_errf(err, RX_EIO, "cannot open store '%s': it does not exist", path);
    return RX_OK;
}

/* Opens path with the schema of version target (open) or up to it. */
static int open_at(const char *path, unsigned flags, int target, rx_store **out, rx_err *err)
{
    *out = NULL;
    int pc = rx_store_check_path(path, flags, err);
    if (pc)
        return pc;
    rx_store *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return rx_errf(err, RX_ENOMEM, "out of memory opening store '%s'", path);
    }
    st->readonly = (flags & RX_STORE_READONLY) != 0;
    if (gethostname(st->host, sizeof st->host - 1) != 0)
        snprintf(st->host, sizeof st->host, "unknown");
    int oflags = st->readonly ? SQLITE_OPEN_READONLY
                              : SQLITE_OPEN_READWRITE |
                                    (flags & RX_STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
    /* this SQLite reads names that start with "file:" as URIs (which can
     * name a private memory database too): a store is always a file */
    char *file = sqlite3_mprintf("%s%s", strncmp(path, "file:", 5) == 0 ? "./" : "", path);
    int rc = file ? sqlite3_open_v2(file, &st->db, oflags, NULL) : SQLITE_NOMEM;
    sqlite3_free(file);
    if (rc != SQLITE_OK) {
        int s = rx_errf(err, RX_EIO, "cannot open store '%s': %s", path,
                        st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        rx_store_close(st);
        return s;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 2000);
    sqlite3_create_function(st->db, "rx_pid_alive", 1, SQLITE_UTF8, NULL, fn_pid_alive, NULL,
                            NULL);
    int s = exec(st, "PRAGMA foreign_keys = ON", err, "cannot enable foreign keys");
    if (!s)
        s = with_retry(st, check_version, &st->found_version, err);
    if (!s && st->readonly && st->found_version == 0)
        s = rx_errf(err, RX_ESTORE, "'%s' is not a rexsweep store (it is empty)", path);
    if (!s && !st->readonly) {
        /* WAL lets readers run beside the one writer; NORMAL sync keeps
         * the store consistent on a crash and costs no fsync per commit. */
        s = with_retry(st, exec_body, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                       err);
        if (!s && st->found_version < target)
            s = migrate(st, target, err);
    } else if (!s && st->found_version < target) {
        s = migrate_in_memory(st, err);
    }
    if (s) {
        rx_store_close(st);
        return s;
    }
    *out = st;
    return RX_OK;
}

int rx_store_open(const char *path, unsigned flags, rx_store **out, rx_err *err)
{
    return open_at(path, flags, RX_STORE_SCHEMA_VERSION, out, err);
}

int rx_store_create_at(const char *path, int version, rx_err *err)
{
    struct stat sb;
    if (version < 1 || version > RX_STORE_SCHEMA_VERSION)
        return rx_errf(err, RX_EINVAL, "no schema version %d (1 to %d)", version,
                       RX_STORE_SCHEMA_VERSION);
    if (stat(path, &sb) == 0)
        return rx_errf(err, RX_EINVAL, "store '%s' already exists", path);
    rx_store *st;
    int rc = open_at(path, RX_STORE_CREATE, version, &st, err);
    rx_store_close(st);
    return rc;
}

void rx_store_close(rx_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < N_STMT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

const char *rx_store_path(const rx_store *st)
{
    return st->path;
}

int rx_store_found_version(const rx_store *st)
{
    return st->found_version;
}

/* ---- provenance ------------------------------------------------------- */

static int prov_body(rx_store *st, void *ctx, rx_err *err)
{
    const rx_provenance *p = ctx;
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(st->db,
                                "INSERT INTO provenance (id, git_commit, git_dirty,"
                                " rexsweep_version, trainer_version, blas_version, blas_core,"
                                " cpu, compiler, host) VALUES"
                                " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                                " ON CONFLICT (id) DO NOTHING",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, err, "cannot record the provenance");
    const char *text[] = {p->id, p->git_commit, NULL, p->rexsweep_version, NULL,
                          p->blas_version, p->blas_core, p->cpu, p->compiler, p->host};
    for (int i = 0; i < 10; i++)
        bind_str(s, i + 1, text[i] && text[i][0] ? text[i] : NULL);
    if (p->git_commit[0] && p->git_dirty >= 0)
        sqlite3_bind_int(s, 3, p->git_dirty);
    sqlite3_bind_text(s, 4, p->rexsweep_version, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, p->trainer_version);
    sqlite3_bind_text(s, 10, p->host, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? RX_OK : sql_fail(st, rc, err, "cannot record the provenance");
}

int rx_store_set_provenance(rx_store *st, const rx_provenance *p, rx_err *err)
{
    st->prov = *p;
    st->has_prov = 1;
    return st->readonly ? RX_OK : write_tx(st, prov_body, &st->prov, err);
}

/* Text column i of a row into buf ("" for NULL). */
static void text_col(const rx_value *v, char *buf, size_t size)
{
    snprintf(buf, size, "%s", v->type == RX_VTEXT ? v->s : "");
}

/* The columns of provenance, in rx_provenance's order, for reading. */
#define PROV_COLS                                                                     \
    "p.id, p.git_commit, p.git_dirty, p.rexsweep_version, p.trainer_version, "       \
    "p.blas_version, p.blas_core, p.cpu, p.compiler, p.host"

static void prov_from_row(const rx_value *v, rx_provenance *p)
{
    memset(p, 0, sizeof *p);
    text_col(&v[0], p->id, sizeof p->id);
    text_col(&v[1], p->git_commit, sizeof p->git_commit);
    p->git_dirty = v[2].type == RX_VINT ? (int)v[2].i : -1;
    text_col(&v[3], p->rexsweep_version, sizeof p->rexsweep_version);
    p->trainer_version = v[4].type == RX_VINT ? (int)v[4].i : 0;
    text_col(&v[5], p->blas_version, sizeof p->blas_version);
    text_col(&v[6], p->blas_core, sizeof p->blas_core);
    text_col(&v[7], p->cpu, sizeof p->cpu);
    text_col(&v[8], p->compiler, sizeof p->compiler);
    text_col(&v[9], p->host, sizeof p->host);
}

typedef struct prov_read {
    rx_provenance *one;
    rx_prov_fn fn;
    void *ud;
} prov_read;

static int prov_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    prov_read *r = ud;
    rx_provenance p;
    if (v[0].type != RX_VTEXT) {
        /* runs recorded without provenance */
        return r->fn ? r->fn(r->ud, NULL, (int)v[ncols - 1].i) : 0;
    }
    prov_from_row(v, &p);
    if (r->one) {
        *r->one = p;
        return 0;
    }
    return r->fn(r->ud, &p, (int)v[ncols - 1].i);
}

int rx_store_run_provenance(rx_store *st, const char *key, rx_provenance *out, rx_err *err)
{
    rx_value b = rx_vtext(key);
    prov_read r = {out, NULL, NULL};
    out->id[0] = '\0';
    int rc = rx_store_query(st,
                            "SELECT " PROV_COLS ", 1 FROM runs r JOIN provenance p"
                            " ON p.id = r.provenance WHERE r.key = ?1",
                            &b, 1, prov_row, &r, err);
    if (!rc && !out->id[0])
        rc = RX_ENOTFOUND;
    return rc;
}

int rx_store_provenances(rx_store *st, const char *sweep, rx_prov_fn fn, void *ud,
                         rx_err *err)
{
    rx_value b = sweep ? rx_vtext(sweep) : rx_vnull();
    prov_read r = {NULL, fn, ud};
    return rx_store_query(st,
                          "SELECT " PROV_COLS ", count(*) FROM runs r"
                          " LEFT JOIN provenance p ON p.id = r.provenance"
                          " WHERE r.status IN ('done', 'diverged') AND (?1 IS NULL OR EXISTS"
                          " (SELECT 1 FROM sweep_runs l JOIN sweeps s ON s.id = l.sweep"
                          "  WHERE l.key = r.key AND s.name = ?1))"
                          " GROUP BY p.id ORDER BY count(*) DESC, p.id",
                          &b, 1, prov_row, &r, err);
}

/* ---- sweeps and runs -------------------------------------------------- */

typedef struct sweep_ctx {
    const rx_sweep_info *info;
    int64_t id;
} sweep_ctx;

static int begin_sweep_body(rx_store *st, void *ctx, rx_err *err)
{
    sweep_ctx *c = ctx;
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT id FROM sweeps WHERE name = ?1 AND spec_hash = ?2",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, err, "cannot look up the sweep");
    bind_str(s, 1, c->info->name);
    bind_str(s, 2, c->info->spec_hash);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        c->id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return RX_OK;
    if (rc != SQLITE_DONE)
        return sql_fail(st, rc, err, "cannot look up the sweep");
    rc = sqlite3_prepare_v2(st->db,
                            "INSERT INTO sweeps (name, spec, spec_hash, created, "
                            "rexsweep_version, trainer_version, host, git_commit, "
                            "git_dirty, provenance) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            -1, &s, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, err, "cannot record the sweep");
    bind_str(s, 1, c->info->name);
    bind_str(s, 2, c->info->spec);
    bind_str(s, 3, c->info->spec_hash);
    sqlite3_bind_double(s, 4, rx_unix_now());
    bind_str(s, 5, RX_VERSION);
    sqlite3_bind_int(s, 6, RX_TRAINER_VERSION);
    bind_str(s, 7, st->host);
    const rx_provenance *p = st->has_prov ? &st->prov : NULL;
    bind_str(s, 8, c->info->git_commit ? c->info->git_commit
                   : p && p->git_commit[0] ? p->git_commit : NULL);
    if (p && p->git_commit[0] && p->git_dirty >= 0)
        sqlite3_bind_int(s, 9, p->git_dirty);
    bind_str(s, 10, p ? p->id : NULL);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sql_fail(st, rc, err, "cannot record the sweep");
    c->id = sqlite3_last_insert_rowid(st->db);
    return RX_OK;
}

int rx_store_begin_sweep(rx_store *st, const rx_sweep_info *info, int64_t *sweep_id,
                         rx_err *err)
{
    if (!info->name || !info->spec || !info->spec_hash)
        return rx_errf(err, RX_EINVAL, "a sweep needs a name, a spec and a spec hash");
    sweep_ctx c = {info, 0};
    int rc = write_tx(st, begin_sweep_body, &c, err);
    if (rc == RX_OK)
        *sweep_id = c.id;
    return rc;
}

static int first_int64(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    if (v[0].type == RX_VINT)
        *(int64_t *)ud = v[0].i;
    return 0;
}

int rx_store_find_sweep(rx_store *st, const char *name, int64_t *sweep_id, rx_err *err)
{
    int64_t id = -1;
    rx_value b = rx_vtext(name);
    int rc = rx_store_query(st, "SELECT max(id) FROM sweeps WHERE name = ?1", &b, 1,
                            first_int64, &id, err);
    if (rc)
        return rc;
    if (id < 0)
        return rx_errf(err, RX_ENOTFOUND, "no sweep named '%s' in store '%s'", name,
                       st->path);
    *sweep_id = id;
    return RX_OK;
}

static int first_text(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    char **out = ud;
    if (ncols > 0 && v[0].type == RX_VTEXT && !*out && !(*out = strdup(v[0].s)))
        return RX_ENOMEM;
    return 0;
}

int rx_store_sweep_spec(rx_store *st, const char *name, char **spec, rx_err *err)
{
    *spec = NULL;
    rx_value b = rx_vtext(name);
    int rc = rx_store_query(st,
                            "SELECT spec FROM sweeps WHERE id = "
                            "(SELECT max(id) FROM sweeps WHERE name = ?1)",
                            &b, 1, first_text, spec, err);
    if (rc == RX_ENOMEM)
        return rx_errf(err, rc, "out of memory reading store '%s'", st->path);
    if (rc)
        return rc;
    if (!*spec)
        return rx_errf(err, RX_ENOTFOUND, "no sweep named '%s' in store '%s'", name,
                       st->path);
    return RX_OK;
}

typedef struct add_ctx {
    int64_t sweep;
    const rx_job *jobs;
    int n, n_new;
} add_ctx;

/* Binds the axis columns of one job to S_INS_RUN. */
static int bind_job(rx_store *st, sqlite3_stmt *s, const rx_job *j, rx_err *err)
{
    /* the axis columns that hold a key's text, by parameter name */
    static const struct {
        const char *param, *key;
    } text_cols[] = {{":dataset", "data.dataset"}, {":model", "model.type"},
                     {":optimizer", "optimizer.name"}, {":schedule", "schedule.name"},
                     {":sampling", "schedule.sampling"}};
#define P(name) sqlite3_bind_parameter_index(s, name)
    /* one buffer per column, alive until the insert is stepped: bound
     * without a copy (bind_str) */
    static char text[sizeof text_cols / sizeof text_cols[0]][256], buf[4096];
    const rx_config *c = &j->cfg;
    if (!j->config_json)
        return rx_errf(err, RX_EINVAL, "run '%s' has no configuration", j->key);
    for (size_t i = 0; i < sizeof text_cols / sizeof text_cols[0]; i++) {
        if (rx_config_get(c, text_cols[i].key, text[i], sizeof text[i]) != RX_OK)
            return rx_errf(err, RX_EINVAL, "run '%s' has no '%s'", j->key, text_cols[i].key);
        bind_str(s, P(text_cols[i].param), text[i]);
    }
    int n = rx_sched_format(&c->sched, buf, sizeof buf);
    if (n < 0 || (size_t)n >= sizeof buf)
        return rx_errf(err, RX_EINVAL, "run '%s': schedule too long to record", j->key);
    bind_str(s, P(":schedule_json"), buf);
    sqlite3_bind_text(s, P(":key"), j->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, P(":cell"), j->cell, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, P(":lr"), c->optim.lr);
    sqlite3_bind_double(s, P(":momentum"), c->optim.momentum);
    sqlite3_bind_double(s, P(":weight_decay"), c->optim.weight_decay);
    sqlite3_bind_int(s, P(":batch_size"), c->train.batch_size);
    sqlite3_bind_double(s, P(":budget"), c->train.budget);
    sqlite3_bind_double(s, P(":full_epochs"), c->train.full_epochs);
    sqlite3_bind_int64(s, P(":seed"), (sqlite3_int64)c->train.seed);
    sqlite3_bind_text(s, P(":config"), j->config_json, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, P(":cost"), j->cost);
#undef P
    return RX_OK;
}

/* After an ignored insert: the stored run must have the same config. */
static int check_same_config(rx_store *st, const rx_job *j, rx_err *err)
{
    sqlite3_stmt *s;
    int rc = stmt(st, S_GET_CONFIG, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, j->key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    const char *stored = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
    int same = stored && strcmp(stored, j->config_json) == 0;
    char key[RX_KEY_LEN + 1] = "";
    if (stored && !same)
        rx_key_of_json(stored, RX_TRAINER_VERSION, key);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return sql_fail(st, rc, err, "cannot read a run");
    if (same)
        return RX_OK;
    /* a stored configuration that no longer hashes to its own key was
     * damaged after it was written; only one that does is a collision */
    if (strcmp(key, j->key) != 0) {
        char what[128];
        snprintf(what, sizeof what, "run '%s'", j->key);
        return store_corrupt(st, err, what,
                             "its stored configuration no longer matches its key");
    }
    return rx_errf(err, RX_ECONFLICT,
                   "run key '%s' is stored with a different configuration "
                   "(a hash collision)", j->key);
}

static int add_jobs_body(rx_store *st, void *ctx, rx_err *err)
{
    add_ctx *c = ctx;
    sqlite3_stmt *ins, *link;
    int rc;
    c->n_new = 0;
    for (int i = 0; i < c->n; i++) {
        const rx_job *j = &c->jobs[i];
        if ((rc = stmt(st, S_INS_RUN, &ins, err)) || (rc = bind_job(st, ins, j, err)) ||
            (rc = step_done(st, ins, err, "cannot add a run")))
            return rc;
        if (sqlite3_changes(st->db) > 0) {
            c->n_new++;
        } else {
            sqlite3_stmt *set;
            if ((rc = check_same_config(st, j, err)) || (rc = stmt(st, S_SET_COST, &set, err)))
                return rc;
            sqlite3_bind_text(set, 1, j->key, -1, SQLITE_STATIC);
            sqlite3_bind_double(set, 2, j->cost);
            if ((rc = step_done(st, set, err, "cannot record a run's cost")))
                return rc;
        }
        if ((rc = stmt(st, S_INS_LINK, &link, err)))
            return rc;
        sqlite3_bind_int64(link, 1, c->sweep);
        sqlite3_bind_text(link, 2, j->key, -1, SQLITE_STATIC);
        sqlite3_bind_int(link, 3, j->index);
        if ((rc = step_done(st, link, err, "cannot link a run to its sweep")))
            return rc;
    }
    return RX_OK;
}

int rx_store_add_jobs(rx_store *st, int64_t sweep_id, const rx_job *jobs, int n, int *n_new,
                      rx_err *err)
{
    add_ctx c = {sweep_id, jobs, n, 0};
    int rc = check_space(st, 1024.0 * n, err);
    if (!rc)
        rc = write_tx(st, add_jobs_body, &c, err);
    if (n_new)
        *n_new = rc == RX_OK ? c.n_new : 0;
    return rc;
}

static void count_state(rx_store_counts *c, const char *state, int n)
{
    int *slot[RX_STATE_COUNT] = {&c->pending, &c->running, &c->done,
                                 &c->failed, &c->diverged, &c->interrupted};
    int i = rx_run_state_parse(state);
    if (i >= 0)
        *slot[i] += n;
    c->total += n;
}

static int count_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    count_state(ud, v[0].s, (int)v[1].i);
    return 0;
}

int rx_store_count_sweep(rx_store *st, int64_t sweep_id, rx_store_counts *c, rx_err *err)
{
    memset(c, 0, sizeof *c);
    rx_value b = rx_vint(sweep_id);
    return rx_store_query(st,
                          "SELECT r.status, count(*) FROM sweep_runs l "
                          "JOIN runs r ON r.key = l.key WHERE l.sweep = ?1 GROUP BY r.status",
                          &b, 1, count_row, c, err);
}

int rx_store_count_runs(rx_store *st, rx_store_counts *c, rx_err *err)
{
    memset(c, 0, sizeof *c);
    return rx_store_query(st, "SELECT status, count(*) FROM runs GROUP BY status", NULL, 0,
                          count_row, c, err);
}

/* Steps a one-off statement sql, calling row(ud, s) for each row. */
static int each_row(rx_store *st, const char *sql, void (*row)(void *, sqlite3_stmt *),
                    void *ud, rx_err *err)
{
    sqlite3_stmt *s;
    int r = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (r != SQLITE_OK)
        return sql_fail(st, r, err, "cannot read the runs");
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        row(ud, s);
    sqlite3_finalize(s);
    return r == SQLITE_DONE ? RX_OK : sql_fail(st, r, err, "cannot read the runs");
}

/* The pass of key_states_scan: the runs' states by rowid, then the plan's
 * keys in an open-addressing table (indices into the keys; -1 empty). */
typedef struct scan_ctx {
    signed char *by_rowid;        /* -2 no row, -1 unknown status, else a state */
    sqlite3_int64 max_rowid;
    const char *key0;
    size_t stride;
    int *slot;
    size_t mask;
    signed char *found;           /* per key: as by_rowid */
} scan_ctx;

static size_t key_slot(const char *key, size_t mask)
{
    return (size_t)rx_hash64(key, strlen(key), RX_HASH_INIT) & mask;
}

static void scan_status(void *ud, sqlite3_stmt *s)
{
    scan_ctx *x = ud;
    sqlite3_int64 r = sqlite3_column_int64(s, 0);
    const char *name = (const char *)sqlite3_column_text(s, 1);
    if (r >= 0 && r <= x->max_rowid)
        x->by_rowid[r] = (signed char)(name ? rx_run_state_parse(name) : -1);
}

static void scan_key(void *ud, sqlite3_stmt *s)
{
    scan_ctx *x = ud;
    const char *key = (const char *)sqlite3_column_text(s, 0);
    sqlite3_int64 r = sqlite3_column_int64(s, 1);
    if (!key || r < 0 || r > x->max_rowid)
        return;
    /* every plan key equal to it (a list may repeat a key) */
    for (size_t h = key_slot(key, x->mask); x->slot[h] >= 0; h = (h + 1) & x->mask)
        if (strcmp(x->key0 + (size_t)x->slot[h] * x->stride, key) == 0)
            x->found[x->slot[h]] = x->by_rowid[r];
}

/* The states of keys[0..n) (found[i]: -2 not stored, -1 an unknown status,
 * else the state) in one pass over two covering indexes, the runs' keys and
 * their statuses, joined by rowid: for a list about as large as the store,
 * a lookup per key reads the table's pages at random (5 s for 10^6 keys
 * against 0.5 s).  Inside the caller's read transaction. */
static int key_states_scan(rx_store *st, const char *key0, size_t stride, int n,
                           sqlite3_int64 max_rowid, signed char *found, rx_err *err)
{
    scan_ctx x = {.max_rowid = max_rowid, .key0 = key0, .stride = stride, .found = found};
    size_t cap = 1;
    while (cap < 2 * (size_t)n)
        cap <<= 1;
    x.mask = cap - 1;
    x.by_rowid = malloc((size_t)max_rowid + 1);
    x.slot = malloc(cap * sizeof *x.slot);
    if (!x.by_rowid || !x.slot) {
        free(x.by_rowid);
        free(x.slot);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    memset(x.by_rowid, -2, (size_t)max_rowid + 1);
    memset(x.slot, -1, cap * sizeof *x.slot);
    for (int i = 0; i < n; i++) {
        size_t h = key_slot(key0 + (size_t)i * stride, x.mask);
        while (x.slot[h] >= 0)
            h = (h + 1) & x.mask;
        x.slot[h] = i;
        found[i] = -2;
    }
    int rc = each_row(st, "SELECT rowid, status FROM runs", scan_status, &x, err);
    if (rc == RX_OK)
        rc = each_row(st, "SELECT key, rowid FROM runs", scan_key, &x, err);
    free(x.by_rowid);
    free(x.slot);
    return rc;
}

static int first_rowid(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    if (v[0].type == RX_VINT)
        *(sqlite3_int64 *)ud = v[0].i;
    return 0;
}

int rx_store_key_states(rx_store *st, const char *key0, size_t stride, int n,
                        signed char *states, rx_store_counts *c, rx_err *err)
{
    sqlite3_stmt *s;
    int rc;
    memset(c, 0, sizeof *c);
    /* one read transaction: one consistent snapshot, and faster */
    if ((rc = exec(st, "BEGIN", err, "cannot begin a read")))
        return rc == STORE_BUSY ? rx_errf(err, RX_ESTORE, "store '%s' is busy", st->path) : rc;
    /* a list about as large as the store: one pass (the rowids bound the
     * runs, and the memory of the pass) */
    sqlite3_int64 max_rowid = -1;
    signed char *found = NULL;
    rc = rx_store_query(st, "SELECT max(rowid) FROM runs", NULL, 0, first_rowid, &max_rowid, err);
    if (rc == RX_OK && n > 0 && max_rowid >= 0 && max_rowid <= 4 * (sqlite3_int64)n + 1024) {
        if (!(found = malloc((size_t)n)))
            rc = rx_errf(err, RX_ENOMEM, "out of memory");
        else
            rc = key_states_scan(st, key0, stride, n, max_rowid, found, err);
    }
    for (int i = 0; i < n && rc == RX_OK; i++) {
        int r = SQLITE_DONE, state = -1;
        const char *name = NULL;
        if (found) {
            r = found[i] == -2 ? SQLITE_DONE : SQLITE_ROW;
            state = found[i] < 0 ? -1 : found[i];
            name = state >= 0 ? rx_run_state_name((rx_run_state)state) : "?";
        } else {
            if ((rc = stmt(st, S_STATUS_OF, &s, err)))
                break;
            sqlite3_bind_text(s, 1, key0 + (size_t)i * stride, -1, SQLITE_STATIC);
            if ((r = sqlite3_step(s)) == SQLITE_ROW) {
                name = (const char *)sqlite3_column_text(s, 0);
                state = rx_run_state_parse(name);
            }
        }
        if (r == SQLITE_ROW) {
            count_state(c, name, 1);
        } else if (r == SQLITE_DONE) {
            c->new_runs++;
            c->total++;
        } else {
            rc = sql_fail(st, r, err, "cannot read a run");
        }
        if (states)
            states[i] = (signed char)state;
        if (!found)
            sqlite3_reset(s);
    }
    free(found);
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc == STORE_BUSY)
        rc = rx_errf(err, RX_ESTORE, "store '%s' is busy", st->path);
    return rc;
}

int rx_store_registered(rx_store *st, int64_t sweep_id, const rx_run_ref *runs, int n,
                        unsigned char *ok, rx_err *err)
{
    sqlite3_stmt *s;
    int rc;
    memset(ok, 0, (size_t)n);
    if ((rc = exec(st, "BEGIN", err, "cannot begin a read")))
        return rc == STORE_BUSY ? rx_errf(err, RX_ESTORE, "store '%s' is busy", st->path) : rc;
    for (int i = 0; i < n && rc == RX_OK; i++) {
        if ((rc = stmt(st, S_LINKED, &s, err)))
            break;
        sqlite3_bind_int64(s, 1, sweep_id);
        sqlite3_bind_text(s, 2, runs[i].key, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        if (r == SQLITE_ROW && sqlite3_column_int64(s, 0) == runs[i].index) {
            /* a damaged configuration is left to the full check, which
             * names it */
            const char *config = (const char *)sqlite3_column_text(s, 1);
            char key[RX_KEY_LEN + 1] = "";
            if (config)
                rx_key_of_json(config, RX_TRAINER_VERSION, key);
            /* and its cost is recorded, as it is now (rx_store_add_jobs
             * records it for a run from before runs.cost) */
            ok[i] = strcmp(key, runs[i].key) == 0 &&
                    sqlite3_column_type(s, 2) != SQLITE_NULL &&
                    sqlite3_column_double(s, 2) == runs[i].cost;
        } else if (r != SQLITE_ROW && r != SQLITE_DONE) {
            rc = sql_fail(st, r, err, "cannot read a run");
        }
        sqlite3_reset(s);
    }
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc == STORE_BUSY)
        rc = rx_errf(err, RX_ESTORE, "store '%s' is busy", st->path);
    return rc;
}

int rx_store_count_jobs(rx_store *st, const rx_job *jobs, int n, rx_store_counts *c,
                        rx_err *err)
{
    return rx_store_key_states(st, n ? jobs[0].key : "", sizeof *jobs, n, NULL, c, err);
}

/* ---- claiming and recording ------------------------------------------- */

/* Deletes the epoch, step and named metrics of run key. */
static int clear_metrics(rx_store *st, const char *key, rx_err *err)
{
    sqlite3_stmt *s;
    int rc;
    for (int id = S_DEL_METRICS; id <= S_DEL_NAMED; id++) {
        if ((rc = stmt(st, id, &s, err)))
            return rc;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if ((rc = step_done(st, s, err, "cannot delete old metrics")))
            return rc;
    }
    return RX_OK;
}

typedef struct claim_ctx {
    int64_t sweep;
    unsigned flags;
    double stale_after;
    const char *host;
    long pid;
    char key[RX_KEY_LEN + 1];
    int index;
    int found;
} claim_ctx;

static int claim_body(rx_store *st, void *ctx, rx_err *err)
{
    claim_ctx *c = ctx;
    sqlite3_stmt *s;
    double now = rx_unix_now();
    int rc = stmt(st, S_CLAIM_PICK, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, c->sweep);
    sqlite3_bind_int(s, 2, (c->flags & RX_CLAIM_RETRY_FAILED) != 0);
    sqlite3_bind_double(s, 3, c->stale_after);
    sqlite3_bind_double(s, 4, now);
    sqlite3_bind_text(s, 5, c->host, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    c->found = rc == SQLITE_ROW;
    if (c->found) {
        snprintf(c->key, sizeof c->key, "%s", (const char *)sqlite3_column_text(s, 0));
        c->index = sqlite3_column_int(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? RX_OK : sql_fail(st, rc, err, "cannot pick a run");
    if ((rc = stmt(st, S_CLAIM_SET, &s, err)))
        return rc;
    sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, c->pid);
    sqlite3_bind_double(s, 4, now);
    if ((rc = step_done(st, s, err, "cannot claim a run")))
        return rc;
    /* a previous attempt's partial metrics must not mix with this one's */
    return clear_metrics(st, c->key, err);
}

int rx_store_claim(rx_store *st, int64_t sweep_id, unsigned flags, double stale_after,
                   const char *host, long pid, char key[RX_KEY_LEN + 1], int *index,
                   rx_err *err)
{
    claim_ctx c = {sweep_id, flags, stale_after, host, pid, "", 0, 0};
    snprintf(st->w_host, sizeof st->w_host, "%s", host);
    st->w_pid = pid;
    int rc = write_tx(st, claim_body, &c, err);
    if (rc)
        return rc;
    if (!c.found)
        return RX_ENOTFOUND;
    memcpy(key, c.key, sizeof c.key);
    if (index)
        *index = c.index;
    return RX_OK;
}

typedef struct claim_key_ctx {
    const char *key;
    unsigned flags;
    double stale_after;
    const char *host;
    long pid;
    int claimed;        /* OUT */
    int state;          /* OUT: as found when not claimed */
} claim_key_ctx;

static int claim_key_body(rx_store *st, void *ctx, rx_err *err)
{
    claim_key_ctx *c = ctx;
    sqlite3_stmt *s;
    int rc = stmt(st, S_CLAIM_KEY, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, c->pid);
    sqlite3_bind_double(s, 4, rx_unix_now());
    sqlite3_bind_int(s, 5, (c->flags & RX_CLAIM_RETRY_FAILED) != 0);
    sqlite3_bind_double(s, 6, c->stale_after);
    if ((rc = step_done(st, s, err, "cannot claim a run")))
        return rc;
    if ((c->claimed = sqlite3_changes(st->db) > 0)) {
        c->state = RX_STATE_RUNNING;
        /* a previous attempt's partial metrics must not mix with this one's */
        return clear_metrics(st, c->key, err);
    }
    /* not claimable: say why (held elsewhere, finished, gone) */
    if ((rc = stmt(st, S_STATUS_OF, &s, err)))
        return rc;
    sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    c->state = rc == SQLITE_ROW ? rx_run_state_parse((const char *)sqlite3_column_text(s, 0))
                                : -1;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RX_OK : sql_fail(st, rc, err, "cannot read a run");
}

int rx_store_claim_key(rx_store *st, const char *key, unsigned flags, double stale_after,
                       const char *host, long pid, int *state, rx_err *err)
{
    /* a batch of one claim (rx_store_commit_batch) */
    rx_store_claim_try t = {key, 0, -1};
    rx_store_batch b = {.claim = &t, .n_claim = 1, .flags = flags, .stale_after = stale_after,
                        .host = host, .pid = pid};
    int rc = rx_store_commit_batch(st, &b, err);
    if (state)
        *state = rc == RX_OK ? t.state : -1;
    if (rc)
        return rc;
    return t.claimed ? RX_OK : RX_ENOTFOUND;
}

static int not_held(rx_store *st, const char *key, rx_err *err)
{
    return rx_errf(err, RX_ECONFLICT,
                   "run '%s' is no longer held by worker %s:%ld (another worker reclaimed it)",
                   key, st->w_host, st->w_pid);
}

typedef struct beat_ctx {
    const char *key;
    long steps_done, steps;   /* < 0: left as they are */
} beat_ctx;

static int heartbeat_body(rx_store *st, void *ctx, rx_err *err)
{
    const beat_ctx *b = ctx;
    sqlite3_stmt *s;
    int rc = stmt(st, S_HEARTBEAT, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, b->key, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 2, rx_unix_now());
    sqlite3_bind_text(s, 3, st->w_host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, st->w_pid);
    if (b->steps_done >= 0)
        sqlite3_bind_int64(s, 5, b->steps_done);
    if (b->steps >= 0)
        sqlite3_bind_int64(s, 6, b->steps);
    if ((rc = step_done(st, s, err, "cannot update the heartbeat")))
        return rc;
    return sqlite3_changes(st->db) ? RX_OK : not_held(st, b->key, err);
}

int rx_store_heartbeat(rx_store *st, const char *key, rx_err *err)
{
    beat_ctx b = {key, -1, -1};
    return write_tx(st, heartbeat_body, &b, err);
}

int rx_store_progress(rx_store *st, const char *key, long steps_done, long steps, rx_err *err)
{
    beat_ctx b = {key, steps_done, steps};
    return write_tx(st, heartbeat_body, &b, err);
}

typedef struct finish_ctx {
    const char *key;
    rx_run_state state;
    const rx_train_result *res;
    const rx_epoch_metrics *ep;
    int n_ep;
    const rx_step_metrics *sm;
    int n_st;
    const char *error;
    const rx_run_extra *x;
    double started;     /* 0: the claim's */
} finish_ctx;

/* Binds the metric columns of one table (RX_MC_EPOCH or RX_MC_STEP) from
 * the trainer's struct m, from parameter p on, in the table's order. */
static void bind_metrics(sqlite3_stmt *s, unsigned where, int p, const void *m)
{
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    for (int i = 0; i < n; i++)
        if (c[i].flags & where)
            bind_num(s, p++, rx_metric_at(m, where == RX_MC_EPOCH ? c[i].epoch_off
                                                                   : c[i].step_off));
}

/* The trainer's identity, its output tail and its named metrics. */
static int finish_extra(rx_store *st, const char *key, const rx_run_extra *x, rx_err *err)
{
    static const char *const scopes[] = {"step", "epoch", "final"};
    sqlite3_stmt *s;
    int rc = stmt(st, S_FINISH_EXTRA, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    bind_str(s, 2, x ? x->trainer : NULL);
    bind_str(s, 3, x ? x->output_tail : NULL);
    if ((rc = step_done(st, s, err, "cannot record a run")))
        return rc;
    if (!x || x->n == 0)
        return RX_OK;
    if ((rc = stmt(st, S_INS_NAMED, &s, err)))
        return rc;
    for (int i = 0; i < x->n; i++) {
        const rx_named_metric *m = &x->m[i];
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, scopes[m->scope], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, m->at);
        bind_num(s, 5, m->value);
        if ((rc = step_done(st, s, err, "cannot record named metrics")))
            return rc;
    }
    return RX_OK;
}

static int finish_body(rx_store *st, void *ctx, rx_err *err)
{
    finish_ctx *c = ctx;
    const rx_train_result *r = c->res;
    sqlite3_stmt *s;
    int rc = stmt(st, S_FINISH, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, st->w_host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, st->w_pid);
    sqlite3_bind_text(s, 5, rx_run_state_name(c->state), -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 6, rx_unix_now());
    if (r) {
        /* the final metrics are those of the last epoch reported */
        const rx_epoch_metrics *f = &r->final;
        bind_num(s, 7, r->wall);
        bind_num(s, 8, r->epochs);
        sqlite3_bind_int64(s, 9, r->total_steps);
        sqlite3_bind_int64(s, 10, r->steps);
        sqlite3_bind_int64(s, 11, r->steps_per_epoch);
        sqlite3_bind_int64(s, 12, r->samples);
        bind_num(s, 13, r->flops);
        sqlite3_bind_int64(s, 14, r->n_params);
        bind_str(s, 15, r->model_desc[0] ? r->model_desc : NULL);
        if (r->diverged_step > 0)
            sqlite3_bind_int64(s, 16, r->diverged_step);
        /* the final metrics are the last epoch's: none before one ended */
        int epoch_ended = r->n_epochs_done > 0 || f->epoch > 0, n, p = P_RUN;
        const rx_metric_col *mc = rx_metric_cols(&n);
        for (int i = 0; i < n; i++)
            if (mc[i].flags & RX_MC_RUN) {
                if (epoch_ended || !(mc[i].flags & RX_MC_AFTER_EPOCH))
                    bind_num(s, p, rx_metric_at(r, mc[i].run_off));
                p++;
            }
    }
    bind_str(s, 17, c->error);
    bind_str(s, 18, st->has_prov ? st->prov.id : NULL);
    if (c->started > 0)
        sqlite3_bind_double(s, 19, c->started);
    if ((rc = step_done(st, s, err, "cannot record a run")))
        return rc;
    if (sqlite3_changes(st->db) == 0)
        return not_held(st, c->key, err);
    if ((rc = clear_metrics(st, c->key, err)) || (rc = stmt(st, S_INS_METRIC, &s, err)))
        return rc;
    for (int i = 0; i < c->n_ep; i++) {
        const rx_epoch_metrics *m = &c->ep[i];
        sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, m->epoch);
        sqlite3_bind_int64(s, 3, m->step);
        sqlite3_bind_int64(s, 4, m->samples);
        bind_metrics(s, RX_MC_EPOCH, P_EPOCH, m);
        if ((rc = step_done(st, s, err, "cannot record epoch metrics")))
            return rc;
    }
    if ((rc = stmt(st, S_INS_STEP, &s, err)))
        return rc;
    for (int i = 0; i < c->n_st; i++) {
        const rx_step_metrics *m = &c->sm[i];
        sqlite3_bind_text(s, 1, c->key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, m->step);
        bind_metrics(s, RX_MC_STEP, P_STEP, m);
        if ((rc = step_done(st, s, err, "cannot record step metrics")))
            return rc;
    }
    return finish_extra(st, c->key, c->x, err);
}

int rx_store_finish(rx_store *st, const char *key, rx_run_state state,
                    const rx_train_result *res, const rx_epoch_metrics *ep, int n_ep,
                    const rx_step_metrics *st_m, int n_st, const char *error, rx_err *err)
{
    return rx_store_finish_ex(st, key, state, res, ep, n_ep, st_m, n_st, error, NULL, err);
}

/* Refuses a final state a run cannot be recorded with; adds the bytes
 * its record may write to *need (a WAL frame per touched page: a generous
 * estimate of the rows' size). */
static int finish_check(const char *key, rx_run_state state, int n_ep, int n_st,
                        const rx_run_extra *x, double *need, rx_err *err)
{
    if (state != RX_STATE_DONE && state != RX_STATE_DIVERGED && state != RX_STATE_FAILED &&
        state != RX_STATE_INTERRUPTED)
        return rx_errf(err, RX_EINVAL, "cannot finish run '%s' as '%s'", key,
                       rx_run_state_name(state));
    *need += 16384.0 + 256.0 * n_ep + 64.0 * n_st + (x ? 96.0 * x->n + 4096.0 : 0);
    return RX_OK;
}

int rx_store_finish_ex(rx_store *st, const char *key, rx_run_state state,
                       const rx_train_result *res, const rx_epoch_metrics *ep, int n_ep,
                       const rx_step_metrics *st_m, int n_st, const char *error,
                       const rx_run_extra *x, rx_err *err)
{
    /* a batch of one record (rx_store_commit_batch) */
    rx_store_record r = {key, state, res, ep, n_ep, st_m, n_st, error, x, 0, RX_OK};
    rx_store_batch b = {.rec = &r, .n_rec = 1};
    int rc = rx_store_commit_batch(st, &b, err);
    return rc ? rc : r.status ? not_held(st, key, err) : RX_OK;
}

static int batch_body(rx_store *st, void *ctx, rx_err *err)
{
    rx_store_batch *b = ctx;
    sqlite3_stmt *s;
    int rc;
    /* a retried transaction starts over: nothing of the last try stands */
    for (int i = 0; i < b->n_claim; i++)
        b->claim[i].claimed = 0, b->claim[i].state = -1;
    for (int i = 0; i < b->n_rec; i++) {
        rx_store_record *r = &b->rec[i];
        finish_ctx c = {r->key, r->state, r->res, r->ep, r->n_ep, r->st_m, r->n_st,
                        r->error, r->x, r->started};
        rx_err lost;
        /* not held: its S_FINISH changed nothing, so nothing to undo */
        rc = finish_body(st, &c, &lost);
        if (rc != RX_OK && rc != RX_ECONFLICT) {
            *err = lost;
            return rc;
        }
        r->status = rc;
    }
    for (int i = 0; i < b->n_unclaim; i++) {
        if ((rc = stmt(st, S_UNCLAIM, &s, err)))
            return rc;
        sqlite3_bind_text(s, 1, b->unclaim[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, st->w_host, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, st->w_pid);
        if ((rc = step_done(st, s, err, "cannot give a run back")))
            return rc;
    }
    if (b->beat_key) {
        beat_ctx bc = {b->beat_key, b->steps_done, b->steps_done >= 0 ? b->steps : -1};
        rx_err lost;
        rc = heartbeat_body(st, &bc, &lost);
        if (rc != RX_OK && rc != RX_ECONFLICT) {
            *err = lost;
            return rc;
        }
    }
    for (int i = 0; i < b->n_claim; i++) {
        rx_store_claim_try *t = &b->claim[i];
        claim_key_ctx c = {t->key, b->flags, b->stale_after, b->host, b->pid, 0, -1};
        if ((rc = claim_key_body(st, &c, err)))
            return rc;
        t->claimed = c.claimed;
        t->state = c.state;
    }
    return RX_OK;
}

int rx_store_commit_batch(rx_store *st, rx_store_batch *b, rx_err *err)
{
    double need = 0;
    int rc = RX_OK;
    for (int i = 0; i < b->n_rec && rc == RX_OK; i++) {
        rx_store_record *r = &b->rec[i];
        r->status = RX_OK;
        rc = finish_check(r->key, r->state, r->n_ep, r->n_st, r->x, &need, err);
    }
    if (rc || (b->n_rec && (rc = check_space(st, need, err))))
        return rc;
    if (b->n_rec + b->n_unclaim + b->n_claim == 0 && !b->beat_key)
        return RX_OK;
    /* the records, the give-backs and the refresh are of runs held by
     * this worker: the same identity as its claims */
    if (b->host) {
        snprintf(st->w_host, sizeof st->w_host, "%s", b->host);
        st->w_pid = b->pid;
    }
    return write_tx(st, batch_body, b, err);
}

typedef struct mark_ctx {
    const char *key;       /* one run, or NULL for a worker's runs */
    const char *host;
    long pid;
    rx_run_state state;
    const char *error;
    int n;
} mark_ctx;

static int mark_body(rx_store *st, void *ctx, rx_err *err)
{
    mark_ctx *c = ctx;
    sqlite3_stmt *s;
    const char *sql = c->key
        ? "UPDATE runs SET status = ?1, ended = ?2, error = ?3"
          " WHERE key = ?4 AND status = 'running'"
        : "UPDATE runs SET status = ?1, ended = ?2, error = coalesce(?3, error)"
          " WHERE status = 'running' AND worker_host = ?4 AND worker_pid = ?5";
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, err, "cannot mark runs");
    sqlite3_bind_text(s, 1, rx_run_state_name(c->state), -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 2, rx_unix_now());
    bind_str(s, 3, c->error);
    bind_str(s, 4, c->key ? c->key : c->host);
    sqlite3_bind_int64(s, 5, c->pid);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sql_fail(st, rc, err, "cannot mark runs");
    c->n = sqlite3_changes(st->db);
    return RX_OK;
}

static int check_mark_state(rx_run_state state, rx_err *err)
{
    if (state != RX_STATE_INTERRUPTED && state != RX_STATE_FAILED)
        return rx_errf(err, RX_EINVAL, "runs can be marked interrupted or failed, not '%s'",
                       rx_run_state_name(state));
    return RX_OK;
}

int rx_store_mark(rx_store *st, const char *key, rx_run_state state, const char *error,
                  rx_err *err)
{
    mark_ctx c = {key, NULL, 0, state, error, 0};
    int rc = check_mark_state(state, err);
    if (!rc)
        rc = write_tx(st, mark_body, &c, err);
    if (!rc && c.n == 0)
        rc = rx_errf(err, RX_ENOTFOUND, "run '%s' is not running", key);
    return rc;
}

int rx_store_release_worker(rx_store *st, const char *host, long pid, rx_run_state state,
                            int *n, rx_err *err)
{
    mark_ctx c = {NULL, host, pid, state, NULL, 0};
    int rc = check_mark_state(state, err);
    if (!rc)
        rc = write_tx(st, mark_body, &c, err);
    if (n)
        *n = rc ? 0 : c.n;
    return rc;
}

/* ---- reading ---------------------------------------------------------- */

int rx_value_number(const rx_value *v, double *out)
{
    switch (v->type) {
    case RX_VINT: *out = (double)v->i; return 1;
    case RX_VREAL: *out = v->r; return 1;
    case RX_VTEXT:
        if (strcmp(v->s, "NaN") == 0) return *out = NAN, 1;
        if (strcmp(v->s, "Infinity") == 0) return *out = INFINITY, 1;
        if (strcmp(v->s, "-Infinity") == 0) return *out = -INFINITY, 1;
        return 0;
    default: return 0;
    }
}

static void bind_value(sqlite3_stmt *s, int i, const rx_value *v)
{
    switch (v->type) {
    case RX_VINT: sqlite3_bind_int64(s, i, v->i); break;
    case RX_VREAL: bind_num(s, i, v->r); break;
    case RX_VTEXT: bind_str(s, i, v->s); break;
    default: sqlite3_bind_null(s, i); break;
    }
}

static void column_value(sqlite3_stmt *s, int i, rx_value *v)
{
    memset(v, 0, sizeof *v);
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER: v->type = RX_VINT; v->i = sqlite3_column_int64(s, i); break;
    case SQLITE_FLOAT: v->type = RX_VREAL; v->r = sqlite3_column_double(s, i); break;
    case SQLITE_NULL: v->type = RX_VNULL; break;
    default: /* text, and blobs read as text */
        v->type = RX_VTEXT;
        v->s = (const char *)sqlite3_column_text(s, i);
        if (!v->s)
            v->type = RX_VNULL;
        break;
    }
}

int rx_store_query(rx_store *st, const char *sql, const rx_value *binds, int nbinds,
                   rx_row_fn fn, void *ud, rx_err *err)
{
    sqlite3_stmt *s;
    const char *tail;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, &tail);
    if (rc != SQLITE_OK)
        return rx_errf(err, RX_ESTORE, "store '%s': %s", st->path, sqlite3_errmsg(st->db));
    if (!s)
        return rx_errf(err, RX_EINVAL, "empty query");
    tail += strspn(tail, " \t\r\n;");
    if (*tail || !sqlite3_stmt_readonly(s)) {
        sqlite3_finalize(s);
        return rx_errf(err, RX_EINVAL, *tail ? "a query must be one SQL statement"
                                             : "a query must not write to the store");
    }
    for (int i = 0; i < nbinds; i++)
        bind_value(s, i + 1, &binds[i]);
    int ncols = sqlite3_column_count(s);
    const char **names = calloc((size_t)ncols + 1, sizeof *names);
    rx_value *vals = calloc((size_t)ncols + 1, sizeof *vals);
    int status = RX_OK;
    if (!names || !vals) {
        status = rx_errf(err, RX_ENOMEM, "out of memory reading store '%s'", st->path);
        goto out;
    }
    for (int i = 0; i < ncols; i++)
        names[i] = sqlite3_column_name(s, i);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!fn)
            continue;
        for (int i = 0; i < ncols; i++)
            column_value(s, i, &vals[i]);
        if ((status = fn(ud, ncols, names, vals)))
            goto out;
    }
    if (rc != SQLITE_DONE)
        status = rx_errf(err, RX_ESTORE, "store '%s': %s", st->path, sqlite3_errmsg(st->db));
out:
    free(names);
    free(vals);
    sqlite3_finalize(s);
    return status;
}

int rx_store_exec(rx_store *st, const char *sql, rx_err *err)
{
    return write_tx(st, exec_body, (void *)sql, err);
}

/* ---- what the commands read ------------------------------------------ */

/* A growing SQL text (sbuf_add); out of memory leaves p NULL. */
typedef struct sql_buf {
    char *p;
    size_t n, cap;
} sql_buf;

static void sbuf_add(sql_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sbuf_add(sql_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (w < 0 || (b->cap && !b->p))
        return;
    if (b->n + (size_t)w + 1 > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + (size_t)w + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            free(b->p);
            b->p = NULL;
            b->cap = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)w;
}

/* A run's configuration, NULL when it is not JSON (a damaged store). */
#define VALID_CONFIG "CASE WHEN json_valid(c.config) THEN c.config END"

/* The keys of the runs' configurations (RX_CONFIG_FLAT): "SECTION.KEY",
 * or "KEY" for a value at the top; lists and objects inside a section
 * are one value.  Canonical JSON sorts its keys, so their order is the
 * canonical one. */
#define CONFIG_KEYS_SQL(from)                                                   \
    "SELECT DISTINCT CASE WHEN s.type = 'object' THEN s.key || '.' || k.key"    \
    " ELSE s.key END AS path FROM " from ", json_each(" VALID_CONFIG ") s"      \
    " LEFT JOIN json_each(CASE WHEN s.type = 'object' THEN s.value END) k"      \
    " ORDER BY path"

static int add_config_key(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    (void)ncols, (void)names;
    sql_buf *b = ud;
    const char *path = v[0].type == RX_VTEXT ? v[0].s : "";
    /* keys are identifiers; anything else cannot be quoted safely */
    if (!path[0] || strpbrk(path, "\"'$[]"))
        return 0;
    const char *dot = strchr(path, '.');
    int n = dot ? (int)(dot - path) : (int)strlen(path);
    if (dot)
        sbuf_add(b, ", json_extract(c.config, '$.\"%.*s\".\"%s\"') AS \"" RX_EXPORT_CONFIG
                 ".%s\"", n, path, dot + 1, path);
    else
        sbuf_add(b, ", json_extract(c.config, '$.\"%s\"') AS \"" RX_EXPORT_CONFIG ".%s\"", path,
                 path);
    return 0;
}

/* The configuration's columns for config, appended to b. */
static int config_columns(rx_store *st, int64_t sweep_id, rx_export_config config, sql_buf *b,
                          rx_err *err)
{
    if (config == RX_CONFIG_JSON) {
        sbuf_add(b, ", c.config AS \"" RX_EXPORT_CONFIG "\"");
        return RX_OK;
    }
    if (config != RX_CONFIG_FLAT)
        return RX_OK;
    rx_value id = rx_vint(sweep_id);
    return sweep_id > 0
               ? rx_store_query(st, CONFIG_KEYS_SQL("sweep_runs l JOIN runs c ON c.key = l.key"
                                                    " AND l.sweep = ?1"),
                                &id, 1, add_config_key, b, err)
               : rx_store_query(st, CONFIG_KEYS_SQL("runs c"), NULL, 0, add_config_key, b, err);
}

int rx_store_export(rx_store *st, int64_t sweep_id, rx_export_what what,
                    rx_export_config config, rx_row_fn fn, void *ud, rx_err *err)
{
    int by_sweep = sweep_id > 0, n, rc;
    const rx_metric_col *mc = rx_metric_cols(&n);
    sql_buf cols = {0}, sql = {0};
    if ((rc = config_columns(st, sweep_id, config, &cols, err))) {
        free(cols.p);
        return rc;
    }
    const char *cfg = cols.p ? cols.p : "";
    /* the run's configuration, where asked: one indexed lookup a row, and
     * none (NULL) where it is not JSON, on which the JSON functions would
     * fail the whole statement */
#define CONFIG_JOIN(x) " LEFT JOIN runs c ON c.key = " x ".key AND json_valid(c.config)"
    const char *join = config != RX_CONFIG_NONE ? CONFIG_JOIN("r") : "";
    switch (what) {
    case RX_EXPORT_RUNS:
        sbuf_add(&sql, "SELECT r.*%s FROM %s r%s%s", cfg,
                 by_sweep ? "sweep_results" : "run_results", join,
                 by_sweep ? " WHERE r.sweep_id = ?1 ORDER BY r.grid_index" : " ORDER BY r.key");
        break;
    case RX_EXPORT_EPOCHS:
        sbuf_add(&sql, "SELECT e.*%s FROM epoch_results e%s%s", cfg,
                 by_sweep ? " JOIN sweep_runs l ON l.key = e.key" : "",
                 config != RX_CONFIG_NONE ? CONFIG_JOIN("e") : "");
        sbuf_add(&sql, "%s", by_sweep ? " WHERE l.sweep = ?1 ORDER BY l.grid_index, e.epoch"
                                      : " ORDER BY e.key, e.epoch");
        break;
    case RX_EXPORT_NESTED:
        /* every per-epoch metric of the table */
        sbuf_add(&sql, "SELECT r.*%s, e.epoch AS \"" RX_EXPORT_METRIC "epoch\", e.step AS \""
                 RX_EXPORT_METRIC "step\", e.samples AS \"" RX_EXPORT_METRIC "samples\"", cfg);
        for (int i = 0; i < n; i++)
            if (mc[i].flags & RX_MC_EPOCH)
                sbuf_add(&sql, ", e.%s AS \"" RX_EXPORT_METRIC "%s\"",
                         mc[i].epoch_as ? mc[i].epoch_as : mc[i].name, mc[i].name);
        sbuf_add(&sql, " FROM %s r%s LEFT JOIN epoch_results e ON e.key = r.key%s",
                 by_sweep ? "sweep_results" : "run_results", join,
                 by_sweep ? " WHERE r.sweep_id = ?1 ORDER BY r.grid_index, e.epoch"
                          : " ORDER BY r.key, e.epoch");
        break;
    default:
        free(cols.p);
        return rx_errf(err, RX_EINVAL, "unknown export %d", (int)what);
    }
    int oom = !sql.p || (cols.cap && !cols.p);
    free(cols.p);
    if (oom) {
        free(sql.p);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    rx_value b = rx_vint(sweep_id);
    rc = rx_store_query(st, sql.p, by_sweep ? &b : NULL, by_sweep ? 1 : 0, fn, ud, err);
    free(sql.p);
    return rc;
}

/* Is a run in flight stale (rx_status_query): the parameters are now,
 * stale_after and this host, as bound by status_binds. */
#define STALE_SQL(r)                                                          \
    "((" r "worker_host = ?3 AND NOT rx_pid_alive(" r "worker_pid)) OR "      \
    r "heartbeat < ?1 - ?2)"
/* Its share trained, from the progress its worker records. */
#define SHARE_SQL(r) \
    "coalesce(CASE WHEN " r "steps > 0 THEN 1.0 * " r "steps_done / " r "steps END, 0)"

/* The cost W trained (done runs, and the share of the runs in flight)
 * and still to train. */
#define COST_TRAINED(W)                                                    \
    " total(CASE WHEN r.status = 'done' THEN " W                            \
    "  WHEN r.status = 'running' THEN " W " * " SHARE_SQL("r.") " END)"
#define COST_LEFT(W)                                                       \
    " total(CASE WHEN r.status IN ('pending', 'interrupted') THEN " W      \
    "  WHEN r.status = 'running' THEN " W " * (1 - " SHARE_SQL("r.") ") END)"

/* The cost is runs.cost (rx_cost.h), or budget x full_epochs for a sweep
 * with runs added before schema step 7 (one unit for all its runs). */
static const char sweep_progress_sql[] =
    "SELECT s.id, s.name, count(*), sum(r.status = 'done'), sum(r.status = 'running'),"
    " sum(r.status = 'failed'), sum(r.status = 'diverged'), sum(r.status = 'interrupted'),"
    " sum(r.status = 'pending'),"
    " sum(r.status = 'running' AND NOT " STALE_SQL("r.") "),"
    COST_TRAINED("r.cost") ","
    " total(CASE WHEN r.status = 'done' THEN r.wall"
    "  WHEN r.status = 'running' THEN max(?1 - r.started, 0) END),"
    COST_LEFT("r.cost") ","
    " count(r.cost) = count(*),"
    COST_TRAINED("r.budget * r.full_epochs") ","
    COST_LEFT("r.budget * r.full_epochs")
    " FROM sweeps s JOIN sweep_runs l ON l.sweep = s.id JOIN runs r ON r.key = l.key"
    " WHERE ?4 IS NULL OR s.name = ?4 GROUP BY s.id ORDER BY s.id";

static const char flight_sql[] =
    "SELECT r.key, r.worker_host, r.worker_pid, r.steps_done, r.steps, ?1 - r.heartbeat,"
    " ?1 - r.started, r.schedule, r.optimizer, r.lr, r.budget, r.seed,"
    " (r.worker_host = ?3 AND NOT rx_pid_alive(r.worker_pid)),"
    " (SELECT group_concat(name, ',') FROM (SELECT DISTINCT s.name FROM sweep_runs l"
    "   JOIN sweeps s ON s.id = l.sweep WHERE l.key = r.key))"
    " FROM runs r WHERE r.status = 'running' AND " STALE_SQL("r.") " = ?5"
    " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM sweep_runs l JOIN sweeps s"
    "   ON s.id = l.sweep WHERE l.key = r.key AND s.name = ?4))"
    " ORDER BY r.started, r.key";

/* ?1 now, ?2 stale_after, ?3 this host, ?4 the sweep's name or NULL. */
static void status_binds(const rx_store *st, const rx_status_query *q, rx_value b[4])
{
    b[0] = rx_vreal(q->now);
    b[1] = rx_vreal(q->stale_after);
    b[2] = rx_vtext(st->host);
    b[3] = q->sweep ? rx_vtext(q->sweep) : rx_vnull();
}

/* A number column; 0 for NULL (or text that is no number). */
static double num_or0(const rx_value *v)
{
    double x;
    return rx_value_number(v, &x) ? x : 0;
}

typedef struct progress_ctx {
    rx_sweep_progress_fn fn;
    void *ud;
} progress_ctx;

static int progress_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    (void)ncols, (void)names;
    progress_ctx *c = ud;
    rx_sweep_progress p = {0};
    p.id = v[0].i;
    p.name = v[1].type == RX_VTEXT ? v[1].s : "";
    long long *cnt[] = {&p.runs, &p.done, &p.running, &p.failed, &p.diverged,
                        &p.interrupted, &p.pending, &p.live};
    for (int i = 0; i < 8; i++)
        *cnt[i] = (long long)num_or0(&v[2 + i]);
    int costed = num_or0(&v[13]) != 0;
    p.cost_trained = num_or0(&v[costed ? 10 : 14]);
    p.seconds = num_or0(&v[11]);
    p.cost_left = num_or0(&v[costed ? 12 : 15]);
    return c->fn(c->ud, &p);
}

int rx_store_sweep_progress(rx_store *st, const rx_status_query *q, rx_sweep_progress_fn fn,
                            void *ud, rx_err *err)
{
    rx_value b[4];
    status_binds(st, q, b);
    progress_ctx c = {fn, ud};
    return rx_store_query(st, sweep_progress_sql, b, 4, progress_row, &c, err);
}

typedef struct flight_ctx {
    rx_flight_fn fn;
    void *ud;
} flight_ctx;

static const char *text_or_null(const rx_value *v)
{
    return v->type == RX_VTEXT ? v->s : NULL;
}

static int flight_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    (void)ncols, (void)names;
    flight_ctx *c = ud;
    rx_flight_run r = {0};
    r.key = text_or_null(&v[0]);
    r.host = text_or_null(&v[1]);
    r.pid = v[2].i;
    r.steps_done = v[3].type == RX_VINT ? (double)v[3].i : NAN;
    r.steps = v[4].type == RX_VINT ? (double)v[4].i : NAN;
    r.heartbeat_age = num_or0(&v[5]);
    r.running_for = num_or0(&v[6]);
    r.schedule = text_or_null(&v[7]);
    r.optimizer = text_or_null(&v[8]);
    r.lr = num_or0(&v[9]);
    r.budget = num_or0(&v[10]);
    r.seed = v[11].i;
    r.worker_gone = v[12].i != 0;
    r.sweeps = text_or_null(&v[13]);
    return c->fn(c->ud, &r);
}

int rx_store_runs_in_flight(rx_store *st, const rx_status_query *q, int stale,
                            rx_flight_fn fn, void *ud, rx_err *err)
{
    rx_value b[5];
    status_binds(st, q, b);
    b[4] = rx_vint(stale != 0);
    flight_ctx c = {fn, ud};
    return rx_store_query(st, flight_sql, b, 5, flight_row, &c, err);
}

/* ---- merging ---------------------------------------------------------- */

/* How good a run's state is as a result, for merging. */
static int state_rank(const char *state)
{
    switch (rx_run_state_parse(state)) {
    case RX_STATE_DONE: case RX_STATE_DIVERGED: return 3;
    case RX_STATE_FAILED: return 2;
    case RX_STATE_INTERRUPTED: case RX_STATE_RUNNING: return 1;
    default: return 0;
    }
}

/* The columns that make up a run's result: two finished runs of one key
 * conflict when any of them differ.  Times and hosts may differ.  These,
 * then every metric column of runs (rx_metrics.h) but the timings. */
#define FINGERPRINT_FIXED "status, epochs, steps, steps_done, samples, diverged_step"
#define N_FINGERPRINT_FIXED 6

/* The fingerprint's metric columns, in order, into c[0..max): *n of them. */
static void fingerprint_cols(const rx_metric_col **c, int max, int *n)
{
    int nc;
    const rx_metric_col *all = rx_metric_cols(&nc);
    *n = 0;
    for (int i = 0; i < nc && *n < max; i++)
        if ((all[i].flags & RX_MC_RUN) && !(all[i].flags & RX_MC_TIMING))
            c[(*n)++] = &all[i];
}

/* "SELECT <the fingerprint> FROM runs WHERE key = ?1", sqlite3_malloc'd. */
static char *fingerprint_sql(void)
{
    const rx_metric_col *c[64];
    int n;
    fingerprint_cols(c, 64, &n);
    char buf[2048];
    size_t k = (size_t)snprintf(buf, sizeof buf, "SELECT " FINGERPRINT_FIXED);
    for (int i = 0; i < n && k < sizeof buf; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, ", %s", c[i]->name);
    if (k >= sizeof buf)
        return NULL;
    return sqlite3_mprintf("%s FROM runs WHERE key = ?1", buf);
}

/* Bit-identical SQL values. */
static int value_same(sqlite3_value *a, sqlite3_value *b)
{
    int t = sqlite3_value_type(a);
    if (t != sqlite3_value_type(b))
        return 0;
    switch (t) {
    case SQLITE_NULL: return 1;
    case SQLITE_INTEGER: return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT: {
        double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    default: {
        int n = sqlite3_value_bytes(a);
        return n == sqlite3_value_bytes(b) &&
               memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n) == 0;
    }
    }
}

/* The column list of a table as "a, b, c" (names in column order), less
 * the column `skip` (may be NULL); malloc'd. */
static char *column_list(sqlite3 *db, const char *table, const char *skip)
{
    sqlite3_stmt *s;
    char *out = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
                           "pragma_table_info(?1) WHERE name IS NOT ?2 ORDER BY cid)",
                           -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, skip, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static int count_cols(const char *cols)
{
    int n = 1;
    for (const char *p = cols; *p; p++)
        n += *p == ',';
    return n;
}

/* Statements on both sides, prepared once per merge. */
enum {
    M_SRC_RUNS, M_SRC_ROW, M_SRC_FP, M_DST_FP, M_DST_INSERT, M_DST_UPDATE,
    M_DST_RUNNING, M_SRC_METRICS, M_DST_METRICS, M_SRC_STEPS, M_DST_STEPS,
    M_DST_DEL_METRICS, M_DST_DEL_STEPS, M_SRC_NAMED, M_DST_NAMED, M_DST_DEL_NAMED,
    M_SRC_SWEEPS, M_DST_SWEEP_ID,
    M_SRC_SWEEP_ROW, M_DST_SWEEP_INSERT, M_SRC_LINKS, M_DST_LINK, M_SRC_PROV, M_DST_PROV,
    N_MSTMT
};

typedef struct merge_ctx {
    rx_store *src;
    rx_merge_stats *stats;
    sqlite3_stmt *m[N_MSTMT];
} merge_ctx;

/* Builds and prepares every merge statement from the live column lists,
 * so the copy follows whatever columns the current schema has. */
static int merge_prepare(rx_store *dst, merge_ctx *c, rx_err *err)
{
    sqlite3 *sdb = c->src->db, *ddb = dst->db;
    char *runs = column_list(ddb, "runs", NULL);
    char *runs_nokey = column_list(ddb, "runs", "key");
    char *met = column_list(ddb, "metrics", NULL);
    char *steps = column_list(ddb, "step_metrics", NULL);
    char *sweeps = column_list(ddb, "sweeps", "id");
    char *prov = column_list(ddb, "provenance", NULL);
    int rc = RX_OK;
    if (!runs || !runs_nokey || !met || !steps || !sweeps || !prov) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory preparing a merge");
        goto out;
    }
    /* placeholder lists ?1 .. ?n and the "c = ?i" list of an UPDATE */
    size_t cap = 64 + 16 * (size_t)count_cols(runs) + strlen(runs) * 2;
    char *q_runs = malloc(cap), *q_met = malloc(cap), *q_steps = malloc(cap),
         *q_sweeps = malloc(cap), *q_prov = malloc(cap), *set = malloc(cap);
    const char *lists[5] = {runs, met, steps, sweeps, prov};
    char *qs[5] = {q_runs, q_met, q_steps, q_sweeps, q_prov};
    if (!q_runs || !q_met || !q_steps || !q_sweeps || !q_prov || !set) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory preparing a merge");
        goto out2;
    }
    for (int k = 0; k < 5; k++) {
        size_t o = 0;
        for (int i = 1; i <= count_cols(lists[k]); i++)
            o += (size_t)snprintf(qs[k] + o, cap - o, "%s?%d", i > 1 ? ", " : "", i);
    }
    /* runs_nokey lists every column but key, in order, as ?2 .. ?n, with
     * key as ?1 (key is the first column of runs) */
    size_t o = 0;
    int i = 2;
    for (const char *p = runs_nokey; *p; i++) {
        size_t len = strcspn(p, ",");
        o += (size_t)snprintf(set + o, cap - o, "%s%.*s = ?%d", i > 2 ? ", " : "", (int)len,
                              p, i);
        p += len;
        p += strspn(p, ", ");
    }
    char *sql[N_MSTMT] = {0};
    int on_src[N_MSTMT] = {0};
#define MSQL(id, src, ...) \
    (sql[id] = sqlite3_mprintf(__VA_ARGS__), on_src[id] = (src))
    MSQL(M_SRC_RUNS, 1, "SELECT key, status FROM runs ORDER BY key");
    MSQL(M_SRC_ROW, 1, "SELECT %s FROM runs WHERE key = ?1", runs);
    sql[M_SRC_FP] = fingerprint_sql(), on_src[M_SRC_FP] = 1;
    sql[M_DST_FP] = fingerprint_sql();
    MSQL(M_DST_INSERT, 0, "INSERT INTO runs (%s) VALUES (%s)", runs, q_runs);
    MSQL(M_DST_UPDATE, 0, "UPDATE runs SET %s WHERE key = ?1", set);
    MSQL(M_DST_RUNNING, 0,
         "UPDATE runs SET status = 'interrupted' WHERE key = ?1 AND status = 'running'");
    MSQL(M_SRC_METRICS, 1, "SELECT %s FROM metrics WHERE key = ?1", met);
    MSQL(M_DST_METRICS, 0, "INSERT INTO metrics (%s) VALUES (%s)", met, q_met);
    MSQL(M_SRC_STEPS, 1, "SELECT %s FROM step_metrics WHERE key = ?1", steps);
    MSQL(M_DST_STEPS, 0, "INSERT INTO step_metrics (%s) VALUES (%s)", steps, q_steps);
    MSQL(M_DST_DEL_METRICS, 0, "DELETE FROM metrics WHERE key = ?1");
    MSQL(M_DST_DEL_STEPS, 0, "DELETE FROM step_metrics WHERE key = ?1");
    MSQL(M_SRC_NAMED, 1, "SELECT key, name, scope, at, value FROM run_metrics WHERE key = ?1");
    MSQL(M_DST_NAMED, 0,
         "INSERT INTO run_metrics (key, name, scope, at, value) VALUES (?1, ?2, ?3, ?4, ?5)");
    MSQL(M_DST_DEL_NAMED, 0, "DELETE FROM run_metrics WHERE key = ?1");
    MSQL(M_SRC_SWEEPS, 1, "SELECT id, name, spec_hash FROM sweeps ORDER BY id");
    MSQL(M_DST_SWEEP_ID, 0, "SELECT id FROM sweeps WHERE name = ?1 AND spec_hash = ?2");
    MSQL(M_SRC_SWEEP_ROW, 1, "SELECT %s FROM sweeps WHERE id = ?1", sweeps);
    MSQL(M_DST_SWEEP_INSERT, 0, "INSERT INTO sweeps (%s) VALUES (%s)", sweeps, q_sweeps);
    MSQL(M_SRC_LINKS, 1, "SELECT key, grid_index FROM sweep_runs WHERE sweep = ?1");
    MSQL(M_DST_LINK, 0,
         "INSERT INTO sweep_runs (sweep, key, grid_index) VALUES (?1, ?2, ?3)"
         " ON CONFLICT DO NOTHING");
    /* content-addressed: the same id is the same row in every store */
    MSQL(M_SRC_PROV, 1, "SELECT %s FROM provenance", prov);
    MSQL(M_DST_PROV, 0, "INSERT INTO provenance (%s) VALUES (%s) ON CONFLICT DO NOTHING", prov,
         q_prov);
#undef MSQL
    for (int k = 0; k < N_MSTMT && rc == RX_OK; k++) {
        sqlite3 *db = on_src[k] ? sdb : ddb;
        if (!sql[k])
            rc = rx_errf(err, RX_ENOMEM, "out of memory preparing a merge");
        else if (sqlite3_prepare_v2(db, sql[k], -1, &c->m[k], NULL) != SQLITE_OK)
            rc = rx_errf(err, RX_ESTORE, "store '%s': cannot prepare a merge: %s",
                         on_src[k] ? c->src->path : dst->path, sqlite3_errmsg(db));
    }
    for (int k = 0; k < N_MSTMT; k++)
        sqlite3_free(sql[k]);
out2:
    free(q_runs);
    free(q_met);
    free(q_steps);
    free(q_sweeps);
    free(q_prov);
    free(set);
out:
    free(runs);
    free(runs_nokey);
    free(met);
    free(steps);
    free(sweeps);
    free(prov);
    return rc;
}

/* Binds key as ?1 of a merge statement, after a reset. */
static sqlite3_stmt *mkey(merge_ctx *c, int id, const char *key)
{
    sqlite3_stmt *s = c->m[id];
    sqlite3_reset(s);
    bind_str(s, 1, key);
    return s;
}

/* Binds columns [from, from + n) of sel's row to ins from ?first on.  A
 * bind copies text and may fail: that is an error, not a NULL. */
static int bind_values(rx_store *dst, sqlite3_stmt *ins, int first, sqlite3_stmt *sel,
                       int from, int n, rx_err *err)
{
    for (int i = 0; i < n; i++) {
        int rc = sqlite3_bind_value(ins, first + i, sqlite3_column_value(sel, from + i));
        if (rc != SQLITE_OK)
            return rx_errf(err, RX_ESTORE, "store '%s': cannot copy a value: %s", dst->path,
                           sqlite3_errstr(rc));
    }
    return RX_OK;
}

/* Copies every row of a SELECT on the shard into an INSERT (or UPDATE)
 * on dst, value by value, so types and non-finite encodings survive. */
static int copy_rows(rx_store *dst, sqlite3_stmt *sel, sqlite3_stmt *ins, rx_err *err)
{
    int rc;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        sqlite3_reset(ins);
        int r = bind_values(dst, ins, 1, sel, 0, sqlite3_column_count(sel), err);
        if (!r)
            r = step_done(dst, ins, err, "cannot copy a row");
        if (r)
            return r;
    }
    sqlite3_reset(sel);
    return rc == SQLITE_DONE ? RX_OK
                             : rx_errf(err, RX_ESTORE, "cannot read the shard: %s",
                                       sqlite3_errstr(rc));
}

/* 1 when the finished results of key are bit-identical on both sides,
 * 0 when they differ, -1 when they cannot be read. */
static int same_result(merge_ctx *c, const char *key)
{
    sqlite3_stmt *a = mkey(c, M_SRC_FP, key), *b = mkey(c, M_DST_FP, key);
    int ra = sqlite3_step(a), rb = ra == SQLITE_ROW ? sqlite3_step(b) : ra;
    int same = ra == SQLITE_ROW && rb == SQLITE_ROW ? 1 : -1;
    const rx_metric_col *mc[64];
    int n_mc;
    fingerprint_cols(mc, 64, &n_mc);
    for (int i = 0; same == 1 && i < sqlite3_column_count(a); i++) {
        sqlite3_value *x = sqlite3_column_value(a, i), *y = sqlite3_column_value(b, i);
        /* a column that a later schema step added is NULL in a run
         * recorded before it: nothing to compare */
        int j = i - N_FINGERPRINT_FIXED;
        if (j >= 0 && j < n_mc && mc[j]->since > 1 &&
            (sqlite3_value_type(x) == SQLITE_NULL || sqlite3_value_type(y) == SQLITE_NULL))
            continue;
        same = value_same(x, y);
    }
    sqlite3_reset(a);
    sqlite3_reset(b);
    return same;
}

/* Copies the shard's run key (row and metrics) into dst. */
static int merge_copy_run(rx_store *dst, merge_ctx *c, const char *key, int exists,
                          rx_err *err)
{
    int rc;
    if ((rc = copy_rows(dst, mkey(c, M_SRC_ROW, key),
                        c->m[exists ? M_DST_UPDATE : M_DST_INSERT], err)) ||
        (rc = step_done(dst, mkey(c, M_DST_RUNNING, key), err, "cannot copy a run")) ||
        (rc = step_done(dst, mkey(c, M_DST_DEL_METRICS, key), err, "cannot copy a run")) ||
        (rc = step_done(dst, mkey(c, M_DST_DEL_STEPS, key), err, "cannot copy a run")) ||
        (rc = copy_rows(dst, mkey(c, M_SRC_METRICS, key), c->m[M_DST_METRICS], err)) ||
        (rc = copy_rows(dst, mkey(c, M_SRC_STEPS, key), c->m[M_DST_STEPS], err)) ||
        (rc = step_done(dst, mkey(c, M_DST_DEL_NAMED, key), err, "cannot copy a run")) ||
        (rc = copy_rows(dst, mkey(c, M_SRC_NAMED, key), c->m[M_DST_NAMED], err)))
        return rc;
    return RX_OK;
}

static int merge_runs(rx_store *dst, merge_ctx *c, rx_err *err)
{
    rx_merge_stats *ms = c->stats;
    sqlite3_stmt *runs = c->m[M_SRC_RUNS];
    sqlite3_stmt *fp = c->m[M_DST_FP];
    int rc = RX_OK, r;
    sqlite3_reset(runs);
    while (rc == RX_OK && (r = sqlite3_step(runs)) == SQLITE_ROW) {
        char key[64], sstate[16], dstate[16] = "";
        snprintf(key, sizeof key, "%s", (const char *)sqlite3_column_text(runs, 0));
        snprintf(sstate, sizeof sstate, "%s", (const char *)sqlite3_column_text(runs, 1));
        mkey(c, M_DST_FP, key);
        int fr = sqlite3_step(fp), exists = fr == SQLITE_ROW;
        if (exists)
            snprintf(dstate, sizeof dstate, "%s", (const char *)sqlite3_column_text(fp, 0));
        sqlite3_reset(fp);
        if (!exists && fr != SQLITE_DONE) {
            rc = sql_fail(dst, fr, err, "cannot read a run");
            break;
        }
        int rs = state_rank(sstate), rd = state_rank(dstate);
        if (!exists) {
            ms->runs_added++;
            rc = merge_copy_run(dst, c, key, 0, err);
        } else if (rs == 3 && rd == 3) {
            int same = same_result(c, key);
            if (same < 0) {
                rc = rx_errf(err, RX_ESTORE, "cannot compare run '%s' on both sides", key);
            } else if (same) {
                ms->runs_same++;
            } else {
                if (ms->n_conflict_keys < RX_MERGE_MAX_KEYS)
                    snprintf(ms->conflict_keys[ms->n_conflict_keys++], RX_KEY_LEN + 1,
                             "%.*s", RX_KEY_LEN, key);
                ms->conflicts++;
            }
        } else if (rs > rd) {
            ms->runs_replaced++;
            rc = merge_copy_run(dst, c, key, 1, err);
        } else {
            ms->runs_kept++;
        }
    }
    sqlite3_reset(runs);
    if (rc == RX_OK && r != SQLITE_DONE)
        rc = rx_errf(err, RX_ESTORE, "cannot read the shard's runs: %s", sqlite3_errstr(r));
    return rc;
}

static int merge_sweeps(rx_store *dst, merge_ctx *c, rx_err *err)
{
    sqlite3_stmt *sw = c->m[M_SRC_SWEEPS], *find = c->m[M_DST_SWEEP_ID];
    int rc = RX_OK, r;
    sqlite3_reset(sw);
    while (rc == RX_OK && (r = sqlite3_step(sw)) == SQLITE_ROW) {
        sqlite3_int64 sid = sqlite3_column_int64(sw, 0), did;
        sqlite3_reset(find);
        if ((rc = bind_values(dst, find, 1, sw, 1, 2, err)))
            break;
        int fr = sqlite3_step(find), found = fr == SQLITE_ROW;
        did = found ? sqlite3_column_int64(find, 0) : 0;
        sqlite3_reset(find);
        if (!found && fr != SQLITE_DONE) {
            rc = sql_fail(dst, fr, err, "cannot look up a sweep");
            break;
        }
        if (!found) {
            sqlite3_stmt *row = c->m[M_SRC_SWEEP_ROW];
            sqlite3_reset(row);
            sqlite3_bind_int64(row, 1, sid);
            if ((rc = copy_rows(dst, row, c->m[M_DST_SWEEP_INSERT], err)))
                break;
            did = sqlite3_last_insert_rowid(dst->db);
            c->stats->sweeps_added++;
        }
        sqlite3_stmt *links = c->m[M_SRC_LINKS], *link = c->m[M_DST_LINK];
        sqlite3_reset(links);
        sqlite3_bind_int64(links, 1, sid);
        int lr;
        while (rc == RX_OK && (lr = sqlite3_step(links)) == SQLITE_ROW) {
            sqlite3_reset(link);
            sqlite3_bind_int64(link, 1, did);
            rc = bind_values(dst, link, 2, links, 0, 2, err);
            if (!rc)
                rc = step_done(dst, link, err, "cannot link a run to its sweep");
        }
        if (rc == RX_OK && lr != SQLITE_DONE)
            rc = rx_errf(err, RX_ESTORE, "cannot read the shard's links: %s", sqlite3_errstr(lr));
        sqlite3_reset(links);
    }
    sqlite3_reset(sw);
    return rc;
}

static int merge_body(rx_store *dst, void *ctx, rx_err *err)
{
    merge_ctx *c = ctx;
    rx_merge_stats *ms = c->stats;
    int v = ms->src_version;
    memset(ms, 0, sizeof *ms);
    ms->src_version = v;
    sqlite3_reset(c->m[M_SRC_PROV]); /* a retried body starts over */
    int rc = copy_rows(dst, c->m[M_SRC_PROV], c->m[M_DST_PROV], err);
    if (!rc)
        rc = merge_runs(dst, c, err);
    if (!rc)
        rc = merge_sweeps(dst, c, err);
    return rc;
}

int rx_store_merge(rx_store *dst, const char *src_path, rx_merge_stats *stats, rx_err *err)
{
    struct stat a, b;
    memset(stats, 0, sizeof *stats);
    if (stat(src_path, &a) != 0)
        return rx_errf(err, RX_EIO, "cannot open shard '%s': %s", src_path, strerror(errno));
    if (stat(dst->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return rx_errf(err, RX_EINVAL, "cannot merge store '%s' into itself", src_path);
    merge_ctx c = {NULL, stats, {0}};
    int rc = rx_store_open(src_path, RX_STORE_READONLY, &c.src, err);
    if (rc)
        return rx_errctx(err, rc, "shard");
    stats->src_version = c.src->found_version;
    /* one read transaction on the shard: one consistent snapshot */
    rc = exec(c.src, "BEGIN", err, "cannot read the shard");
    if (rc == STORE_BUSY)
        rc = rx_errf(err, RX_ESTORE, "shard '%s' is busy", src_path);
    if (!rc)
        rc = merge_prepare(dst, &c, err);
    if (!rc)
        rc = write_tx(dst, merge_body, &c, err);
    for (int k = 0; k < N_MSTMT; k++)
        sqlite3_finalize(c.m[k]);
    rx_store_close(c.src);
    if (!rc && stats->conflicts)
        rc = rx_errf(err, RX_ECONFLICT,
                     "%d run%s of shard '%s' differ%s from '%s' (first: '%s'); kept '%s''s",
                     stats->conflicts, stats->conflicts == 1 ? "" : "s", src_path,
                     stats->conflicts == 1 ? "s" : "", dst->path, stats->conflict_keys[0],
                     dst->path);
    return rc;
}
