/* report_stats.c: whether a difference between schedules is real: paired
 * differences per comparison against a reference schedule, the sign and
 * signed-rank tests over all comparisons, bootstrap intervals for average
 * ranks and Top-k rates, and the verdicts in words (pure: no I/O). */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const split_word[RX_N_SPLIT] = {"low-budget", "high-budget", ""};

/* The reference: the one asked for, or the best average rank over every
 * comparison (ties: the first in the paper's order). */
static int pick_ref(rx_report *r, const rx_report_opts *opts, rx_err *err)
{
    int nR = r->n_ranked;
    size_t nrank = (size_t)r->n_settings * r->n_optimizers * r->n_budgets * nR;
    r->ref = -1;
    if (opts->vs) {
        for (int i = 0; i < nR; i++)
            if (strcmp(r->ranked[i], opts->vs) == 0)
                r->ref = i;
        if (r->ref < 0 && r->merged && strcmp(opts->vs, "plateau") == 0)
            return rx_errf(err, RX_EINVAL, "--vs 'plateau': plateau is merged into step in the "
                           "ranks; use --vs step, or --no-merge to rank it alone");
        if (r->ref < 0) {
            char known[512];
            size_t len = 0;
            known[0] = '\0';
            for (int i = 0; i < nR && len < sizeof known; i++)
                len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                                        r->ranked[i]);
            return rx_errf(err, RX_EINVAL, "--vs '%s': no such ranked schedule (ranked: %s)",
                           opts->vs, nR ? known : "none");
        }
        r->ref_asked = 1;
        return RX_OK;
    }
    double best = INFINITY;
    for (int i = 0; i < nR; i++) {
        double sum = 0;
        int k = 0;
        for (size_t at = (size_t)i; at < nrank; at += (size_t)nR)
            if (!isnan(r->rank[at]))
                sum += r->rank[at], k++;
        if (k && sum / k < best - 1e-12)
            best = sum / k, r->ref = i;
    }
    return RX_OK;
}

int rx_report_matched(const rx_report_cell *ref, const rx_report_cell *riv, double *d)
{
    int i = 0, j = 0, n = 0;
    while (i < ref->n && j < riv->n) {
        if (ref->seeds[i] < riv->seeds[j])
            i++;
        else if (ref->seeds[i] > riv->seeds[j])
            j++;
        else
            d[n++] = riv->vals[j++] - ref->vals[i++];
    }
    return n;
}

