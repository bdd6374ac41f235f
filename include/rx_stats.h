/*
 * rx_stats.h: the statistics the report uses to say whether a difference
 * is real: Student's t quantiles and paired t-intervals, the exact sign
 * test, the Wilcoxon signed-rank test (exact for small n), percentile
 * and percentile quantiles (the bootstrap draws from rx_common.h's rx_rng).
 *
 * Pure functions of their arguments: no I/O, no global state, no
 * allocation except where a contract says so.  The formulas are those of
 * rexsweep-report(1), section STATISTICS; tests/test_stats.c checks them
 * against values from tests/data/report/stats_ref.py.
 */
#ifndef RX_STATS_H
#define RX_STATS_H

/* I_x(a, b): the regularised incomplete beta function, 0 <= x <= 1,
 * a, b > 0 (NaN outside). */
double rx_betainc(double a, double b, double x);

/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double rx_t_cdf(double t, double df);

/* The p-quantile of Student's t with df > 0 degrees of freedom,
 * 0 < p < 1 (NaN outside). */
double rx_t_quantile(double p, double df);

/* A paired comparison: d[i] = rival_i - reference_i over n matched seeds. */
typedef struct rx_paired {
    int n;              /* pairs with a finite difference */
    double mean;        /* mean difference; NaN when n == 0 */
    double se;          /* s / sqrt(n); NaN when n < 2 */
    double lo, hi;      /* mean -+ t(0.975, n-1) * se; NaN when n < 2 */
} rx_paired;

/* The 95% t-interval of the mean of the finite values of d[0..n). */
rx_paired rx_paired_t(const double *d, int n);

/* Two-sided exact sign test: P under Binomial(wins + losses, 1/2) of a
 * split at least as uneven as wins:losses (ties are dropped before).
 * 1 when wins + losses == 0. */
double rx_sign_test_p(int wins, int losses);

typedef struct rx_wilcoxon {
    int n;              /* non-zero differences ranked */
    double w_plus;      /* sum of the ranks of positive differences */
    double w_minus;     /* sum of the ranks of negative differences */
    double p;           /* two-sided p-value; 1 when n == 0 */
    int exact;          /* 1: exact null distribution (n <= RX_WILCOXON_EXACT_MAX) */
} rx_wilcoxon;

#define RX_WILCOXON_EXACT_MAX 100

/* Wilcoxon signed-rank test of the finite values of d[0..n): zeros are
 * dropped, |d| ranked with ties sharing their average rank.  For n up to
 * RX_WILCOXON_EXACT_MAX the p-value is exact, from the distribution of
 * W+ over the 2^n sign patterns of these ranks (ties included); beyond,
 * the normal approximation with tie and continuity corrections.  Returns
 * RX_OK, or RX_ENOMEM (then *out is the n == 0 result). */
int rx_wilcoxon_test(const double *d, int n, rx_wilcoxon *out);

/* Mean and sample standard deviation (n-1) of the finite values of
 * x[0..n); returns how many there were.  *mean is NaN when none, *std NaN
 * when fewer than two.  (Welford's update, in the order given.) */
int rx_mean_std(const double *x, int n, double *mean, double *std);

/* The q-quantile (0 <= q <= 1) of sorted x[0..n), linear interpolation
 * between order statistics (Hyndman-Fan type 7, numpy's default).  NaN
 * when n == 0. */
double rx_quantile_sorted(const double *x, int n, double q);

#endif
