/*
 * rx_report.h: summaries of a sweep's results in the REX paper's three
 * forms: the cell table (schedules x budgets, mean +- std over seeds, per
 * setting and optimizer), the Top-1/Top-3 rates of each schedule, and the
 * average rank of each schedule per budget and optimizer.
 *
 * The computation (rx_report_build) is pure: runs in, numbers out, no
 * SQL and no I/O.  The writers (rx_report_write*) render a built report
 * as text, markdown, csv, json or one self-contained HTML file.
 *
 * Ownership: rx_report_build allocates the report; rx_report_free frees
 * it and everything it points to.  Runs passed in are copied from, never
 * kept.
 */
#ifndef RX_REPORT_H
#define RX_REPORT_H

#include <stdio.h>
#include "rx_common.h"
#include "rx_job.h"
#include "rx_stats.h"

#define RX_REPORT_SETTING_MAX 128
#define RX_REPORT_NAME_MAX 64
#define RX_REPORT_LOW_CUT 0.25   /* budgets below are "low", the paper's split */
#define RX_REPORT_TUNE_MAX 4     /* keys tuned like the lr (rx_report_opts.tune) */
#define RX_REPORT_TUNE_VAL 48    /* bytes of a tuned key's value, raw JSON */

/* ---- metrics -------------------------------------------------------- */

typedef enum rx_metric_unit {
    RX_UNIT_RAW,        /* shown as stored */
    RX_UNIT_PERCENT,    /* shown as 100 * stored (accuracy in %) */
    RX_UNIT_ERROR_PCT   /* shown as 100 * (1 - stored) (error in %) */
} rx_metric_unit;

/* A metric as the report shows it.  Values are read from the store's
 * column test_col (the reported value) and val_col (what lr tuning
 * selects on; "" when the metric has no validation counterpart), then
 * converted to display units; directions refer to display units. */
#define RX_NAMED_METRIC_MAX 63    /* bytes of a reported metric's name */

typedef struct rx_metric {
    char name[80];            /* canonical name: "error", "acc", "loss", ...,
                                 or "NAME:max" / "NAME:min" */
    char test_col[72];        /* e.g. "test_acc"; named: the run_metrics name */
    char val_col[72];         /* e.g. "val_acc"; "" = none; named: "val_NAME" */
    int higher_better;        /* 1: larger is better (accuracy) */
    int named;                /* the columns are run_metrics names (a metric a
                                 command trainer reported, rexsweep-trainer(7)) */
    rx_metric_unit unit;
    char label[64];           /* "test error (%)" */
    char val_label[72];       /* "validation error (%)", "" = none */
} rx_metric;

/* Resolves a metric name ("error", "acc", "loss", "test_acc", "val_loss",
 * "train_loss", ...; see rexsweep-report(1)) into m.  "NAME:max" and
 * "NAME:min" name a metric a command trainer reported (run_metrics; its
 * final value, else its last epoch's or step's), larger or smaller
 * better, with "val_NAME" as its validation counterpart.  Unknown names
 * fail with RX_EINVAL and a "did you mean" suggestion. */
int rx_metric_resolve(const char *name, rx_metric *m, rx_err *err);

/* The names rx_metric_resolve accepts, for help text: a NULL-terminated
 * static array. */
const char *const *rx_metric_names(void);

/* A stored value in display units (NaN stays NaN). */
double rx_metric_display(const rx_metric *m, double stored);

/* A value in display units as tables show it: 2 decimals for percentages,
 * 4 significant digits otherwise, "-" for NaN. */
void rx_metric_format(const rx_metric *m, double x, char *buf, size_t size);

/* +1 when a is better than b, -1 when worse, 0 when equal within a
 * relative 1e-9 (display units; NaN is worse than any number). */
int rx_metric_cmp(const rx_metric *m, double a, double b);

/* ---- input: one run ------------------------------------------------- */

typedef enum rx_outcome {
    RX_OUT_DONE,      /* finished; its metrics count */
    RX_OUT_FAILED,    /* stopped by an error or a timeout */
    RX_OUT_DIVERGED,  /* loss became NaN or Inf */
    RX_OUT_MISSING    /* pending, running or interrupted: no result yet */
} rx_outcome;

/* Maps a store status ("done", "failed", ...) to a state; unknown and
 * unfinished statuses are RX_OUT_MISSING. */
