/*
 * rx_store.h: the SQLite results store.  Its schema is a public interface,
 * documented table by table in rexsweep-results(5); src/store.c is the only
 * file that includes <sqlite3.h>, so every other module reads and writes
 * the store through this API.
 *
 * Ownership: an rx_store owns its connection and its prepared statements;
 * rx_store_close frees them.  Pointers the store hands out (rx_store_path,
 * the names and text values given to a row callback) point into the store
 * and are valid for as long as the function documents, never longer.
 *
 * Processes: a handle belongs to the process that opened it.  After fork()
 * a child opens its own handle (SQLite connections must not cross fork).
 * Nothing here is async-signal-safe: a signal handler sets a flag, and
 * the runner records interrupted runs (rx_store_finish, rx_store_mark,
 * rx_store_release_worker) from its main flow.
 *
 * Concurrency: any number of processes may share one store file on a
 * local filesystem (never over NFS).  Every write is one short BEGIN
 * IMMEDIATE transaction; SQLITE_BUSY is retried with a backoff for up to
 * RX_STORE_BUSY_SECONDS, so callers never see "database is locked" under
 * ordinary contention.
 */
#ifndef RX_STORE_H
#define RX_STORE_H

#include <stdint.h>
#include "rx_common.h"
#include "rx_job.h"
#include "rx_provenance.h"
#include "rx_train.h"

/* The schema version this build writes (PRAGMA user_version). */
#define RX_STORE_SCHEMA_VERSION 7
/* PRAGMA application_id of a rexsweep store: "RXsw". */
#define RX_STORE_APP_ID 0x52587377
/* Bytes left free on the store's filesystem: a run's results and new jobs
 * are refused below it, so that runs in flight can still be released. */
#define RX_STORE_RESERVE (256 * 1024)
/* How long a write waits for other writers before it gives up. */
#define RX_STORE_BUSY_SECONDS 600

typedef struct rx_store rx_store;

/* The state of a run in the store (runs.status). */
typedef enum rx_run_state {
    RX_STATE_PENDING,      /* added, never claimed */
    RX_STATE_RUNNING,      /* claimed by a worker (runs.worker_host/pid) */
    RX_STATE_DONE,
    RX_STATE_FAILED,       /* error text in runs.error; retried on request */
    RX_STATE_DIVERGED,     /* loss became NaN or Inf; a result, not retried */
    RX_STATE_INTERRUPTED,  /* stopped by a signal; claimed again first */
    RX_STATE_COUNT
} rx_run_state;

/* "pending", "running", ...; "?" for a value out of range. */
const char *rx_run_state_name(rx_run_state s);
/* The state named s, or -1. */
int rx_run_state_parse(const char *s);
/* The state that records a trainer outcome: a timeout is a failure. */
rx_run_state rx_run_state_of(rx_run_status s);

/* ---- opening ------------------------------------------------------- */

enum {
    RX_STORE_READONLY = 1 << 0, /* never writes; an older store is read
                                   through a migrated in-memory copy */
    RX_STORE_CREATE = 1 << 1    /* create the file when it is missing */
};

/*
 * Opens the store at path into *out.  A read-write open creates the
 * schema in a new file (with RX_STORE_CREATE) and migrates an older store
 * forward in one transaction; a store written by a newer rexsweep is
 * refused with RX_ESTORE and a message saying so, as is a database that
 * is not a rexsweep store.  The parent directory must exist.
 *
 * On success the caller owns *out and frees it with rx_store_close; on
 * failure *out is NULL and err says why (RX_EIO when the file cannot be
 * opened, RX_ESTORE otherwise).
 */
int rx_store_open(const char *path,   /* the store file */
                  unsigned flags,     /* RX_STORE_READONLY, RX_STORE_CREATE */
                  rx_store **out,     /* OUT: the new handle */
                  rx_err *err);

/*
 * Checks, without opening it, that path can name a store for an open with
 * flags: RX_EINVAL for a name SQLite would not treat as a file ("" and
 * ":memory:" give private temporary databases) or a directory; RX_EIO
 * when its directory is missing (or, without RX_STORE_CREATE, the file
 * is).  rx_store_open runs it first; commands call it to refuse a bad
 * --db before doing any work.
 */
int rx_store_check_path(const char *path, unsigned flags, rx_err *err);

/* Closes st and frees everything it owns.  NULL is a no-op. */
void rx_store_close(rx_store *st);

