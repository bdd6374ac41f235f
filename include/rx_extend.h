/*
 * rx_extend.h: the adaptive lr grid against a results store: a plan's
 * tuning cells (the runs that differ only by lr and seed) and how far each
 * has extended, from the results stored (rexsweep.yaml(5), ADAPTIVE LR
 * GRID; the rules are rx_lrgrid.h's).
 *
 * Resolving a cell walks its extension from the spec's lrs, one decision
 * at a time, as far as the stored results go: a pure function of the
 * store, so an interrupted sweep, a rerun, `plan` and another process on
 * the same store all find the same extension runs.  An extension run is
 * an ordinary run: the configuration of one of the cell's runs (one per
 * seed) at the new lr, with its own run key.  The runs of the spec keep
 * theirs.
 *
 * Cost: building the cells sorts the plan once; resolving a cell is one
 * indexed query per lr of the cell, so a sweep resolves a cell when its
 * runs finish, never by scanning the store.
 *
 * Ownership: rx_ext_cells_build fills a set freed with rx_ext_cells_free;
 * rx_ext_resolve fills a state freed with rx_ext_state_free.
 */
#ifndef RX_EXTEND_H
#define RX_EXTEND_H

#include "rx_common.h"
#include "rx_grid.h"
#include "rx_lrgrid.h"
#include "rx_store.h"

typedef struct rx_trainer_spec rx_trainer_spec;

typedef struct rx_ext_cell {
    uint64_t group;           /* rx_tune_ref.group */
    int first, n;             /* its runs: member[first .. first + n), by lr
                                 then grid order */
    int n_lrs;                /* the spec's lrs in the cell */
    int n_seeds;              /* runs per extension lr (the most runs any
                                 of the spec's lrs has) */
    int extend, metric;       /* of its axis */
} rx_ext_cell;

typedef struct rx_ext_cells {
    rx_ext_cell *cell;
    int n;
    int *member;              /* indices into the plan's runs */
    int *cell_of;             /* per run of the plan: its cell, or -1 */
} rx_ext_cells;

/* The tuning cells of runs[0..n) (tune parallel to it; runs whose tune
 * group is 0 belong to none).  An empty set when tune is NULL. */
int rx_ext_cells_build(const rx_run_ref *runs, const rx_tune_ref *tune, int n,
                       rx_ext_cells *out, rx_err *err);
void rx_ext_cells_free(rx_ext_cells *c);

/* What resolving needs besides the store. */
typedef struct rx_ext_ctx {
    const rx_grid *g;
    const rx_trainer_spec *trainer;  /* rekeys extension runs; NULL: built-in */
    const rx_run_ref *runs;
    const rx_tune_ref *tune;
    const rx_ext_cells *cells;
} rx_ext_ctx;

/* How far a cell has extended. */
typedef struct rx_ext_state {
    rx_lr_verdict verdict;    /* RX_LRV_UP / DOWN: the newest lr's runs are
                                 not all finished (they are to run) */
    int n_lo, n_hi;           /* extension lrs below and above the spec's */
    double chosen_lr;         /* NaN when none is chosen */
    rx_job *jobs;             /* the runs of every extension lr, in the
                                 order decided (n_seeds per lr) */
    int n_jobs;
    int n_new;                /* of them the last n_new: the newest lr's,
                                 when the verdict is UP or DOWN */
    signed char *states;      /* per job: its rx_run_state, -1 not stored */
} rx_ext_state;

/* Resolves cell `cell` of x->cells against st (read-only use).  Errors:
 * the store's; a configuration that cannot take the next lr (out of
 * bounds, excluded) ends the extension as RX_LRV_LIMIT instead. */
int rx_ext_resolve(rx_store *st, const rx_ext_ctx *x, int cell, rx_ext_state *out,
                   rx_err *err);
void rx_ext_state_free(rx_ext_state *s);

/* Does the cell resolved as s still have runs to train: its newest lr's
 * runs not all finished (not stored, pending, running or interrupted)?
 * Failed runs do not count: they wait for --retry-failed, as the cell's
 * extension does. */
int rx_ext_pending(const rx_ext_state *s);

/* "sgd rex 25%" for messages: the optimizer, schedule and budget of c. */
void rx_ext_label(const rx_config *c, char *buf, size_t size);

#endif
