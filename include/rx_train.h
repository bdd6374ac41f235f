/*
 * rx_train.h: the built-in CPU trainer.  It trains one run described by an
 * rx_config on an already-loaded rx_data and hands metrics to callbacks;
 * it knows nothing about storage, YAML or SQL.
 *
 * Ownership: rx_train allocates the model, the optimizer and the batch
 * buffers once, at the start, and frees them all before returning.
 */
#ifndef RX_TRAIN_H
#define RX_TRAIN_H

#include <signal.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_data.h"

typedef struct rx_epoch_metrics {
    int epoch;             /* 1-based */
    long step;             /* steps done so far */
    long samples;          /* samples seen so far */
    double train_loss, train_acc;  /* running mean over the epoch's batches */
    double val_loss, val_acc;
    double test_loss, test_acc;    /* NaN when not evaluated */
    double lr, momentum;   /* in force at the epoch's last step */
    double grad_norm;      /* mean global gradient norm over the epoch */
    double wall;           /* seconds since the run started */
} rx_epoch_metrics;

typedef struct rx_step_metrics {
    long step;             /* 1-based */
    double loss, lr, momentum, grad_norm;
} rx_step_metrics;

/* Where a run is, for a progress display in another process (the
 * runner puts it in shared memory): written by the trainer, read by
 * anyone, never locked (a torn read only shows a stale number). */
typedef struct rx_train_progress {
    volatile long step;    /* steps done */
    volatile long total;   /* steps of the whole run */
} rx_train_progress;

/* One piece of a run's state between two steps, for checkpoints: size
 * bytes at p, which the trainer owns.  A state is saved by copying every
 * region out and restored by copying the same regions back in. */
typedef struct rx_train_region {
    const char *name;      /* stable across versions of one trainer */
    void *p;
    size_t size;
} rx_train_region;

typedef struct rx_train_hooks {
    /* Both optional; a nonzero return stops the run as interrupted. */
    int (*on_epoch)(void *ud, const rx_epoch_metrics *m);
    int (*on_step)(void *ud, const rx_step_metrics *m);
    void *ud;
    volatile sig_atomic_t *stop;   /* optional; checked after every step
                                      but the last: a run whose steps are
                                      all trained ends done */
    rx_train_progress *progress;   /* optional; updated every step */
    /* Checkpoints, optional.  on_resume is called once, before the first
     * step, with every region of the run's state: it either restores all
     * of them from a state that on_save was given for the same
     * configuration and returns 1 (the run goes on from there, bit for
     * bit), or touches none and returns 0 (the run starts at step 0).
     * on_save is called between two steps with the same regions (valid
     * during the call only): at the end of an epoch when save_every
     * seconds have passed since the run (or its resume, or the last save)
     * started, and when a stop is seen before the last step.  It never
     * stops the run.  save_every <= 0: on_save is never called. */
    int (*on_resume)(void *ud, rx_train_region *r, int n);
    void (*on_save)(void *ud, const rx_train_region *r, int n, long step);
    double save_every;
    /* Optional: the run's progress for other processes, step steps done
     * of progress->total: called before the first step (step 0, or where
     * a checkpoint resumed), and then whenever alive_every seconds have
     * passed since the last call (looked at every few steps), so a long
     * epoch shows its progress and stays alive.  It never stops the run. */
    void (*on_alive)(void *ud, long step);
    double alive_every;
} rx_train_hooks;

typedef enum rx_run_status {
    RX_RUN_DONE, RX_RUN_DIVERGED, RX_RUN_INTERRUPTED, RX_RUN_TIMEOUT,
    RX_RUN_FAILED
} rx_run_status;

typedef struct rx_train_result {
    rx_run_status status;
    long total_steps;       /* the budget in steps (the schedule's T) */
    long steps;             /* steps actually done */
    long steps_per_epoch;
    double epochs;          /* budget in epochs, exactly as run */
    long samples;
    double flops;           /* estimated */
    double wall;
    long diverged_step;     /* 1-based step whose loss was NaN/Inf, or 0 */
    rx_epoch_metrics final; /* the last epoch's metrics */
    double best_val_acc, best_val_loss, best_test_acc;
    double final_lr;        /* the lr of the last step taken; NaN before one */
    int n_epochs_done;
    long n_params;
    char model_desc[128];
} rx_train_result;

/* The metrics of one run as the trainer reports them, in arrays that
 * grow by doubling (allocated per run, never per step).  Zero-initialise;
 * rx_train_log_free frees what they hold. */
typedef struct rx_train_log {
    rx_epoch_metrics *ep;
    int n_ep, cap_ep;
    rx_step_metrics *st;
    int n_st, cap_st;
} rx_train_log;

/* Hooks that append to the rx_train_log *log: on_epoch and on_step as
 * they are, or called from the caller's own.  Nonzero when out of
 * memory (which stops the run). */
int rx_train_log_epoch(void *log, const rx_epoch_metrics *m);
int rx_train_log_step(void *log, const rx_step_metrics *m);
void rx_train_log_free(rx_train_log *log);

/* Trains one run.  Returns RX_OK when the run ended (done, diverged,
 * interrupted or timed out: see res->status), or an error status with a
 * message when it could not start (bad configuration, out of memory). */
int rx_train(const rx_config *c, const rx_data *data,
             const rx_train_hooks *hooks, rx_train_result *res, rx_err *err);

/* Records the end of an epoch in res: its final metrics, the epochs
 * done, and the best validation accuracy and loss and test accuracy
 * (NaN until a finite value arrives).  Any trainer's way to keep them. */
void rx_train_result_epoch(rx_train_result *res, const rx_epoch_metrics *m);

/* Steps of a budgeted run: ceil(budget * full_epochs * steps_per_epoch),
 * at least 1. */
long rx_budget_steps(double budget, double full_epochs, long steps_per_epoch);

const char *rx_run_status_name(rx_run_status s);

#endif