/* The path st was opened with; owned by st. */
const char *rx_store_path(const rx_store *st);

/* The schema version of the file as found at open, before any migration
 * (0 for a file that open created). */
int rx_store_found_version(const rx_store *st);

/*
 * For tests of migrations: creates a new store at path with the schema of
 * an older version (1 .. RX_STORE_SCHEMA_VERSION), as that version of
 * rexsweep would have.  Fails when path already exists.
 */
int rx_store_create_at(const char *path, int version, rx_err *err);

/* ---- provenance ---------------------------------------------------- */

/*
 * Makes *p (copied) the provenance of what this handle records from now
 * on: new sweeps (with their git commit and dirty flag) and every run it
 * finishes.  A read-write handle records the row now (once per distinct
 * content).
 */
int rx_store_set_provenance(rx_store *st, const rx_provenance *p, rx_err *err);

/* The provenance run key was recorded with, into *out.  RX_ENOTFOUND
 * (no message) when it has none: recorded before schema version 3, or
 * never finished. */
int rx_store_run_provenance(rx_store *st, const char *key, rx_provenance *out,
                            rx_err *err);

/* Called once per distinct provenance of the finished runs, most runs
 * first, with how many runs it has; p is NULL for the runs recorded
 * without one.  A nonzero return stops the listing and is returned. */
typedef int (*rx_prov_fn)(void *ud, const rx_provenance *p, int n_runs);
/* Lists the provenances of done and diverged runs (of the sweeps named
 * sweep, or all when it is NULL). */
int rx_store_provenances(rx_store *st, const char *sweep, rx_prov_fn fn, void *ud,
                         rx_err *err);

/* ---- sweeps and runs ----------------------------------------------- */

/* What identifies a sweep: one row of the sweeps table per (name,
 * spec_hash).  All strings are copied; git_commit may be NULL. */
typedef struct rx_sweep_info {
    const char *name;
    const char *spec;        /* the spec file's text */
    const char *spec_hash;   /* hash of the canonical spec */
    const char *git_commit;  /* commit of the spec's repository, or NULL */
} rx_sweep_info;

/*
 * Finds the sweep with info->name and info->spec_hash, or records a new
 * one (created now, this rexsweep's version, this host).  Sets *sweep_id.
 */
int rx_store_begin_sweep(rx_store *st, const rx_sweep_info *info,
                         int64_t *sweep_id, rx_err *err);

/* The most recent sweep named name (the largest id).  Returns
 * RX_ENOTFOUND, with a message, when there is none. */
int rx_store_find_sweep(rx_store *st, const char *name, int64_t *sweep_id,
                        rx_err *err);

/* The spec text of the most recent sweep named name (as rx_sweep_info's
 * spec recorded it) into *spec, malloc'd (the caller frees it).
 * RX_ENOTFOUND, with a message, when there is none; RX_ENOMEM. */
int rx_store_sweep_spec(rx_store *st, const char *name, char **spec, rx_err *err);

/*
 * Adds jobs[0..n) to the store in one transaction: a run row (status
 * pending) for every key not yet present, and a link to sweep_id with the
 * job's grid index.  Existing runs are left as they are, whatever their
 * status, so adding is idempotent.  *n_new (may be NULL) receives the
 * number of runs that were new.  A key already stored with a different
 * canonical configuration is a hash collision: RX_ECONFLICT, nothing
 * added.  The jobs are not retained.
 */
int rx_store_add_jobs(rx_store *st, int64_t sweep_id, const rx_job *jobs,
                      int n, int *n_new, rx_err *err);

/*
 * Which of runs[0..n) (built-in trainer keys: the hash of the stored
 * configuration) an earlier `run` of the same sweep registered: ok[i] = 1
 * when the run is linked to sweep_id at its grid index, its stored
 * configuration still hashes to its key and its stored cost is
 * runs[i].cost (else rx_store_add_jobs records it).  A sweep is its spec text and
 * --set overrides (rx_store_begin_sweep), whose grid gives the same
 * configuration at the same index, and that configuration was checked
 * against the stored one when the link was made: registering the run
 * again would insert nothing and compare equal texts.  Any other run,
 * including one whose stored configuration was damaged, gets ok[i] = 0 and
 * the full rx_store_add_jobs.  One read transaction, one indexed lookup
 * per run.
 */
