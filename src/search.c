/* search.c: successive halving and hyperband over a grid's budgets.
 *
 * Every run is tagged once with its rung, group and candidate (from its
 * configuration: the group key is the configuration with the budget, the
 * seed and the searched keys set to fixed values; the candidate key the
 * configuration with the budget fixed).  An update then reads the store
 * once and walks each group's rungs: per run a lookup, per group a sort of
 * its candidates, never a scan of all runs per run. */
#include "rx_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_results.h"

#define CAND_LABEL_MAX 96

/* Per candidate and rung: what the store says of its runs. */
typedef struct cand_rung {
    int runs, final, diverged, n_val, n_test;
    double sum_val, sum_test;
    double cost;
} cand_rung;

struct rx_search {
    const rx_spec *spec;
    const rx_run_ref *runs;
    int n;
    int eta, n_rungs;
    double rung[64];
    int *rung_of, *group_of, *cand_of;  /* per run */
    int n_groups, n_cands;
    int *cand_group;                    /* per candidate */
    int *cand_first;                    /* grid index of its first run */
    double *cand_lr;
    char (*cand_label)[CAND_LABEL_MAX];
    char (*group_label)[RX_REPORT_SETTING_MAX + 2 * RX_REPORT_NAME_MAX + 8];
    int *group_start, *group_cands;     /* candidates by group (CSR) */
    cand_rung *cr;                      /* n_cands x n_rungs */
    unsigned char *alive;               /* n_cands x n_rungs: runs there
                                           (in some bracket) */
    int n_br;                           /* brackets: halving 1, hyperband
                                           one per rung */
    int br_start[64];                   /* the first rung of bracket b */
    double br_size[64];                 /* its candidates per group (before
                                           the cap of a group's count) */
    unsigned char *in_br;               /* n_br x n_cands */
    unsigned char *alive_b;             /* n_br x n_cands x n_rungs */
    int *decided;                       /* n_groups x n_br: rungs whose
                                           candidates are decided (> the
                                           bracket's first rung) */
    rx_metric metric;
    int have_metric;
};

#define AT(s, c, k) ((size_t)(c) * (size_t)(s)->n_rungs + (size_t)(k))
#define ATB(s, b, c, k) (((size_t)(b) * (size_t)(s)->n_cands + (size_t)(c)) * \
                         (size_t)(s)->n_rungs + (size_t)(k))

int rx_search_promote(const rx_metric *m, rx_search_cand *c, int n, int eta)
{
    int keep = n / (eta >= 2 ? eta : 2), done = 0;
    if (keep < 1)
        keep = 1;
    for (int i = 0; i < n; i++)
        c[i].promoted = 0;
    /* selection by repeated best: n is a group's candidates (tens) */
    while (done < keep) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (c[i].promoted || !c[i].eligible || isnan(c[i].score))
                continue;
            if (best < 0) {
                best = i;
                continue;
            }
            int cmp = rx_metric_cmp(m, c[i].score, c[best].score);
            if (cmp > 0 || (cmp == 0 && (c[i].lr < c[best].lr ||
                                          (c[i].lr == c[best].lr && c[i].first < c[best].first))))
                best = i;
        }
        if (best < 0)
            break;
        c[best].promoted = 1;
        done++;
    }
    return done;
}

/* ---- building ----------------------------------------------------------- */

