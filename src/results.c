/* results.c: a store's runs as rx_report_run records, labelled from their
 * canonical configurations, and the lr curves of their schedules. */
#include "rx_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_sched.h"

/* A configuration flattened to sorted "section.key" -> raw JSON value. */
struct rx_results_flat {
    int n, cap;
    char **key;
    char **val;
};

/* ---- canonical JSON, flattened -------------------------------------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* p at '"'; returns the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p == '"' ? p + 1 : NULL;
}

/* Returns the end of the value at p (a string, number, literal, array or
 * object), or NULL when it is malformed. */
static const char *skip_value(const char *p)
{
    if (*p == '"')
        return skip_string(p);
    if (*p == '[' || *p == '{') {
        int depth = 0;
        do {
            if (*p == '"') {
                if (!(p = skip_string(p)))
                    return NULL;
                continue;
            }
            if (*p == '[' || *p == '{')
                depth++;
            else if (*p == ']' || *p == '}')
                depth--;
            else if (!*p)
                return NULL;
            p++;
        } while (depth > 0);
        return p;
    }
    const char *s = p;
    while (*p && !strchr(",}] \t\n\r", *p))
        p++;
    return p > s ? p : NULL;
}

static int flat_add(rx_results_flat *f, const char *key, const char *v, size_t len)
{
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 64;
        char **k = realloc(f->key, (size_t)cap * sizeof *k);
        if (!k)
            return -1;
        f->key = k;
        char **w = realloc(f->val, (size_t)cap * sizeof *w);
        if (!w)
            return -1;
        f->val = w;
        f->cap = cap;
    }
    f->key[f->n] = strdup(key);
    f->val[f->n] = strndup(v, len);
    if (!f->key[f->n] || !f->val[f->n]) {
        free(f->key[f->n]);
        free(f->val[f->n]);
        return -1;
    }
    f->n++;
    return 0;
}

/* Flattens the object at p under prefix; returns the byte after it, or
 * NULL (malformed, or out of memory: *oom set). */
static const char *flat_object(const char *p, const char *prefix, rx_results_flat *f,
                               int depth, int *oom)
{
    if (*p != '{' || depth > 8)
        return NULL;
    p = skip_ws(p + 1);
    if (*p == '}')
        return p + 1;
    for (;;) {
        p = skip_ws(p);
        if (*p != '"')
            return NULL;
        const char *ks = p + 1, *ke = skip_string(p);
        if (!ke)
            return NULL;
        char full[256];
        snprintf(full, sizeof full, "%s%s%.*s", prefix, *prefix ? "." : "", (int)(ke - 1 - ks), ks);
        p = skip_ws(ke);
        if (*p != ':')
            return NULL;
        p = skip_ws(p + 1);
        if (*p == '{') {
            p = flat_object(p, full, f, depth + 1, oom);
        } else {
            const char *e = skip_value(p);
            if (!e)
                return NULL;
            if (flat_add(f, full, p, (size_t)(e - p))) {
                *oom = 1;
                return NULL;
            }
            p = e;
        }
        if (!p)
            return NULL;
        p = skip_ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        return *p == '}' ? p + 1 : NULL;
    }
}

static void flat_free(rx_results_flat *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->key[i]);
        free(f->val[i]);
    }
    free(f->key);
    free(f->val);
    memset(f, 0, sizeof *f);
}

static rx_results_flat *cmp_flat;

static int cmp_idx(const void *a, const void *b)
{
    return strcmp(cmp_flat->key[*(const int *)a], cmp_flat->key[*(const int *)b]);
}

/* Sorts f by key (the canonical form sorts within sections; this makes
 * the whole list searchable whatever the nesting). */
static int flat_sort(rx_results_flat *f)
{
    int *idx = malloc((size_t)(f->n ? f->n : 1) * sizeof *idx);
    char **k = malloc((size_t)(f->n ? f->n : 1) * sizeof *k);
    char **v = malloc((size_t)(f->n ? f->n : 1) * sizeof *v);
    if (!idx || !k || !v) {
        free(idx);
        free(k);
        free(v);
        return -1;
    }
    for (int i = 0; i < f->n; i++)
        idx[i] = i;
    cmp_flat = f;
    qsort(idx, (size_t)f->n, sizeof *idx, cmp_idx);
    cmp_flat = NULL;
    for (int i = 0; i < f->n; i++) {
        k[i] = f->key[idx[i]];
        v[i] = f->val[idx[i]];
    }
    memcpy(f->key, k, (size_t)f->n * sizeof *k);
    memcpy(f->val, v, (size_t)f->n * sizeof *v);
    free(idx);
    free(k);
    free(v);
    return 0;
}