rx_outcome rx_outcome_of(const char *status);
const char *rx_outcome_name(rx_outcome s);

/* One run as the report sees it.  Plain data: copies with '='. */
typedef struct rx_report_run {
    char setting[RX_REPORT_SETTING_MAX]; /* e.g. sweep name (+ other axes) */
    char optimizer[RX_REPORT_NAME_MAX];  /* "sgd", "adam", ... */
    char schedule[RX_REPORT_NAME_MAX];   /* "rex", "step", "linear@10%" */
    double budget;                       /* fraction of the full epochs */
    double lr;                           /* initial lr */
    /* The run's values of the keys tuned like the lr (rx_report_opts.tune,
     * in that order) as raw JSON ("3", "\"epoch\""); "" when the run's
     * configuration has no such key (a rex run has no patience). */
    char tune[RX_REPORT_TUNE_MAX][RX_REPORT_TUNE_VAL];
    long long seed;
    char key[RX_KEY_LEN + 1];            /* run key ("" when unknown) */
    char cell[RX_KEY_LEN + 1];           /* the grid cell (configuration
                                            minus seed), comparable across
                                            stores; "" when unknown */
    rx_outcome state;
    double val;                          /* stored units; NaN = none */
    double test;                         /* stored units; NaN = none */
} rx_report_run;

/* ---- output: the built report --------------------------------------- */

/* One candidate tried in a cell, over its seeds: an lr and, when keys
 * are tuned like the lr (rx_report_opts.tune), one value of each.
 * Values in display units. */
typedef struct rx_report_lr {
    double lr;
    char tune[RX_REPORT_TUNE_MAX][RX_REPORT_TUNE_VAL]; /* as rx_report_run.tune */
    int n_runs;                 /* runs recorded at this lr */
    int n_done, n_failed, n_diverged, n_missing;
    int n_val, n_test;          /* done runs with a finite value */
    double val_mean;            /* NaN when n_val == 0 */
    double test_mean, test_std; /* std over seeds (n-1); NaN when n < 2 */
    int eligible;               /* may be chosen: has a value, none diverged */
} rx_report_lr;

/* A cell: (setting, optimizer, schedule, budget), the lr (and the tuned
 * keys) chosen over its candidates. */
typedef struct rx_report_cell {
    rx_report_lr *lrs;          /* the candidates, sorted by lr, then by the
                                   tuned values (rx_report_cand_cmp); NULL
                                   when no runs */
    int n_lrs;                  /* candidates (lrs when nothing else is tuned) */
    int chosen;                 /* index into lrs, or -1: no value */
    double mean, std;           /* the chosen lr's test metric; NaN if none */
    int n;                      /* seeds behind mean */
    int n_runs, n_done, n_failed, n_diverged, n_missing; /* all lrs */
    /* The chosen lr's seeds with a finite test value and those values
     * (display units), ascending by seed; n of them.  NULL when n == 0. */
    long long *seeds;
    double *vals;
} rx_report_cell;

/* What the protocol warnings need to know of a run beyond its metrics,
 * from the store (rx_results_facts); zero fields are unknown. */
typedef struct rx_report_fact {
    long steps;         /* optimizer steps the run's budget spans; 0 = unknown */
    int lr_changed;     /* 1: the lr recorded at some epoch's end differs from
                           the initial lr; 0: it never did; -1: unknown (no
                           epoch recorded) */
    long n_val;         /* validation examples (data.validation); 0 = unknown */
} rx_report_fact;

#define RX_REPORT_MIN_STEPS 50  /* budgets of fewer optimizer steps are warned about */

/* The adaptive lr grid (rexsweep.yaml(5), ADAPTIVE LR GRID) of a run's
 * tuning cell, as the lr-edge warning needs it. */
typedef struct rx_report_lr_grid {
    int extend;         /* the lr axis' extend; 0: a plain list of lrs */
    int verdict;        /* the cell's rx_lr_verdict (rx_lrgrid.h) */
    int n_lo, n_hi;     /* extension lrs added below and above the spec's */
} rx_report_lr_grid;