static int pairs(rx_report *r, const int *src)
{
    const rx_metric *m = &r->metric;
    int nS = r->n_settings, nO = r->n_optimizers, nB = r->n_budgets, nR = r->n_ranked;
    int nK = r->n_schedules;
    size_t nrank = (size_t)nS * nO * nB * nR, ncomp = (size_t)nS * nO * nB;
    int maxn = 1;
    for (size_t i = 0; i < (size_t)nS * nO * nK * nB; i++)
        maxn = r->cells[i].n > maxn ? r->cells[i].n : maxn;
    r->pair = calloc(nrank ? nrank : 1, sizeof *r->pair);
    r->versus = calloc((size_t)nR, sizeof *r->versus);
    double *d = malloc((size_t)maxn * sizeof *d);
    double *g = malloc((ncomp ? ncomp : 1) * RX_N_SPLIT * sizeof *g);
    int rc = !r->pair || !r->versus || !d || !g ? RX_ENOMEM : RX_OK;
    for (int q = 0; q < nR && !rc; q++) {
        rx_report_versus *vs = &r->versus[q];
        int n_g[RX_N_SPLIT] = {0};
        for (int s = 0; s < nS; s++)
        for (int o = 0; o < nO; o++)
        for (int b = 0; b < nB; b++) {
            size_t at = (((size_t)s * nO + o) * nB + b) * nR;
            rx_report_pair *p = &r->pair[at + q];
            p->cmp = 2;
            if (q == r->ref || isnan(r->rank[at + q]) || isnan(r->rank[at + r->ref]))
                continue;
            const rx_report_cell *cr = rx_report_cell_at(r, s, o, src[at + r->ref], b);
            const rx_report_cell *cq = rx_report_cell_at(r, s, o, src[at + q], b);
            double xr = rx_report_cell_value(r, cr), xq = rx_report_cell_value(r, cq);
            p->cmp = rx_metric_cmp(m, xr, xq);
            int n = rx_report_matched(cr, cq, d);
            p->d = rx_paired_t(d, n);
            p->unmatched = cr->n - n + cq->n - n;
            /* oriented: positive = the reference is better */
            double sgn = m->higher_better ? -1 : 1;
            if (p->d.n >= 2 && (p->d.lo > 0 || p->d.hi < 0))
                p->beyond = (p->d.lo > 0) == (sgn > 0) ? 1 : -1;
            double gd = p->cmp == 0 ? 0 : p->d.n ? sgn * p->d.mean : sgn * (xq - xr);
            int split = r->budgets[b] < r->low_cut ? RX_SPLIT_LOW : RX_SPLIT_HIGH;
            int sp[2] = {split, RX_SPLIT_ALL};
            for (int t = 0; t < 2; t++) {
                vs->wins[sp[t]] += p->cmp > 0;
                vs->losses[sp[t]] += p->cmp < 0;
                vs->ties[sp[t]] += p->cmp == 0;
                vs->beyond_win[sp[t]] += p->beyond > 0;
                vs->beyond_loss[sp[t]] += p->beyond < 0;
                vs->with_interval[sp[t]] += p->d.n >= 2;
                g[sp[t] * ncomp + (size_t)n_g[sp[t]]++] = gd;
            }
        }
        for (int t = 0; t < RX_N_SPLIT && !rc; t++) {
            vs->sign_p[t] = rx_sign_test_p(vs->wins[t], vs->losses[t]);
            rc = rx_wilcoxon_test(g + t * ncomp, n_g[t], &vs->wilcoxon[t]);
        }
    }
    free(d);
    free(g);
    return rc;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The 2.5% and 97.5% quantiles of the finite values among x[i * stride],
 * i < n (tmp: n doubles), into lohi; NaN when none. */
static void percentile_ci(const double *x, int n, size_t stride, double *tmp, double *lohi)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[(size_t)i * stride]))
            tmp[k++] = x[(size_t)i * stride];
    qsort(tmp, (size_t)k, sizeof *tmp, cmp_dbl);
    lohi[0] = rx_quantile_sorted(tmp, k, 0.025);
    lohi[1] = rx_quantile_sorted(tmp, k, 0.975);
}

/* Bootstrap: in each replicate and each comparison (setting, optimizer,
 * budget), draw as many seeds as the comparison has (the union over its
 * schedules), with replacement, and give every schedule the mean of its
 * values at the drawn seeds (paired: one draw serves all schedules, as
 * they share initialisation and batch order); rerank. */
