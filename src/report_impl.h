/*
 * report_impl.h: what the files of the report module share: the ranking
 * (report_rank.c) that the build (report.c) runs and the statistics
 * (report_stats.c) rerun on bootstrap replicates, and the tables of a built report that the writers
 * (report_out.c, report_html.c) render in any format.  Private to the
 * report module.
 */
#ifndef RX_REPORT_IMPL_H
#define RX_REPORT_IMPL_H

#include "rx_report.h"
#include "rx_table.h"

/* ---- ranking (report_rank.c) and statistics (report_stats.c) ----------- */

/* Where rx_report_rank_from writes; top, top_n and n_comparisons are
 * added to (the caller zeroes them), the rest is overwritten.  avg_rank_n
 * and src may be NULL. */
typedef struct rx_rank_out {
    double *rank;        /* as rx_report.rank */
    double *avg_rank;    /* as rx_report.avg_rank */
    int *avg_rank_n;
    int *top, *top_n;    /* as rx_report.top, top_n */
    int *n_comparisons;  /* [RX_N_SPLIT] */
    int *src;            /* per rank entry: the schedule whose value was
                            ranked (step or plateau when merged), -1 */
} rx_rank_out;

/* A cell's value for ranking: its mean, the metric's worst when every lr
 * diverged, NaN when it has none. */
double rx_report_cell_value(const rx_report *r, const rx_report_cell *c);

/* Ranks the cell values cv[cell index] (rx_report.cells' layout) of
 * every comparison of r, with r's ranked schedules; v is scratch of
 * n_ranked doubles. */
void rx_report_rank_from(const rx_report *r, const double *cv, double *v, rx_rank_out *out);

/* The paired statistics and bootstrap intervals of a ranked report
 * (rx_report.ref, pair, versus, avg_rank_ci, top_ci); src as from
 * rx_report_rank_from.  RX_EINVAL when opts->vs is not a ranked
 * schedule; RX_ENOMEM. */
int rx_report_stats(rx_report *r, const int *src, const rx_report_opts *opts, rx_err *err);

/* Paired differences d[i] = rival - reference over the seeds both cells
 * have (their seed lists are ascending); returns how many.  d has room
 * for the smaller cell's n. */
int rx_report_matched(const rx_report_cell *ref, const rx_report_cell *riv, double *d);

/* A p-value as the report prints it: 2 decimals, 3 below 0.01, then
 * scientific ("4.2e-05"); "-" for NaN. */
void rx_report_fmt_p(double p, char *buf, size_t size);

/* One sentence per rival and budget split: the reference's wins, losses
 * and ties, the tests' p-values, and the comparisons beyond noise; each
 * passed to line(ud, text).  Returns how many. */
int rx_report_verdicts(const rx_report *r, void (*line)(void *ud, const char *text), void *ud);

/* ---- the writers, under rx_report_write (report_write.c) -------------- */

/* Writes r as text, markdown, CSV or JSON.  Returns RX_OK, RX_ENOMEM or
 * RX_EIO; the caller words the message. */
int rx_report_write_plain(FILE *f, const rx_report *r, rx_report_format fmt,
                          const rx_report_source *src);

/* What the warnings need of a cell's runs (their rx_report_fact, folded):
 * zero when unknown. */
typedef struct rx_cell_facts {
    long steps;         /* the fewest steps of any of its runs */
    int lr_static;      /* the done runs of the chosen candidate: 1 none moved
                           its lr, -1 some did */
    long n_val;         /* their smallest validation set */
    /* at an edge of its lr grid (rx_report_opts.lr_grid): the adaptive
     * grid of the first run, in the load's order, of its chosen values
     * that has one (grid_known 1), else grid_known 0 */
    rx_report_lr_grid grid;
    int grid_known;
} rx_cell_facts;

/* The protocol warnings of a built report (rx_report.warnings), from
 * cf[cell index] (rx_report.cells' layout).  RX_OK or RX_ENOMEM. */
int rx_report_warn(rx_report *r, const rx_cell_facts *cf, const rx_report_opts *opts);

/* ---- tables for the writers (report_tables.c) ------------------------ */

