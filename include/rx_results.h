/*
 * rx_results.h: the runs of a results store as the report and the check
 * see them (rx_report_run), read through the store's query API.
 *
 * Labels come from each run's canonical configuration: the setting is
 * "<dataset> <model type>" plus every other key (data.*, model.*, train.*
 * but the budget and seed) that differs between the runs; the optimizer
 * is its name plus its keys (but the lr) that differ between runs of that
 * optimizer, e.g. "sgd(momentum=0)"; the schedule likewise, e.g.
 * "linear(sampling=10%)".  So runs are pooled only when they differ by
 * seed (the mean) or by lr (the tuning), never by an unseen axis.  The
 * cell identity (rx_report_run.cell) hashes the configuration without the
 * seed and without the trainer version, so two stores can be compared.
 *
 * Ownership: rx_results_load fills a set the caller frees with
 * rx_results_free; curves from rx_results_curves are freed with
 * rx_results_curves_free.
 */
#ifndef RX_RESULTS_H
#define RX_RESULTS_H

#include "rx_report.h"
#include "rx_store.h"

typedef struct rx_results_flat rx_results_flat;

typedef struct rx_results {
    rx_report_run *runs;
    int n;
    long *steps;              /* per run: steps the schedule spans (0 = unknown) */
    long *steps_per_epoch;    /* per run (0 = unknown) */
    rx_results_flat *flat;    /* the configurations, flattened (results.c's) */
    char sweep[128];          /* the sweep read, "" = every run */
} rx_results;

/* Reads the runs of the sweep named sweep (the most recent sweep of that
 * name), or of the only sweep in the store when sweep is NULL, or every
 * run when the store has several sweeps and sweep is NULL.  The metric's
 * columns give each run's test and validation values.  Labels are set as
 * if the set were labelled alone (rx_results_label to label several sets
 * together).  Errors: RX_ENOTFOUND (with the sweeps there are) when no
 * sweep has that name, RX_ESTORE, RX_EFORMAT for a configuration that is
 * not JSON, RX_ENOMEM. */
int rx_results_load(rx_store *st, const char *sweep, const rx_metric *m,
                    rx_results *out, rx_err *err);

/* rx_results_load with the metric named name; when name is NULL, the
 * test error, or the test loss when no run recorded an accuracy (a VAE,
 * a regression).  *m receives the metric used; *fell_back (may be NULL)
 * is set when the default fell back to the loss. */
int rx_results_load_metric(rx_store *st, const char *sweep, const char *name,
                           rx_metric *m, int *fell_back, rx_results *out,
                           rx_err *err);

/* Labels the runs of sets[0..n) together, so that one configuration gets
 * the same labels in every set (for check). */
int rx_results_label(rx_results *sets, int n, rx_err *err);

/* rx_results_label with the keys tune[] (NULL-terminated, at most
 * RX_REPORT_TUNE_MAX; rexsweep-report(1) --tune) tuned like the lr: no
 * label names them, so their values pool into one schedule (optimizer,
 * setting) as the lrs do, and each run's values go to its
 * rx_report_run.tune, for rx_report_build with the same keys.  A key no
 * run has leaves every value "".  The cell identity is not changed.
 * RX_EINVAL when a value is longer than RX_REPORT_TUNE_VAL - 1 bytes;
 * RX_ENOMEM. */
int rx_results_label_tuned(rx_results *sets, int n, const char *const *tune, rx_err *err);

void rx_results_free(rx_results *r);

/*
 * The runs rx_results_load_metric reads, labelled alike and with their
 * rx_results_facts, read a batch at a time so that memory holds the
 * labelling's keys and values and one batch, never every run: for the
 * protocol warnings of 10^6 runs (rx_report_acc).  A batch is the runs of
 * one (dataset, optimizer, budget, schedule) in the order the load reads
 * them, so it holds every run of each report cell it touches.
 *
 * rx_results_stream_open resolves the sweep and the metric (name, or NULL
 * for the error with the load's fallback to the loss) and reads every
 * configuration once to find which keys vary (the labels); errors as
 * rx_results_load's.  rx_results_stream_each (once per stream) labels
 * with the keys tune[] tuned like the lr (rx_results_label_tuned's) and
 * calls fn with each batch; fn's nonzero status stops it and is returned.
 * The batch is valid during the call only.  Runs written between the two
 * passes are read with the labels the first pass found.
 */
typedef struct rx_results_stream rx_results_stream;
typedef int (*rx_results_batch_fn)(void *ud, const rx_report_run *runs,
                                   const rx_report_fact *facts, int n, rx_err *err);

int rx_results_stream_open(rx_store *st, const char *sweep, const char *name,
                           rx_results_stream **out, rx_err *err);
/* The sweep read ("" = every run), and the metric (*fell_back, may be
 * NULL: set when the default fell back to the loss). */
const char *rx_results_stream_sweep(const rx_results_stream *s);
const rx_metric *rx_results_stream_metric(const rx_results_stream *s, int *fell_back);
int rx_results_stream_each(rx_results_stream *s, const char *const *tune,
                           rx_results_batch_fn fn, void *ud, rx_err *err);
void rx_results_stream_free(rx_results_stream *s);

/* The number of runs of r with a finite test value (to tell "no accuracy
 * recorded" from a bad result). */
int rx_results_n_valued(const rx_results *r);

/* The lr profile of every schedule label in r, from the schedule module
 * (rx_sched_start/rx_sched_step) over the steps of the run with the
 * largest budget, among the runs of their cell's chosen candidate in rep
 * when there are any (rep may be NULL: any run); plateau, which follows
 * the validation loss, from the lr recorded per epoch in st.  *out is the
 * caller's: free it with rx_results_curves_free. */
int rx_results_curves(rx_store *st, const rx_results *r, const rx_report *rep,
                      rx_report_curve **out, int *n, rx_err *err);

void rx_results_curves_free(rx_report_curve *c, int n);

/* What the report's protocol warnings need of each run of r (out has r->n
 * entries, parallel to r->runs): its steps, its validation size
 * (data.validation), and whether the lr recorded at the end of its epochs
 * (the metrics table) ever differed from its initial lr; -1 when no
 * epoch was recorded.  One query over the store's epoch rows. */
int rx_results_facts(rx_store *st, const rx_results *r, rx_report_fact *out, rx_err *err);

/* The learning curves at budget (one of rep's budgets; none otherwise):
 * per (setting, optimizer, schedule) of rep, the mean over the seeds of
 * the cell's chosen lr of the validation metric (the test one when the
 * metric has none) at the end of each epoch, from the store's epoch rows
 * (one pass).  *out is the caller's: free it with rx_results_learning_free. */
int rx_results_learning(rx_store *st, const rx_results *r, const rx_report *rep, double budget,
                        rx_report_lcurve **out, int *n, rx_err *err);

void rx_results_learning_free(rx_report_lcurve *c, int n);

#endif
