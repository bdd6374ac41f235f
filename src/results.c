/* results.c: a store's runs as rx_report_run records, labelled from their
 * canonical configurations, and the lr curves of their schedules. */
#include "rx_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_sched.h"

/* Every run's configuration, flattened: the distinct keys and raw JSON
 * values are interned once (a sweep has a few dozen keys and a few
 * hundred values, whatever its size), and each run is a list of (key id,
 * value id) pairs sorted by key name. */
typedef struct strtab {
    char **s;           /* id -> string */
    signed char *rt;    /* id -> runtime key: -1 unknown, 0, 1 */
    int n, cap;
    int *slot;          /* open addressing: id + 1, 0 = empty */
    size_t nslot;
} strtab;

struct rx_results_flat {
    strtab str;
    int *kv;            /* pairs (key id, value id) */
    size_t nkv, capkv;  /* in pairs */
    size_t *off;        /* run i: pairs off[i] .. off[i + 1] */
};

static uint64_t hash_span(const char *s, size_t len)
{
    return rx_hash64(s, len, RX_HASH_INIT);
}

static void strtab_free(strtab *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    free(t->rt);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* The id of s[0..len) in t, added when new; -1 when out of memory. */
static int intern(strtab *t, const char *s, size_t len)
{
    if ((size_t)t->n * 2 >= t->nslot) {
        size_t ns = t->nslot ? t->nslot * 2 : 256;
        int *slot = calloc(ns, sizeof *slot);
        if (!slot)
            return -1;
        for (int i = 0; i < t->n; i++) {
            size_t h = (size_t)hash_span(t->s[i], strlen(t->s[i])) & (ns - 1);
            while (slot[h])
                h = (h + 1) & (ns - 1);
            slot[h] = i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->nslot = ns;
    }
    size_t h = (size_t)hash_span(s, len) & (t->nslot - 1);
    for (; t->slot[h]; h = (h + 1) & (t->nslot - 1)) {
        const char *x = t->s[t->slot[h] - 1];
        if (strncmp(x, s, len) == 0 && x[len] == '\0')
            return t->slot[h] - 1;
    }
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 128;
        char **ns = realloc(t->s, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        t->s = ns;
        signed char *rt = realloc(t->rt, (size_t)cap);
        if (!rt)
            return -1;
        t->rt = rt;
        t->cap = cap;
    }
    if (!(t->s[t->n] = strndup(s, len)))
        return -1;
    t->rt[t->n] = -1;
    t->slot[h] = t->n + 1;
    return t->n++;
}

/* The id of the NUL-terminated s, or -1 when t does not hold it. */
static int lookup(const strtab *t, const char *s)
{
    if (!t->nslot)
        return -1;
    size_t len = strlen(s);
    size_t h = (size_t)hash_span(s, len) & (t->nslot - 1);
    for (; t->slot[h]; h = (h + 1) & (t->nslot - 1))
        if (strcmp(t->s[t->slot[h] - 1], s) == 0)
            return t->slot[h] - 1;
    return -1;
}

/* Keys that do not change what a run computes (threads, time limits). */
static int is_runtime(const char *key)
{
    int n;
    const rx_param *t = rx_keys(&n);
    const rx_param *p = rx_param_find(t, n, key);
    return p && (p->flags & RX_KF_RUNTIME);
}

/* is_runtime of key id k, looked up once per key. */
static int runtime_id(strtab *t, int k)
{
    if (t->rt[k] < 0)
        t->rt[k] = (signed char)is_runtime(t->s[k]);
    return t->rt[k];
}

/* A raw JSON value as plain text: strings lose their quotes; NULL is "". */
static void plain(const char *raw, char *buf, size_t size)
{
    rx_config_unquote(raw ? raw : "", buf, size);
}

/* The raw value of key in run i of r, or NULL. */
static const char *run_get(const rx_results *r, int i, const char *key)
{
    const rx_results_flat *f = r->flat;
    long lo = (long)f->off[i], hi = (long)f->off[i + 1] - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int c = strcmp(f->str.s[f->kv[2 * mid]], key);
        if (c == 0)
            return f->str.s[f->kv[2 * mid + 1]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* ---- loading -------------------------------------------------------- */

/* One leaf of the configuration being read: its key interned, its value
 * still in the row's text. */
typedef struct leaf {
    const char *key;
    int k;
    const char *val;
    size_t len;
    int v;              /* the value interned (parse_config) */
} leaf;

typedef struct load_ctx {
    rx_results *r;
    strtab *str;        /* where keys and values are interned */
    int cap;
    const rx_metric *m;
    rx_err *err;
    int rc;
    leaf *lv;           /* the row's leaves (reused) */
    int nl, capl;
    int oom;
} load_ctx;

/* Grows *runs and the parallel array *par (elements of esz bytes) from
 * *cap to cap runs; -1 when out of memory (what was grown is kept). */
static int grow_runs(rx_report_run **runs, void **par, size_t esz, int cap)
{
    rx_report_run *r = realloc(*runs, (size_t)cap * sizeof *r);
    if (r)
        *runs = r;
    void *p = realloc(*par, (size_t)cap * esz);
    if (p)
        *par = p;
    return r && p ? 0 : -1;
}

static int grow(load_ctx *c)
{
    rx_results *r = c->r;
    int cap = c->cap ? c->cap * 2 : 256;
    int st = grow_runs(&r->runs, (void **)&r->steps, sizeof *r->steps, cap);
    long *spe = realloc(r->steps_per_epoch, (size_t)cap * sizeof *spe);
    if (spe)
        r->steps_per_epoch = spe;
    size_t *off = realloc(r->flat->off, ((size_t)cap + 1) * sizeof *off);
    if (off)
        r->flat->off = off;
    if (st || !spe || !off)
        return -1;
    c->cap = cap;
    return 0;
}

static int leaf_add(void *ud, const char *key, const char *val, size_t len)
{
    load_ctx *c = ud;
    if (c->nl == c->capl) {
        int cap = c->capl ? c->capl * 2 : 64;
        leaf *lv = realloc(c->lv, (size_t)cap * sizeof *lv);
        if (!lv)
            return c->oom = RX_ENOMEM;
        c->lv = lv;
        c->capl = cap;
    }
    strtab *t = c->str;
    int k = intern(t, key, strlen(key));
    if (k < 0)
        return c->oom = RX_ENOMEM;
    c->lv[c->nl++] = (leaf){t->s[k], k, val, len, -1};
    return RX_OK;
}

static int cmp_leaf(const void *a, const void *b)
{
    return strcmp(((const leaf *)a)->key, ((const leaf *)b)->key);
}

/* Parses one configuration into c->lv: its leaves sorted by key (the
 * canonical form sorts within sections; this makes the whole list
 * searchable whatever the nesting), keys and values interned in c->str,
 * and its cell (unless cell is NULL): the leaves but the seed (and
 * runtime keys) hashed without the trainer version, so that stores
 * compare.  Returns RX_OK, RX_EFORMAT or RX_ENOMEM. */
static int parse_config(load_ctx *c, const char *json, char cell[RX_KEY_LEN + 1])
{
    c->nl = 0;
    c->oom = 0;
    int rc = rx_config_json_walk(json, leaf_add, c);
    if (rc)
        return c->oom ? RX_ENOMEM : RX_EFORMAT;
    qsort(c->lv, (size_t)c->nl, sizeof *c->lv, cmp_leaf);
    uint64_t h = RX_HASH_INIT;
    for (int i = 0; i < c->nl; i++) {
        leaf *l = &c->lv[i];
        if ((l->v = intern(c->str, l->val, l->len)) < 0)
            return RX_ENOMEM;
        if (!cell || strcmp(l->key, "train.seed") == 0 || runtime_id(c->str, l->k))
            continue;
        h = rx_hash64(l->key, strlen(l->key) + 1, h);
        h = rx_hash64(l->val, l->len, h);
        h = rx_hash64("", 1, h);
    }
    if (cell)
        snprintf(cell, RX_KEY_LEN + 1, "%016llx", (unsigned long long)h);
    return RX_OK;
}

/* Reads one configuration into run n of c->r (parse_config), its leaves
 * appended to the flattened set. */
static int read_config(load_ctx *c, const char *json, char cell[RX_KEY_LEN + 1])
{
    rx_results_flat *f = c->r->flat;
    int rc = parse_config(c, json, cell);
    if (rc)
        return rc;
    if (f->nkv + (size_t)c->nl > f->capkv) {
        size_t cap = f->capkv ? f->capkv * 2 : 4096;
        while (cap < f->nkv + (size_t)c->nl)
            cap *= 2;
        int *kv = realloc(f->kv, cap * 2 * sizeof *kv);
        if (!kv)
            return RX_ENOMEM;
        f->kv = kv;
        f->capkv = cap;
    }
    for (int i = 0; i < c->nl; i++) {
        f->kv[2 * (f->nkv + (size_t)i)] = c->lv[i].k;
        f->kv[2 * (f->nkv + (size_t)i) + 1] = c->lv[i].v;
    }
    f->nkv += (size_t)c->nl;
    return RX_OK;
}

static double num_or_nan(const rx_value *v)
{
    double x;
    return rx_value_number(v, &x) ? x : NAN;
}

/* columns: key, config, status, lr, budget, seed, steps, steps_per_epoch,
 * test, val */
/* Run x from a row whose first columns are key, config, status, lr,
 * budget, seed, steps, steps_per_epoch, test, val; its configuration
 * parsed (read_config when flat, else parse_config) into c.  Returns RX_OK
 * or the status of an error set in c->err. */
static int run_from_row(load_ctx *c, int flat, const rx_value *v, rx_report_run *x)
{
    memset(x, 0, sizeof *x);
    snprintf(x->key, sizeof x->key, "%s", v[0].type == RX_VTEXT ? v[0].s : "");
    const char *json = v[1].type == RX_VTEXT ? v[1].s : NULL;
    int rc = flat ? read_config(c, json, x->cell) : parse_config(c, json, x->cell);
    if (rc == RX_ENOMEM)
        return rx_errf(c->err, RX_ENOMEM, "out of memory reading the runs");
    if (rc)
        return rx_errf(c->err, RX_EFORMAT, "run '%s': the configuration is not a JSON object",
                       x->key);
    x->state = rx_outcome_of(v[2].type == RX_VTEXT ? v[2].s : "");
    x->lr = num_or_nan(&v[3]);
    x->budget = num_or_nan(&v[4]);
    x->seed = v[5].type == RX_VINT ? (long long)v[5].i : 0;
    x->test = num_or_nan(&v[8]);
    x->val = num_or_nan(&v[9]);
    return RX_OK;
}

/* columns: run_from_row's */
static int load_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    load_ctx *c = ud;
    rx_results *r = c->r;
    if (ncols != 10)
        return c->rc = rx_errf(c->err, RX_ESTORE, "unexpected result shape (%d columns)", ncols);
    if (r->n == c->cap && grow(c))
        return c->rc = rx_errf(c->err, RX_ENOMEM, "out of memory reading the runs");
    if ((c->rc = run_from_row(c, 1, v, &r->runs[r->n])))
        return c->rc;
    r->steps[r->n] = v[6].type == RX_VINT ? (long)v[6].i : 0;
    r->steps_per_epoch[r->n] = v[7].type == RX_VINT ? (long)v[7].i : 0;
    r->n++;
    r->flat->off[r->n] = r->flat->nkv;
    return 0;
}

typedef struct names_ctx {
    char list[1024];
    int n;
    char first[128];
} names_ctx;

static int name_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    names_ctx *c = ud;
    if (ncols < 1 || v[0].type != RX_VTEXT)
        return 0;
    if (c->n++ == 0)
        snprintf(c->first, sizeof c->first, "%s", v[0].s);
    size_t len = strlen(c->list);
    if (len + strlen(v[0].s) + 8 < sizeof c->list)
        snprintf(c->list + len, sizeof c->list - len, "%s'%s'", len ? ", " : "", v[0].s);
    return 0;
}

/* The sweep read: its id (0 = every run, when the store has several
 * sweeps and sweep is NULL) and name into name[128] ("" = every run). */
static int find_sweep(rx_store *st, const char *sweep, int64_t *id, char name[128], rx_err *err)
{
    names_ctx nc = {{0}, 0, {0}};
    *id = 0;
    name[0] = '\0';
    int rc = rx_store_query(st, "SELECT DISTINCT name FROM sweeps ORDER BY name", NULL, 0,
                            name_row, &nc, err);
    if (rc)
        return rc;
    if (sweep) {
        rc = rx_store_find_sweep(st, sweep, id, err);
        if (rc == RX_ENOTFOUND)
            return rx_errf(err, RX_ENOTFOUND, "no sweep named '%s' in '%s' (%s%s)", sweep,
                           rx_store_path(st), nc.n ? "sweeps: " : "the store has no sweeps",
                           nc.list);
        if (rc)
            return rc;
        snprintf(name, 128, "%s", sweep);
    } else if (nc.n == 1) {
        rc = rx_store_find_sweep(st, nc.first, id, err);
        if (rc)
            return rc;
        snprintf(name, 128, "%s", nc.first);
    }
    return RX_OK;
}

/* The SQL of metric m's test and validation values of run r (size 160
 * each).  The metric columns come from rx_metric's fixed table, never from
 * user text, so they may be spliced into the SQL; a named metric
 * (run_metrics) is bound (?2 and ?3): its final value, else its last
 * epoch's or step's. */
static void metric_sql(const rx_metric *m, char *test, char *val, size_t size)
{
#define NAMED(p) "(SELECT n.value FROM run_metrics n WHERE n.key = r.key AND n.name = " p \
                 " ORDER BY n.scope = 'final' DESC, n.scope = 'epoch' DESC, n.at DESC LIMIT 1)"
    if (m->named) {
        snprintf(test, size, "%s", NAMED("?2"));
        snprintf(val, size, "%s", NAMED("?3"));
    } else {
        snprintf(test, size, "r.%s", m->test_col);
        snprintf(val, size, "%s%s", m->val_col[0] ? "r." : "NULL", m->val_col);
    }
#undef NAMED
}

int rx_results_load(rx_store *st, const char *sweep, const rx_metric *m, rx_results *out,
                    rx_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t id = 0;
    int rc = find_sweep(st, sweep, &id, out->sweep, err);
    if (rc)
        return rc;
    char sql[1280], test[160], val[160];
    metric_sql(m, test, val, sizeof test);
    snprintf(sql, sizeof sql,
             "SELECT r.key, r.config, r.status, r.lr, r.budget, r.seed, r.steps, "
             "r.steps_per_epoch, %s, %s FROM runs r %s", test, val,
             id ? "JOIN sweep_runs l ON l.key = r.key WHERE l.sweep = ?1 ORDER BY l.grid_index"
                : "ORDER BY r.key");
    rx_value binds[3] = {rx_vint(id), rx_vtext(m->test_col), rx_vtext(m->val_col)};
    int nbinds = m->named ? 3 : id ? 1 : 0;
    load_ctx c = {out, NULL, 0, m, err, RX_OK, NULL, 0, 0, 0};
    out->flat = calloc(1, sizeof *out->flat);
    if (!out->flat || !(out->flat->off = calloc(1, sizeof *out->flat->off))) {
        rx_results_free(out);
        return rx_errf(err, RX_ENOMEM, "out of memory reading the runs");
    }
    c.str = &out->flat->str;
    rc = rx_store_query(st, sql, nbinds ? binds : NULL, nbinds, load_row, &c, err);
    free(c.lv);
    if (rc == RX_OK)
        rc = rx_results_label(out, 1, err);
    if (rc) {
        rx_results_free(out);
        return rc;
    }
    return RX_OK;
}

int rx_results_load_metric(rx_store *st, const char *sweep, const char *name, rx_metric *m,
                           int *fell_back, rx_results *out, rx_err *err)
{
    if (fell_back)
        *fell_back = 0;
    int rc = rx_metric_resolve(name ? name : "error", m, err);
    if (rc == RX_OK)
        rc = rx_results_load(st, sweep, m, out, err);
    if (rc || name || rx_results_n_valued(out) > 0)
        return rc;
    rx_metric loss;
    rx_results other;
    rx_metric_resolve("loss", &loss, NULL);
    rc = rx_results_load(st, sweep, &loss, &other, err);
    if (rc)
        return rc;
    if (rx_results_n_valued(&other) == 0) {
        rx_results_free(&other);       /* nothing either way: keep error */
        return RX_OK;
    }
    rx_results_free(out);
    *out = other;
    *m = loss;
    if (fell_back)
        *fell_back = 1;
    return RX_OK;
}

void rx_results_free(rx_results *r)
{
    if (r->flat) {
        strtab_free(&r->flat->str);
        free(r->flat->kv);
        free(r->flat->off);
        free(r->flat);
    }
    free(r->runs);
    free(r->steps);
    free(r->steps_per_epoch);
    memset(r, 0, sizeof *r);
}

int rx_results_n_valued(const rx_results *r)
{
    int k = 0;
    for (int i = 0; i < r->n; i++)
        k += r->runs[i].state == RX_OUT_DONE && isfinite(r->runs[i].test);
    return k;
}

/* ---- labels --------------------------------------------------------- */

/* Labelling is linear in the runs: the sets' strings are interned into one
 * table, and which keys vary is found in one pass over the runs per
 * grouping (all runs; by model type; by optimizer; by schedule), never by
 * comparing runs pairwise. */
typedef struct labeller {
    strtab str;         /* every set's keys and values */
    int tuned[RX_REPORT_TUNE_MAX]; /* key indices tuned like the lr (-1: no run has it) */
    int ntuned;
    int **map;          /* per set: local id -> id in str */
    int nsets;
    const rx_results *sets;
    int nk;
    int *keys;          /* the distinct keys, sorted by name */
    int *rank;          /* id -> index in keys, or -1 */
    int *val;           /* the current run: key index -> value id, or -1 */
} labeller;

static void labeller_free(labeller *L)
{
    for (int s = 0; L->map && s < L->nsets; s++)
        free(L->map[s]);
    free(L->map);
    free(L->keys);
    free(L->rank);
    free(L->val);
    strtab_free(&L->str);
}

static labeller *cmp_lab;

static int cmp_key(const void *a, const void *b)
{
    return strcmp(cmp_lab->str.s[*(const int *)a], cmp_lab->str.s[*(const int *)b]);
}

static int labeller_init(labeller *L, const rx_results *sets, int nsets)
{
    memset(L, 0, sizeof *L);
    L->sets = sets;
    L->nsets = nsets;
    if (!(L->map = calloc((size_t)(nsets ? nsets : 1), sizeof *L->map)))
        return -1;
    for (int s = 0; s < nsets; s++) {
        const strtab *t = sets[s].flat ? &sets[s].flat->str : NULL;
        int n = t ? t->n : 0;
        if (!(L->map[s] = malloc((size_t)(n ? n : 1) * sizeof **L->map)))
            return -1;
        for (int i = 0; i < n; i++)
            if ((L->map[s][i] = intern(&L->str, t->s[i], strlen(t->s[i]))) < 0)
                return -1;
    }
    int ns = L->str.n ? L->str.n : 1;
    unsigned char *is_key = calloc((size_t)ns, 1);
    L->rank = malloc((size_t)ns * sizeof *L->rank);
    L->keys = malloc((size_t)ns * sizeof *L->keys);
    if (!is_key || !L->rank || !L->keys) {
        free(is_key);
        return -1;
    }
    for (int s = 0; s < nsets; s++) {
        const rx_results_flat *f = sets[s].flat;
        for (size_t p = 0; f && p < f->nkv; p++)
            is_key[L->map[s][f->kv[2 * p]]] = 1;
    }
    for (int i = 0; i < L->str.n; i++)
        if (is_key[i])
            L->keys[L->nk++] = i;
    free(is_key);
    cmp_lab = L;
    qsort(L->keys, (size_t)L->nk, sizeof *L->keys, cmp_key);
    cmp_lab = NULL;
    for (int i = 0; i < L->str.n; i++)
        L->rank[i] = -1;
    for (int j = 0; j < L->nk; j++)
        L->rank[L->keys[j]] = j;
    if (!(L->val = malloc((size_t)(L->nk ? L->nk : 1) * sizeof *L->val)))
        return -1;
    for (int j = 0; j < L->nk; j++)
        L->val[j] = -1;
    return 0;
}

/* Calls fn for every run in order, with L->val holding its values. */
#define FOR_EACH_RUN(L, s, i)                                                    \
    for (int s = 0; s < (L)->nsets; s++)                                         \
        for (int i = 0; i < (L)->sets[s].n && (load_run(L, s, i), 1); unload_run(L, s, i), i++)

static void load_run(labeller *L, int s, int i)
{
    const rx_results_flat *f = L->sets[s].flat;
    for (size_t p = f->off[i]; p < f->off[i + 1]; p++)
        L->val[L->rank[L->map[s][f->kv[2 * p]]]] = L->map[s][f->kv[2 * p + 1]];
}

static void unload_run(labeller *L, int s, int i)
{
    const rx_results_flat *f = L->sets[s].flat;
    for (size_t p = f->off[i]; p < f->off[i + 1]; p++)
        L->val[L->rank[L->map[s][f->kv[2 * p]]]] = -1;
}

/* The raw value of key index j in the current run, or NULL. */
static const char *cur(const labeller *L, int j)
{
    return j >= 0 && L->val[j] >= 0 ? L->str.s[L->val[j]] : NULL;
}

/* Which keys vary within groups: the runs are grouped by the value of the
 * key group (-1: one group of all runs; runs without that key belong to
 * none).  vary[g * nk + j] is set when key j takes more than one value
 * among the runs of group g, a missing key counting as a value of its own.
 * *gid (caller frees) maps a value id to its group, or -1. */
typedef struct groups {
    int *gid;           /* value id -> group */
    int nid;            /* ids gid covers (a value interned later has none) */
    unsigned char *vary;
    int ng;
} groups;

static void groups_free(groups *G)
{
    free(G->gid);
    free(G->vary);
    memset(G, 0, sizeof *G);
}

/* The group of the current run, or -1. */
static int group_of(const labeller *L, const groups *G, int group)
{
    if (group < 0)
        return 0;
    return L->val[group] >= 0 && L->val[group] < G->nid ? G->gid[L->val[group]] : -1;
}

static int groups_find(labeller *L, int group, groups *G)
{
    memset(G, 0, sizeof *G);
    int ns = L->str.n ? L->str.n : 1, nk = L->nk ? L->nk : 1;
    if (!(G->gid = malloc((size_t)ns * sizeof *G->gid)))
        return -1;
    G->nid = ns;
    for (int i = 0; i < ns; i++)
        G->gid[i] = -1;
    G->ng = group < 0;
    if (group >= 0)
        FOR_EACH_RUN(L, s, i)
            if (L->val[group] >= 0 && G->gid[L->val[group]] < 0)
                G->gid[L->val[group]] = G->ng++;
    size_t cells = (size_t)(G->ng ? G->ng : 1) * (size_t)nk;
    int *first = malloc(cells * sizeof *first);
    int *count = calloc(cells, sizeof *count);
    int *size = calloc((size_t)(G->ng ? G->ng : 1), sizeof *size);
    G->vary = calloc(cells, 1);
    if (!first || !count || !size || !G->vary) {
        free(first);
        free(count);
        free(size);
        groups_free(G);
        return -1;
    }
    for (int s = 0; s < L->nsets; s++) {
        const rx_results_flat *f = L->sets[s].flat;
        for (int i = 0; i < L->sets[s].n; i++) {
            load_run(L, s, i);
            int g = group_of(L, G, group);
            unload_run(L, s, i);
            if (g < 0)
                continue;
            size[g]++;
            for (size_t p = f->off[i]; p < f->off[i + 1]; p++) {
                size_t c = (size_t)g * (size_t)nk + (size_t)L->rank[L->map[s][f->kv[2 * p]]];
                int v = L->map[s][f->kv[2 * p + 1]];
                if (count[c]++ == 0)
                    first[c] = v;
                else if (first[c] != v)
                    G->vary[c] = 1;
            }
        }
    }
    /* a key some runs of the group lack differs between those and the
     * others (a raw JSON value is never empty) */
    for (int g = 0; g < G->ng; g++)
        for (int j = 0; j < L->nk; j++) {
            size_t c = (size_t)g * (size_t)nk + (size_t)j;
            if (count[c] && count[c] < size[g])
                G->vary[c] = 1;
        }
    free(first);
    free(count);
    free(size);
    return 0;
}

/* Appends " key=value" (or "(k=v" / ", k=v") to buf. */
static void append(char *buf, size_t size, const char *sep, const char *key, const char *raw)
{
    char v[128];
    plain(raw, v, sizeof v);
    size_t len = strlen(buf);
    /* a label too long for its field is cut, not an error */
    if (len < size && snprintf(buf + len, size - len, "%s%s=%s", sep, key, v) < 0)
        buf[len] = '\0';
}

static int key_index(const labeller *L, const char *key)
{
    int id = lookup(&L->str, key);
    return id < 0 ? -1 : L->rank[id];
}

/* True when key index j is tuned like the lr: no label names it. */
static int is_tuned(const labeller *L, int j)
{
    for (int q = 0; q < L->ntuned; q++)
        if (L->tuned[q] == j && j >= 0)
            return 1;
    return 0;
}

/* How the runs are labelled: which keys vary within which groups, found
 * over every run before any is labelled (labels_prepare from the sets'
 * flattened runs, or a stream's first pass). */
typedef struct labels {
    int ds, type;               /* key indices of data.dataset, model.type */
    groups all, by_type;        /* the setting's keys, and the model's by type */
    int opt_name, opt_skip;     /* optimizer.name, optimizer.lr */
    int sch_name;               /* schedule.name */
    groups opt, sch;            /* by optimizer name, by schedule name */
} labels;

static void labels_free(labels *B)
{
    groups_free(&B->all);
    groups_free(&B->by_type);
    groups_free(&B->opt);
    groups_free(&B->sch);
}

/* The key indices of B, and the setting's keys: those of all.vary that
 * the setting names (not the optimizer's, the schedule's, the runtime
 * ones, the tuned ones or those the setting says otherwise). */
static void labels_keys(labeller *L, labels *B)
{
    static const char *const own[] = {"data.dataset", "model.type", "train.budget",
                                      "train.seed", NULL};
    B->ds = key_index(L, "data.dataset");
    B->type = key_index(L, "model.type");
    B->opt_name = key_index(L, "optimizer.name");
    B->opt_skip = key_index(L, "optimizer.lr");
    B->sch_name = key_index(L, "schedule.name");
    for (int j = 0; B->all.vary && j < L->nk; j++) {
        const char *key = L->str.s[L->keys[j]];
        int skip = strncmp(key, "optimizer.", 10) == 0 || strncmp(key, "schedule.", 9) == 0 ||
                   runtime_id(&L->str, L->keys[j]) || is_tuned(L, j);
        for (int q = 0; own[q] && !skip; q++)
            skip = strcmp(key, own[q]) == 0;
        if (skip)
            B->all.vary[j] = 0;
    }
}

/* B from the sets L was made of. */
static int labels_prepare(labeller *L, labels *B)
{
    memset(B, 0, sizeof *B);
    int type = key_index(L, "model.type"), on = key_index(L, "optimizer.name");
    int sn = key_index(L, "schedule.name");
    if (groups_find(L, -1, &B->all) || (type >= 0 && groups_find(L, type, &B->by_type)) ||
        (on >= 0 && groups_find(L, on, &B->opt)) || (sn >= 0 && groups_find(L, sn, &B->sch))) {
        labels_free(B);
        return -1;
    }
    labels_keys(L, B);
    return 0;
}

/* The label of one family ("optimizer" or "schedule") of the current run
 * into out: its name plus the keys of that family that vary within runs
 * of the same name (G, grouped by the name's key index). */
static void label_family(const labeller *L, const groups *G, const char *family, int name,
                         int skip_j, char *out)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.", family);
    size_t plen = strlen(prefix);
    plain(cur(L, name), out, RX_REPORT_NAME_MAX);
    int g = name >= 0 ? group_of(L, G, name) : -1, nvar = 0;
    for (int j = 0; g >= 0 && j < L->nk; j++) {
        const char *key = L->str.s[L->keys[j]];
        if (!G->vary[(size_t)g * (size_t)L->nk + (size_t)j] || j == name || j == skip_j ||
            strncmp(key, prefix, plen) != 0 || runtime_id((strtab *)&L->str, L->keys[j]) ||
            is_tuned(L, j))
            continue;
        append(out, RX_REPORT_NAME_MAX, nvar++ ? ", " : "(", key + plen, cur(L, j));
    }
    if (nvar) {
        size_t len = strlen(out);
        if (len + 1 < RX_REPORT_NAME_MAX)
            snprintf(out + len, RX_REPORT_NAME_MAX - len, ")");
    }
}

/* The setting of the current run into out: dataset, model type, and
 * whatever else differs. */
static void label_setting(const labeller *L, const labels *B, char *out)
{
    char dsv[64], mt[64];
    plain(cur(L, B->ds), dsv, sizeof dsv);
    plain(cur(L, B->type), mt, sizeof mt);
    snprintf(out, RX_REPORT_SETTING_MAX, "%s %s", dsv, mt);
    int g = B->type >= 0 ? group_of(L, &B->by_type, B->type) : -1;
    for (int j = 0; j < L->nk; j++) {
        if (!B->all.vary[j])
            continue;
        const char *key = L->str.s[L->keys[j]];
        /* a model key that differs only between model types (the hidden
         * sizes of an mlp and the layers of a cnn zipped with model.type)
         * is said by the type already */
        if (strncmp(key, "model.", 6) == 0 && g >= 0 &&
            !B->by_type.vary[(size_t)g * (size_t)L->nk + (size_t)j])
            continue;
        append(out, RX_REPORT_SETTING_MAX, " ", key, cur(L, j));
    }
}

/* Labels the current run x: setting, optimizer, schedule, and its values
 * of the tuned keys (tune[], L->ntuned of them); RX_EINVAL when one is
 * too long to keep whole (two values cut alike would be pooled). */
static int label_run(const labeller *L, const labels *B, const char *const *tune,
                     rx_report_run *x, rx_err *err)
{
    label_setting(L, B, x->setting);
    label_family(L, &B->opt, "optimizer", B->opt_name, B->opt_skip, x->optimizer);
    label_family(L, &B->sch, "schedule", B->sch_name, -1, x->schedule);
    int rc = RX_OK;
    for (int q = 0; q < L->ntuned && rc == RX_OK; q++) {
        const char *v = cur(L, L->tuned[q]);
        if (v && strlen(v) >= sizeof x->tune[q])
            rc = rx_errf(err, RX_EINVAL, "run '%s': the value of the tuned key '%s' is "
                         "longer than %d bytes; tune keys with short values",
                         x->key, tune[q], (int)sizeof x->tune[q] - 1);
        snprintf(x->tune[q], sizeof x->tune[q], "%s", v ? v : "");
    }
    for (int q = L->ntuned; q < RX_REPORT_TUNE_MAX; q++)
        x->tune[q][0] = '\0';
    return rc;
}

/* The keys of L tuned like the lr: tune[] (NULL-terminated); RX_EINVAL
 * when there are too many. */
static int set_tuned(labeller *L, const char *const *tune, rx_err *err)
{
    int n_tune = 0;
    while (tune && tune[n_tune])
        n_tune++;
    if (n_tune > RX_REPORT_TUNE_MAX)
        return rx_errf(err, RX_EINVAL, "at most %d keys can be tuned besides the lr",
                       RX_REPORT_TUNE_MAX);
    for (int q = 0; q < n_tune; q++)
        L->tuned[L->ntuned++] = key_index(L, tune[q]);
    return RX_OK;
}

int rx_results_label_tuned(rx_results *sets, int nsets, const char *const *tune, rx_err *err)
{
    labeller L;
    labels B;
    int rc = labeller_init(&L, sets, nsets);
    if (!rc && (rc = set_tuned(&L, tune, err))) {
        labeller_free(&L);
        return rc;
    }
    if (rc || labels_prepare(&L, &B)) {
        labeller_free(&L);
        return rx_errf(err, RX_ENOMEM, "out of memory labelling the runs");
    }
    /* the first run whose tuned value is too long, as the labelling of
     * every run then of the tuned values found it */
    rx_err first = {{0}};
    int frc = RX_OK;
    FOR_EACH_RUN(&L, s, i) {
        int r1 = label_run(&L, &B, tune, &L.sets[s].runs[i], &first);
        if (r1 && frc == RX_OK) {
            frc = r1;
            if (err)
                *err = first;
        }
    }
    labels_free(&B);
    labeller_free(&L);
    return frc;
}

int rx_results_label(rx_results *sets, int nsets, rx_err *err)
{
    return rx_results_label_tuned(sets, nsets, NULL, err);
}

/* ---- lr curves ------------------------------------------------------ */

typedef struct epoch_lr {
    double lr[4096];
    int n;
} epoch_lr;

static int epoch_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    epoch_lr *e = ud;
    if (ncols == 1 && e->n < (int)(sizeof e->lr / sizeof e->lr[0]))
        e->lr[e->n++] = num_or_nan(&v[0]);
    return 0;
}