static int number_keys(rx_keyed *k, int n, int *id)
{
    qsort(k, (size_t)n, sizeof *k, rx_keyed_cmp);
    /* first index of each distinct key, then rank those */
    rx_keyed *firsts = malloc((size_t)(n ? n : 1) * sizeof *firsts);
    int *cls = malloc((size_t)(n ? n : 1) * sizeof *cls);
    if (!firsts || !cls) {
        free(firsts);
        free(cls);
        return -1;
    }
    int m = 0;
    for (int j = 0; j < n; j++) {
        if (j == 0 || k[j].key != k[j - 1].key) {
            firsts[m] = (rx_keyed){(uint64_t)k[j].i, m};
            m++;
        }
        cls[j] = m - 1;
    }
    qsort(firsts, (size_t)m, sizeof *firsts, rx_keyed_cmp);   /* by first index */
    int *rank = malloc((size_t)(m ? m : 1) * sizeof *rank);
    if (!rank) {
        free(firsts);
        free(cls);
        return -1;
    }
    for (int r = 0; r < m; r++)
        rank[firsts[r].i] = r;
    for (int j = 0; j < n; j++)
        id[k[j].i] = rank[cls[j]];
    free(rank);
    free(firsts);
    free(cls);
    return m;
}

static uint64_t key_u64(const char *hex)
{
    return strtoull(hex, NULL, 16);
}

/* Appends the keys that the choices of axis a set, each once; an axis of
 * entries (optimizers, schedules) contributes only its entries' own axes,
 * since the keys an entry fixes (an optimizer's name, its momentum) tell
 * entries apart, not candidates. */
static void axis_keys(const rx_axis *a, int entries, const char **keys, int *n, int max)
{
    for (int i = 0; i < a->n; i++) {
        const rx_choice *c = &a->choices[i];
        for (int j = 0; !entries && j < c->n_set; j++) {
            int seen = 0;
            for (int k = 0; k < *n && !seen; k++)
                seen = strcmp(keys[k], c->set[j].key) == 0;
            if (!seen && *n < max)
                keys[(*n)++] = c->set[j].key;
        }
        for (int j = 0; j < c->n_sub; j++)
            axis_keys(&c->sub[j], 0, keys, n, max);
    }
}

static const char *strategy_name(const rx_spec *spec)
{
    return spec->search.strategy == RX_STRATEGY_HYPERBAND ? "hyperband" : "halving";
}

/* The searched keys: search.over, or every key of the optimizer (but its
 * name) that an axis sweeps: an lr list, a sampled lr and momentum, a
 * grid of weight decays.  Returns how many, or -1 with err filled. */
static int searched_keys(const rx_spec *spec, const char **keys, int max, rx_err *err)
{
    const rx_grid *g = &spec->grid;
    const char *swept[256];
    int ns = 0, n = 0;
    for (int i = 0; i < g->n_axes; i++)
        axis_keys(&g->axes[i],
                  !strcmp(g->axes[i].name, "optimizers") || !strcmp(g->axes[i].name, "schedules"),
                  swept, &ns, 256);
    const rx_search_spec *ss = &spec->search;
    if (ss->n_over > 0) {
        for (int i = 0; i < ss->n_over; i++) {
            int found = 0;
            for (int j = 0; j < ns; j++)
                found |= strcmp(swept[j], ss->over[i]) == 0;
            if (!found || !strcmp(ss->over[i], "train.budget") || !strcmp(ss->over[i], "train.seed"))
                return -!!rx_grid_errf(g, ss->loc, err, RX_EINVAL,
                                       "'search.over' names '%s', which is not a swept key a "
                                       "search can choose (the budget and the seed are not)",
                                       ss->over[i]);
            keys[n++] = ss->over[i];
        }
        return n;
    }
    for (int j = 0; j < ns && n < max; j++)
        if (strncmp(swept[j], "optimizer.", 10) == 0 && strcmp(swept[j], "optimizer.name") != 0)
            keys[n++] = swept[j];
    if (n == 0)
        return -!!rx_grid_errf(g, ss->loc, err, RX_EINVAL,
                               "%s needs candidates: sweep a key of the optimizer (an lr "
                               "list) or name the searched keys in 'search.over'",
                               strategy_name(spec));
    return n;
}