static const char *flat_get(const rx_results_flat *f, const char *key)
{
    int lo = 0, hi = f->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(f->key[mid], key);
        if (c == 0)
            return f->val[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* A raw JSON value as plain text: strings lose their quotes. */
static void plain(const char *raw, char *buf, size_t size)
{
    size_t n = raw ? strlen(raw) : 0;
    if (n >= 2 && raw[0] == '"' && raw[n - 1] == '"')
        snprintf(buf, size, "%.*s", (int)(n - 2), raw + 1);
    else
        snprintf(buf, size, "%s", raw ? raw : "");
}

/* Keys that do not change what a run computes (threads, time limits). */
static int is_runtime(const char *key)
{
    int n;
    const rx_param *t = rx_keys(&n);
    const rx_param *p = rx_param_find(t, n, key);
    return p && (p->flags & RX_KF_RUNTIME);
}

/* The grid cell: the configuration but the seed (and runtime keys),
 * hashed without the trainer version so that stores compare. */
static void cell_of(const rx_results_flat *f, char out[RX_KEY_LEN + 1])
{
    uint64_t h = RX_HASH_INIT;
    for (int i = 0; i < f->n; i++) {
        if (strcmp(f->key[i], "train.seed") == 0 || is_runtime(f->key[i]))
            continue;
        h = rx_hash64(f->key[i], strlen(f->key[i]) + 1, h);
        h = rx_hash64(f->val[i], strlen(f->val[i]) + 1, h);
    }
    snprintf(out, RX_KEY_LEN + 1, "%016llx", (unsigned long long)h);
}

/* ---- loading -------------------------------------------------------- */

typedef struct load_ctx {
    rx_results *r;
    int cap;
    const rx_metric *m;
    rx_err *err;
    int rc;
} load_ctx;

static int grow(load_ctx *c)
{
    rx_results *r = c->r;
    int cap = c->cap ? c->cap * 2 : 256;
    rx_report_run *runs = realloc(r->runs, (size_t)cap * sizeof *runs);
    if (runs)
        r->runs = runs;
    long *st = realloc(r->steps, (size_t)cap * sizeof *st);
    if (st)
        r->steps = st;
    long *spe = realloc(r->steps_per_epoch, (size_t)cap * sizeof *spe);
    if (spe)
        r->steps_per_epoch = spe;
    rx_results_flat *fl = realloc(r->flat, (size_t)cap * sizeof *fl);
    if (fl)
        r->flat = fl;
    if (!runs || !st || !spe || !fl)
        return -1;
    c->cap = cap;
    return 0;
}

static double num_or_nan(const rx_value *v)
{
    double x;
    return rx_value_number(v, &x) ? x : NAN;
}

/* columns: key, config, status, lr, budget, seed, steps, steps_per_epoch,
 * test, val */
static int load_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    load_ctx *c = ud;
    rx_results *r = c->r;
    if (ncols != 10)
        return c->rc = rx_errf(c->err, RX_ESTORE, "unexpected result shape (%d columns)", ncols);
    if (r->n == c->cap && grow(c))
        return c->rc = rx_errf(c->err, RX_ENOMEM, "out of memory reading the runs");
    rx_report_run *x = &r->runs[r->n];
    rx_results_flat *f = &r->flat[r->n];
    memset(x, 0, sizeof *x);
    memset(f, 0, sizeof *f);
    snprintf(x->key, sizeof x->key, "%s", v[0].type == RX_VTEXT ? v[0].s : "");
    int oom = 0;
    const char *end = v[1].type == RX_VTEXT ? flat_object(skip_ws(v[1].s), "", f, 0, &oom) : NULL;
    if (end && !oom && flat_sort(f))
        oom = 1;
    if (!end || oom) {
        flat_free(f);
        if (oom)
            return c->rc = rx_errf(c->err, RX_ENOMEM, "out of memory reading the runs");
        return c->rc = rx_errf(c->err, RX_EFORMAT,
                               "run '%s': the configuration is not a JSON object", x->key);
    }
    x->state = rx_outcome_of(v[2].type == RX_VTEXT ? v[2].s : "");
    x->lr = num_or_nan(&v[3]);
    x->budget = num_or_nan(&v[4]);
    x->seed = v[5].type == RX_VINT ? (long long)v[5].i : 0;
    r->steps[r->n] = v[6].type == RX_VINT ? (long)v[6].i : 0;
    r->steps_per_epoch[r->n] = v[7].type == RX_VINT ? (long)v[7].i : 0;
    x->test = num_or_nan(&v[8]);
    x->val = num_or_nan(&v[9]);
    cell_of(f, x->cell);
    r->n++;
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

int rx_results_load(rx_store *st, const char *sweep, const rx_metric *m, rx_results *out,
                    rx_err *err)
{
    memset(out, 0, sizeof *out);
    names_ctx nc = {{0}, 0, {0}};
    int rc = rx_store_query(st, "SELECT DISTINCT name FROM sweeps ORDER BY name", NULL, 0,
                            name_row, &nc, err);
    if (rc)
        return rc;
    int64_t id = 0;
    if (sweep) {
        rc = rx_store_find_sweep(st, sweep, &id, err);
        if (rc == RX_ENOTFOUND)
            return rx_errf(err, RX_ENOTFOUND, "no sweep named '%s' in '%s' (%s%s)", sweep,
                           rx_store_path(st), nc.n ? "sweeps: " : "the store has no sweeps",
                           nc.list);
        if (rc)
            return rc;
        snprintf(out->sweep, sizeof out->sweep, "%s", sweep);
    } else if (nc.n == 1) {
        rc = rx_store_find_sweep(st, nc.first, &id, err);
        if (rc)
            return rc;
        snprintf(out->sweep, sizeof out->sweep, "%s", nc.first);
    }
    /* the metric columns come from rx_metric's fixed table, never from
     * user text, so they may be spliced into the SQL */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT r.key, r.config, r.status, r.lr, r.budget, r.seed, r.steps, "
             "r.steps_per_epoch, r.%s, %s%s FROM runs r %s",
             m->test_col, m->val_col[0] ? "r." : "NULL", m->val_col,
             id ? "JOIN sweep_runs l ON l.key = r.key WHERE l.sweep = ?1 ORDER BY l.grid_index"
                : "ORDER BY r.key");
    rx_value bind = rx_vint(id);
    load_ctx c = {out, 0, m, err, RX_OK};
    rc = rx_store_query(st, sql, id ? &bind : NULL, id ? 1 : 0, load_row, &c, err);
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
    for (int i = 0; r->flat && i < r->n; i++)
        flat_free(&r->flat[i]);
    free(r->flat);
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

typedef struct run_ref {
    rx_report_run *run;
    const rx_results_flat *flat;
} run_ref;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct keys of every run, sorted (pointers into the flats). */
static const char **key_union(const run_ref *refs, int n, int *nk)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += (size_t)refs[i].flat->n;
    const char **k = malloc((total ? total : 1) * sizeof *k);
    if (!k)
        return NULL;
    size_t m = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < refs[i].flat->n; j++)
            k[m++] = refs[i].flat->key[j];
    qsort(k, m, sizeof *k, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || strcmp(k[u - 1], k[i]) != 0)
            k[u++] = k[i];
    *nk = (int)u;
    return k;
}

