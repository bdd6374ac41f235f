/* grid.c: expanding axes into runs, dedupe, exclusion and shards. */
#include "rx_grid.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_cost.h"
#include "rx_keys.h"
#include "rx_optim.h"

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
    int w = 0;
    if (loc.line > 0 && g->file && g->file[0]) {
        w = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: ", g->file, loc.line, loc.col);
    } else if (loc.line == RX_LOC_OVERRIDE && loc.col >= 0 && loc.col < g->n_over) {
        /* no file line to name: the setting as given, "KEY=VALUE: " */
        const rx_assign *a = &g->over[loc.col];
        w = snprintf(err->msg, sizeof err->msg, "%s=%s", a->key, a->is_list ? "[" : "");
        for (int i = 0; i < a->n && w < (int)sizeof err->msg; i++)
            w += snprintf(err->msg + w, sizeof err->msg - (size_t)w, "%s%s", i ? ", " : "",
                          a->vals[i]);
        if (w < (int)sizeof err->msg)
            w += snprintf(err->msg + w, sizeof err->msg - (size_t)w, "%s: ", a->is_list ? "]" : "");
    }
    k = w < (int)sizeof err->msg ? (size_t)w : sizeof err->msg - 1;
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

/* Does no choice of a have axes of its own (every choice one run)?  Found
 * once and kept in a->shape (a cache: the grid is otherwise unchanged). */
static int flat(const rx_axis *a)
{
    if (!a->shape) {
        int nested = 0;
        for (int i = 0; i < a->n && !nested; i++)
            nested = a->choices[i].n_sub > 0;
        ((rx_axis *)a)->shape = nested ? 2 : 1;
    }
    return a->shape == 1;
}

/* Is every member of the unit led by a flat? */
static int flat_unit(const rx_grid *g, const rx_axis *a)
{
    if (!a->zip)
        return flat(a);
    for (int m = 0; m < g->n_axes; m++)
        if (g->axes[m].zip == a->zip && !flat(&g->axes[m]))
            return 0;
    return 1;
}

/* Runs contributed by choice i of the unit led by axis a (a zip group
 * when a->zip, whose members are the top-level axes of the same group). */