/* Plateau follows the validation loss: its curve is the lr recorded at
 * each epoch, held over the epoch. */
static int plateau_curve(rx_store *st, const rx_results *r, int i, rx_report_curve *c,
                         rx_err *err)
{
    static epoch_lr e;
    e.n = 0;
    rx_value key = rx_vtext(r->runs[i].key);
    int rc = rx_store_query(st, "SELECT lr FROM metrics WHERE key = ?1 ORDER BY epoch", &key, 1,
                            epoch_row, &e, err);
    if (rc)
        return rc;
    long T = r->steps[i], spe = r->steps_per_epoch[i];
    if (e.n == 0 || T <= 0 || spe <= 0) {
        snprintf(c->note, sizeof c->note, "follows the validation loss; no epochs recorded yet");
        return RX_OK;
    }
    c->p = malloc((size_t)e.n * 2 * sizeof *c->p);
    c->lr = malloc((size_t)e.n * 2 * sizeof *c->lr);
    if (!c->p || !c->lr)
        return rx_errf(err, RX_ENOMEM, "out of memory drawing the lr curves");
    for (int k = 0; k < e.n; k++) {
        double a = (double)k * spe / T, b = fmin(1.0, (double)(k + 1) * spe / T);
        c->p[2 * k] = fmin(a, 1.0);
        c->p[2 * k + 1] = b;
        c->lr[2 * k] = c->lr[2 * k + 1] = e.lr[k] / r->runs[i].lr;
    }
    c->n = 2 * e.n;
    snprintf(c->note, sizeof c->note, "follows the validation loss: the lr recorded per epoch "
                                      "of run %s", r->runs[i].key);
    return RX_OK;
}

