/* grid.c: expanding axes into runs, dedupe, exclusion and shards. */
#include "rx_grid.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"

/* ---- the arena: a list of malloc'd chunks, freed together ------------ */

struct rx_grid_block {
    rx_grid_block *next;
    max_align_t data[];
};

void *rx_grid_alloc(rx_grid *g, size_t size)
{
    rx_grid_block *b = calloc(1, sizeof *b + (size ? size : 1));
    if (!b)
        return NULL;
    b->next = g->mem;
    g->mem = b;
    return b->data;
}

char *rx_grid_strdup(rx_grid *g, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = rx_grid_alloc(g, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void *rx_grid_grow(rx_grid *g, const void *p, size_t old, size_t new_size)
{
    char *q = rx_grid_alloc(g, new_size);
    if (q && old)
        memcpy(q, p, old < new_size ? old : new_size);
    return q;
}

int rx_grid_init(rx_grid *g, const char *file, rx_err *err)
{
    memset(g, 0, sizeof *g);
    rx_config_defaults(&g->base);
    if (!(g->file = rx_grid_strdup(g, file ? file : "")))
        return rx_errf(err, RX_ENOMEM, "out of memory");
    return RX_OK;
}

void rx_grid_free(rx_grid *g)
{
    rx_grid_block *b = g->mem;
    while (b) {
        rx_grid_block *next = b->next;
        free(b);
        b = next;
    }
    memset(g, 0, sizeof *g);
}

int rx_grid_errf(const rx_grid *g, rx_loc loc, rx_err *err, int status, const char *fmt, ...)
{
    if (!err)
        return status;
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t k = 0;
    if (loc.line > 0) {
        int w = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: ", g->file, loc.line, loc.col);
        k = w < (int)sizeof err->msg ? (size_t)w : sizeof err->msg - 1;
    }
    snprintf(err->msg + k, sizeof err->msg - k, "%.*s", (int)(sizeof err->msg - 1 - k), msg);
    return status;
}

int rx_grid_apply(const rx_grid *g, rx_config *c, const rx_assign *a, rx_err *err)
{
    rx_err e;
    int rc = rx_config_set(c, a->key, a->vals, a->n, a->is_list, &e);
    if (rc)
        return rx_grid_errf(g, a->loc, err, rc, "%s", e.msg);
    if (strcmp(a->key, "schedule.name") != 0)
        return RX_OK;
    for (int i = 0; i < g->n_sched_common; i++) {
        const rx_assign *s = &g->sched_common[i];
        rc = rx_config_set(c, s->key, s->vals, s->n, s->is_list, &e);
        if (rc)
            return rx_grid_errf(g, s->loc, err, rc, "%s", e.msg);
    }
    return RX_OK;
}

double rx_job_cost(const rx_config *c)
{
    return c->train.budget * c->train.full_epochs;
}

/* ---- swept keys --------------------------------------------------------- */

static void add_key(const char *key, const char **keys, int max, int *n)
{
    for (int i = 0; i < *n && i < max; i++)
        if (strcmp(keys[i], key) == 0)
            return;
    if (*n < max)
        keys[*n] = key;
    (*n)++;
}

static void axis_keys(const rx_axis *a, const char **keys, int max, int *n)
{
    for (int i = 0; i < a->n; i++) {
        const rx_choice *ch = &a->choices[i];
        for (int j = 0; j < ch->n_set; j++)
            add_key(ch->set[j].key, keys, max, n);
        for (int s = 0; s < ch->n_sub; s++)
            axis_keys(&ch->sub[s], keys, max, n);
    }
}

int rx_grid_swept_keys(const rx_grid *g, const char **keys, int max)
{
    int n = 0;
    for (int i = 0; i < g->n_axes; i++)
        axis_keys(&g->axes[i], keys, max, &n);
    return n;
}

/* ---- counting ---------------------------------------------------------- */

static double count_choice(const rx_choice *ch);

/* Runs contributed by choice i of the unit led by axis a (a zip group
 * when a->zip, whose members are the top-level axes of the same group). */
static double count_unit(const rx_grid *g, const rx_axis *a)
{
    double total = 0;
    for (int i = 0; i < a->n; i++) {
        double p = 1;
        if (a->zip) {
            for (int m = 0; m < g->n_axes; m++)
                if (g->axes[m].zip == a->zip)
                    p *= count_choice(&g->axes[m].choices[i]);
        } else {
            p = count_choice(&a->choices[i]);
        }
        total += p;
    }
    return total;
}

static double count_sub(const rx_axis *a)
{
    double total = 0;
    for (int i = 0; i < a->n; i++)
        total += count_choice(&a->choices[i]);
    return total;
}

static double count_choice(const rx_choice *ch)
{
    double p = 1;
    for (int s = 0; s < ch->n_sub; s++)
        p *= count_sub(&ch->sub[s]);
    return p;
}

/* Is axis i the first member of its zip group (or not zipped)? */
static int leads_unit(const rx_grid *g, int i)
{
    if (!g->axes[i].zip)
        return 1;
    for (int j = 0; j < i; j++)
        if (g->axes[j].zip == g->axes[i].zip)
            return 0;
    return 1;
}

double rx_grid_count(const rx_grid *g)
{
    double p = 1;
    for (int i = 0; i < g->n_axes; i++)
        if (leads_unit(g, i))
            p *= count_unit(g, &g->axes[i]);
    return p;
}

/* ---- expansion --------------------------------------------------------- */

#define MAX_PICKS 256

typedef struct expand_state {
    const rx_grid *g;
    rx_job *jobs;
    int n, cap;
    const rx_choice *picks[MAX_PICKS];
    int n_picks;
    rx_err *err;
} expand_state;

/* Is k in the section of key (its first sect bytes, "schedule")? */
static int same_section(const char *k, const char *key, size_t sect)
{
    return strncmp(k, key, sect) == 0 && k[sect] == '.';
}

/* The location to blame for a problem with `key`: the last assignment of
 * that key in this run (axes first, then the base), else the last of its
 * section, else the first axis, else the top of the file. */
static rx_loc blame(const expand_state *st, const char *key)
{
    const rx_grid *g = st->g;
    size_t sect = key ? strcspn(key, ".") : 0;
    for (int pass = 0; key && pass < 2; pass++) {
        for (int p = st->n_picks - 1; p >= 0; p--)
            for (int a = st->picks[p]->n_set - 1; a >= 0; a--) {
                const char *k = st->picks[p]->set[a].key;
                if (pass == 0 ? strcmp(k, key) == 0 : same_section(k, key, sect))
                    return st->picks[p]->set[a].loc;
            }
        for (int b = g->n_base_set - 1; b >= 0; b--) {
            const char *k = g->base_set[b].key;
            if (pass == 0 ? strcmp(k, key) == 0 : same_section(k, key, sect))
                return g->base_set[b].loc;
        }
    }
    if (g->n_axes > 0)
        return g->axes[0].loc;
    return (rx_loc){1, 1};
}

/* Does exclusion rule x match the run (c, its schedule entry name)? */
static int excluded(const rx_grid *g, const rx_exclude *x, const rx_config *c,
                    const char *json, const char *sched_name)
{
    for (int t = 0; t < x->n; t++) {
        const rx_assign *a = &x->terms[t];
        if (strcmp(a->key, "schedule.name") == 0) {
            if (!sched_name || strcmp(sched_name, a->vals[0]) != 0)
                return 0;
            continue;
        }
        rx_config copy = *c;
        if (rx_config_set(&copy, a->key, a->vals, a->n, a->is_list, NULL))
            return 0;
        /* on the stack: out of memory must not un-exclude a run */
        char after[RX_CANON_MAX];
        rx_config_canonical(&copy, RX_CANON_RUNTIME, after, sizeof after);
        if (strcmp(after, json) != 0)
            return 0;
    }
    (void)g;
    return 1;
}

/* Builds the run for the current picks and appends it.  Returns a status;
 * excluded runs are simply not appended. */
static int emit(expand_state *st)
{
    const rx_grid *g = st->g;
    rx_config c = g->base;
    const char *sched_name = NULL;
    int rc;
    for (int p = 0; p < st->n_picks; p++)
        for (int a = 0; a < st->picks[p]->n_set; a++) {
            const rx_assign *as = &st->picks[p]->set[a];
            if ((rc = rx_grid_apply(g, &c, as, st->err)))
                return rc;
            if (strcmp(as->key, "schedule.name") == 0)
                sched_name = as->vals[0];
        }
    for (int o = 0; o < g->n_over; o++) {
        if ((rc = rx_grid_apply(g, &c, &g->over[o], st->err)))
            return rc;
        if (strcmp(g->over[o].key, "schedule.name") == 0)
            sched_name = g->over[o].vals[0];
    }
    if (g->n_excl) {
        char *all = rx_config_json(&c, RX_CANON_RUNTIME);
        if (!all)
            return rx_errf(st->err, RX_ENOMEM, "out of memory");
        int drop = 0;
        for (int x = 0; x < g->n_excl && !drop; x++)
            drop = excluded(g, &g->excl[x], &c, all, sched_name);
        free(all);
        if (drop)
            return RX_OK;
    }
    const char *bad;
    rx_err e;
    if ((rc = rx_config_check(&c, &bad, &e)))
        return rx_grid_errf(g, blame(st, bad), st->err, rc, "%s", e.msg);
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 64;
        rx_job *j = realloc(st->jobs, (size_t)cap * sizeof *j);
        if (!j)
            return rx_errf(st->err, RX_ENOMEM, "out of memory");
        st->jobs = j;
        st->cap = cap;
    }
    rx_job *j = &st->jobs[st->n];
    memset(j, 0, sizeof *j);
    j->cfg = c;
    if (!(j->config_json = rx_config_json(&c, 0)))
        return rx_errf(st->err, RX_ENOMEM, "out of memory");
    rx_config_run_key(&c, j->key);
    rx_config_cell_key(&c, j->cell);
    j->index = st->n;
    j->cost = rx_job_cost(&c);
    st->n++;
    return RX_OK;
}

/* Crosses the queue of axes q[0..nq), q[0] varying slowest.  A zipped
 * axis stands for its whole group (only top-level axes are zipped). */
static int rec(expand_state *st, const rx_axis *const *q, int nq)
{
    if (nq == 0)
        return emit(st);
    const rx_grid *g = st->g;
    const rx_axis *a = q[0];
    const rx_axis *members[64];
    int nm = 0;
    if (a->zip) {
        for (int m = 0; m < g->n_axes && nm < 64; m++)
            if (g->axes[m].zip == a->zip)
                members[nm++] = &g->axes[m];
    } else {
        members[nm++] = a;
    }
    int rc = RX_OK;
    for (int i = 0; i < a->n && rc == RX_OK; i++) {
        int nsub = 0;
        for (int m = 0; m < nm; m++)
            nsub += members[m]->choices[i].n_sub;
        if (st->n_picks + nm > MAX_PICKS)
            return rx_errf(st->err, RX_EINVAL, "the grid nests more than %d axes", MAX_PICKS);
        /* the choices' own axes go in front of the rest of the queue */
        const rx_axis **next = malloc((size_t)(nsub + nq) * sizeof *next);
        if (!next)
            return rx_errf(st->err, RX_ENOMEM, "out of memory");
        int k = 0;
        for (int m = 0; m < nm; m++) {
            const rx_choice *ch = &members[m]->choices[i];
            st->picks[st->n_picks++] = ch;
            for (int s = 0; s < ch->n_sub; s++)
                next[k++] = &ch->sub[s];
        }
        for (int r = 1; r < nq; r++)
            next[k++] = q[r];
        rc = rec(st, next, k);
        st->n_picks -= nm;
        free(next);
    }
    return rc;
}

static int cmp_key_index(const void *x, const void *y)
{
    const rx_job *a = *(const rx_job *const *)x, *b = *(const rx_job *const *)y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* Drops repeated runs (same key), keeping the first; renumbers. */
static int dedupe(rx_job *jobs, int *n)
{
    if (*n < 2)
        return RX_OK;
    rx_job **by_key = malloc((size_t)*n * sizeof *by_key);
    if (!by_key)
        return RX_ENOMEM;
    for (int i = 0; i < *n; i++)
        by_key[i] = &jobs[i];
    qsort(by_key, (size_t)*n, sizeof *by_key, cmp_key_index);
    for (int i = 1; i < *n; i++)
        if (strcmp(by_key[i]->key, by_key[i - 1]->key) == 0)
            by_key[i]->index = -1;
    free(by_key);
    int k = 0;
    for (int i = 0; i < *n; i++) {
        if (jobs[i].index < 0) {
            free(jobs[i].config_json);
            continue;
        }
        if (k != i)
            jobs[k] = jobs[i];
        jobs[k].index = k;
        k++;
    }
    *n = k;
    return RX_OK;
}

int rx_grid_expand(const rx_grid *g, rx_job **jobs, int *n, rx_err *err)
{
    *jobs = NULL;
    *n = 0;
    double total = rx_grid_count(g);
    if (total > RX_GRID_MAX_RUNS)
        return rx_grid_errf(g, g->n_axes ? g->axes[0].loc : (rx_loc){1, 1}, err, RX_EINVAL,
                            "the grid has %.0f runs, more than the limit of %d", total,
                            RX_GRID_MAX_RUNS);
    expand_state st = {.g = g, .err = err};
    const rx_axis **q = malloc((size_t)(g->n_axes + 1) * sizeof *q);
    if (!q)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    int nq = 0;
    for (int i = 0; i < g->n_axes; i++)
        if (leads_unit(g, i))
            q[nq++] = &g->axes[i];
    int rc = rec(&st, q, nq);
    free(q);
    if (rc == RX_OK && dedupe(st.jobs, &st.n))
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
    if (rc) {
        rx_jobs_free(st.jobs, st.n);
        return rc;
    }
    *jobs = st.jobs;
    *n = st.n;
    return RX_OK;
}

void rx_jobs_free(rx_job *jobs, int n)
{
    if (!jobs)
        return;
    for (int i = 0; i < n; i++)
        free(jobs[i].config_json);
    free(jobs);
}

/* ---- shards ------------------------------------------------------------ */

/* Costs in integer micro-epochs, so that loads add up identically on
 * every machine. */
static long long cost_units(double cost)
{
    return cost > 0 ? llround(cost * 1e6) : 0;
}

static int cmp_lpt(const void *x, const void *y)
{
    const rx_job *a = *(const rx_job *const *)x, *b = *(const rx_job *const *)y;
    long long ca = cost_units(a->cost), cb = cost_units(b->cost);
    if (ca != cb)
        return ca > cb ? -1 : 1;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* A binary min-heap of shards by (load, shard number). */
typedef struct shard_load {
    long long load;
    int shard;
} shard_load;

static int load_less(const shard_load *a, const shard_load *b)
{
    return a->load != b->load ? a->load < b->load : a->shard < b->shard;
}

static void sift_down(shard_load *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && load_less(&h[l], &h[m])) m = l;
        if (r < n && load_less(&h[r], &h[m])) m = r;
        if (m == i)
            return;
        shard_load t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

int rx_grid_shard(const rx_job *jobs, int n, int k, int n_shards, int *idx, int *n_idx,
                  rx_err *err)
{
    *n_idx = 0;
    if (n_shards < 1 || k < 0 || k >= n_shards)
        return rx_errf(err, RX_EINVAL, "shard %d of %d does not exist (shards are 0 to %d)", k,
                       n_shards, n_shards - 1);
    const rx_job **order = malloc((size_t)(n ? n : 1) * sizeof *order);
    shard_load *heap = malloc((size_t)n_shards * sizeof *heap);
    if (!order || !heap) {
        free(order);
        free(heap);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++)
        order[i] = &jobs[i];
    qsort(order, (size_t)n, sizeof *order, cmp_lpt);
    for (int s = 0; s < n_shards; s++)
        heap[s] = (shard_load){0, s}; /* already a heap: equal loads, shards ascending */
    for (int i = 0; i < n; i++) {
        if (heap[0].shard == k)
            idx[(*n_idx)++] = (int)(order[i] - jobs);
        heap[0].load += cost_units(order[i]->cost);
        sift_down(heap, n_shards, 0);
    }
    free(order);
    free(heap);
    qsort(idx, (size_t)*n_idx, sizeof *idx, cmp_int);
    return RX_OK;
}