static double count_unit(const rx_grid *g, const rx_axis *a)
{
    if (flat_unit(g, a))
        return a->n;
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
    if (flat(a))
        return a->n;
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

/* The runs of the unit led by queue entry a (a zip group's leader stands
 * for the whole group). */
static double unit_count(const rx_grid *g, const rx_axis *a)
{
    return count_unit(g, a);
}

/* The members of the unit led by a: the zip group's axes, or a alone. */
static int unit_members(const rx_grid *g, const rx_axis *a, const rx_axis **members)
{
    int nm = 0;
    if (a->zip) {
        for (int m = 0; m < g->n_axes && nm < 64; m++)
            if (g->axes[m].zip == a->zip)
                members[nm++] = &g->axes[m];
    } else {
        members[nm++] = a;
    }
    return nm;
}

typedef struct expand_state {
    const rx_grid *g;
    rx_run_ref *runs;
    uint64_t *key64;          /* the run keys as numbers, for dedupe */
    int n, cap;
    int64_t pos;              /* position in the full product */
    const rx_choice *picks[MAX_PICKS];
    int n_picks;
    rx_config *cfg;           /* cfg[d]: the configuration at depth d
                                 (d <= n_picks <= MAX_PICKS) */
    rx_key_memo *memo;        /* the keys of the last run, for the next */
    rx_cost_memo *costs;      /* the data shapes and models seen */
    rx_config *ok;            /* the last run that passed rx_config_check */
    int depth;
    rx_err *err;
    rx_tune_ref *tune;        /* when asked for: each run's tuning cell */
    rx_key_memo *tmemo;       /* the keys of the last run's tuning cell */
    const rx_axis *ext;       /* the extending axis the picks are under */
} expand_state;

/* Is k in the section of key (its first sect bytes, "schedule")? */
static int same_section(const char *k, const char *key, size_t sect)
{
    return strncmp(k, key, sect) == 0 && k[sect] == '.';
}

/* The location to blame for a problem with `key`: the last assignment of
 * that key in this run (an override first: it has the last word, then
 * the axes, then the base), else the last of its section, else the
 * first axis, else the top of the file; nowhere for a spec with no file
 * (`rexsweep train KEY=VALUE`). */
static rx_loc blame(const rx_grid *g, const rx_choice *const *picks, int n_picks,
                    const char *key)
{
    size_t sect = key ? strcspn(key, ".") : 0;
    for (int pass = 0; key && pass < 2; pass++) {
        for (int o = g->n_over - 1; o >= 0 && (pass == 0 || !g->file[0]); o--) {
            const char *k = g->over[o].key;
            if (pass == 0 ? strcmp(k, key) == 0 : same_section(k, key, sect))
                return g->over[o].loc;
        }
        for (int p = n_picks - 1; p >= 0; p--)
            for (int a = picks[p]->n_set - 1; a >= 0; a--) {
                const char *k = picks[p]->set[a].key;
                if (pass == 0 ? strcmp(k, key) == 0 : same_section(k, key, sect))
                    return picks[p]->set[a].loc;
            }
        for (int b = g->n_base_set - 1; b >= 0; b--) {
            const char *k = g->base_set[b].key;
            if (pass == 0 ? strcmp(k, key) == 0 : same_section(k, key, sect))
                return g->base_set[b].loc;
        }
    }
    if (g->n_axes > 0)
        return g->axes[0].loc;
    return (rx_loc){g->file[0] ? 1 : 0, 1};
}

/* Does exclusion rule x match the run (c, its schedule entry name)?  A
 * term matches when setting it changes nothing in c's canonical form
 * (rx_config_set_is_noop decides that without writing the form for the
 * table keys). */
static int excluded(const rx_exclude *x, const rx_config *c, const char *sched_name)
{
    for (int t = 0; t < x->n; t++) {
        const rx_assign *a = &x->terms[t];
        if (strcmp(a->key, "schedule.name") == 0) {
            if (!sched_name || strcmp(sched_name, a->vals[0]) != 0)
                return 0;
            continue;
        }
        if (!rx_config_set_is_noop(c, a->key, a->vals, a->n, a->is_list))
            return 0;
    }
    return 1;
}

/* The schedule entry's name as written, the last one the picks set. */
static const char *sched_entry(const rx_grid *g, const rx_choice *const *picks, int n_picks)
{
    const char *name = NULL;
    for (int p = 0; p < n_picks; p++)
        for (int a = 0; a < picks[p]->n_set; a++)
            if (strcmp(picks[p]->set[a].key, "schedule.name") == 0)
                name = picks[p]->set[a].vals[0];
    for (int o = 0; o < g->n_over; o++)
        if (strcmp(g->over[o].key, "schedule.name") == 0)
            name = g->over[o].vals[0];
    return name;
}

/* Does any assignment of the run (its picks, the base, the overrides)
 * set key? */
static int assigned(const rx_grid *g, const rx_choice *const *picks, int n_picks,
                    const char *key)
{
    for (int p = 0; p < n_picks; p++)
        for (int a = 0; a < picks[p]->n_set; a++)
            if (strcmp(picks[p]->set[a].key, key) == 0)
                return 1;
    for (int b = 0; b < g->n_base_set; b++)
        if (strcmp(g->base_set[b].key, key) == 0)
            return 1;
    for (int o = 0; o < g->n_over; o++)
        if (strcmp(g->over[o].key, key) == 0)
            return 1;
    return 0;
}

/* Gives c its optimizer's own defaults (rx_optim_key_default) for the
 * keys that nothing of the run sets: Lion's beta2 is 0.99, where the key
 * table has Adam's 0.999.  Other optimizers have none, so their
 * configurations (and run keys) are as the key table makes them. */
static int optim_defaults(const rx_grid *g, const rx_choice *const *picks, int n_picks,
                          rx_config *c, rx_err *err)
{
    const char *key, *val;
    for (int i = 0; (val = rx_optim_key_default((int)c->optim.kind, i, &key)); i++) {
        char full[64];
        snprintf(full, sizeof full, "optimizer.%s", key);
        if (assigned(g, picks, n_picks, full))
            continue;
        rx_err e;
        int rc = rx_config_set_str(c, full, val, &e);
        if (rc)
            return rx_grid_errf(g, blame(g, picks, n_picks, "optimizer.name"), err, rc,
                                "%s", e.msg);
    }
    return RX_OK;
}

/* Finishes a run's configuration c (the picks applied): the overrides,
 * the optimizer's own defaults, the exclusions and the check.  *drop says an exclusion matched.  ok
 * (may be NULL) is the last configuration that passed the check: one that
 * differs from it only by its seed passes too (a seed is checked when it
 * is set, and no rule of rx_config_check involves it), which saves the
 * schedule's validation on most runs of a grid. */
static int finish_config(const rx_grid *g, const rx_choice *const *picks, int n_picks,
                         rx_config *c, int *drop, rx_config *ok, rx_err *err)
{
    int rc;
    *drop = 0;
    for (int o = 0; o < g->n_over; o++)
        if ((rc = rx_grid_apply(g, c, &g->over[o], err)))
            return rc;
    if ((rc = optim_defaults(g, picks, n_picks, c, err)))
        return rc;
    if (g->n_excl) {
        const char *sched_name = sched_entry(g, picks, n_picks);
        for (int x = 0; x < g->n_excl && !*drop; x++)
            *drop = excluded(&g->excl[x], c, sched_name);
        if (*drop)
            return RX_OK;
    }
    if (ok) {
        uint64_t seed = ok->train.seed;
        ok->train.seed = c->train.seed;
        int same = memcmp(ok, c, sizeof *c) == 0;
        ok->train.seed = seed;
        if (same)
            return RX_OK;
    }
    const char *bad;
    rx_err e;
    if ((rc = rx_config_check(c, &bad, &e)))
        return rx_grid_errf(g, blame(g, picks, n_picks, bad), err, rc, "%s", e.msg);
    if (ok)
        *ok = *c;
    return RX_OK;
}

static uint64_t hex64(const char *s)
{
    uint64_t v = 0;
    for (int i = 0; i < RX_KEY_LEN; i++)
        v = v << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
    return v;
}

/* Lists the run of the current picks (cfg[depth] has them applied). */
static int emit(expand_state *st)
{
    rx_config c = st->cfg[st->depth];
    int64_t pos = st->pos++;
    int drop, rc = finish_config(st->g, st->picks, st->n_picks, &c, &drop, st->ok, st->err);
    if (rc || drop)
        return rc;
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 1024;
        rx_run_ref *r = realloc(st->runs, (size_t)cap * sizeof *r);
        if (r)
            st->runs = r;
        uint64_t *k = r ? realloc(st->key64, (size_t)cap * sizeof *k) : NULL;
        if (k)
            st->key64 = k;
        rx_tune_ref *t = k && st->tmemo ? realloc(st->tune, (size_t)cap * sizeof *t) : NULL;
        if (t)
            st->tune = t;
        if (!r || !k || (st->tmemo && !t))
            return rx_errf(st->err, RX_ENOMEM, "out of memory");
        st->cap = cap;
    }
    rx_run_ref *r = &st->runs[st->n];
    memset(r, 0, sizeof *r);
    if (rx_config_keys(st->memo, &c, r->key, r->cell))
        return rx_errf(st->err, RX_ENOMEM, "out of memory");
    r->index = st->n;
    r->pos = pos;
    rx_cost cost;
    if ((rc = rx_cost_of(st->costs, &c, &cost, st->err)))
        return rc;
    r->cost = cost.cost;
    r->steps = cost.steps;
    r->epochs = cost.epochs;
    st->key64[st->n] = hex64(r->key);
    if (st->tmemo) {
        rx_tune_ref *t = &st->tune[st->n];
        memset(t, 0, sizeof *t);
        t->lr = c.optim.lr;
        if (st->ext) {
            /* the cell key of the run at a fixed lr: its tuning cell */
            char unused[RX_KEY_LEN + 1], group[RX_KEY_LEN + 1];
            c.optim.lr = 1;
            if (rx_config_keys(st->tmemo, &c, unused, group))
                return rx_errf(st->err, RX_ENOMEM, "out of memory");
            t->group = hex64(group) | 1; /* never 0 */
            t->extend = st->ext->extend;
            t->metric = st->ext->ext_metric;
        }
    }
    st->n++;
    return RX_OK;
}