static int profile_curve(const rx_results *r, int i, rx_report_curve *c, rx_err *err)
{
    const rx_results_flat *f = r->flat;
    char name[64], v[256];
    plain(run_get(r, i, "schedule.name"), name, sizeof name);
    rx_sched_config cfg;
    rx_err e = {{0}};
    if (rx_sched_init(&cfg, name, &e)) {
        snprintf(c->note, sizeof c->note, "not drawn: %.80s", e.msg);
        return RX_OK;
    }
    for (size_t k = f->off[i]; k < f->off[i + 1]; k++) {
        const char *key = f->str.s[f->kv[2 * k]];
        if (strncmp(key, "schedule.", 9) != 0 || strcmp(key, "schedule.name") == 0)
            continue;
        plain(f->str.s[f->kv[2 * k + 1]], v, sizeof v);
        if (rx_sched_set_str(&cfg, key + 9, v, &e)) {
            snprintf(c->note, sizeof c->note, "not drawn: %.80s", e.msg);
            return RX_OK;
        }
    }
    if (rx_sched_validate(&cfg, &e)) {
        snprintf(c->note, sizeof c->note, "not drawn: %.80s", e.msg);
        return RX_OK;
    }
    long T = r->steps[i], spe = r->steps_per_epoch[i];
    if (T <= 0 || spe <= 0) {
        T = 1000;                       /* no finished run: a nominal length */
        spe = 100;
    }
    long total = rx_sched_total_steps(&cfg, T);
    int n = total < 2000 ? (int)total + 1 : 2001;
    c->p = malloc((size_t)n * sizeof *c->p);
    c->lr = malloc((size_t)n * sizeof *c->lr);
    if (!c->p || !c->lr)
        return rx_errf(err, RX_ENOMEM, "out of memory drawing the lr curves");
    rx_sched s;
    rx_sched_start(&s, &cfg, 1.0, 0.9, total, spe);
    for (int k = 0; k < n; k++) {
        long t = (long)llround((double)k * (double)(total - 1) / (double)(n - 1 > 0 ? n - 1 : 1));
        double lr, mom = 0.9;
        rx_sched_step(&s, t, &lr, &mom);
        c->p[k] = (double)t / (double)total;
        c->lr[k] = lr;
    }
    c->n = n;
    return RX_OK;
}