typedef struct rx_report_opts {
    const rx_metric *metric;
    int select_on_test;         /* explicit opt-in: choose the lr on test */
    int no_merge;               /* keep plateau apart from step in ranks */
    /* Keys tuned like the lr (NULL-terminated, at most RX_REPORT_TUNE_MAX;
     * NULL = the lr alone): a cell's candidates are its (lr, values of
     * these keys), read from rx_report_run.tune, and the one with the
     * best validation mean is chosen.  The runs must have been labelled
     * without these keys (rx_results_label_tuned), else each value is a
     * schedule (or optimizer, or setting) of its own. */
    const char *const *tune;
    double low_cut;             /* 0 = RX_REPORT_LOW_CUT */
    /* statistics (all optional: zero means the default) */
    const char *vs;             /* reference schedule; NULL = best average rank */
    const char *const *only;    /* rank only these schedules (NULL-terminated);
                                   NULL = all */
    int bootstrap;              /* replicates; 0 = RX_REPORT_BOOTSTRAP, < 0 = none */
    /* protocol warnings */
    const rx_report_fact *facts; /* per run (parallel to runs), or NULL:
                                    then no step, lr-change or validation-
                                    size warnings */
    long min_steps;             /* 0 = RX_REPORT_MIN_STEPS */
    /* The adaptive lr grid of run's tuning cell into *out: 1 when known,
     * 0 when not (e.g. a run that the sweep's spec does not plan: another
     * run of the cell is asked).  Called only for cells whose chosen lr
     * is at an edge.  NULL: unknown for every run (the lr-edge warning
     * then suggests both remedies). */
    int (*lr_grid)(void *ud, const rx_report_run *run, rx_report_lr_grid *out);
    void *lr_grid_ud;
} rx_report_opts;

#define RX_REPORT_BOOTSTRAP 1000
#define RX_REPORT_BOOT_SEED 20260101ULL /* fixed: the intervals print the same every time */

enum { RX_SPLIT_LOW, RX_SPLIT_HIGH, RX_SPLIT_ALL, RX_N_SPLIT };

/* The protocol warnings: where the sweep's design rather than its
 * schedules may decide the result.  See rexsweep-report(1), WARNINGS. */
typedef enum rx_warn_kind {
    RX_WARN_LR_EDGE,            /* the chosen lr is at an edge of its grid */
    RX_WARN_FEW_STEPS,          /* a budget of fewer than min_steps steps */
    RX_WARN_LR_STATIC,          /* a schedule's lr never changed in a run */
    RX_WARN_IDENTICAL,          /* two schedules gave identical results */
    RX_WARN_SEEDS,              /* fewer seeds than asked, or unmatched */
    RX_WARN_VAL_NOISE,          /* the lr choice is within validation noise */
    RX_WARN_LR_EXTENDING,       /* a note: the adaptive lr grid of the cells
                                   is still extending (their choice is
                                   provisional), not a warning */
    RX_WARN_TUNE_EDGE,          /* a tuned key's chosen value is at an edge
                                   of the values tried */
    RX_N_WARN
} rx_warn_kind;

/* "lr_at_grid_edge", "few_steps", ... (the JSON names). */
const char *rx_warn_kind_name(rx_warn_kind k);

typedef struct rx_report_warning {
    rx_warn_kind kind;
    char text[1024];            /* what, in which (setting, optimizer), the
                                   cells, and what to do */
    int n_cells;
    int *cells;                 /* indices into rx_report.cells; owned */
} rx_report_warning;

/* A rival against the reference in one comparison (setting, optimizer,
 * budget), in the ranked schedules' values (merged step: the better of
 * step and plateau, the seeds of the one taken). */
typedef struct rx_report_pair {
    int cmp;            /* +1: the reference is better, -1: worse, 0: tied
                           (rx_metric_cmp on the cell values), 2: one side
                           has no value (not compared) */
    rx_paired d;        /* rival - reference per matched seed, display units */
    int beyond;         /* +1: the reference is better beyond noise (the 95%
                           interval of d excludes 0), -1: worse beyond
                           noise, 0: within noise or no interval */
    int unmatched;      /* seeds of one side that the other lacks */
} rx_report_pair;

/* The reference against one rival over all comparisons, per split. */
typedef struct rx_report_versus {
    int wins[RX_N_SPLIT], losses[RX_N_SPLIT], ties[RX_N_SPLIT];
    int beyond_win[RX_N_SPLIT], beyond_loss[RX_N_SPLIT];
    int with_interval[RX_N_SPLIT];  /* comparisons with >= 2 matched seeds */
    double sign_p[RX_N_SPLIT];      /* exact two-sided sign test */
    rx_wilcoxon wilcoxon[RX_N_SPLIT]; /* on the mean paired differences */
} rx_report_versus;