int rx_store_registered(rx_store *st, int64_t sweep_id, const rx_run_ref *runs, int n,
                        unsigned char *ok, rx_err *err);

/* How many runs are in each state. */
typedef struct rx_store_counts {
    int pending, running, done, failed, diverged, interrupted;
    int new_runs;   /* rx_store_count_jobs only: keys not in the store */
    int total;      /* the sum of all the above */
} rx_store_counts;

/* Counts the runs linked to a sweep, by state. */
int rx_store_count_sweep(rx_store *st, int64_t sweep_id, rx_store_counts *c,
                         rx_err *err);
/* Counts jobs[0..n) by their state in the store; keys not stored count as
 * new.  Reads only, so `plan` can use it on a read-only handle. */
int rx_store_count_jobs(rx_store *st, const rx_job *jobs, int n,
                        rx_store_counts *c, rx_err *err);
/* The same for the n keys at key0, key0 + stride, ... (the key field of
 * an array of rx_job or rx_run_ref: &a[0].key, sizeof a[0]), and the
 * state of each into states[0..n) (may be NULL): an rx_run_state, or -1
 * for a key not stored.  One read transaction, one indexed lookup per
 * key. */
int rx_store_key_states(rx_store *st, const char *key0, size_t stride, int n,
                        signed char *states, rx_store_counts *c, rx_err *err);

/* Counts every run of the store by state (new_runs stays 0): one
 * grouped scan of runs. */
int rx_store_count_runs(rx_store *st, rx_store_counts *c, rx_err *err);

/* ---- claiming and recording ---------------------------------------- */

enum {
    RX_CLAIM_RETRY_FAILED = 1 << 0  /* failed runs are claimable too */
};

/*
 * Atomically claims the next run of sweep_id to execute, in grid order
 * (sweep_runs.grid_index), among:
 *   - pending and interrupted runs;
 *   - failed runs, with RX_CLAIM_RETRY_FAILED;
 *   - stale running runs: their worker is on this host and its pid is no
 *     longer alive, or their heartbeat is older than stale_after seconds
 *     (stale_after <= 0 disables the heartbeat test).
 * The run becomes running under (host, pid) with attempts + 1, a fresh
 * heartbeat and start time; the metrics of any previous attempt and its
 * results are deleted in the same transaction.  Writes the run key to key
 * and its grid index to *index (may be NULL).  st remembers (host, pid):
 * heartbeat and finish apply only to runs still held by it.
 * Returns RX_ENOTFOUND (with no message) when nothing is claimable.
 */
int rx_store_claim(rx_store *st,
                   int64_t sweep_id,
                   unsigned flags,           /* RX_CLAIM_* */
                   double stale_after,       /* seconds; <= 0: pid test only */
                   const char *host,         /* this worker's host name */
                   long pid,                 /* this worker's pid */
                   char key[RX_KEY_LEN + 1], /* OUT: the claimed run */
                   int *index,               /* OUT: its grid index, or NULL */
                   rx_err *err);

/*
 * Claims run key if it is claimable (the states rx_store_claim lists), one
 * indexed lookup in one short transaction: for a runner that walks its own
 * job list, so that it never takes a run of another invocation (another
 * shard, other --set values) sharing the store.  On RX_OK the run is
 * running under (host, pid) as with rx_store_claim.  RX_ENOTFOUND (no
 * message) when it is not claimable; *state (may be NULL) then receives
 * the state found (RX_STATE_RUNNING: held by a live worker elsewhere), or
 * -1 when the key is not stored.
 */
int rx_store_claim_key(rx_store *st,
                       const char *key,
                       unsigned flags,          /* RX_CLAIM_* */
                       double stale_after,      /* as rx_store_claim */
                       const char *host,
                       long pid,
                       int *state,              /* OUT: state, or NULL */
                       rx_err *err);

/* Refreshes the heartbeat of a run this handle holds.  RX_ECONFLICT when
 * the run is no longer held by it (another worker reclaimed it). */
int rx_store_heartbeat(rx_store *st, const char *key, rx_err *err);

/* The same, and records how far the run has come: runs.steps_done of
 * runs.steps (its budget in steps), for `rexsweep status`; the finish
 * overwrites both. */
int rx_store_progress(rx_store *st, const char *key, long steps_done, long steps,
                      rx_err *err);

