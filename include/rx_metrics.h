/*
 * rx_metrics.h: the metric-column table.  Every metric the trainer
 * records is one row: its column name, which store tables hold it (runs:
 * the run's final value; metrics: per epoch; step_metrics: per step),
 * where the trainer leaves it, the schema version that added it, and how
 * the report shows it.  The store's columns, its INSERT and UPDATE binds,
 * the schema step that adds a column, the export's metric list and the
 * report's metrics (rx_metric_resolve) all come from the rows; adding a
 * metric is one row (and RX_STORE_SCHEMA_VERSION one up when it is a new
 * column: rexsweep-results(5) documents each step).
 */
#ifndef RX_METRICS_H
#define RX_METRICS_H

#include <stddef.h>
#include "rx_train.h"

/* Which store tables hold a metric. */
enum {
    RX_MC_RUN = 1 << 0,     /* runs: the run's value (rx_train_result) */
    RX_MC_EPOCH = 1 << 1,   /* metrics: one per epoch (rx_epoch_metrics) */
    RX_MC_STEP = 1 << 2,    /* step_metrics: every log_every steps */
    RX_MC_AFTER_EPOCH = 1 << 3, /* runs: recorded only once an epoch ended */
    RX_MC_TIMING = 1 << 4       /* a measured time: differs from one training
                                   to the next, so `verify` skips it */
};

#define RX_MC_NONE ((size_t)-1)

/* The data split a metric measures.  The report shows a column of runs
 * that has one: a test metric is chosen on its validation twin (the row of
 * the same measure on RX_SPLIT_VAL), a validation metric on itself, and a
 * training metric has none. */
typedef enum rx_metric_split {
    RX_SPLIT_NONE,     /* not a report metric */
    RX_SPLIT_TRAIN,
    RX_SPLIT_VAL,
    RX_SPLIT_TEST
} rx_metric_split;

/* How the report names and shows a run's final value of a column
 * (rx_metric_resolve in rx_report.h): "<split>_<measure>", and plain
 * "<measure>" for the test split (also accepted as "test_<measure>"); a
 * fraction is shown in %, and also as its complement 100 (1 - x) under
 * the name complement. */
typedef struct rx_metric_show {
    rx_metric_split split;
    const char *measure;          /* "acc", "loss" */
    const char *label;            /* "accuracy": tables say "test accuracy" */
    int higher_better;
    const char *complement;       /* a fraction: "error"; NULL: shown as stored */
    const char *complement_label; /* "error" */
} rx_metric_show;

typedef struct rx_metric_col {
    const char *name;       /* the column, in every table that holds it */
    unsigned flags;         /* RX_MC_* */
    size_t run_off;         /* the double in rx_train_result, or RX_MC_NONE */
    size_t epoch_off;       /* in rx_epoch_metrics, or RX_MC_NONE */
    size_t step_off;        /* in rx_step_metrics, or RX_MC_NONE */
    const char *epoch_as;   /* its name in the epoch_results view (NULL: name) */
    int since;              /* the schema version whose step added the column */
    const char *doc;        /* one line, for the docs */
    rx_metric_show show;    /* the report's view (split NONE: not shown) */
} rx_metric_col;

/* The rows, in column order; *n gets their number. */
const rx_metric_col *rx_metric_cols(int *n);

/* The value of row c in a trainer struct (base points to an
 * rx_train_result, rx_epoch_metrics or rx_step_metrics; off is the row's
 * offset for that struct). */
static inline double rx_metric_at(const void *base, size_t off)
{
    return *(const double *)((const char *)base + off);
}

#endif
