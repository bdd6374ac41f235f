/*
 * rx_check.h: the CI regression gate.  Compares the runs of a new store
 * with a baseline store, one grid cell (the configuration minus the seed)
 * at a time, and gives each cell a verdict.
 *
 * Matching: cells are matched by their configuration (rx_report_run.cell,
 * which does not depend on the trainer version).  When both sides ran the
 * same run keys the cell is "matched by key"; when the seeds (or keys)
 * differ, "matched by cell": the means over whatever seeds each side has.
 *
 * Verdict: d is how much worse the new mean is than the baseline's, in
 * display units (positive = worse, whatever the metric's direction).  A
 * cell regresses when d > allowed, where
 *     allowed = max(abs, rel * |baseline|, sigma * std)
 * and std is the baseline's standard deviation over seeds (the new
 * side's when the baseline has one seed).  It improved when -d > allowed.
 * More diverged runs than the baseline is a regression.  A cell on one
 * side only, an unfinished or failed run in the new store, or a side with
 * no value is "missing" or "not comparable": never a pass.
 *
 * Ownership: rx_check_compare fills a result the caller frees with
 * rx_check_free.
 */
#ifndef RX_CHECK_H
#define RX_CHECK_H

#include <stdio.h>
#include "rx_report.h"

typedef struct rx_check_opts {
    const rx_metric *metric;
    double abs_tol;     /* display units (percentage points for error) */
    double rel_tol;     /* fraction of |baseline| */
    double sigma;       /* 0 = off; else K of sigma * std */
} rx_check_opts;

typedef enum rx_verdict {
    RX_VERDICT_OK,
    RX_VERDICT_IMPROVED,
    RX_VERDICT_REGRESSED,
    RX_VERDICT_MISSING,          /* on one side only, or unfinished */
    RX_VERDICT_NOT_COMPARABLE    /* no value to compare on a side */
} rx_verdict;

const char *rx_verdict_name(rx_verdict v);

typedef struct rx_check_row {
    char setting[RX_REPORT_SETTING_MAX];
    char optimizer[RX_REPORT_NAME_MAX];
    char schedule[RX_REPORT_NAME_MAX];
    double budget, lr;
    char cell[RX_KEY_LEN + 1];
    int by_key;                  /* 1: matched by run key; 0: by cell */
    int base_runs, new_runs;     /* runs recorded per side */
    int base_n, new_n;           /* done runs with a value */
    int base_diverged, new_diverged;
    double base, base_std;       /* display units; NaN = none */
    double cur, cur_std;
    double delta;                /* new - baseline (display units) */
    double allowed;              /* the margin the verdict used */
    rx_verdict verdict;
    char why[256];               /* one line: what decided the verdict */
} rx_check_row;

typedef struct rx_check_result {
    rx_check_row *rows;
    int n;
    int count[5];                /* rows per verdict */
} rx_check_result;

/* Compares cur[0..nc) against base[0..nb).  Rows are sorted by setting,
 * optimizer, schedule, budget and lr.  Returns RX_OK or RX_ENOMEM. */
int rx_check_compare(const rx_report_run *base, int nb,
                     const rx_report_run *cur, int nc,
                     const rx_check_opts *opts, rx_check_result *out,
                     rx_err *err);

void rx_check_free(rx_check_result *r);

/* The status the verdicts call for: RX_EFAILED when any cell regressed,
 * else RX_EMISSING when any is missing or not comparable (or nothing was
 * compared), else RX_OK (exit codes 1, 3 and 0: rx_exit_code). */
int rx_check_status(const rx_check_result *r);

/* Where the stores came from, for headings. */
typedef struct rx_check_source {
    const char *baseline;        /* path */
    const char *current;         /* path */
    const char *sweep;           /* or NULL */
} rx_check_source;

/* Writes the comparison as RX_FMT_TEXT, RX_FMT_MARKDOWN or RX_FMT_JSON:
 * every cell with baseline, new, delta, allowed margin and verdict, then
 * a summary line.  Returns RX_OK or RX_EIO. */
int rx_check_write(FILE *f, const rx_check_result *r,
                   const rx_check_opts *opts, rx_report_format fmt,
                   const rx_check_source *src, rx_err *err);

/* Writes JUnit XML: one testsuite, one testcase per cell; a regression
 * is a <failure>, a missing or not comparable cell an <error>. */
int rx_check_write_junit(FILE *f, const rx_check_result *r,
                         const rx_check_opts *opts,
                         const rx_check_source *src, rx_err *err);

#endif