/* True when key takes more than one value among the runs whose
 * group_key equals group (group_key NULL: all runs). */
static int varies(const run_ref *refs, int n, const char *key, const char *group_key,
                  const char *group)
{
    const char *first = NULL;
    int seen = 0;
    for (int i = 0; i < n; i++) {
        if (group_key) {
            const char *g = flat_get(refs[i].flat, group_key);
            if (!g || strcmp(g, group) != 0)
                continue;
        }
        const char *v = flat_get(refs[i].flat, key);
        v = v ? v : "";
        if (!seen++)
            first = v;
        else if (strcmp(first, v) != 0)
            return 1;
    }
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

/* Labels one family ("optimizer" or "schedule"): its name plus the keys
 * of that family that vary within runs of the same name. */
static void label_family(const run_ref *refs, int n, const char **keys, int nk,
                         const char *family, const char *skip, size_t field)
{
    char name_key[64], prefix[64];
    snprintf(name_key, sizeof name_key, "%s.name", family);
    snprintf(prefix, sizeof prefix, "%s.", family);
    size_t plen = strlen(prefix);
    for (int i = 0; i < n; i++) {
        const char *group = flat_get(refs[i].flat, name_key);
        char *out = (char *)refs[i].run + field;
        plain(group, out, RX_REPORT_NAME_MAX);
        int nvar = 0;
        for (int k = 0; k < nk; k++) {
            if (strncmp(keys[k], prefix, plen) != 0 || strcmp(keys[k], name_key) == 0 ||
                (skip && strcmp(keys[k], skip) == 0) || is_runtime(keys[k]))
                continue;
            if (!group || !varies(refs, n, keys[k], name_key, group))
                continue;
            append(out, RX_REPORT_NAME_MAX, nvar++ ? ", " : "(", keys[k] + plen,
                   flat_get(refs[i].flat, keys[k]));
        }
        if (nvar) {
            size_t len = strlen(out);
            if (len + 1 < RX_REPORT_NAME_MAX)
                snprintf(out + len, RX_REPORT_NAME_MAX - len, ")");
        }
    }
}

int rx_results_label(rx_results *sets, int nsets, rx_err *err)
{
    int n = 0;
    for (int s = 0; s < nsets; s++)
        n += sets[s].n;
    run_ref *refs = malloc((size_t)(n ? n : 1) * sizeof *refs);
    if (!refs)
        return rx_errf(err, RX_ENOMEM, "out of memory labelling the runs");
    int k = 0;
    for (int s = 0; s < nsets; s++)
        for (int i = 0; i < sets[s].n; i++)
            refs[k++] = (run_ref){&sets[s].runs[i], &sets[s].flat[i]};
    int nk = 0;
    const char **keys = key_union(refs, n, &nk);
    if (!keys) {
        free(refs);
        return rx_errf(err, RX_ENOMEM, "out of memory labelling the runs");
    }
    /* setting: dataset, model type, and whatever else differs */
    static const char *const own[] = {"data.dataset", "model.type", "train.budget",
                                      "train.seed", NULL};
    unsigned char *setting_key = calloc((size_t)(nk ? nk : 1), 1);
    if (!setting_key) {
        free(keys);
        free(refs);
        return rx_errf(err, RX_ENOMEM, "out of memory labelling the runs");
    }
    for (int j = 0; j < nk; j++) {
        int skip = strncmp(keys[j], "optimizer.", 10) == 0 ||
                   strncmp(keys[j], "schedule.", 9) == 0 || is_runtime(keys[j]);
        for (int q = 0; own[q] && !skip; q++)
            skip = strcmp(keys[j], own[q]) == 0;
        setting_key[j] = !skip && varies(refs, n, keys[j], NULL, NULL);
    }
    for (int i = 0; i < n; i++) {
        char ds[64], mt[64];
        plain(flat_get(refs[i].flat, "data.dataset"), ds, sizeof ds);
        plain(flat_get(refs[i].flat, "model.type"), mt, sizeof mt);
        char *out = refs[i].run->setting;
        snprintf(out, RX_REPORT_SETTING_MAX, "%s %s", ds, mt);
        const char *type = flat_get(refs[i].flat, "model.type");
        for (int j = 0; j < nk; j++) {
            if (!setting_key[j])
                continue;
            /* a model key that differs only between model types (the
             * hidden sizes of an mlp and the layers of a cnn zipped with
             * model.type) is said by the type already */
            if (strncmp(keys[j], "model.", 6) == 0 && type &&
                !varies(refs, n, keys[j], "model.type", type))
                continue;
            append(out, RX_REPORT_SETTING_MAX, " ", keys[j], flat_get(refs[i].flat, keys[j]));
        }
    }
    label_family(refs, n, keys, nk, "optimizer", "optimizer.lr",
                 offsetof(rx_report_run, optimizer));
    label_family(refs, n, keys, nk, "schedule", NULL, offsetof(rx_report_run, schedule));
    free(setting_key);
    free(keys);
    free(refs);
    return RX_OK;
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
    const rx_results_flat *f = &r->flat[i];
    char name[64], v[256];
    plain(flat_get(f, "schedule.name"), name, sizeof name);
    rx_sched_config cfg;
    rx_err e = {{0}};
    if (rx_sched_init(&cfg, name, &e)) {
        snprintf(c->note, sizeof c->note, "not drawn: %.80s", e.msg);
        return RX_OK;
    }
    for (int k = 0; k < f->n; k++) {
        if (strncmp(f->key[k], "schedule.", 9) != 0 || strcmp(f->key[k], "schedule.name") == 0)
            continue;
        plain(f->val[k], v, sizeof v);
        if (rx_sched_set_str(&cfg, f->key[k] + 9, v, &e)) {
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

int rx_results_curves(rx_store *st, const rx_results *r, rx_report_curve **out, int *n,
                      rx_err *err)
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
        /* the run with the largest budget and a known length draws it */
        int best = i;
        for (int j = i + 1; j < r->n; j++)
            if (strcmp(r->runs[j].schedule, r->runs[i].schedule) == 0 &&
                (r->steps[best] <= 0 || (r->steps[j] > 0 &&
                                         r->runs[j].budget > r->runs[best].budget)))
                best = j;
        rx_report_curve *cv = &c[nc++];
        snprintf(cv->schedule, sizeof cv->schedule, "%s", r->runs[i].schedule);
        char name[64];
        plain(flat_get(&r->flat[best], "schedule.name"), name, sizeof name);
        rc = strcmp(name, "plateau") == 0 ? plateau_curve(st, r, best, cv, err)
                                          : profile_curve(r, best, cv, err);
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