/* Crosses the queue of axes q[0..nq), q[0] varying slowest.  A zipped
 * axis stands for its whole group (only top-level axes are zipped).  The
 * configuration is built a level at a time: cfg[depth + 1] is cfg[depth]
 * with this level's choices applied, so a run costs the assignments of
 * its innermost axis, not all of them. */
static int rec(expand_state *st, const rx_axis *const *q, int nq)
{
    if (nq == 0)
        return emit(st);
    const rx_grid *g = st->g;
    const rx_axis *a = q[0];
    const rx_axis *members[64];
    int nm = unit_members(g, a, members);
    int rc = RX_OK;
    const rx_axis *ext = st->ext;
    for (int m = 0; m < nm; m++)
        if (members[m]->extend)
            st->ext = members[m];
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
        rx_config *c = &st->cfg[st->depth + 1];
        *c = st->cfg[st->depth];
        int k = 0;
        for (int m = 0; m < nm && rc == RX_OK; m++) {
            const rx_choice *ch = &members[m]->choices[i];
            st->picks[st->n_picks++] = ch;
            for (int x = 0; x < ch->n_set && rc == RX_OK; x++)
                rc = rx_grid_apply(g, c, &ch->set[x], st->err);
            for (int s = 0; s < ch->n_sub; s++)
                next[k++] = &ch->sub[s];
        }
        for (int r = 1; r < nq; r++)
            next[k++] = q[r];
        if (rc == RX_OK) {
            st->depth++;
            rc = rec(st, next, k);
            st->depth--;
        }
        st->n_picks -= nm;
        free(next);
    }
    st->ext = ext;
    return rc;
}