int rx_search_tuned_keys(const rx_spec *spec, const char **keys, int max)
{
    const char *k[RX_SEARCH_MAX_OVER];
    int n = 0, m = 0;
    rx_err e;
    if (spec->search.strategy != RX_STRATEGY_GRID) {
        if ((n = searched_keys(spec, k, RX_SEARCH_MAX_OVER, &e)) < 0)
            n = 0;
    } else {
        for (n = 0; n < spec->n_sampled; n++)
            k[n] = spec->sampled[n];
    }
    for (int i = 0; i < n && m < max; i++)
        if (strcmp(k[i], "optimizer.lr") != 0)
            keys[m++] = k[i];
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Labels each group by its first run: the optimizer and the schedule,
 * then the values of the other keys an axis sweeps, but the searched keys,
 * the budget and the seed ("sgd / rex", "adam / cosine hidden=[64]"). */
static int group_labels(rx_search *s, const char *const *over, int n_over, rx_err *err)
{
    const rx_grid *g = &s->spec->grid;
    const char *swept[256];
    int ns = 0;
    for (int i = 0; i < g->n_axes; i++)
        axis_keys(&g->axes[i],
                  !strcmp(g->axes[i].name, "optimizers") || !strcmp(g->axes[i].name, "schedules"),
                  swept, &ns, 256);
    int *seen = calloc((size_t)(s->n_groups ? s->n_groups : 1), sizeof *seen);
    if (!seen)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    int rc = RX_OK;
    for (int i = 0; i < s->n && rc == RX_OK; i++) {
        int grp = s->group_of[i];
        if (seen[grp]++)
            continue;
        rx_config c;
        if ((rc = rx_grid_config(g, &s->runs[i], &c, err)))
            break;
        char *l = s->group_label[grp], v[256];
        size_t size = sizeof s->group_label[grp], len = 0;
        char opt[64] = "", sched[64] = "";
        rx_config_get(&c, "optimizer.name", opt, sizeof opt);
        rx_config_get(&c, "schedule.name", sched, sizeof sched);
        len = (size_t)snprintf(l, size, "%s / %s", opt, sched);
        for (int k = 0; k < ns && len < size; k++) {
            int skip = !strcmp(swept[k], "train.budget") || !strcmp(swept[k], "train.seed") ||
                       !strcmp(swept[k], "optimizer.name") || !strcmp(swept[k], "schedule.name");
            for (int j = 0; j < n_over && !skip; j++)
                skip = !strcmp(swept[k], over[j]);
            if (skip || rx_config_get(&c, swept[k], v, sizeof v) != RX_OK)
                continue;
            const char *dot = strrchr(swept[k], '.');
            len += (size_t)snprintf(l + len, size - len, " %s=%s", dot ? dot + 1 : swept[k], v);
        }
    }
    free(seen);
    return rc;
}

int rx_search_new(const rx_spec *spec, const rx_run_ref *runs, int n, rx_search **out,
                  rx_err *err)
{
    *out = NULL;
    const char *over[RX_SEARCH_MAX_OVER];
    int n_over = searched_keys(spec, over, RX_SEARCH_MAX_OVER, err);
    if (n_over < 0)
        return RX_EINVAL;
    rx_search *s = calloc(1, sizeof *s);
    if (!s)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    s->spec = spec;
    s->runs = runs;
    s->n = n;
    s->eta = spec->search.eta >= 2 ? spec->search.eta : 3;
    size_t nn = (size_t)(n ? n : 1);
    s->rung_of = malloc(nn * sizeof *s->rung_of);
    s->group_of = malloc(nn * sizeof *s->group_of);
    s->cand_of = malloc(nn * sizeof *s->cand_of);
    rx_keyed *gk = malloc(nn * sizeof *gk), *ck = malloc(nn * sizeof *ck);
    double *budget = malloc(nn * sizeof *budget), *lr = malloc(nn * sizeof *lr);
    char (*label)[CAND_LABEL_MAX] = malloc(nn * sizeof *label);
    int rc = RX_OK;
    if (!s->rung_of || !s->group_of || !s->cand_of || !gk || !ck || !budget || !lr || !label) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    /* the fixed values of the searched keys in group keys: their defaults,
     * or (a schedule parameter the default schedule lacks) a first value */
    char ref[RX_SEARCH_MAX_OVER][256];
    int have_ref[RX_SEARCH_MAX_OVER] = {0};
    rx_config d;
    rx_config_defaults(&d);
    /* the two keys of every run differ from the last run's in a few
     * values: memos key them at the cost of those values */
    rx_key_memo *memo_c = rx_key_memo_new(), *memo_g = rx_key_memo_new();
    if (!memo_c || !memo_g)
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
    for (int k = 0; k < n_over; k++)
        have_ref[k] = rx_config_get(&d, over[k], ref[k], sizeof ref[k]) == RX_OK;
    for (int i = 0; i < n && rc == RX_OK; i++) {
        rx_config c;
        if ((rc = rx_grid_config(&spec->grid, &runs[i], &c, err)))
            break;
        if (!spec->trainer && c.data.validation <= 0) {
            rc = rx_grid_errf(&spec->grid, spec->search.loc, err, RX_EINVAL,
                              "%s promotes on the validation metric, and run %d has no "
                              "validation split: set data.validation",
                              strategy_name(spec), runs[i].index);
            break;
        }
        budget[i] = c.train.budget;
        lr[i] = c.optim.lr;
        char cell[RX_KEY_LEN + 1], run[RX_KEY_LEN + 1];
        rx_config g = c;
        g.train.budget = 1;
        if ((rc = rx_config_keys(memo_c, &g, run, cell)))
            break;
        ck[i] = (rx_keyed){key_u64(cell), i};
        size_t len = 0;
        label[i][0] = '\0';
        for (int k = 0; k < n_over; k++) {
            char v[256];
            if (rx_config_get(&c, over[k], v, sizeof v) != RX_OK)
                continue;
            const char *dot = strrchr(over[k], '.');
            len += (size_t)snprintf(label[i] + len, len < CAND_LABEL_MAX ? CAND_LABEL_MAX - len : 0,
                                    "%s%s=%s", len ? " " : "", dot ? dot + 1 : over[k], v);
            if (len >= CAND_LABEL_MAX)
                len = CAND_LABEL_MAX - 1;
            if (!have_ref[k]) {
                snprintf(ref[k], sizeof ref[k], "%s", v);
                have_ref[k] = 1;
            }
            rx_err e;
            if (rx_config_set_str(&g, over[k], ref[k], &e) != RX_OK) {
                rc = rx_grid_errf(&spec->grid, spec->search.loc, err, RX_EINVAL,
                                  "the searched key '%s' cannot be reset in run %d: %s", over[k],
                                  runs[i].index, e.msg);
                break;
            }
        }
        if (rc)
            break;
        g.train.seed = 0;
        if ((rc = rx_config_keys(memo_g, &g, run, cell)))
            break;
        gk[i] = (rx_keyed){key_u64(cell), i};
    }
    rx_key_memo_free(memo_c);
    rx_key_memo_free(memo_g);
    if (rc)
        goto out;
    /* rungs: the distinct budgets, ascending */
    double *sorted = malloc(nn * sizeof *sorted);
    if (!sorted) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(sorted, budget, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
    for (int i = 0; i < n; i++)
        if (s->n_rungs == 0 || sorted[i] != s->rung[s->n_rungs - 1]) {
            if (s->n_rungs == 64) {
                free(sorted);
                rc = rx_grid_errf(&spec->grid, spec->search.loc, err, RX_EINVAL,
                                  "%s takes at most 64 budgets (rungs)", strategy_name(spec));
                goto out;
            }
            s->rung[s->n_rungs++] = sorted[i];
        }
    free(sorted);
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (s->rung[k] != budget[i])
            k++;
        s->rung_of[i] = k;
    }
    if ((s->n_groups = number_keys(gk, n, s->group_of)) < 0 ||
        (s->n_cands = number_keys(ck, n, s->cand_of)) < 0) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    size_t nc = (size_t)(s->n_cands ? s->n_cands : 1), ng = (size_t)(s->n_groups ? s->n_groups : 1);
    s->cand_group = malloc(nc * sizeof *s->cand_group);
    s->cand_first = malloc(nc * sizeof *s->cand_first);
    s->cand_lr = malloc(nc * sizeof *s->cand_lr);
    s->cand_label = malloc(nc * sizeof *s->cand_label);
    s->group_label = calloc(ng, sizeof *s->group_label);
    s->group_start = calloc(ng + 1, sizeof *s->group_start);
    s->group_cands = malloc(nc * sizeof *s->group_cands);
    s->cr = calloc(nc * (size_t)s->n_rungs, sizeof *s->cr);
    s->alive = calloc(nc * (size_t)s->n_rungs, 1);
    /* brackets: hyperband's s = R-1 .. 0 start at rung R-1-s with
     * ceil(R eta^s / (s+1)) candidates (Li et al. 2018); halving's one
     * starts at rung 0 with all */
    int hyper = spec->search.strategy == RX_STRATEGY_HYPERBAND;
    s->n_br = hyper ? s->n_rungs : 1;
    for (int b = 0; b < s->n_br; b++) {
        int sb = s->n_rungs - 1 - b;
        s->br_start[b] = hyper ? b : 0;
        s->br_size[b] = hyper ? ceil(s->n_rungs * pow(s->eta, sb) / (sb + 1)) : HUGE_VAL;
    }
    s->in_br = calloc((size_t)s->n_br * nc, 1);
    s->alive_b = calloc((size_t)s->n_br * nc * (size_t)s->n_rungs, 1);
    s->decided = calloc(ng * (size_t)s->n_br, sizeof *s->decided);
    if (!s->decided || !s->in_br || !s->alive_b || !s->cand_group || !s->cand_first || !s->cand_lr || !s->cand_label || !s->group_label ||
        !s->group_start || !s->group_cands || !s->cr || !s->alive) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    for (int c = 0; c < s->n_cands; c++)
        s->cand_first[c] = -1;
    for (int i = 0; i < n; i++) {
        int c = s->cand_of[i];
        if (s->cand_first[c] < 0) {
            s->cand_first[c] = runs[i].index;
            s->cand_group[c] = s->group_of[i];
            s->cand_lr[c] = lr[i];
            memcpy(s->cand_label[c], label[i], CAND_LABEL_MAX);
        }
        s->cr[AT(s, c, s->rung_of[i])].runs++;
        s->cr[AT(s, c, s->rung_of[i])].cost += runs[i].epochs;
    }
    /* candidates by group, in order of first appearance */
    for (int c = 0; c < s->n_cands; c++)
        s->group_start[s->cand_group[c] + 1]++;
    for (int g = 0; g < s->n_groups; g++)
        s->group_start[g + 1] += s->group_start[g];
    int *fill = calloc(ng, sizeof *fill);
    if (!fill) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
        goto out;
    }
    for (int c = 0; c < s->n_cands; c++) {
        int g = s->cand_group[c];
        s->group_cands[s->group_start[g] + fill[g]++] = c;
    }
    free(fill);
    /* each bracket's candidates: the next consecutive slice of the
     * group's (in grid order), wrapping around when the group has fewer
     * than the brackets take */
    for (int g = 0; g < s->n_groups; g++) {
        const int *gc = s->group_cands + s->group_start[g];
        int ncg = s->group_start[g + 1] - s->group_start[g], off = 0;
        for (int b = 0; b < s->n_br && ncg > 0; b++) {
            int m = s->br_size[b] < ncg ? (int)s->br_size[b] : ncg;
            for (int j = 0; j < m; j++)
                s->in_br[(size_t)b * s->n_cands + gc[(off + j) % ncg]] = 1;
            off = (off + m) % ncg;
        }
    }
    if ((rc = group_labels(s, over, n_over, err)))
        goto out;
out:
    free(gk);
    free(ck);
    free(budget);
    free(lr);
    free(label);
    if (rc) {
        rx_search_free(s);
        return rc;
    }
    *out = s;
    return RX_OK;
}