/*
 * Records the outcome of a run this handle holds, in ONE transaction: the
 * final status (done, diverged, failed or interrupted), the run's result
 * and final and best metrics from *res (may be NULL when the run never
 * started), its per-epoch metrics ep[0..n_ep) and step metrics
 * st_m[0..n_st), and the error text (may be NULL).  A crash before the
 * commit leaves the run running (then stale), never half recorded.
 * Non-finite values are stored as the text 'NaN', 'Infinity' and
 * '-Infinity'.  RX_ECONFLICT, with nothing written, when the run is no
 * longer held by this handle.  RX_ESTORE, with nothing written, when the
 * write would leave less than RX_STORE_RESERVE free on the disk.
 */
int rx_store_finish(rx_store *st,
                    const char *key,
                    rx_run_state state,
                    const rx_train_result *res,
                    const rx_epoch_metrics *ep, int n_ep,
                    const rx_step_metrics *st_m, int n_st,
                    const char *error,
                    rx_err *err);

/* What a trainer adds to a run beyond rx_train_result (rx_trainer.h). */
typedef struct rx_run_extra rx_run_extra;

/* rx_store_finish, in the same one transaction also recording x (may be
 * NULL: the built-in trainer): runs.trainer, runs.output and the named
 * metrics of run_metrics (a name reported twice at one point keeps its
 * last value). */
int rx_store_finish_ex(rx_store *st,
                       const char *key,
                       rx_run_state state,
                       const rx_train_result *res,
                       const rx_epoch_metrics *ep, int n_ep,
                       const rx_step_metrics *st_m, int n_st,
                       const char *error,
                       const rx_run_extra *x,
                       rx_err *err);

/* One run to record in an rx_store_batch: the arguments of
 * rx_store_finish_ex, the start time, and the outcome. */
typedef struct rx_store_record {
    const char *key;
    rx_run_state state;
    const rx_train_result *res;          /* may be NULL */
    const rx_epoch_metrics *ep;
    int n_ep;
    const rx_step_metrics *st_m;
    int n_st;
    const char *error;                   /* may be NULL */
    const rx_run_extra *x;               /* may be NULL */
    double started;                      /* unix time training began; 0:
                                            keep the claim's */
    int status;                          /* OUT: RX_OK, or RX_ECONFLICT
                                            (no longer held: not written) */
} rx_store_record;

/* One run to try to claim in an rx_store_batch. */
typedef struct rx_store_claim_try {
    const char *key;
    int claimed;                         /* OUT: 1 when claimed */
    int state;                           /* OUT: as rx_store_claim_key's */
} rx_store_claim_try;

/* What one worker writes in one transaction (rx_store_commit_batch). */
typedef struct rx_store_batch {
    rx_store_record *rec;                /* runs this handle holds, to record */
    int n_rec;
    const char *const *unclaim;          /* runs this handle holds and never
                                            started, to give back */
    int n_unclaim;
    rx_store_claim_try *claim;           /* runs to claim, in this order */
    int n_claim;
    unsigned flags;                      /* RX_CLAIM_*, for the claims */
    double stale_after;                  /* as rx_store_claim */
    const char *host;                    /* this worker */
    long pid;
    const char *beat_key;                /* a run to refresh (its progress
                                            when steps_done >= 0), or NULL */
    long steps_done, steps;
} rx_store_batch;

/*
 * Writes a worker's batch in ONE transaction, in this order: records
 * rec[] (each as rx_store_finish_ex; its start time too, when given),
 * gives back unclaim[] (pending again, attempts as before the claim),
 * refreshes beat_key, claims claim[] (each as rx_store_claim_key).  So a
 * worker of short runs pays one transaction for many runs, and a worker
 * of long ones one per run (recording it and claiming the next), where a
 * claim and a record used to take one each.  A record of a run no longer
 * held (RX_ECONFLICT in its status) and a refresh of one are skipped,
 * with nothing written for them; any other failure rolls the whole batch
 * back and is returned (RX_ESTORE, also when the disk is nearly full).
 * The caller owns every array; nothing is kept.
 */
int rx_store_commit_batch(rx_store *st, rx_store_batch *b, rx_err *err);

/* Sets a running run's state (interrupted or failed) and error text (may
 * be NULL), whichever worker holds it: for a parent recording its
 * children.  RX_ENOTFOUND when the run is not running. */
int rx_store_mark(rx_store *st, const char *key, rx_run_state state,
                  const char *error, rx_err *err);

/* Sets every run held by worker (host, pid) to state (typically
 * interrupted, when that worker died or was stopped).  *n (may be NULL)
 * receives the number of runs changed. */