/* An open-addressing set of run keys as numbers (already hashes: their
 * bits index it), for n keys at most. */
typedef struct key_set {
    uint64_t *key;
    unsigned char *used;
    size_t cap;
} key_set;

static int set_init(key_set *s, int n)
{
    s->cap = 1;
    while (s->cap < 2 * (size_t)(n > 0 ? n : 1))
        s->cap <<= 1;
    s->key = malloc(s->cap * sizeof *s->key);
    s->used = calloc(s->cap, 1);
    if (s->key && s->used)
        return RX_OK;
    free(s->key);
    free(s->used);
    return RX_ENOMEM;
}

/* Adds k; returns 1 when it was there already. */
static int set_add(key_set *s, uint64_t k)
{
    size_t h = (size_t)(k ^ k >> 32) & (s->cap - 1);
    while (s->used[h] && s->key[h] != k)
        h = (h + 1) & (s->cap - 1);
    if (s->used[h])
        return 1;
    s->used[h] = 1;
    s->key[h] = k;
    return 0;
}

static void set_free(key_set *s)
{
    free(s->key);
    free(s->used);
}

/* Drops repeated runs (same key), keeping the first; renumbers (tune,
 * when not NULL, along). */
static int dedupe(rx_run_ref *runs, rx_tune_ref *tune, const uint64_t *key64, int *n)
{
    key_set set;
    if (set_init(&set, *n))
        return RX_ENOMEM;
    int dups = 0;
    for (int i = 0; i < *n; i++)
        if (set_add(&set, key64[i])) {
            runs[i].index = -1;
            dups++;
        }
    set_free(&set);
    if (!dups)
        return RX_OK;
    int k = 0;
    for (int i = 0; i < *n; i++) {
        if (runs[i].index < 0)
            continue;
        if (k != i) {
            runs[k] = runs[i];
            if (tune)
                tune[k] = tune[i];
        }
        runs[k].index = k;
        k++;
    }
    *n = k;
    return RX_OK;
}

int rx_grid_count_cells(const rx_run_ref *runs, int n)
{
    key_set set;
    if (set_init(&set, n))
        return -1;
    int cells = 0;
    for (int i = 0; i < n; i++)
        cells += !set_add(&set, hex64(runs[i].cell));
    set_free(&set);
    return cells;
}

/* The queue of top-level units, slowest first; q has room for n_axes. */
static int top_queue(const rx_grid *g, const rx_axis **q)
{
    int nq = 0;
    for (int i = 0; i < g->n_axes; i++)
        if (leads_unit(g, i))
            q[nq++] = &g->axes[i];
    return nq;
}