typedef struct rx_report {
    rx_metric metric;
    int select_on_test;         /* lr chosen on test (explicitly asked) */
    int any_selection;          /* some cell had several eligible lrs */
    int several_lrs;            /* some cell had runs at several lrs */
    int merged;                 /* step and plateau merged in the ranks */
    double low_cut;
    char tune_keys[RX_REPORT_TUNE_MAX][RX_REPORT_NAME_MAX]; /* rx_report_opts.tune */
    int n_tune;

    char (*settings)[RX_REPORT_SETTING_MAX];
    int n_settings;
    char (*optimizers)[RX_REPORT_NAME_MAX];
    int n_optimizers;
    char (*schedules)[RX_REPORT_NAME_MAX];   /* display order (paper's) */
    int n_schedules;
    double *budgets;                          /* ascending */
    int n_budgets;

    /* cells[((s * n_optimizers + o) * n_schedules + k) * n_budgets + b] */
    rx_report_cell *cells;
    int *group_runs;            /* runs per (setting, optimizer) */

    /* Ranked schedules: the schedules, with plateau folded into step
     * when merged.  rank_of[k] maps a schedule to its ranked index. */
    char (*ranked)[RX_REPORT_NAME_MAX];
    int n_ranked;
    int *rank_of;
    /* rank[((s * n_optimizers + o) * n_budgets + b) * n_ranked + r]:
     * 1 = best, ties averaged; NaN when the schedule has no value or the
     * comparison has fewer than two schedules. */
    double *rank;
    /* avg_rank[(o * n_budgets + b) * n_ranked + r] over settings, and
     * how many settings it averages (0: NaN). */
    double *avg_rank;
    int *avg_rank_n;
    /* top[(r * RX_N_SPLIT + split) * 2 + (0: Top-1, 1: Top-3)] counts and
     * top_n[r * RX_N_SPLIT + split] comparisons the schedule took part
     * in; n_comparisons[split] comparisons with two or more schedules. */
    int *top;
    int *top_n;
    int n_comparisons[RX_N_SPLIT];
    int only;                   /* ranked schedules are a chosen set */

    /* Paired statistics: the reference (an index into ranked, -1 when
     * fewer than two schedules are ranked), pair[((s * n_optimizers + o)
     * * n_budgets + b) * n_ranked + r] against it, versus[r] over all
     * comparisons (the reference's own entries are empty). */
    int ref;
    int ref_asked;              /* the reference was named (--vs) */
    rx_report_pair *pair;
    rx_report_versus *versus;
    /* Bootstrap 95% percentile intervals (n_boot replicates, 0 = none):
     * avg_rank_ci[(((o * n_budgets + b) * n_ranked + r) * 2 + 0|1)] and
     * top_ci[((r * RX_N_SPLIT + split) * 2 + q) * 2 + 0|1] (rates, q = 0:
     * Top-1, 1: Top-3). */
    int n_boot;
    double *avg_rank_ci;
    double *top_ci;

    rx_report_warning *warnings;
    int n_warnings;
    long min_steps;             /* the threshold the warnings used */
} rx_report;

/* Builds the report of runs[0..n), its paired statistics and bootstrap
 * intervals.  Fails with RX_EINVAL when some cell has several lrs to
 * choose from but the metric has no validation values and select_on_test
 * is not set (choosing on test must be asked for), or when opts->vs or
 * opts->only name a schedule that did not run; the message says so.
 * The protocol warnings (rx_report.warnings) come with it.
 * *out is the caller's: free with rx_report_free. */
int rx_report_build(const rx_report_run *runs, int n,
                    const rx_report_opts *opts, rx_report **out,
                    rx_err *err);

void rx_report_free(rx_report *r);