/* Index of s in the report's fixed-width name array, or -1. */
static int name_index(const char *arr, size_t width, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(arr + (size_t)i * width, s) == 0)
            return i;
    return -1;
}

/* The cell of rep that run x belongs to, or NULL. */
static const rx_report_cell *cell_of_run(const rx_report *rep, const rx_report_run *x)
{
    int s = name_index((const char *)rep->settings, sizeof *rep->settings, rep->n_settings,
                       x->setting);
    int o = name_index((const char *)rep->optimizers, sizeof *rep->optimizers,
                       rep->n_optimizers, x->optimizer);
    int k = name_index((const char *)rep->schedules, sizeof *rep->schedules, rep->n_schedules,
                       x->schedule);
    int b = 0;
    while (b < rep->n_budgets && rep->budgets[b] != x->budget)
        b++;
    if (s < 0 || o < 0 || k < 0 || b == rep->n_budgets)
        return NULL;
    return rx_report_cell_at(rep, s, o, k, b);
}

/* True when run i of r is of its cell's chosen candidate in rep (every run
 * is, without rep). */
static int curve_chosen(const rx_results *r, int i, const rx_report *rep)
{
    if (!rep)
        return 1;
    const rx_report_cell *c = cell_of_run(rep, &r->runs[i]);
    return c && rx_report_is_chosen(rep, c, &r->runs[i]);
}

