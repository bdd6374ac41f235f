/*
 * rx_cost.h: what a run costs before it runs, the weight that the shards
 * (rx_grid_shard), `plan`'s totals, `run`'s ETA and `status`'s ETA give it.
 *
 * The built-in trainer's run costs its work: steps x FLOPs per step, in
 * GFLOP (10^9 floating-point operations), where the steps are those
 * rx_train takes (the budget's T plus an uncounted warm-up) and a step's
 * FLOPs are its batch's forward and backward (rx_model_flops per sample;
 * an epoch's last batch may be short): the estimate rx_train records as
 * the run's flops, bit for bit, so a CNN epoch weighs what it costs
 * against an MLP's.  The
 * shape of the data comes from rx_data_shape_of, once per distinct data
 * configuration.  A run whose data cannot be read costs 0 (it fails at
 * once when it runs); running out of memory while looking is an error.  A command trainer's model is its own: its run
 * costs its samples (steps x batch size) in units of 10^9, the steps
 * from the trainer's steps per epoch.
 *
 * Ownership: an rx_cost_memo is the caller's (rx_cost_memo_free); it
 * borrows the trainer spec, which must outlive it.
 */
#ifndef RX_COST_H
#define RX_COST_H

#include "rx_config.h"
#include "rx_trainer.h"

typedef struct rx_cost_memo rx_cost_memo;

/* What one run costs. */
typedef struct rx_cost {
    double cost;       /* GFLOP (command trainer: 10^9 samples); 0 unknown */
    long steps;        /* steps it takes; 0 unknown */
    double epochs;     /* budget x full_epochs */
} rx_cost;

/* A memo for the runs of one grid trained by trainer (NULL or a built-in
 * spec: the built-in trainer).  NULL when out of memory. */
rx_cost_memo *rx_cost_memo_new(const rx_trainer_spec *trainer);
/* Frees m; NULL is a no-op. */
void rx_cost_memo_free(rx_cost_memo *m);

/* The cost of the run c into *out: what cannot be known is 0 (see
 * above).  Memoised by data configuration and model, so the runs of a
 * grid cost a lookup each.  RX_OK, or RX_ENOMEM (nothing memoised). */
int rx_cost_of(rx_cost_memo *m, const rx_config *c, rx_cost *out, rx_err *err);

/* "123 GFLOP", "4.56 PFLOP" (or "samples" for a command trainer: "1.2e9
 * samples") into buf: a cost as `plan` prints it. */
void rx_cost_format(double cost, const rx_trainer_spec *trainer, char *buf, size_t size);

#endif