/* The same report built from the runs in batches, so that a caller never
 * holds every run at once (the protocol warnings of 10^6 runs): each
 * batch must hold every run of each cell it touches (a cell never spans
 * two batches: RX_ECONFLICT at the end).  Within a batch the runs of a
 * cell come in the order rx_report_build would see them.  facts are
 * parallel to the batch's runs (NULL: none; opts->facts is not read).
 * rx_report_acc_new copies opts, not what it points to (kept by the
 * caller until finish).  rx_report_acc_finish lays the cells out, ranks
 * them and frees the accumulator either way; *out as rx_report_build's.
 * Errors as rx_report_build's, a cell's in the order the batches came. */
typedef struct rx_report_acc rx_report_acc;

int rx_report_acc_new(const rx_report_opts *opts, rx_report_acc **out, rx_err *err);
int rx_report_acc_add(rx_report_acc *a, const rx_report_run *runs, const rx_report_fact *facts,
                      int n, rx_err *err);
int rx_report_acc_finish(rx_report_acc *a, rx_report **out, rx_err *err);
void rx_report_acc_free(rx_report_acc *a);

/* Orders candidates: by lr, then by the values of the n_tune tuned keys
 * (absent first, then numbers by value, then other values as text).
 * 0 when they are the same candidate. */
int rx_report_cand_cmp(double lr_a, const char (*tune_a)[RX_REPORT_TUNE_VAL], double lr_b,
                       const char (*tune_b)[RX_REPORT_TUNE_VAL], int n_tune);

/* True when run x belongs to the chosen candidate of its cell c (same lr
 * and tuned values); 0 when c has none. */
int rx_report_is_chosen(const rx_report *r, const rx_report_cell *c, const rx_report_run *x);

/* Where the chosen lr of c lies in its grid: the lrs of the candidates
 * that share its tuned values (all of them when nothing else is tuned).
 * Returns -1 at the smallest, +1 at the largest, 0 inside or when there
 * is no grid (fewer than two lrs, or nothing chosen); *n_lrs (may be
 * NULL) receives how many lrs that grid has. */
int rx_report_lr_edge(const rx_report *r, const rx_report_cell *c, int *n_lrs);

/* How many distinct values of tuned key q (-1: the lr) the candidates of
 * c have, not counting "absent"; 0 when none has the key. */
int rx_report_n_tried(const rx_report *r, const rx_report_cell *c, int q);

/* The cell of (setting s, optimizer o, schedule k, budget b). */
const rx_report_cell *rx_report_cell_at(const rx_report *r, int s, int o,
                                        int k, int b);

/* Fractional ("average") ranks of v[0..n): 1 = best under the metric's
 * direction, tied values share the mean of the ranks they span, NaN
 * values get NaN and do not count. */
void rx_rank_values(const rx_metric *m, const double *v, int n,
                    double *rank);

/* Sort positions: schedules in the paper's order (rex, linear, cosine,
 * exp, onecycle, step, plateau, constant; a label "name(...)" sorts as its
 * name), optimizers as sgd, adam, adamw; unknown names after, at 1000. */
int rx_report_sched_order(const char *label);
int rx_report_opt_order(const char *label);

/* "1%", "12.5%", "100%". */
void rx_budget_label(double budget, char *buf, size_t size);

/* ---- writers -------------------------------------------------------- */

typedef enum rx_report_format {
    RX_FMT_TEXT, RX_FMT_MARKDOWN, RX_FMT_CSV, RX_FMT_JSON, RX_FMT_HTML
} rx_report_format;

/* Parses "text", "markdown" (or "md"), "csv", "json", "html"; -1 if none. */
int rx_report_format_parse(const char *s);

/* The lr profile of one schedule, sampled at n points p = i/(n-1), as
 * multiples of lr0 (for the HTML lr chart). */
typedef struct rx_report_curve {
    char schedule[RX_REPORT_NAME_MAX];
    int n;
    double *p, *lr;             /* owned by the caller */
    char note[256];             /* e.g. "depends on validation loss" */
} rx_report_curve;

/* A learning curve: the validation metric (display units) per epoch of
 * one schedule in one (setting, optimizer) at one budget, the mean over
 * the seeds of the cell's chosen lr. */
typedef struct rx_report_lcurve {
    int setting, optimizer, schedule;   /* indices into the report */
    double budget;
    int n;                              /* epochs */
    double *epoch, *val;                /* owned by the caller */
} rx_report_lcurve;

/* A budget-aware search's rung ladders (rexsweep-report(1), SEARCH
 * SWEEPS), plain data for the writers: the caller fills it (the CLI, from
 * rx_search.h); NULL for a grid.  One ladder per group and bracket
 * (halving has one); a rung of a ladder is one budget. */