int rx_results_curves(rx_store *st, const rx_results *r, const rx_report *rep,
                      rx_report_curve **out, int *n, rx_err *err)
{
    *out = NULL;
    *n = 0;
    rx_report_curve *c = calloc((size_t)(r->n ? r->n : 1), sizeof *c);
    if (!c)
        return rx_errf(err, RX_ENOMEM, "out of memory drawing the lr curves");
    int nc = 0, rc = RX_OK;
    for (int i = 0; i < r->n && rc == RX_OK; i++) {
        int seen = 0;
        for (int k = 0; k < nc && !seen; k++)
            seen = strcmp(c[k].schedule, r->runs[i].schedule) == 0;
        if (seen)
            continue;
        /* the run with the largest budget and a known length draws it,
         * one of its cell's chosen candidate when there is one (a tuned
         * schedule's runs differ by more than the lr) */
        int best = i, best_ch = curve_chosen(r, i, rep);
        for (int j = i + 1; j < r->n; j++) {
            if (strcmp(r->runs[j].schedule, r->runs[i].schedule) != 0)
                continue;
            int ch = curve_chosen(r, j, rep);
            if (ch < best_ch)
                continue;
            if (ch > best_ch || r->steps[best] <= 0 ||
                (r->steps[j] > 0 && r->runs[j].budget > r->runs[best].budget))
                best = j, best_ch = ch;
        }
        rx_report_curve *cv = &c[nc++];
        snprintf(cv->schedule, sizeof cv->schedule, "%s", r->runs[i].schedule);
        char name[64];
        plain(run_get(r, best, "schedule.name"), name, sizeof name);
        rc = strcmp(name, "plateau") == 0 ? plateau_curve(st, r, best, cv, err)
                                          : profile_curve(r, best, cv, err);
        int tuned = 0;
        for (int q = 0; rep && q < rep->n_tune; q++)
            tuned |= r->runs[best].tune[q][0] != '\0';
        if (rc == RX_OK && tuned && best_ch && cv->n > 0) {
            /* a tuned schedule: say which candidate drew it */
            size_t len = strlen(cv->note);
            len += (size_t)snprintf(cv->note + len, sizeof cv->note - len, "%sthe chosen lr %g",
                                    len ? "; " : "", r->runs[best].lr);
            for (int q = 0; q < rep->n_tune && len < sizeof cv->note; q++) {
                char v[RX_REPORT_TUNE_VAL];
                plain(r->runs[best].tune[q], v, sizeof v);
                if (v[0])
                    len += (size_t)snprintf(cv->note + len, sizeof cv->note - len, ", %s=%s",
                                            rep->tune_keys[q], v);
            }
        }
    }
    if (rc) {
        rx_results_curves_free(c, nc);
        return rc;
    }
    *out = c;
    *n = nc;
    return RX_OK;
}

void rx_results_curves_free(rx_report_curve *c, int n)
{
    for (int i = 0; c && i < n; i++) {
        free(c[i].p);
        free(c[i].lr);
    }
    free(c);
}

/* ---- what the protocol warnings need ---------------------------------- */

typedef struct facts_ctx {
    const rx_results *r;
    const int *order;           /* run indices sorted by key */
    rx_report_fact *out;
} facts_ctx;

static const rx_results *cmp_facts_r;

static int cmp_run_key(const void *a, const void *b)
{
    return strcmp(cmp_facts_r->runs[*(const int *)a].key, cmp_facts_r->runs[*(const int *)b].key);
}

/* The run of r whose key is key, among order[0..n) (run indices sorted
 * by key), or -1. */
