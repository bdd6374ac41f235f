/* lrgrid.c: the adaptive lr grid's rules: the choice, the next lr, the
 * verdict on a tuning cell.  Pure. */
#include "rx_lrgrid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rx_range.h"

int rx_value_cmp(double a, double b, int higher_better)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : isnan(a) ? -1 : 1;
    if (a == b)
        return 0;
    if (!isinf(a) && !isinf(b)) {
        double s = fmax(1.0, fmax(fabs(a), fabs(b)));
        if (fabs(a - b) <= 1e-9 * s)
            return 0;
    }
    int a_larger = a > b;
    return a_larger == (higher_better != 0) ? 1 : -1;
}

int rx_lr_eligible(const rx_lr_point *p)
{
    /* an lr that diverged for any seed is not a stable choice */
    return p->n_diverged == 0 && p->n_test > 0;
}

int rx_lr_choose(const rx_lr_point *p, int n, int higher_better, int *n_cand)
{
    int cand = 0, only = -1, best = -1;
    for (int i = 0; i < n; i++)
        if (rx_lr_eligible(&p[i]))
            cand++, only = i;
    if (n_cand)
        *n_cand = cand;
    if (cand <= 1)
        return only;
    for (int i = 0; i < n; i++) {
        if (!rx_lr_eligible(&p[i]) || isnan(p[i].val))
            continue;              /* cannot be judged on validation */
        if (best < 0 || rx_value_cmp(p[i].val, p[best].val, higher_better) > 0)
            best = i;              /* strictly better: ties keep the smaller lr */
    }
    return best < 0 ? RX_LR_UNJUDGED : best;
}

/* ---- the next lr --------------------------------------------------------- */

/* The value m x 10^e as exact decimal text in buf; its double. */
static double grid_value(int m, int e, char *buf, size_t size)
{
    char t[32];
    snprintf(t, sizeof t, "%de%d", m, e);
    if (rx_decimal_normalize(t, buf, size) != 0)
        snprintf(buf, size, "%s", t);
    return strtod(buf, NULL);
}

/* Is x exactly m x 10^e for a mantissa m of 1 or 3 (as "0.3" reads)? */
static int on_grid(double x, int *m, int *e)
{
    if (!(x > 0) || !isfinite(x))
        return 0;
    int e0 = (int)floor(log10(x));
    char buf[64];
    for (int k = e0 - 1; k <= e0 + 1; k++)
        for (int mm = 1; mm <= 3; mm += 2)
            if (grid_value(mm, k, buf, sizeof buf) == x) {
                *m = mm;
                *e = k;
                return 1;
            }
    return 0;
}

/* The x3 grid's neighbour of (m, e) above (up) or below. */
static void grid_step(int *m, int *e, int up)
{
    if (up) {
        if (*m == 1)
            *m = 3;
        else
            *m = 1, (*e)++;
    } else {
        if (*m == 1)
            *m = 3, (*e)--;
        else
            *m = 1;
    }
}

int rx_lr_next(double edge, double inner, int up, double *next, char *buf, size_t size)
{
    int m, e;
    *next = NAN;
    if (size)
        buf[0] = '\0';
    if (!(edge > 0) || !isfinite(edge))
        return -1;
    if (on_grid(edge, &m, &e)) {
        int im = m, ie = e;
        char t[64];
        grid_step(&im, &ie, !up);
        if (isnan(inner) || grid_value(im, ie, t, sizeof t) == inner) {
            grid_step(&m, &e, up);
            *next = grid_value(m, e, buf, size);
            return *next > 0 && isfinite(*next) ? 0 : -1;
        }
    }
    double ratio = isnan(inner) ? (up ? 3.0 : 1.0 / 3.0) : edge / inner;
    double x = edge * ratio;
    if (!(x > 0) || !isfinite(x) || x == edge)
        return -1;
    char t[64];
    snprintf(t, sizeof t, "%.12g", x);
    if (rx_decimal_normalize(t, buf, size) != 0)
        snprintf(buf, size, "%s", t);
    *next = strtod(buf, NULL);
    return *next > 0 && isfinite(*next) && *next != edge ? 0 : -1;
}

/* ---- the verdict --------------------------------------------------------- */

const char *rx_lr_verdict_name(rx_lr_verdict v)
{
    static const char *const names[RX_LRV_COUNT] = {
        [RX_LRV_WAIT] = "waiting",           [RX_LRV_UP] = "extending up",
        [RX_LRV_DOWN] = "extending down",    [RX_LRV_INTERIOR] = "interior",
        [RX_LRV_DIVERGED] = "bounded by divergence", [RX_LRV_LIMIT] = "at the limit",
        [RX_LRV_NONE] = "nothing to choose on",
    };
    return v >= 0 && v < RX_LRV_COUNT ? names[v] : "?";
}

/* Extends beyond the edge of side up, if that side has points left. */
static rx_lr_verdict extend_side(const rx_lr_point *p, int n, int used, int extend, int up,
                                 double *next, char *buf, size_t size)
{
    if (used >= extend)
        return RX_LRV_LIMIT;
    double edge = up ? p[n - 1].lr : p[0].lr;
    double inner = n < 2 ? NAN : up ? p[n - 2].lr : p[1].lr;
    if (rx_lr_next(edge, inner, up, next, buf, size))
        return RX_LRV_LIMIT;
    return up ? RX_LRV_UP : RX_LRV_DOWN;
}

rx_lr_verdict rx_lr_decide(const rx_lr_point *p, int n, int n_lo, int n_hi, int extend,
                           int higher_better, int *chosen, double *next, char *buf,
                           size_t size)
{
    double unused;
    char ubuf[8];
    if (!next)
        next = &unused;
    if (!buf)
        buf = ubuf, size = sizeof ubuf;
    *next = NAN;
    if (size)
        buf[0] = '\0';
    if (chosen)
        *chosen = -1;
    if (n < 1)
        return RX_LRV_NONE;
    for (int i = 0; i < n; i++)
        if (p[i].n_finished < p[i].n_runs)
            return RX_LRV_WAIT;
    int c = rx_lr_choose(p, n, higher_better, NULL);
    if (chosen)
        *chosen = c < 0 ? -1 : c;
    if (c == -1) {
        /* every lr diverged: the optimum is below the grid */
        for (int i = 0; i < n; i++)
            if (p[i].n_diverged == 0)
                return RX_LRV_NONE;
        return extend_side(p, n, n_lo, extend, 0, next, buf, size);
    }
    if (c < 0)
        return RX_LRV_NONE;
    if (c == n - 1) {
        rx_lr_verdict v = extend_side(p, n, n_hi, extend, 1, next, buf, size);
        /* one point is both edges: below, once above is done */
        if (v != RX_LRV_LIMIT || n > 1)
            return v;
    }
    if (c == 0)
        return extend_side(p, n, n_lo, extend, 0, next, buf, size);
    if (p[c - 1].n_diverged > 0 || p[c + 1].n_diverged > 0)
        return RX_LRV_DIVERGED;
    return RX_LRV_INTERIOR;
}
