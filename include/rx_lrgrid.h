/*
 * rx_lrgrid.h: the rules of the adaptive lr grid (rexsweep.yaml(5),
 * ADAPTIVE LR GRID): which lr a tuning cell chooses, the next lr beyond
 * an edge of its grid, and whether the grid extends.
 *
 * A tuning cell is the runs that differ only by lr and seed; its lr
 * points are the lrs tried, ascending.  The choice is the report's (the
 * report calls rx_lr_choose): among the eligible points (no seed diverged,
 * a finished result), the best mean validation value, ties to the smaller
 * lr.  The grid extends while the chosen lr is at an edge of the lrs tried
 * and that side has extension points left; an edge beyond which an lr
 * diverged (in any seed) is not an edge of the choice, so divergence
 * bounds it.
 *
 * Pure functions of their arguments: no I/O, no allocation.
 */
#ifndef RX_LRGRID_H
#define RX_LRGRID_H

#include <stddef.h>

#define RX_LR_EXTEND_MAX 20      /* extension points per side, at most */

/* What the choice is made on (an extending axis' `metric:`). */
typedef enum rx_lr_metric {
    RX_LR_METRIC_AUTO,           /* accuracy when the cell recorded one, else loss */
    RX_LR_METRIC_ACC,            /* validation error = 100 (1 - val_acc), lower better */
    RX_LR_METRIC_LOSS            /* validation loss, lower better */
} rx_lr_metric;

/* One lr of a tuning cell, over its seeds.  Values in the units the
 * choice compares (the report's display units). */
typedef struct rx_lr_point {
    double lr;
    int n_runs;                  /* runs at this lr */
    int n_finished;              /* of them done or diverged */
    int n_diverged;
    int n_val;                   /* done runs with a finite validation value */
    int n_test;                  /* done runs with a finite test value */
    double val;                  /* mean validation value; NaN when n_val == 0 */
} rx_lr_point;

/* +1 when a is better than b, -1 when worse, 0 when equal within a
 * relative 1e-9; NaN is worse than any number.  higher_better says which
 * way is better.  (The report's rx_metric_cmp.) */
int rx_value_cmp(double a, double b, int higher_better);

/* May point p be chosen: no seed diverged and a finite test result. */
int rx_lr_eligible(const rx_lr_point *p);

#define RX_LR_UNJUDGED (-2)

/* The chosen point of p[0..n) (ascending lr): the only eligible one, or
 * the eligible one with the best val (ties keep the smaller lr).  -1 when
 * none is eligible; RX_LR_UNJUDGED when several are but none has a
 * validation value.  *n_cand (may be NULL): the eligible points. */
int rx_lr_choose(const rx_lr_point *p, int n, int higher_better, int *n_cand);

/* The next lr beyond edge, away from inner (the edge's neighbour in the
 * grid; NaN when the grid has one point), as exact decimal text in buf
 * and as a double in *next.  On the paper's x3 grid (mantissas 1 and 3 per
 * decade, edge and inner neighbours on it, or inner NaN) the pattern goes
 * on: 0.1 -> 0.3 -> 1 up, 0.01 -> 0.003 -> 0.001 down.  Otherwise the
 * step is the ratio edge / inner (3 with one point), and the value is
 * rounded to 12 significant digits, so that it prints and hashes as
 * written.  up: 1 above the grid, 0 below.  Returns 0, or -1 when there
 * is no such finite positive value. */
int rx_lr_next(double edge, double inner, int up, double *next, char *buf, size_t size);

/* The verdict on a tuning cell. */
typedef enum rx_lr_verdict {
    RX_LRV_WAIT,                 /* a run of the cell is not finished */
    RX_LRV_UP,                   /* extend: add *next above the grid */
    RX_LRV_DOWN,                 /* extend: add *next below the grid */
    RX_LRV_INTERIOR,             /* the chosen lr has lrs on both sides */
    RX_LRV_DIVERGED,             /* an lr beside the chosen one diverged: the
                                    optimum is bounded by divergence */
    RX_LRV_LIMIT,                /* the chosen lr is an edge, and that side
                                    has no extension left (or no next lr) */
    RX_LRV_NONE,                 /* nothing to choose on (no validation) */
    RX_LRV_COUNT
} rx_lr_verdict;

/* "waiting", "extend up", ... for messages and plan. */
const char *rx_lr_verdict_name(rx_lr_verdict v);

/* Decides on the cell p[0..n) (ascending lr, n >= 1), of which n_lo
 * points below and n_hi above the spec's values were added by extension,
 * with up to extend per side.  When every point diverged (none eligible,
 * each with a diverged seed) the grid extends down.  Sets *chosen (may be
 * NULL) to the chosen point or -1, and for RX_LRV_UP / RX_LRV_DOWN the
 * next lr in *next and its text in buf (as rx_lr_next). */
rx_lr_verdict rx_lr_decide(const rx_lr_point *p, int n, int n_lo, int n_hi, int extend,
                           int higher_better, int *chosen, double *next, char *buf,
                           size_t size);

#endif