static int run_by_key(const rx_results *r, const int *order, int n, const char *key)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, d = strcmp(key, r->runs[order[mid]].key);
        if (d == 0)
            return order[mid];
        if (d < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* One row (key, smallest and largest lr recorded at an epoch's end). */
static int facts_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    facts_ctx *c = ud;
    if (ncols != 3 || v[0].type != RX_VTEXT)
        return 0;
    int i = run_by_key(c->r, c->order, c->r->n, v[0].s);
    double a, b, lr0 = i >= 0 ? c->r->runs[i].lr : NAN;
    if (i < 0 || !isfinite(lr0))
        return 0;              /* a run of another sweep */
    if (rx_value_number(&v[1], &a) && rx_value_number(&v[2], &b)) {
        double tol = 1e-12 * fabs(lr0);
        c->out[i].lr_changed = fabs(a - lr0) > tol || fabs(b - lr0) > tol;
    }
    return 0;
}

int rx_results_facts(rx_store *st, const rx_results *r, rx_report_fact *out, rx_err *err)
{
    int *order = malloc((size_t)(r->n ? r->n : 1) * sizeof *order);
    if (!order)
        return rx_errf(err, RX_ENOMEM, "out of memory reading the runs' lr");
    for (int i = 0; i < r->n; i++) {
        const char *nv = run_get(r, i, "data.validation");
        out[i].steps = r->steps[i];
        out[i].lr_changed = -1;
        out[i].n_val = nv ? atol(nv) : 0;
        order[i] = i;
    }
    cmp_facts_r = r;
    qsort(order, (size_t)r->n, sizeof *order, cmp_run_key);
    cmp_facts_r = NULL;
    facts_ctx c = {r, order, out};
    /* one pass over the epoch rows (the metrics primary key is (key,
     * epoch): grouped without sorting); runs of other sweeps are skipped */
    int rc = rx_store_query(st,
                            "SELECT key, min(CASE WHEN typeof(lr) = 'real' THEN lr END), "
                            "max(CASE WHEN typeof(lr) = 'real' THEN lr END) "
                            "FROM metrics GROUP BY key",
                            NULL, 0, facts_row, &c, err);
    free(order);
    return rc;
}

/* ---- learning curves ----------------------------------------------------- */

typedef struct lc_ctx {
    const rx_results *r;
    const rx_metric *m;
    const int *order;           /* wanted runs, sorted by key */
    const int *curve_of;        /* per run: its curve, or -1 */
    int n_order;
    rx_report_lcurve *c;
    int *cap;                   /* per curve: epochs allocated */
    int **cnt;                  /* per curve: seeds per epoch */
    int oom;
} lc_ctx;

static int lc_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    lc_ctx *c = ud;
    if (ncols != 3 || v[0].type != RX_VTEXT || v[1].type != RX_VINT)
        return 0;
    int i = run_by_key(c->r, c->order, c->n_order, v[0].s);
    double x;
    int e = (int)v[1].i;
    if (i < 0 || e < 1 || e > 1000000 || !rx_value_number(&v[2], &x) || !isfinite(x))
        return 0;
    int k = c->curve_of[i];
    rx_report_lcurve *lc = &c->c[k];
    if (e > c->cap[k]) {
        int cap = e > 2 * c->cap[k] ? e : 2 * c->cap[k];
        double *ep = realloc(lc->epoch, (size_t)cap * sizeof *ep);
        if (ep)
            lc->epoch = ep;
        double *va = realloc(lc->val, (size_t)cap * sizeof *va);
        if (va)
            lc->val = va;
        int *cn = realloc(c->cnt[k], (size_t)cap * sizeof *cn);
        if (cn)
            c->cnt[k] = cn;
        if (!ep || !va || !cn)
            return c->oom = RX_ENOMEM;
        for (int j = c->cap[k]; j < cap; j++) {
            lc->val[j] = 0;
            c->cnt[k][j] = 0;
        }
        c->cap[k] = cap;
    }
    lc->val[e - 1] += rx_metric_display(c->m, x);
    c->cnt[k][e - 1]++;
    if (e > lc->n)
        lc->n = e;
    return 0;
}

int rx_results_learning(rx_store *st, const rx_results *r, const rx_report *rep, double budget,
                        rx_report_lcurve **out, int *n_out, rx_err *err)
{
    *out = NULL;
    *n_out = 0;
    const rx_metric *m = &rep->metric;
    const char *col = m->val_col[0] ? m->val_col : m->test_col;
    int b = 0;
    while (b < rep->n_budgets && rep->budgets[b] != budget)
        b++;
    if (b == rep->n_budgets)
        return RX_OK;
    size_t ngrid = (size_t)rep->n_settings * rep->n_optimizers * rep->n_schedules;
    int *grid = malloc((ngrid ? ngrid : 1) * sizeof *grid);
    int *curve_of = malloc((size_t)(r->n ? r->n : 1) * sizeof *curve_of);
    int *order = malloc((size_t)(r->n ? r->n : 1) * sizeof *order);
    rx_report_lcurve *c = calloc(ngrid ? ngrid : 1, sizeof *c);
    int *cap = calloc(ngrid ? ngrid : 1, sizeof *cap);
    int **cnt = calloc(ngrid ? ngrid : 1, sizeof *cnt);
    int nc = 0, no = 0, rc = RX_OK;
    if (!grid || !curve_of || !order || !c || !cap || !cnt) {
        rc = rx_errf(err, RX_ENOMEM, "out of memory reading the learning curves");
        goto out;
    }
    for (size_t g = 0; g < ngrid; g++)
        grid[g] = -1;
    for (int i = 0; i < r->n; i++) {
        const rx_report_run *x = &r->runs[i];
        curve_of[i] = -1;
        if (x->budget != budget || x->state != RX_OUT_DONE)
            continue;
        int s = name_index((const char *)rep->settings, sizeof *rep->settings, rep->n_settings, x->setting);
        int o = name_index((const char *)rep->optimizers, sizeof *rep->optimizers, rep->n_optimizers,
                           x->optimizer);
        int k = name_index((const char *)rep->schedules, sizeof *rep->schedules, rep->n_schedules,
                           x->schedule);
        if (s < 0 || o < 0 || k < 0)
            continue;
        if (!rx_report_is_chosen(rep, rx_report_cell_at(rep, s, o, k, b), x))
            continue;
        size_t g = ((size_t)s * rep->n_optimizers + o) * rep->n_schedules + k;
        if (grid[g] < 0) {
            grid[g] = nc;
            c[nc] = (rx_report_lcurve){s, o, k, budget, 0, NULL, NULL};
            nc++;
        }
        curve_of[i] = grid[g];
        order[no++] = i;
    }
    cmp_facts_r = r;
    qsort(order, (size_t)no, sizeof *order, cmp_run_key);
    cmp_facts_r = NULL;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT key, epoch, %s FROM metrics", col);
    lc_ctx ctx = {r, m, order, curve_of, no, c, cap, cnt, 0};
    if (no > 0 && (rc = rx_store_query(st, sql, NULL, 0, lc_row, &ctx, err))) {
        if (ctx.oom)
            rc = rx_errf(err, RX_ENOMEM, "out of memory reading the learning curves");
        goto out;
    }
    /* means over seeds; epochs no seed reached stay NaN */
    for (int k = 0; k < nc; k++)
        for (int e = 0; e < c[k].n; e++) {
            c[k].epoch[e] = e + 1;
            c[k].val[e] = cnt[k][e] ? c[k].val[e] / cnt[k][e] : NAN;
        }
out:
    for (size_t g = 0; cnt && g < ngrid; g++)
        free(cnt[g]);
    free(cnt);
    free(cap);
    free(grid);
    free(curve_of);
    free(order);
    if (rc) {
        rx_results_learning_free(c, nc);
        return rc;
    }
    *out = c;
    *n_out = nc;
    return RX_OK;
}

void rx_results_learning_free(rx_report_lcurve *c, int n)
{
    for (int i = 0; c && i < n; i++) {
        free(c[i].epoch);
        free(c[i].val);
    }
    free(c);
}

/* ---- streaming: the runs a cell group at a time ------------------------ */

/* The first pass's tallies: per (grouping, group value, key) the first
 * value, how many runs had the key and whether it took another value;
 * key -1 counts the group's runs.  Groupings: 0 every run (group value
 * 0), 1 model.type, 2 optimizer.name, 3 schedule.name (groups_find's). */
enum { G_ALL, G_TYPE, G_OPT, G_SCH, N_GROUPINGS };

typedef struct vstat {
    int grouping, gval, key;
    int first, count;
    unsigned char vary, used;
} vstat;

typedef struct vtab {
    vstat *v;
    size_t n, cap;      /* open addressing; cap a power of two */
} vtab;