void rx_search_free(rx_search *s)
{
    if (!s)
        return;
    free(s->rung_of);
    free(s->group_of);
    free(s->cand_of);
    free(s->cand_group);
    free(s->cand_first);
    free(s->cand_lr);
    free(s->cand_label);
    free(s->group_label);
    free(s->group_start);
    free(s->group_cands);
    free(s->cr);
    free(s->alive);
    free(s->in_br);
    free(s->alive_b);
    free(s->decided);
    free(s);
}

/* ---- deciding ------------------------------------------------------------- */

typedef struct result_ref {
    char key[RX_KEY_LEN + 1];
    int i;
} result_ref;

static int cmp_result(const void *a, const void *b)
{
    return strcmp(((const result_ref *)a)->key, ((const result_ref *)b)->key);
}

/* Fills the candidates' rung statistics from the results r. */
static int tally(rx_search *s, const rx_results *r, rx_err *err)
{
    for (int c = 0; c < s->n_cands; c++)
        for (int k = 0; k < s->n_rungs; k++) {
            cand_rung *x = &s->cr[AT(s, c, k)];
            int runs = x->runs;
            double cost = x->cost;
            memset(x, 0, sizeof *x);
            x->runs = runs;
            x->cost = cost;
        }
    if (!r || r->n == 0)
        return RX_OK;
    result_ref *idx = malloc((size_t)r->n * sizeof *idx);
    if (!idx)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    for (int j = 0; j < r->n; j++) {
        memcpy(idx[j].key, r->runs[j].key, sizeof idx[j].key);
        idx[j].i = j;
    }
    qsort(idx, (size_t)r->n, sizeof *idx, cmp_result);
    const rx_metric *m = &s->metric;
    for (int i = 0; i < s->n; i++) {
        result_ref want;
        memcpy(want.key, s->runs[i].key, sizeof want.key);
        const result_ref *hit = bsearch(&want, idx, (size_t)r->n, sizeof *idx, cmp_result);
        if (!hit)
            continue;
        const rx_report_run *rr = &r->runs[hit->i];
        int c = s->cand_of[i];
        cand_rung *x = &s->cr[AT(s, c, s->rung_of[i])];
        if (rr->state == RX_OUT_MISSING)
            continue;
        x->final++;
        x->diverged += rr->state == RX_OUT_DIVERGED;
        if (rr->state != RX_OUT_DONE)
            continue;
        double v = m->val_col[0] ? rx_metric_display(m, rr->val) : NAN;
        double t = rx_metric_display(m, rr->test);
        if (isfinite(v))
            x->n_val++, x->sum_val += v;
        if (isfinite(t))
            x->n_test++, x->sum_test += t;
    }
    free(idx);
    return RX_OK;
}