int rx_store_release_worker(rx_store *st, const char *host, long pid,
                            rx_run_state state, int *n, rx_err *err);

/* ---- reading: the generic interface (results.c, verify.c, tests) ---- */

typedef enum rx_vtype { RX_VNULL, RX_VINT, RX_VREAL, RX_VTEXT } rx_vtype;

/* One SQL value.  s points to NUL-terminated text (RX_VTEXT) owned by the
 * store, valid only during the callback that received it. */
typedef struct rx_value {
    rx_vtype type;
    int64_t i;
    double r;
    const char *s;
} rx_value;

static inline rx_value rx_vnull(void) { rx_value v = {RX_VNULL, 0, 0, 0}; return v; }
static inline rx_value rx_vint(int64_t i) { rx_value v = {RX_VINT, i, 0, 0}; return v; }
static inline rx_value rx_vreal(double r) { rx_value v = {RX_VREAL, 0, r, 0}; return v; }
static inline rx_value rx_vtext(const char *s) { rx_value v = {RX_VTEXT, 0, 0, s}; return v; }

/* The number a metric value stands for: REAL and INTEGER as they are,
 * the text 'NaN', 'Infinity' and '-Infinity' as the non-finite doubles.
 * Returns 1 and sets *out for a number, else 0 (NULL, other text). */
int rx_value_number(const rx_value *v, double *out);

/* Called once per result row; names and values have ncols entries, valid
 * during the call only.  A nonzero return stops the query. */
typedef int (*rx_row_fn)(void *ud, int ncols, const char *const *names,
                         const rx_value *values);

/*
 * Runs one read-only SQL statement (SELECT, WITH, a read-only PRAGMA)
 * with binds[0..nbinds) bound to ?1..?n, calling fn (may be NULL) for
 * every row.  A REAL bind that is not finite is bound as its text
 * encoding, like the stored metrics.  Statements that would write are
 * refused.  Returns RX_OK, RX_ESTORE with the SQLite message, or the
 * callback's nonzero value unchanged (err untouched).
 */
int rx_store_query(rx_store *st, const char *sql, const rx_value *binds,
                   int nbinds, rx_row_fn fn, void *ud, rx_err *err);

/* Runs a script of SQL statements in one write transaction (all or
 * nothing): for fixtures and tests that build a store by hand. */
int rx_store_exec(rx_store *st, const char *sql, rx_err *err);

/* ---- what the commands read ---------------------------------------- */

/* What `export` dumps, each from the public views (rexsweep-results(5)). */
typedef enum rx_export_what {
    RX_EXPORT_RUNS,     /* run_results (sweep_results for one sweep):
                           one row per run */
    RX_EXPORT_EPOCHS,   /* epoch_results: one row per epoch of every run */
    RX_EXPORT_NESTED    /* the two joined: a run's columns, then its
                           epoch's named RX_EXPORT_METRIC "NAME" (every
                           per-epoch metric of rx_metrics.h), one row per
                           epoch (one with NULL epoch columns for a run
                           without epochs), a run's rows together */
} rx_export_what;

/* The prefix of an epoch column's name in RX_EXPORT_NESTED rows. */
#define RX_EXPORT_METRIC "metric:"

/* With each row, the run's configuration (runs.config)? */
typedef enum rx_export_config {
    RX_CONFIG_NONE,
    RX_CONFIG_JSON,     /* one more column, RX_EXPORT_CONFIG: its canonical
                           JSON text (NULL if it is not valid JSON) */
    RX_CONFIG_FLAT      /* one more column per key the exported runs'
                           configurations have, RX_EXPORT_CONFIG "."
                           SECTION "." KEY (e.g. "config.data.dataset"),
                           in canonical order: the value (a list or an
                           object as JSON text; NULL where a run has no
                           such key) */
} rx_export_config;

#define RX_EXPORT_CONFIG "config"

/*
 * Calls fn for every row of what, of the runs of sweep_id (every run of
 * the store when sweep_id <= 0), in a stable order: by grid index within
 * a sweep, else by run key; epochs in order; with the configuration as
 * config asks.  One statement, a single pass over the store (and, for
 * RX_CONFIG_FLAT, one more pass first for the keys).  Returns as
 * rx_store_query does.
 */