static size_t vstat_hash(int grouping, int gval, int key)
{
    uint64_t x = ((uint64_t)(unsigned)grouping << 58) ^ ((uint64_t)(unsigned)gval << 29) ^
                 (uint64_t)(unsigned)(key + 1);
    x ^= x >> 31;
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

/* The tally of (grouping, gval, key), or NULL. */
static vstat *vstat_find(const vtab *t, int grouping, int gval, int key)
{
    if (!t->cap)
        return NULL;
    size_t h = vstat_hash(grouping, gval, key) & (t->cap - 1);
    for (; t->v[h].used; h = (h + 1) & (t->cap - 1))
        if (t->v[h].grouping == grouping && t->v[h].gval == gval && t->v[h].key == key)
            return &t->v[h];
    return NULL;
}

/* The tally of (grouping, gval, key), added when new; NULL when out of
 * memory. */
static vstat *vstat_get(vtab *t, int grouping, int gval, int key)
{
    vstat *found = vstat_find(t, grouping, gval, key);
    if (found)
        return found;
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        vstat *v = calloc(cap, sizeof *v);
        if (!v)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].used)
                continue;
            size_t h = vstat_hash(t->v[i].grouping, t->v[i].gval, t->v[i].key) & (cap - 1);
            while (v[h].used)
                h = (h + 1) & (cap - 1);
            v[h] = t->v[i];
        }
        free(t->v);
        t->v = v;
        t->cap = cap;
    }
    size_t h = vstat_hash(grouping, gval, key) & (t->cap - 1);
    while (t->v[h].used)
        h = (h + 1) & (t->cap - 1);
    t->n++;
    t->v[h] = (vstat){grouping, gval, key, -1, 0, 0, 1};
    return &t->v[h];
}

struct rx_results_stream {
    rx_store *st;
    int64_t id;                 /* the sweep read; 0 = every run */
    char sweep[128];
    rx_metric m;
    int fell_back;
    labeller L;                 /* every key and value; no sets */
    int nrank;                  /* ids L.rank covers */
    int gkey[N_GROUPINGS];      /* string ids of the grouping keys (-1: all) */
    unsigned char *is_key;      /* id -> seen as a key (first pass) */
    int n_is_key;
    vtab vt;
    groups G[N_GROUPINGS];
    load_ctx c;                 /* the row's leaves */
    long n_valued[2];           /* done runs with a finite test value: the
                                   metric, the loss it falls back to */
    int used;                   /* rx_results_stream_each ran */
    /* the current batch */
    rx_report_run *runs;
    rx_report_fact *facts;
    int n, cap;
    const char *const *tune;
    rx_err *err;
};

void rx_results_stream_free(rx_results_stream *s)
{
    if (!s)
        return;
    for (int g = 0; g < N_GROUPINGS; g++)
        groups_free(&s->G[g]);
    free(s->L.keys);
    free(s->L.rank);
    free(s->L.val);
    strtab_free(&s->L.str);
    free(s->is_key);
    free(s->vt.v);
    free(s->c.lv);
    free(s->runs);
    free(s->facts);
    free(s);
}

/* The value id of grouping g's key in the row's leaves, or -1. */
static int row_gval(const rx_results_stream *s, int g)
{
    if (s->gkey[g] < 0)
        return 0;
    for (int i = 0; i < s->c.nl; i++)
        if (s->c.lv[i].k == s->gkey[g])
            return s->c.lv[i].v;
    return -1;
}

/* First pass, one row (key, config, status, test value, loss): the keys
 * and values, which vary within which groups, and the valued runs. */
static int tally_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    rx_results_stream *s = ud;
    if (ncols != 5)
        return rx_errf(s->err, RX_ESTORE, "unexpected result shape (%d columns)", ncols);
    int rc = parse_config(&s->c, v[1].type == RX_VTEXT ? v[1].s : NULL, NULL);
    if (rc == RX_ENOMEM)
        return rx_errf(s->err, RX_ENOMEM, "out of memory reading the runs");
    if (rc)
        return rx_errf(s->err, RX_EFORMAT, "run '%s': the configuration is not a JSON object",
                       v[0].type == RX_VTEXT ? v[0].s : "");
    if (s->L.str.n > s->n_is_key) {
        int cap = s->L.str.cap;
        unsigned char *k = realloc(s->is_key, (size_t)cap);
        if (!k)
            return rx_errf(s->err, RX_ENOMEM, "out of memory reading the runs");
        memset(k + s->n_is_key, 0, (size_t)(cap - s->n_is_key));
        s->is_key = k;
        s->n_is_key = cap;
    }
    for (int i = 0; i < s->c.nl; i++)
        s->is_key[s->c.lv[i].k] = 1;
    for (int g = 0; g < N_GROUPINGS; g++) {
        int gv = row_gval(s, g);
        if (gv < 0)
            continue;          /* a run without the key is in no group */
        vstat *t = vstat_get(&s->vt, g, gv, -1);
        if (!t)
            return rx_errf(s->err, RX_ENOMEM, "out of memory reading the runs");
        t->count++;
        for (int i = 0; i < s->c.nl; i++) {
            if (!(t = vstat_get(&s->vt, g, gv, s->c.lv[i].k)))
                return rx_errf(s->err, RX_ENOMEM, "out of memory reading the runs");
            if (t->count++ == 0)
                t->first = s->c.lv[i].v;
            else if (t->first != s->c.lv[i].v)
                t->vary = 1;
        }
    }
    if (rx_outcome_of(v[2].type == RX_VTEXT ? v[2].s : "") == RX_OUT_DONE) {
        s->n_valued[0] += isfinite(num_or_nan(&v[3]));
        s->n_valued[1] += isfinite(num_or_nan(&v[4]));
    }
    return 0;
}

/* After the first pass: the sorted keys, and the groups of each grouping
 * with the keys that vary in them, as groups_find gives them. */
static int tally_finish(rx_results_stream *s)
{
    labeller *L = &s->L;
    int ns = L->str.n ? L->str.n : 1;
    L->rank = malloc((size_t)ns * sizeof *L->rank);
    L->keys = malloc((size_t)ns * sizeof *L->keys);
    if (!L->rank || !L->keys)
        return -1;
    for (int i = 0; i < L->str.n; i++)
        if (i < s->n_is_key && s->is_key[i])
            L->keys[L->nk++] = i;
    cmp_lab = L;
    qsort(L->keys, (size_t)L->nk, sizeof *L->keys, cmp_key);
    cmp_lab = NULL;
    for (int i = 0; i < ns; i++)
        L->rank[i] = -1;
    for (int j = 0; j < L->nk; j++)
        L->rank[L->keys[j]] = j;
    s->nrank = L->str.n;
    int nk = L->nk ? L->nk : 1;
    if (!(L->val = malloc((size_t)nk * sizeof *L->val)))
        return -1;
    for (int j = 0; j < L->nk; j++)
        L->val[j] = -1;
    for (int g = 0; g < N_GROUPINGS; g++) {
        groups *G = &s->G[g];
        if (!(G->gid = malloc((size_t)ns * sizeof *G->gid)))
            return -1;
        G->nid = L->str.n;
        for (int i = 0; i < ns; i++)
            G->gid[i] = -1;
        G->ng = g == G_ALL;
        for (size_t i = 0; i < s->vt.cap; i++) {
            const vstat *t = &s->vt.v[i];
            if (t->used && t->grouping == g && t->key < 0 && g != G_ALL)
                G->gid[t->gval] = G->ng++;
        }
        if (!(G->vary = calloc((size_t)(G->ng ? G->ng : 1) * (size_t)nk, 1)))
            return -1;
    }
    for (size_t i = 0; i < s->vt.cap; i++) {
        const vstat *t = &s->vt.v[i];
        if (!t->used || t->key < 0)
            continue;
        groups *G = &s->G[t->grouping];
        int gi = t->grouping == G_ALL ? 0 : G->gid[t->gval];
        const vstat *size = vstat_find(&s->vt, t->grouping, t->gval, -1);
        /* a key some runs of the group lack differs between those and
         * the others */
        if (t->vary || (size && t->count < size->count))
            G->vary[(size_t)gi * (size_t)nk + (size_t)L->rank[t->key]] = 1;
    }
    return 0;
}