typedef struct rx_report_rung {
    double budget;
    int candidates;             /* run at this budget (0: none yet) */
    int promoted;               /* of them, run at the next budget; -1: not
                                   decided (unfinished, or the last rung) */
    int finished;               /* every run of them finished */
    char best[RX_REPORT_SETTING_MAX]; /* the best eligible candidate by the
                                   validation metric ("lr=0.1"); "" none */
    double best_val, best_test; /* its means (display units); NaN none */
} rx_report_rung;

typedef struct rx_report_ladder {
    char group[RX_REPORT_SETTING_MAX + 2 * RX_REPORT_NAME_MAX + 8]; /* "sgd / rex" */
    /* the report's labels of the group's runs ("" when none is stored),
     * to join a ladder with its cells */
    char setting[RX_REPORT_SETTING_MAX];
    char optimizer[RX_REPORT_NAME_MAX];
    char schedule[RX_REPORT_NAME_MAX];
    int bracket;                /* hyperband's s, the promotions it makes
                                   (its first rung is n_budgets - 1 - s);
                                   halving's one bracket is n_budgets - 1 */
    int n_rungs;
    rx_report_rung *rungs;      /* from the bracket's first budget up */
    char winner[RX_REPORT_SETTING_MAX]; /* the best of the last rung once
                                   finished; "" none */
    double winner_val, winner_test;
    double stopped_at;          /* > 0: no candidate finished this budget
                                   without diverging; the ladder stops */
} rx_report_ladder;

typedef struct rx_report_search {
    const char *strategy;       /* "halving", "hyperband" */
    int eta;
    int n_budgets;
    const double *budgets;      /* the rungs, ascending */
    const rx_metric *metric;    /* what promotions choose on (its
                                   validation side) and the winners show */
    int n_ladders;
    rx_report_ladder *ladders;  /* by group, then bracket (s descending) */
    int n_groups;
    int *group_first;           /* per group: index of its first ladder,
                                   n_groups + 1 entries */
    int *winner;                /* per group: the ladder whose winner wins
                                   overall (the best at the last budget
                                   over the brackets), -1 none yet */
} rx_report_search;

/* Where the results came from, for the headings. */
typedef struct rx_report_source {
    const char *db;             /* store path */
    const char *sweep;          /* sweep name, or NULL for all */
    const rx_report_search *search; /* the sweep's ladders, or NULL */
} rx_report_source;

/* A search's ladders (report_search.c): as text or markdown lines (a
 * heading, one line per group or bracket), as the JSON value of the
 * report's "search" member (null when rs is NULL), and as an HTML
 * section; rx_report_search_cell sums the ladders of one report cell
 * (setting, optimizer, schedule labels) at one budget over the brackets
 * into *out (promoted -1 when some bracket has not decided) and points
 * *winner at the group's winner ("" none); returns 0 when no group
 * matches.  Nothing is allocated. */
void rx_report_search_text(FILE *f, const rx_report_search *rs, int markdown);
void rx_report_search_json(FILE *f, const rx_report_search *rs);
int rx_report_search_html(FILE *f, const rx_report_search *rs);
int rx_report_search_cell(const rx_report_search *rs, const char *setting,
                          const char *optimizer, const char *schedule, double budget,
                          rx_report_rung *out, const char **winner);

/* Writes r to f in format fmt (text, markdown, csv, json; html goes
 * through rx_report_write_html).  Returns RX_OK or RX_EIO. */
int rx_report_write(FILE *f, const rx_report *r, rx_report_format fmt,
                    const rx_report_source *src, rx_err *err);

/* Writes one self-contained HTML file (inline CSS and SVG, no script, no
 * network): the tables, the metric against budget per schedule for every
 * setting and optimizer and its gap to the best, the average rank against
 * budget per optimizer (the paper's Figure 1), the learning curves
 * lc[0..n_lc) (one chart per setting and optimizer) and the lr curves
 * curves[0..n_curves). */
int rx_report_write_html(FILE *f, const rx_report *r,
                         const rx_report_source *src,
                         const rx_report_curve *curves, int n_curves,
                         const rx_report_lcurve *lc, int n_lc,
                         rx_err *err);

#endif