static int bootstrap(rx_report *r, int n_boot)
{
    int nS = r->n_settings, nO = r->n_optimizers, nB = r->n_budgets, nR = r->n_ranked;
    int nK = r->n_schedules;
    size_t ncells = (size_t)nS * nO * nK * nB, ncomp = (size_t)nS * nO * nB;
    size_t nrank = ncomp * nR, nav = (size_t)nO * nB * nR, ntop = (size_t)nR * RX_N_SPLIT * 2;
    int rc = RX_ENOMEM;
    /* per comparison: its seeds (union) and a nK x nu matrix of values */
    size_t *off = calloc(ncomp + 1, sizeof *off);
    int *nu = calloc(ncomp ? ncomp : 1, sizeof *nu);
    double *cv = malloc(ncells * sizeof *cv), *cvb = malloc(ncells * sizeof *cvb);
    double *v = malloc((size_t)nR * sizeof *v), *rank = malloc(nrank * sizeof *rank);
    double *avg = malloc(nav * sizeof *avg);
    int *top = malloc(ntop * sizeof *top), *top_n = malloc(ntop / 2 * sizeof *top_n);
    double *boot_avg = malloc((size_t)n_boot * nav * sizeof *boot_avg);
    double *boot_top = malloc((size_t)n_boot * ntop * sizeof *boot_top);
    double *tmp = malloc((size_t)n_boot * sizeof *tmp);
    long long *useeds = NULL;
    double *mat = NULL;
    int *draw = NULL;
    r->avg_rank_ci = malloc(nav * 2 * sizeof *r->avg_rank_ci);
    r->top_ci = malloc(ntop * 2 * sizeof *r->top_ci);
    if (!off || !nu || !cv || !cvb || !v || !rank || !avg || !top || !top_n || !boot_avg ||
        !boot_top || !tmp || !r->avg_rank_ci || !r->top_ci)
        goto out;
    size_t total = 0;
    int maxu = 1;
    for (size_t c = 0; c < ncomp; c++) {
        int s = (int)(c / ((size_t)nO * nB)), o = (int)(c / nB % nO), b = (int)(c % nB);
        int n = 0;
        for (int k = 0; k < nK; k++)
            n += rx_report_cell_at(r, s, o, k, b)->n;
        nu[c] = n;                     /* an upper bound until the union is taken */
        off[c] = total;
        total += (size_t)n;
        maxu = n > maxu ? n : maxu;
    }
    off[ncomp] = total;
    useeds = malloc((total ? total : 1) * sizeof *useeds);
    draw = malloc((size_t)maxu * sizeof *draw);
    if (!useeds || !draw)
        goto out;
    /* the union of each comparison's seeds, sorted and deduplicated */
    for (size_t c = 0; c < ncomp; c++) {
        int s = (int)(c / ((size_t)nO * nB)), o = (int)(c / nB % nO), b = (int)(c % nB);
        long long *u = useeds + off[c];
        int n = 0;
        for (int k = 0; k < nK; k++) {
            const rx_report_cell *cl = rx_report_cell_at(r, s, o, k, b);
            for (int i = 0; i < cl->n; i++)
                u[n++] = cl->seeds[i];
        }
        for (int i = 1; i < n; i++)    /* insertion sort: n is a few seeds x schedules */
            for (int j = i; j > 0 && u[j - 1] > u[j]; j--) {
                long long t = u[j];
                u[j] = u[j - 1];
                u[j - 1] = t;
            }
        int w = 0;
        for (int i = 0; i < n; i++)
            if (!w || u[w - 1] != u[i])
                u[w++] = u[i];
        nu[c] = w;
    }
    /* mat[(off_k + k) * ...]: per comparison, nK rows of nu values */
    size_t mtotal = 0;
    for (size_t c = 0; c < ncomp; c++)
        mtotal += (size_t)nK * nu[c];
    mat = malloc((mtotal ? mtotal : 1) * sizeof *mat);
    if (!mat)
        goto out;
    size_t mo = 0;
    for (size_t c = 0; c < ncomp; c++) {
        int s = (int)(c / ((size_t)nO * nB)), o = (int)(c / nB % nO), b = (int)(c % nB);
        const long long *u = useeds + off[c];
        for (int k = 0; k < nK; k++) {
            const rx_report_cell *cl = rx_report_cell_at(r, s, o, k, b);
            double *row = mat + mo + (size_t)k * nu[c];
            int j = 0;
            for (int i = 0; i < nu[c]; i++) {
                while (j < cl->n && cl->seeds[j] < u[i])
                    j++;
                row[i] = j < cl->n && cl->seeds[j] == u[i] ? cl->vals[j] : NAN;
            }
        }
        mo += (size_t)nK * nu[c];
    }
    for (size_t i = 0; i < ncells; i++)
        cv[i] = rx_report_cell_value(r, &r->cells[i]);
    rx_rng g;
    rx_rng_seed(&g, RX_REPORT_BOOT_SEED);
    for (int rep = 0; rep < n_boot; rep++) {
        memcpy(cvb, cv, ncells * sizeof *cv);
        mo = 0;
        for (size_t c = 0; c < ncomp; c++) {
            int s = (int)(c / ((size_t)nO * nB)), o = (int)(c / nB % nO), b = (int)(c % nB);
            for (int i = 0; i < nu[c]; i++)
                draw[i] = (int)rx_rng_below(&g, (uint64_t)nu[c]);
            for (int k = 0; k < nK; k++) {
                size_t ci = (((size_t)s * nO + o) * nK + k) * nB + b;
                if (r->cells[ci].n == 0)
                    continue;          /* no value, or diverged: as in the report */
                const double *row = mat + mo + (size_t)k * nu[c];
                double sum = 0;
                int cnt = 0;
                for (int i = 0; i < nu[c]; i++)
                    if (!isnan(row[draw[i]]))
                        sum += row[draw[i]], cnt++;
                if (cnt)
                    cvb[ci] = sum / cnt;
            }
            mo += (size_t)nK * nu[c];
        }
        int ncmp[RX_N_SPLIT] = {0};
        memset(top, 0, ntop * sizeof *top);
        memset(top_n, 0, ntop / 2 * sizeof *top_n);
        rx_rank_out ro = {rank, avg, NULL, top, top_n, ncmp, NULL};
        rx_report_rank_from(r, cvb, v, &ro);
        memcpy(boot_avg + (size_t)rep * nav, avg, nav * sizeof *avg);
        for (size_t i = 0; i < ntop; i++)
            boot_top[(size_t)rep * ntop + i] = top_n[i / 2] ? (double)top[i] / top_n[i / 2] : NAN;
    }
    for (size_t i = 0; i < nav; i++)
        percentile_ci(boot_avg + i, n_boot, nav, tmp, r->avg_rank_ci + 2 * i);
    for (size_t i = 0; i < ntop; i++)
        percentile_ci(boot_top + i, n_boot, ntop, tmp, r->top_ci + 2 * i);
    r->n_boot = n_boot;
    rc = RX_OK;
out:
    free(off);
    free(nu);
    free(cv);
    free(cvb);
    free(v);
    free(rank);
    free(avg);
    free(top);
    free(top_n);
    free(boot_avg);
    free(boot_top);
    free(tmp);
    free(useeds);
    free(mat);
    free(draw);
    return rc;
}