int rx_results_stream_open(rx_store *st, const char *sweep, const char *name,
                           rx_results_stream **out, rx_err *err)
{
    *out = NULL;
    rx_results_stream *s = calloc(1, sizeof *s);
    if (!s)
        return rx_errf(err, RX_ENOMEM, "out of memory reading the runs");
    s->st = st;
    s->err = err;
    s->c.str = &s->L.str;
    int rc = rx_metric_resolve(name ? name : "error", &s->m, err);
    if (rc == RX_OK)
        rc = find_sweep(st, sweep, &s->id, s->sweep, err);
    static const char *const gkeys[N_GROUPINGS] = {NULL, "model.type", "optimizer.name",
                                                   "schedule.name"};
    for (int g = 0; rc == RX_OK && g < N_GROUPINGS; g++) {
        s->gkey[g] = gkeys[g] ? intern(&s->L.str, gkeys[g], strlen(gkeys[g])) : -1;
        if (gkeys[g] && s->gkey[g] < 0)
            rc = rx_errf(err, RX_ENOMEM, "out of memory reading the runs");
    }
    rx_metric loss;
    rx_metric_resolve("loss", &loss, NULL);
    if (rc) {
        rx_results_stream_free(s);
        return rc;
    }
    char sql[1024], test[160], val[160], ltest[160], lval[160];
    metric_sql(&s->m, test, val, sizeof test);
    metric_sql(&loss, ltest, lval, sizeof ltest);
    snprintf(sql, sizeof sql, "SELECT r.key, r.config, r.status, %s, %s FROM runs r %s", test,
             ltest, s->id ? "JOIN sweep_runs l ON l.key = r.key WHERE l.sweep = ?1" : "");
    rx_value binds[3] = {rx_vint(s->id), rx_vtext(s->m.test_col), rx_vtext(s->m.val_col)};
    int nbinds = s->m.named ? 3 : s->id ? 1 : 0;
    rc = rx_store_query(st, sql, nbinds ? binds : NULL, nbinds, tally_row, s, err);
    if (rc == RX_OK && tally_finish(s))
        rc = rx_errf(err, RX_ENOMEM, "out of memory labelling the runs");
    /* rx_results_load_metric's fallback: no test value, but losses */
    if (rc == RX_OK && !name && s->n_valued[0] == 0 && s->n_valued[1] > 0) {
        s->m = loss;
        s->fell_back = 1;
    }
    if (rc) {
        rx_results_stream_free(s);
        return rc;
    }
    *out = s;
    return RX_OK;
}

const char *rx_results_stream_sweep(const rx_results_stream *s)
{
    return s->sweep;
}

const rx_metric *rx_results_stream_metric(const rx_results_stream *s, int *fell_back)
{
    if (fell_back)
        *fell_back = s->fell_back;
    return &s->m;
}

/* Second pass, one row (run_from_row's columns, then the smallest and
 * largest lr recorded at an epoch's end): the run labelled into the
 * batch, with its facts. */
typedef struct batch_ctx {
    rx_results_stream *s;
    const labels *B;
} batch_ctx;

static int batch_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    batch_ctx *bc = ud;
    rx_results_stream *s = bc->s;
    labeller *L = &s->L;
    if (ncols != 12)
        return rx_errf(s->err, RX_ESTORE, "unexpected result shape (%d columns)", ncols);
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 256;
        if (grow_runs(&s->runs, (void **)&s->facts, sizeof *s->facts, cap))
            return rx_errf(s->err, RX_ENOMEM, "out of memory reading the runs");
        s->cap = cap;
    }
    rx_report_run *x = &s->runs[s->n];
    rx_report_fact *f = &s->facts[s->n];
    s->c.err = s->err;
    int rc = run_from_row(&s->c, 0, v, x);
    if (rc)
        return rc;
    f->steps = v[6].type == RX_VINT ? (long)v[6].i : 0;
    f->lr_changed = -1;
    f->n_val = 0;
    double a, b;
    if (isfinite(x->lr) && rx_value_number(&v[10], &a) && rx_value_number(&v[11], &b)) {
        double tol = 1e-12 * fabs(x->lr);
        f->lr_changed = fabs(a - x->lr) > tol || fabs(b - x->lr) > tol;
    }
    /* the current run's values (a key the first pass did not see, added
     * since, labels nothing) */
    for (int i = 0; i < s->c.nl; i++) {
        int k = s->c.lv[i].k;
        if (k < s->nrank && L->rank[k] >= 0)
            L->val[L->rank[k]] = s->c.lv[i].v;
        if (strcmp(s->c.lv[i].key, "data.validation") == 0)
            f->n_val = atol(L->str.s[s->c.lv[i].v]);
    }
    rc = label_run(L, bc->B, s->tune, x, s->err);
    for (int i = 0; i < s->c.nl; i++) {
        int k = s->c.lv[i].k;
        if (k < s->nrank && L->rank[k] >= 0)
            L->val[L->rank[k]] = -1;
    }
    if (rc)
        return rc;
    s->n++;
    return 0;
}

/* One raw group: its dataset, optimizer, budget and schedule columns. */
typedef struct raw_group {
    char *dataset, *optimizer, *schedule;
    double budget;
} raw_group;

typedef struct raw_groups {
    raw_group *v;
    int n, cap;
    int oom;
} raw_groups;

static int raw_group_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    raw_groups *g = ud;
    if (ncols != 4)
        return 0;
    if (g->n == g->cap) {
        int cap = g->cap ? 2 * g->cap : 64;
        raw_group *p = realloc(g->v, (size_t)cap * sizeof *p);
        if (!p)
            return g->oom = RX_ENOMEM;
        g->v = p;
        g->cap = cap;
    }
    raw_group *x = &g->v[g->n];
    x->dataset = strdup(v[0].type == RX_VTEXT ? v[0].s : "");
    x->optimizer = strdup(v[1].type == RX_VTEXT ? v[1].s : "");
    x->schedule = strdup(v[3].type == RX_VTEXT ? v[3].s : "");
    x->budget = num_or_nan(&v[2]);
    g->n++;
    if (!x->dataset || !x->optimizer || !x->schedule)
        return g->oom = RX_ENOMEM;
    return 0;
}

int rx_results_stream_each(rx_results_stream *s, const char *const *tune,
                           rx_results_batch_fn fn, void *ud, rx_err *err)
{
    labeller *L = &s->L;
    s->err = err;
    if (s->used)
        return rx_errf(err, RX_EINVAL, "a stream of runs is read once");
    s->used = 1;
    int rc = set_tuned(L, tune, err);
    if (rc)
        return rc;
    s->tune = tune;
    labels B = {0};
    B.all = s->G[G_ALL];
    B.by_type = s->G[G_TYPE];
    B.opt = s->G[G_OPT];
    B.sch = s->G[G_SCH];
    labels_keys(L, &B);        /* B borrows the groups: s frees them */

    /* the raw groups: a report cell (setting, optimizer, schedule,
     * budget) lies within one, as its labels begin with those columns */
    raw_groups rg = {0};
    /* CROSS JOIN: the runs of the group first (runs_axes), then their
     * link; the planner would walk the whole sweep in grid order */
    const char *join = s->id ? "CROSS JOIN sweep_runs l ON l.key = r.key" : "";
    const char *where = s->id ? "l.sweep = ?1 AND" : "";
    char sql[1536], test[160], val[160];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT r.dataset, r.optimizer, r.budget, r.schedule FROM runs r%s",
             s->id ? " JOIN sweep_runs l ON l.key = r.key WHERE l.sweep = ?1" : "");
    rx_value binds[7] = {rx_vint(s->id), rx_vtext(s->m.test_col), rx_vtext(s->m.val_col)};
    rc = rx_store_query(s->st, sql, s->id ? binds : NULL, s->id ? 1 : 0, raw_group_row, &rg,
                        err);
    if (rc == RX_ENOMEM || rg.oom)
        rc = rx_errf(err, RX_ENOMEM, "out of memory reading the runs");
    metric_sql(&s->m, test, val, sizeof test);
    snprintf(sql, sizeof sql,
             "SELECT r.key, r.config, r.status, r.lr, r.budget, r.seed, r.steps, "
             "r.steps_per_epoch, %s, %s, "
             "(SELECT min(CASE WHEN typeof(x.lr) = 'real' THEN x.lr END) FROM metrics x "
             "WHERE x.key = r.key), "
             "(SELECT max(CASE WHEN typeof(x.lr) = 'real' THEN x.lr END) FROM metrics x "
             "WHERE x.key = r.key) "
             "FROM runs r %s WHERE %s r.dataset = ?4 AND r.optimizer = ?5 AND r.budget = ?6 "
             "AND r.schedule = ?7 ORDER BY %s",
             test, val, join, where, s->id ? "l.grid_index" : "r.key");
    batch_ctx bc = {s, &B};
    for (int g = 0; rc == RX_OK && g < rg.n; g++) {
        binds[3] = rx_vtext(rg.v[g].dataset);
        binds[4] = rx_vtext(rg.v[g].optimizer);
        binds[5] = rx_vreal(rg.v[g].budget);
        binds[6] = rx_vtext(rg.v[g].schedule);
        s->n = 0;
        rc = rx_store_query(s->st, sql, binds, 7, batch_row, &bc, err);
        if (rc == RX_OK && s->n)
            rc = fn(ud, s->runs, s->facts, s->n, err);
    }
    for (int g = 0; g < rg.n; g++) {
        free(rg.v[g].dataset);
        free(rg.v[g].optimizer);
        free(rg.v[g].schedule);
    }
    free(rg.v);
    return rc;
}
