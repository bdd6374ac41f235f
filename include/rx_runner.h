/*
 * rx_runner.h: runs the jobs of a sweep into a results store with N
 * worker processes (one BLAS thread each: two single-threaded runs side by
 * side beat one run with two threads).  Every run executes exactly once:
 * workers claim runs through the store's transactions, so several
 * `rexsweep run` processes may share one store.  The runner alone writes
 * to the store; it prints nothing and reports through a callback.
 */
#ifndef RX_RUNNER_H
#define RX_RUNNER_H

#include <signal.h>
#include "rx_common.h"
#include "rx_grid.h"
#include "rx_job.h"
#include "rx_provenance.h"
#include "rx_train.h"

/* A run started or finished, or a note about it (status "warning" or
 * "note", the text in error): a checkpoint ignored or not written, a run
 * that resumes from its checkpoint. */
typedef enum rx_event_kind {
    RX_EV_START, RX_EV_FINISH, RX_EV_NOTE,
    RX_EV_SKIP                 /* internal: a queued run not claimed (done or
                                  held elsewhere); never passed on */
} rx_event_kind;

/* What a worker reports to the parent (through a pipe; fixed size). */
typedef struct rx_run_event {
    rx_event_kind kind;
    int worker;                /* 0-based worker slot */
    int index;                 /* job index in the grid */
    char key[RX_KEY_LEN + 1];
    char status[16];           /* store status: done, failed, diverged, interrupted */
    double wall;               /* seconds of this run */
    long steps, total_steps;   /* steps trained, of the run's budget */
    long resumed_at;           /* the step it resumed from a checkpoint at,
                                  or 0 */
    double train_loss, val_acc, test_acc, test_loss;
    int item;                  /* its place in this invocation's queue */
    int64_t pos;               /* the run's rx_run_ref.pos and cost */
    double cost;
    char lr[32];               /* an extension run's lr (rx_extend.h), "" for
                                  a run of the grid */
    char error[1024];
} rx_run_event;

/* What a worker slot is doing now: in memory shared with the worker,
 * which updates it every step, so a display can show the runs' progress
 * between events. */
typedef struct rx_worker_progress {
    volatile int index;         /* grid index of the run in flight, -1 none */
    volatile double started;    /* rx_now() when that run started */
    rx_train_progress train;    /* its steps done / steps (0 / 0 until the
                                   trainer starts) */
} rx_worker_progress;

typedef struct rx_run_counts {
    int total;                 /* jobs in this invocation (after sharding),
                                  extension runs included as they come */
    int extension;             /* of them extension runs of the adaptive lr
                                  grid (rx_extend.h) */
    int already_done;          /* done before this invocation started */
    int done, failed, diverged, interrupted;
    int skipped;               /* failed runs left alone (no --retry-failed),
                                  and runs not started because of
                                  --max-runs or --fail-fast */
    int running;               /* runs in flight in our workers */
    double elapsed;
    double todo_cost;          /* rx_job.cost summed over the runs this
                                  invocation found runnable (for an ETA) */
    int stopping;              /* 0; 1 after a first stop (runs finish
                                  their step and are interrupted); 2 after
                                  a second (workers are ended at once) */
    const rx_worker_progress *slots;  /* n_slots worker slots, during the
                                         run only (NULL in the summary) */
    int n_slots;
    /* The state of this invocation's runs in the store at the end;
     * end_running: held by live workers of other processes. */
    int end_done, end_failed, end_diverged, end_interrupted, end_running, end_pending;
} rx_run_counts;

typedef struct rx_trainer_spec rx_trainer_spec;

/* Seconds without a heartbeat after which `run` takes a running run of
 * another host for dead (and `status` calls it stale). */
#define RX_RUNNER_STALE_AFTER 600
/* How often a worker records its run's progress and heartbeat while it
 * trains, besides every epoch's end (seconds). */
#define RX_RUNNER_BEAT_EVERY 10.0

typedef struct rx_runner_opts {
    const char *db_path;
    const rx_trainer_spec *trainer;  /* the spec's trainer; NULL: built-in */
    const char *sweep_name;
    const char *spec_text;     /* stored with the sweep */
    const char *spec_hash;
    int workers;               /* -j; >= 1 */
    int retry_failed;
    int fail_fast;             /* stop at the first failed or diverged run */
    int max_runs;              /* 0 = no limit */
    double timeout;            /* per-run seconds; 0 = none */
    double stale_after;        /* seconds without heartbeat => stale */
    double checkpoint_every;   /* seconds between a run's checkpoints (and
                                  one when it is stopped); 0: none; < 0:
                                  each run's train.checkpoint_every.  See
                                  rx_ckpt.h for where they are kept. */
    void (*on_event)(void *ud, const rx_run_event *ev, const rx_run_counts *c);
    void *ud;
    volatile sig_atomic_t *stop;  /* raised by the caller's signal handler:
                                     the number of stop signals so far */
    const rx_provenance *provenance; /* recorded with the sweep and each
                                        run (may be NULL) */
    const rx_tune_ref *tune;   /* parallel to the runs (rx_grid_plan_tune), or
                                  NULL: no lr axis extends */
} rx_runner_opts;

/* Registers runs[0..n) of grid g with the store (new runs become pending;
 * each run's configuration is materialised from g to register it, and
 * again when a worker starts it, never all at once), then
 * trains every pending run (and interrupted or stale ones; failed ones
 * with retry_failed) with opts->workers processes.  Only runs of
 * runs[0..n) are ever claimed, in the order of the array (grid order),
 * whatever else the sweep or the store holds: other invocations (shards,
 * other --set values) may share the store.  A run held by a live worker
 * of another process is left to it and counted in end_running.  Returns RX_OK when the
 * sweep ran to its end (runs may still have failed: see *counts), RX_EINTR
 * when *opts->stop was raised, or an error (store, I/O) with a message.
 *
 * The adaptive lr grid (opts->tune): when the runs of a tuning cell have
 * all finished, or at the start for a cell with nothing left to run, the
 * cell is resolved against the store (rx_ext_resolve) and the runs of its
 * next lr, if any, are registered and queued like the others, until the
 * cell's lr is interior, bounded by divergence or at its limit.  Only the
 * cells of runs[0..n) are extended, from their own runs' results.
 *
 * Stopping: at *opts->stop >= 1 nothing more is claimed and each worker
 * ends its run after the step in progress, recording it interrupted (a
 * run whose last step is trained is recorded done).  At >= 2 the workers
 * skip everything but that record, and any still alive 2 seconds later
 * are killed, their runs marked interrupted by the parent. */
int rx_runner_run(const rx_grid *g, const rx_run_ref *runs, int n,
                  const rx_runner_opts *opts, rx_run_counts *counts, rx_err *err);

#endif