int rx_store_export(rx_store *st,
                    int64_t sweep_id,      /* a sweep, or <= 0: every run */
                    rx_export_what what,
                    rx_export_config config,
                    rx_row_fn fn, void *ud,
                    rx_err *err);

/* The runs of one sweep by state, with what `status` estimates an ETA
 * from; name points into the store, valid during the callback only. */
typedef struct rx_sweep_progress {
    int64_t id;
    const char *name;
    long long runs, done, running, failed, diverged, interrupted, pending;
    long long live;        /* running and not stale */
    double cost_trained;   /* runs.cost (rx_cost.h) of the done runs, and the
                              share trained of the runs in flight; budget x
                              full_epochs when a run of the sweep has no
                              cost (added before schema version 7) */
    double seconds;        /* worker-seconds: done runs' wall time, and the
                              time since the runs in flight were claimed */
    double cost_left;      /* the same cost still to train */
} rx_sweep_progress;

/* A run in flight (status running); strings point into the store, valid
 * during the callback only, and may be NULL. */
typedef struct rx_flight_run {
    const char *key;
    const char *host;        /* its worker's host, and pid */
    long long pid;
    double steps_done;       /* progress its worker recorded; NAN when none */
    double steps;
    double heartbeat_age;    /* seconds since its last heartbeat */
    double running_for;      /* seconds since it was claimed */
    const char *schedule, *optimizer;
    double lr, budget;
    long long seed;
    int worker_gone;         /* its worker was on this host and is gone */
    const char *sweeps;      /* its sweeps' names, comma-separated */
} rx_flight_run;

/* What `status` asks: a run in flight is stale when its worker was on this
 * host (the store's) and is gone, or its heartbeat is older than
 * stale_after: the test rx_store_claim applies, so status tells what
 * `run` will do. */
typedef struct rx_status_query {
    const char *sweep;       /* only the sweeps of this name; NULL: all */
    double now;              /* seconds since the epoch */
    double stale_after;      /* seconds (the runner's) */
} rx_status_query;

/* Called once per sweep, in id order.  Nonzero stops and is returned. */
typedef int (*rx_sweep_progress_fn)(void *ud, const rx_sweep_progress *p);
/* Called once per run in flight, oldest claim first.  Nonzero stops. */
typedef int (*rx_flight_fn)(void *ud, const rx_flight_run *r);

/* The sweeps of q->sweep by state: one grouped pass over their runs. */
int rx_store_sweep_progress(rx_store *st, const rx_status_query *q,
                            rx_sweep_progress_fn fn, void *ud, rx_err *err);
/* The runs in flight of q->sweep that are live (stale 0) or stale
 * (stale 1): one pass over the running runs (the status index), with an
 * indexed lookup of each one's sweeps. */
int rx_store_runs_in_flight(rx_store *st, const rx_status_query *q, int stale,
                            rx_flight_fn fn, void *ud, rx_err *err);

/* ---- merging shard stores ------------------------------------------ */

#define RX_MERGE_MAX_KEYS 16

typedef struct rx_merge_stats {
    int src_version;     /* the shard's schema version before migration */
    int sweeps_added;    /* sweeps (name, spec_hash) new to dst */
    int runs_added;      /* run keys new to dst */
    int runs_replaced;   /* dst runs superseded by a better shard run */
    int runs_same;       /* the same result on both sides */
    int runs_kept;       /* dst already had an equal or better state */
    int conflicts;       /* two different results for one key */
    int n_conflict_keys; /* the first RX_MERGE_MAX_KEYS of them */
    char conflict_keys[RX_MERGE_MAX_KEYS][RX_KEY_LEN + 1];
} rx_merge_stats;

/*
 * Merges the store at src_path into dst in ONE transaction, keyed by run
 * key (rexsweep-merge(1)): sweeps by (name, spec_hash) and their links,
 * runs and their metrics.  A state ranks done = diverged > failed >
 * interrupted = running > pending; a shard run replaces dst's only when
 * it ranks higher; a shard's running run arrives as interrupted.  Two
 * finished runs of one key whose results differ are a conflict: dst keeps
 * its own, the key is listed in *stats and the call returns RX_ECONFLICT
 * after committing everything else.  Merging the same shard twice changes
 * nothing.  A shard of an older schema version is migrated in memory
 * first (the file is not written); a newer one is refused.
 */
int rx_store_merge(rx_store *dst, const char *src_path,
                   rx_merge_stats *stats, rx_err *err);

#endif