int rx_report_stats(rx_report *r, const int *src, const rx_report_opts *opts, rx_err *err)
{
    int rc = pick_ref(r, opts, err);
    if (rc)
        return rc;
    if (r->ref >= 0 && pairs(r, src))
        return rx_errf(err, RX_ENOMEM, "out of memory computing the paired statistics");
    int n_boot = opts->bootstrap == 0 ? RX_REPORT_BOOTSTRAP : opts->bootstrap;
    if (n_boot > 0 && r->n_comparisons[RX_SPLIT_ALL] > 0 && bootstrap(r, n_boot))
        return rx_errf(err, RX_ENOMEM, "out of memory computing the bootstrap intervals");
    return RX_OK;
}

/* ---- in words --------------------------------------------------------- */

void rx_report_fmt_p(double p, char *buf, size_t size)
{
    if (isnan(p))
        snprintf(buf, size, "-");
    else if (p >= 0.01)
        snprintf(buf, size, "%.2f", p);
    else if (p >= 0.001)
        snprintf(buf, size, "%.3f", p);
    else
        snprintf(buf, size, "%.1e", p);
}

int rx_report_verdicts(const rx_report *r, void (*line)(void *ud, const char *text), void *ud)
{
    int count = 0;
    if (r->ref < 0 || !r->pair)
        return 0;
    const char *ref = r->ranked[r->ref];
    for (int q = 0; q < r->n_ranked; q++) {
        if (q == r->ref)
            continue;
        const rx_report_versus *vs = &r->versus[q];
        for (int sp = RX_SPLIT_LOW; sp <= RX_SPLIT_HIGH; sp++) {
            int n = vs->wins[sp] + vs->losses[sp] + vs->ties[sp];
            if (!n)
                continue;
            char buf[768], p1[16], p2[16];
            rx_report_fmt_p(vs->sign_p[sp], p1, sizeof p1);
            rx_report_fmt_p(vs->wilcoxon[sp].p, p2, sizeof p2);
            size_t len = (size_t)snprintf(
                buf, sizeof buf,
                "%s beats %s in %d of %d %s comparisons, loses %d, ties %d (sign test p = %s, "
                "Wilcoxon p = %s)",
                ref, r->ranked[q], vs->wins[sp], n, split_word[sp], vs->losses[sp],
                vs->ties[sp], p1, p2);
            if (len < sizeof buf) {
                if (vs->with_interval[sp])
                    snprintf(buf + len, sizeof buf - len,
                             "; beyond noise in %d (%s better) and %d (%s better) of the %d with "
                             "two or more matched seeds",
                             vs->beyond_win[sp], ref, vs->beyond_loss[sp], r->ranked[q],
                             vs->with_interval[sp]);
                else
                    snprintf(buf + len, sizeof buf - len,
                             "; noise cannot be judged: no comparison has two matched seeds");
            }
            line(ud, buf);
            count++;
        }
    }
    return count;
}