static void cand_of_rung(const rx_search *s, int c, int k, rx_search_cand *out)
{
    const cand_rung *x = &s->cr[AT(s, c, k)];
    out->score = x->n_val ? x->sum_val / x->n_val : NAN;
    out->eligible = x->final == x->runs && x->diverged == 0 && x->n_val > 0;
    out->lr = s->cand_lr[c];
    out->first = s->cand_first[c];
    out->promoted = 0;
}

int rx_search_update(rx_search *s, rx_store *st, rx_err *err)
{
    rx_results r;
    memset(&r, 0, sizeof r);
    int have = 0, rc;
    const char *name = s->spec->search.metric[0] ? s->spec->search.metric : NULL;
    if (st) {
        if ((rc = rx_results_load_metric(st, NULL, name, &s->metric, NULL, &r, err)))
            return rc;
        have = 1;
    } else if ((rc = rx_metric_resolve(name ? name : "error", &s->metric, err))) {
        return rc;
    }
    s->have_metric = 1;
    rc = tally(s, have ? &r : NULL, err);
    if (have)
        rx_results_free(&r);
    if (rc)
        return rc;
    memset(s->alive, 0, (size_t)s->n_cands * (size_t)s->n_rungs);
    memset(s->alive_b, 0, (size_t)s->n_br * (size_t)s->n_cands * (size_t)s->n_rungs);
    size_t nc_all = (size_t)(s->n_cands ? s->n_cands : 1);
    rx_search_cand *tmp = malloc(nc_all * sizeof *tmp);
    int *who = malloc(nc_all * sizeof *who);
    if (!tmp || !who) {
        free(tmp);
        free(who);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    for (int g = 0; g < s->n_groups; g++) {
        const int *gc = s->group_cands + s->group_start[g];
        int nc = s->group_start[g + 1] - s->group_start[g];
        for (int b = 0; b < s->n_br; b++) {
            int k0 = s->br_start[b], *dec = &s->decided[(size_t)g * s->n_br + b];
            for (int j = 0; j < nc; j++)
                if (s->in_br[(size_t)b * s->n_cands + gc[j]])
                    s->alive_b[ATB(s, b, gc[j], k0)] = 1;
            *dec = k0 + 1;
            for (int k = k0; k + 1 < s->n_rungs; k++) {
                int n = 0, finished = 1;
                for (int j = 0; j < nc; j++) {
                    int c = gc[j];
                    if (!s->alive_b[ATB(s, b, c, k)])
                        continue;
                    const cand_rung *x = &s->cr[AT(s, c, k)];
                    finished &= x->final == x->runs;
                    cand_of_rung(s, c, k, &tmp[n]);
                    who[n++] = c;
                }
                if (!finished || n == 0)
                    break;
                rx_search_promote(&s->metric, tmp, n, s->eta);
                for (int j = 0; j < n; j++)
                    if (tmp[j].promoted)
                        s->alive_b[ATB(s, b, who[j], k + 1)] = 1;
                *dec = k + 2;
            }
            /* a candidate runs at a rung when some bracket runs it there:
             * brackets share its runs */
            for (int j = 0; j < nc; j++)
                for (int k = k0; k < s->n_rungs; k++)
                    s->alive[AT(s, gc[j], k)] |= s->alive_b[ATB(s, b, gc[j], k)];
        }
    }
    free(tmp);
    free(who);
    return RX_OK;
}

int rx_search_n_rungs(const rx_search *s)
{
    return s->n_rungs;
}

double rx_search_rung_budget(const rx_search *s, int k)
{
    return s->rung[k];
}

void rx_search_runs(const rx_search *s, int k, int *idx, int *n_idx)
{
    int m = 0;
    for (int i = 0; i < s->n; i++)
        if ((k < 0 || s->rung_of[i] == k) && s->alive[AT(s, s->cand_of[i], s->rung_of[i])])
            idx[m++] = i;
    *n_idx = m;
}

/* The candidates of a group of nc that bracket b runs at rung k at most:
 * its share, then max(1, floor(n / eta)) at each rung; 0 below its first
 * rung. */
static int bracket_at_most(const rx_search *s, int b, int nc, int k)
{
    if (k < s->br_start[b] || nc == 0)
        return 0;
    int n = s->br_size[b] < nc ? (int)s->br_size[b] : nc;
    for (int j = s->br_start[b]; j < k; j++)
        n = n / s->eta > 0 ? n / s->eta : 1;
    return n;
}

void rx_search_rung_info_of(const rx_search *s, int b, int k, rx_search_rung_info *out)
{
    memset(out, 0, sizeof *out);
    out->budget = s->rung[k];
    out->cands_now = -1;
    for (int g = 0; g < s->n_groups; g++) {
        const int *gc = s->group_cands + s->group_start[g];
        int nc = s->group_start[g + 1] - s->group_start[g];
        /* at most: a bracket's, or the brackets' together (they share a
         * candidate's runs, so never more than the group has) */
        int at_most = 0;
        for (int i = b < 0 ? 0 : b; i < (b < 0 ? s->n_br : b + 1); i++)
            at_most += bracket_at_most(s, i, nc, k);
        if (at_most > nc)
            at_most = nc;
        int runs_max = 0, alive = 0, present = 0;
        double cost_max = 0;
        for (int j = 0; j < nc; j++) {
            const cand_rung *x = &s->cr[AT(s, gc[j], k)];
            out->runs_grid += x->runs;
            out->cost_grid += x->cost;
            present |= x->runs > 0;
            if (x->runs > runs_max)
                runs_max = x->runs;
            if (x->cost > cost_max)
                cost_max = x->cost;
            if (b < 0 ? s->alive[AT(s, gc[j], k)] : s->alive_b[ATB(s, b, gc[j], k)]) {
                alive++;
                out->runs_now += x->runs;
                out->runs_done += x->final;
                out->cost_now += x->cost;
            }
        }
        if (!present || at_most == 0)
            continue;
        out->groups++;
        out->cands_max += at_most;
        out->runs_max += at_most * runs_max;
        out->cost_max += at_most * cost_max;
        if (alive)
            out->cands_now = (out->cands_now < 0 ? 0 : out->cands_now) + alive;
    }
}

int rx_search_undecided(const rx_search *s, int k)
{
    int n = 0;
    for (int g = 0; g < s->n_groups; g++) {
        int undecided = 0;
        for (int b = 0; b < s->n_br; b++)
            undecided |= s->br_start[b] <= k && s->decided[(size_t)g * s->n_br + b] <= k;
        n += undecided;
    }
    return n;
}

int rx_search_n_groups(const rx_search *s)
{
    return s->n_groups;
}

const char *rx_search_group_label(const rx_search *s, int g)
{
    return s->group_label[g];
}

const char *rx_search_cand_label(const rx_search *s, int c)
{
    return s->cand_label[c];
}

const rx_metric *rx_search_metric(const rx_search *s)
{
    return &s->metric;
}

int rx_search_eta(const rx_search *s)
{
    return s->eta;
}

int rx_search_n_brackets(const rx_search *s)
{
    return s->n_br;
}

int rx_search_bracket_start(const rx_search *s, int b)
{
    return s->br_start[b];
}

int rx_search_run_group(const rx_search *s, int i)
{
    return s->group_of[i];
}

int rx_search_ladder(const rx_search *s, int g, int b, rx_search_step *steps)
{
    const int *gc = s->group_cands + s->group_start[g];
    int nc = s->group_start[g + 1] - s->group_start[g], winner = -1;
    for (int k = 0; k < s->n_rungs; k++) {
        rx_search_step *st = &steps[k];
        memset(st, 0, sizeof *st);
        st->best = -1;
        st->best_score = st->best_test = NAN;
        st->finished = 1;
        rx_search_cand best = {0}, cur;
        for (int j = 0; j < nc; j++) {
            int c = gc[j];
            if (!s->alive_b[ATB(s, b, c, k)])
                continue;
            const cand_rung *x = &s->cr[AT(s, c, k)];
            st->cands++;
            st->finished &= x->final == x->runs;
            cand_of_rung(s, c, k, &cur);
            if (!cur.eligible)
                continue;
            rx_search_cand two[2] = {best, cur};
            if (st->best < 0 || (rx_search_promote(&s->metric, two, 2, 2), two[1].promoted)) {
                best = cur;
                st->best = c;
                st->best_score = cur.score;
                st->best_test = x->n_test ? x->sum_test / x->n_test : NAN;
            }
        }
        if (st->cands == 0)
            st->finished = 0;
        st->promoted = -1;
        if (k > 0 && s->decided[(size_t)g * s->n_br + b] > k)
            steps[k - 1].promoted = st->cands;
        if (k == s->n_rungs - 1 && st->finished)
            winner = st->best;
    }
    return winner;
}