int rx_grid_extends(const rx_grid *g)
{
    for (int i = 0; i < g->n_axes; i++) {
        const rx_axis *a = &g->axes[i];
        if (a->extend)
            return 1;
        for (int c = 0; c < a->n; c++)
            for (int s = 0; s < a->choices[c].n_sub; s++)
                if (a->choices[c].sub[s].extend)
                    return 1;
    }
    return 0;
}

int rx_grid_plan(const rx_grid *g, rx_run_ref **runs, int *n, rx_err *err)
{
    return rx_grid_plan_tune(g, runs, NULL, n, err);
}

int rx_grid_plan_tune(const rx_grid *g, rx_run_ref **runs, rx_tune_ref **tune, int *n,
                      rx_err *err)
{
    *runs = NULL;
    *n = 0;
    if (tune)
        *tune = NULL;
    double total = rx_grid_count(g);
    if (total > RX_GRID_MAX_RUNS)
        return rx_grid_errf(g, g->n_axes ? g->axes[0].loc : (rx_loc){1, 1}, err, RX_EINVAL,
                            "the grid has %.0f runs, more than the limit of %d", total,
                            RX_GRID_MAX_RUNS);
    expand_state st = {.g = g, .err = err};
    int want_tune = tune && rx_grid_extends(g);
    const rx_axis **q = malloc((size_t)(g->n_axes + 1) * sizeof *q);
    st.cfg = malloc((MAX_PICKS + 2) * sizeof *st.cfg);
    st.memo = rx_key_memo_new();
    st.tmemo = want_tune ? rx_key_memo_new() : NULL;
    st.costs = rx_cost_memo_new(g->trainer);
    if (!q || !st.cfg || !st.memo || !st.costs || (want_tune && !st.tmemo)) {
        free(q);
        free(st.cfg);
        rx_key_memo_free(st.memo);
        rx_key_memo_free(st.tmemo);
        rx_cost_memo_free(st.costs);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    st.cfg[0] = g->base;
    st.ok = &st.cfg[MAX_PICKS + 1];
    memset(st.ok, 0xff, sizeof *st.ok); /* no configuration yet */
    int rc = rec(&st, q, top_queue(g, q));
    free(q);
    free(st.cfg);
    rx_key_memo_free(st.memo);
    rx_key_memo_free(st.tmemo);
    rx_cost_memo_free(st.costs);
    if (rc == RX_OK && dedupe(st.runs, st.tune, st.key64, &st.n))
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
    free(st.key64);
    if (rc) {
        free(st.runs);
        free(st.tune);
        return rc;
    }
    /* a tight array: a grid of 10^6 runs is 72 MB, not the doubled capacity */
    if (st.n && st.n < st.cap) {
        rx_run_ref *r = realloc(st.runs, (size_t)st.n * sizeof *r);
        if (r)
            st.runs = r;
        rx_tune_ref *t = st.tune ? realloc(st.tune, (size_t)st.n * sizeof *t) : NULL;
        if (t)
            st.tune = t;
    }
    *runs = st.runs;
    *n = st.n;
    if (tune)
        *tune = st.tune;
    return RX_OK;
}

/* Decodes position pos of the full product into the picks (in expansion
 * order): at each unit, the choice whose block of runs holds pos. */
static int decode(const rx_grid *g, int64_t pos, const rx_choice **picks, int *n_picks,
                  rx_err *err)
{
    const rx_axis *qbuf[2][MAX_PICKS];
    const rx_axis **q = qbuf[0];
    int nq = top_queue(g, q), flip = 1;
    *n_picks = 0;
    double p = (double)pos, total = rx_grid_count(g); /* runs under the queue */
    while (nq > 0) {
        const rx_axis *a = q[0], *members[64];
        int nm = unit_members(g, a, members);
        double rest = total / unit_count(g, a);
        int i = 0;
        double block = 0;
        if (flat_unit(g, a)) {
            /* every choice is a block of `rest` runs */
            i = (int)(p / rest);
            p -= i * rest;
            block = rest;
        } else {
            for (; i < a->n; i++) {
                block = rest;
                for (int m = 0; m < nm; m++)
                    block *= count_choice(&members[m]->choices[i]);
                if (p < block)
                    break;
                p -= block;
            }
        }
        if (i >= a->n || *n_picks + nm > MAX_PICKS)
            return rx_errf(err, RX_EINVAL, "run %lld is not in the grid", (long long)pos);
        total = block;
        const rx_axis **next = qbuf[flip];
        flip ^= 1;
        int k = 0;
        for (int m = 0; m < nm; m++) {
            const rx_choice *ch = &members[m]->choices[i];
            picks[(*n_picks)++] = ch;
            for (int s = 0; s < ch->n_sub && k < MAX_PICKS; s++)
                next[k++] = &ch->sub[s];
        }
        for (int r = 1; r < nq && k < MAX_PICKS; r++)
            next[k++] = q[r];
        q = next;
        nq = k;
    }
    return RX_OK;
}

/* The configuration at r's position, with lr (may be NULL) set after
 * the choices. */
static int config_at(const rx_grid *g, const rx_run_ref *r, const char *lr, rx_config *c,
                     rx_err *err)
{
    const rx_choice *picks[MAX_PICKS];
    int n_picks, drop, rc = decode(g, r->pos, picks, &n_picks, err);
    if (rc)
        return rc;
    *c = g->base;
    for (int p = 0; p < n_picks; p++)
        for (int a = 0; a < picks[p]->n_set; a++)
            if ((rc = rx_grid_apply(g, c, &picks[p]->set[a], err)))
                return rc;
    if (lr && (rc = rx_config_set_str(c, "optimizer.lr", lr, err)))
        return rc;
    if ((rc = finish_config(g, picks, n_picks, c, &drop, NULL, err)))
        return rc;
    if (drop)
        return rx_errf(err, RX_EINVAL, "run %lld%s%s is excluded from the grid",
                       (long long)r->pos, lr ? " at lr " : "", lr ? lr : "");
    return RX_OK;
}

int rx_grid_config(const rx_grid *g, const rx_run_ref *r, rx_config *c, rx_err *err)
{
    return config_at(g, r, NULL, c, err);
}

int rx_grid_config_lr(const rx_grid *g, const rx_run_ref *r, const char *lr, rx_config *c,
                      rx_err *err)
{
    return config_at(g, r, lr, c, err);
}

int rx_grid_job(const rx_grid *g, const rx_run_ref *r, rx_job *job, rx_err *err)
{
    memset(job, 0, sizeof *job);
    int rc = rx_grid_config(g, r, &job->cfg, err);
    if (rc)
        return rc;
    if (!(job->config_json = rx_config_json(&job->cfg, 0)))
        return rx_errf(err, RX_ENOMEM, "out of memory");
    memcpy(job->key, r->key, sizeof job->key);
    memcpy(job->cell, r->cell, sizeof job->cell);
    job->index = r->index;
    job->pos = r->pos;
    job->cost = r->cost;
    job->steps = r->steps;
    job->epochs = r->epochs;
    return RX_OK;
}

int rx_grid_job_lr(const rx_grid *g, const rx_run_ref *r, const char *lr, rx_job *job,
                   rx_err *err)
{
    memset(job, 0, sizeof *job);
    int rc = config_at(g, r, lr, &job->cfg, err);
    if (rc)
        return rc;
    if (!(job->config_json = rx_config_json(&job->cfg, 0)) ||
        rx_config_run_key(&job->cfg, job->key) || rx_config_cell_key(&job->cfg, job->cell)) {
        free(job->config_json);
        job->config_json = NULL;
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    job->index = r->index;
    job->pos = r->pos;
    job->cost = r->cost;      /* the same budget: the same work */
    job->steps = r->steps;
    job->epochs = r->epochs;
    return RX_OK;
}

int rx_grid_jobs(const rx_grid *g, const rx_run_ref *runs, int n, rx_job **jobs, rx_err *err)
{
    *jobs = calloc((size_t)(n ? n : 1), sizeof **jobs);
    if (!*jobs)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int rc = rx_grid_job(g, &runs[i], &(*jobs)[i], err);
        if (rc) {
            rx_jobs_free(*jobs, i);
            *jobs = NULL;
            return rc;
        }
    }
    return RX_OK;
}

int rx_grid_expand(const rx_grid *g, rx_job **jobs, int *n, rx_err *err)
{
    rx_run_ref *runs;
    *jobs = NULL;
    int rc = rx_grid_plan(g, &runs, n, err);
    if (rc == RX_OK)
        rc = rx_grid_jobs(g, runs, *n, jobs, err);
    free(runs);
    if (rc)
        *n = 0;
    return rc;
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

/* Costs (GFLOP; a command trainer's 10^9 samples) in integer FLOPs
 * (samples), so that loads add up identically on every machine: exact
 * for the tiniest runs, and a shard's load overflows only past 9.2 EFLOP,
 * years of CPU time.  A run counts at most 10^17 (a day on a fast CPU). */
static long long cost_units(double cost)
{
    return cost > 0 ? llround(cost < 1e8 ? cost * 1e9 : 1e17) : 0;
}

/* A run as LPT orders it: cost descending, then run key (lower-case hex
 * keys of one length order as their numbers do), then position i. */
typedef struct lpt_item {
    long long cost;
    uint64_t key;
    int i;
} lpt_item;

static int cmp_lpt(const void *x, const void *y)
{
    const lpt_item *a = x, *b = y;
    if (a->cost != b->cost)
        return a->cost > b->cost ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
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


/* The items of the balance: each run alone, or each tuning cell whole.
 * unit[i] receives run i's item; order[0..*n_units) the items (cost
 * summed, key the run's or the group, i the first run). */
static int shard_units(const rx_run_ref *runs, const rx_tune_ref *tune, int n, int *unit,
                       lpt_item *order, int *n_units)
{
    int nu = 0, ng = 0;
    rx_keyed *gm = NULL;   /* the runs of tuning cells: (group, run index) */
    for (int i = 0; tune && i < n; i++)
        ng += tune[i].group != 0;
    if (ng && !(gm = malloc((size_t)ng * sizeof *gm)))
        return RX_ENOMEM;
    ng = 0;
    for (int i = 0; i < n; i++) {
        if (tune && tune[i].group) {
            gm[ng++] = (rx_keyed){tune[i].group, i};
            continue;
        }
        unit[i] = nu;
        order[nu++] = (lpt_item){cost_units(runs[i].cost), hex64(runs[i].key), i};
    }
    if (ng) /* qsort(NULL, 0) is undefined behaviour */
        qsort(gm, (size_t)ng, sizeof *gm, rx_keyed_cmp);
    for (int j = 0; j < ng; j++) {
        if (j == 0 || gm[j].key != gm[j - 1].key)
            order[nu++] = (lpt_item){0, gm[j].key, gm[j].i};
        unit[gm[j].i] = nu - 1;
        order[nu - 1].cost += cost_units(runs[gm[j].i].cost);
    }
    free(gm);
    *n_units = nu;
    return RX_OK;
}

int rx_grid_shard(const rx_run_ref *runs, int n, int k, int n_shards, int *idx, int *n_idx,
                  rx_err *err)
{
    return rx_grid_shard_tune(runs, NULL, n, k, n_shards, idx, n_idx, err);
}

int rx_grid_shard_tune(const rx_run_ref *runs, const rx_tune_ref *tune, int n, int k,
                       int n_shards, int *idx, int *n_idx, rx_err *err)
{
    *n_idx = 0;
    if (n_shards < 1 || k < 0 || k >= n_shards)
        return rx_errf(err, RX_EINVAL, "shard %d of %d does not exist (shards are 0 to %d)", k,
                       n_shards, n_shards - 1);
    lpt_item *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    int *unit = malloc((size_t)(n ? n : 1) * sizeof *unit);
    int *shard_of = malloc((size_t)(n ? n : 1) * sizeof *shard_of);
    shard_load *heap = malloc((size_t)n_shards * sizeof *heap);
    int nu = 0;
    if (!order || !unit || !shard_of || !heap || shard_units(runs, tune, n, unit, order, &nu)) {
        free(order);
        free(unit);
        free(shard_of);
        free(heap);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    qsort(order, (size_t)nu, sizeof *order, cmp_lpt);
    for (int s = 0; s < n_shards; s++)
        heap[s] = (shard_load){0, s}; /* already a heap: equal loads, shards ascending */
    for (int u = 0; u < nu; u++) {
        shard_of[unit[order[u].i]] = heap[0].shard;
        heap[0].load += order[u].cost;
        sift_down(heap, n_shards, 0);
    }
    for (int i = 0; i < n; i++)
        if (shard_of[unit[i]] == k)
            idx[(*n_idx)++] = i;
    free(order);
    free(unit);
    free(shard_of);
    free(heap);
    return RX_OK;
}