/* The value of a cell as shown: "27.94 ± 0.31 (3)", or why there is
 * none: "diverged", "failed", "missing", "not run". */
void rx_report_cell_text(const rx_report *r, const rx_report_cell *c, char *buf,
                         size_t size);

/* Schedules x budgets of (setting s, optimizer o).  t is initialised
 * here; the caller frees it. */
void rx_report_cell_table(const rx_report *r, int s, int o, rx_table *t);

/* The chosen lr per cell of (s, o); returns 0 (and leaves t alone) when
 * no cell of the group had more than one lr to choose from. */
int rx_report_lr_table(const rx_report *r, int s, int o, rx_table *t);

/* The chosen value of tuned key q (rx_report.tune_keys) per cell of
 * (s, o), "(of N)" values tried, for the schedules that have the key;
 * returns 0 (and leaves t alone) when no cell of the group has it. */
int rx_report_tune_table(const rx_report *r, int s, int o, int q, rx_table *t);

/* A tuned value (raw JSON) as shown: strings lose their quotes. */
void rx_report_tune_plain(const char *raw, char *buf, size_t size);

/* A candidate as shown: "lr 0.1 schedule.patience=2". */
void rx_report_cand_text(const rx_report *r, const rx_report_lr *e, char *buf, size_t size);

/* Lines naming every cell of (s, o) with failed, diverged or missing
 * runs, or with no runs; each is passed to line(ud, text).  Returns how
 * many there were. */
int rx_report_issues(const rx_report *r, int s, int o,
                     void (*line)(void *ud, const char *text), void *ud);

/* Top-1/Top-3 rates per ranked schedule, low/high/all. */
void rx_report_topk_table(const rx_report *r, rx_table *t);

/* Average rank per ranked schedule and budget for optimizer o. */
void rx_report_rank_table(const rx_report *r, int o, rx_table *t);

/* One-sentence explanations shown above the tables. */
void rx_report_notes(const rx_report *r, void (*line)(void *ud, const char *text),
                     void *ud);

/* True when (setting s, optimizer o) has runs. */
int rx_report_group_has_runs(const rx_report *r, int s, int o);

/* ---- statistics (report_tables.c) ------------------------------------- */

/* True when the report has a reference and comparisons to show. */
int rx_report_has_stats(const rx_report *r);

/* A paired entry as shown: "+0.42 [+0.11, +0.73]!" (! = beyond noise),
 * "+0.42 (1 seed)", "no matched seeds", "tied" or "-". */
void rx_report_pair_text(const rx_report *r, const rx_report_pair *p, char *buf, size_t size);

/* Rival - reference per budget for (setting s, optimizer o); returns 0
 * when no rival was compared there (t still initialised: free it). */
int rx_report_pair_table(const rx_report *r, int s, int o, rx_table *t);

/* Per rival: wins/losses/ties and tests, low/high/all. */
void rx_report_versus_table(const rx_report *r, rx_table *t);

/* What a cell chooses: "lr", or "lr and schedule.patience" (", " between
 * more keys) when keys are tuned with it. */
void rx_report_chosen_what(const rx_report *r, char *buf, size_t size);

/* The sentence above the bootstrap intervals: how they are drawn, and
 * that the chosen lr (and tuned values) of each cell stay fixed. */
void rx_report_boot_note(const rx_report *r, char *buf, size_t size);

/* The bootstrap intervals of the Top-k rates and of optimizer o's
 * average ranks. */
void rx_report_topk_ci_table(const rx_report *r, rx_table *t);
void rx_report_rank_ci_table(const rx_report *r, int o, rx_table *t);

/* Each warning's sentence, passed to line(ud, text); returns how many. */
int rx_report_warning_lines(const rx_report *r, void (*line)(void *ud, const char *text),
                            void *ud);

/* The kinds (1 << rx_warn_kind) of the warnings naming cell. */
unsigned rx_report_cell_warnings(const rx_report *r, size_t cell);

/* What the statistics tables mean, one sentence per line. */
void rx_report_stats_notes(const rx_report *r, void (*line)(void *ud, const char *text),
                           void *ud);

#endif
