/* stats.c: t quantiles, paired t-intervals, the sign and signed-rank
 * tests, and quantiles (pure: no I/O, no globals). */
#include "rx_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_common.h"

/* ---- incomplete beta and Student's t ---------------------------------- */

/* The continued fraction of I_x(a, b) (modified Lentz), valid and fast
 * for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        for (int half = 0; half < 2; half++) {
            d = 1 + num * d;
            if (fabs(d) < tiny)
                d = tiny;
            c = 1 + num / c;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        }
        if (fabs(d * c - 1) < eps)
            break;
    }
    return h;
}

double rx_betainc(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lbt) * beta_cf(a, b, x) / a;
    return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

double rx_t_cdf(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    if (isinf(t))
        return t > 0 ? 1 : 0;
    /* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2) */
    double tail = 0.5 * rx_betainc(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - tail : tail;
}

double rx_t_quantile(double p, double df)
{
    if (!(p > 0) || !(p < 1) || !(df > 0))
        return NAN;
    if (p == 0.5)
        return 0;
    if (p < 0.5)
        return -rx_t_quantile(1 - p, df);
    /* bisection on the monotone cdf: slow but cannot fail */
    double lo = 0, hi = 1;
    while (rx_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (rx_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

rx_paired rx_paired_t(const double *d, int n)
{
    rx_paired r = {0, NAN, NAN, NAN, NAN};
    double mu = 0, m2 = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(d[i]))
            continue;
        r.n++;                                 /* Welford */
        double delta = d[i] - mu;
        mu += delta / r.n;
        m2 += delta * (d[i] - mu);
    }
    if (r.n == 0)
        return r;
    r.mean = mu;
    if (r.n < 2)
        return r;
    r.se = sqrt(m2 / (r.n - 1)) / sqrt((double)r.n);
    double q = rx_t_quantile(0.975, r.n - 1);
    r.lo = mu - q * r.se;
    r.hi = mu + q * r.se;
    return r;
}

/* ---- sign test -------------------------------------------------------- */

double rx_sign_test_p(int wins, int losses)
{
    int n = wins + losses, k = wins < losses ? wins : losses;
    if (n <= 0)
        return 1;
    /* 2 * P(X <= k), X ~ Bin(n, 1/2), summed in log space for large n */
    double sum = 0, ln2n = n * log(2.0);
    for (int i = 0; i <= k; i++)
        sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - ln2n);
    double p = 2 * sum;
    return p > 1 ? 1 : p;
}

/* ---- Wilcoxon signed-rank --------------------------------------------- */

static int cmp_abs(const void *a, const void *b)
{
    double x = fabs(*(const double *)a), y = fabs(*(const double *)b);
    return x < y ? -1 : x > y;
}

int rx_wilcoxon_test(const double *d, int n, rx_wilcoxon *out)
{
    memset(out, 0, sizeof *out);
    out->p = 1;
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return RX_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(d[i]) && d[i] != 0)
            v[m++] = d[i];
    qsort(v, (size_t)m, sizeof *v, cmp_abs);
    /* doubled midranks are integers: ties at positions i..j-1 (0-based)
     * share rank (i + 1 + j) / 2, doubled i + 1 + j */
    int *r2 = malloc((size_t)(m > 0 ? m : 1) * sizeof *r2);
    if (!r2) {
        free(v);
        return RX_ENOMEM;
    }
    double tie_term = 0;                       /* sum of t^3 - t over tie groups */
    long w2_plus = 0;
    for (int i = 0; i < m;) {
        int j = i;
        while (j < m && fabs(v[j]) == fabs(v[i]))
            j++;
        for (int q = i; q < j; q++) {
            r2[q] = i + 1 + j;
            if (v[q] > 0)
                w2_plus += r2[q];
        }
        double t = j - i;
        tie_term += t * t * t - t;
        i = j;
    }
    long total2 = (long)m * (m + 1);           /* doubled n(n+1)/2 */
    out->n = m;
    out->w_plus = w2_plus / 2.0;
    out->w_minus = (total2 - w2_plus) / 2.0;
    if (m == 0) {
        free(v);
        free(r2);
        return RX_OK;
    }
    if (m <= RX_WILCOXON_EXACT_MAX) {
        /* cnt[s] = number of sign patterns with doubled W+ = s, divided
         * by 2^m as it grows so that nothing overflows */
        double *cnt = calloc((size_t)total2 + 1, sizeof *cnt);
        if (!cnt) {
            free(v);
            free(r2);
            return RX_ENOMEM;
        }
        cnt[0] = 1;
        long top = 0;
        for (int i = 0; i < m; i++) {
            for (long s = top; s >= 0; s--)
                if (cnt[s] != 0)
                    cnt[s + r2[i]] += cnt[s];
            top += r2[i];
            for (long s = 0; s <= top; s++)
                cnt[s] *= 0.5;
        }
        double le = 0, ge = 0;
        for (long s = 0; s <= total2; s++) {
            if (s <= w2_plus)
                le += cnt[s];
            if (s >= w2_plus)
                ge += cnt[s];
        }
        out->p = fmin(1, 2 * fmin(le, ge));
        out->exact = 1;
        free(cnt);
    } else {
        double mean = m * (m + 1) / 4.0;
        double var = m * (m + 1) * (2.0 * m + 1) / 24.0 - tie_term / 48.0;
        double z = var > 0 ? (fabs(out->w_plus - mean) - 0.5) / sqrt(var) : 0;
        if (z < 0)
            z = 0;
        out->p = fmin(1, erfc(z / sqrt(2.0)));
    }
    free(v);
    free(r2);
    return RX_OK;
}

/* ---- quantiles -------------------------------------------- */

double rx_quantile_sorted(const double *x, int n, double q)
{
    if (n <= 0)
        return NAN;
    double h = (n - 1) * q;
    int i = (int)floor(h);
    if (i >= n - 1)
        return x[n - 1];
    if (i < 0)
        return x[0];
    return x[i] + (h - i) * (x[i + 1] - x[i]);
}

int rx_mean_std(const double *x, int n, double *mean, double *std)
{
    int k = 0;
    double mu = 0, m2 = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        k++;                                  /* Welford */
        double d = x[i] - mu;
        mu += d / k;
        m2 += d * (x[i] - mu);
    }
    *mean = k ? mu : NAN;
    *std = k >= 2 ? sqrt(m2 / (k - 1)) : NAN;
    return k;
}
