/*
 * verify.c: trains stored runs again and compares them bit for bit with
 * the store (rx_verify.h).  The expected row is built by the rules the
 * runner records by (rx_store_finish): a double is stored as a REAL, or
 * as the text 'NaN', 'Infinity' or '-Infinity'; metrics are NULL when no
 * epoch ended; the model description and diverged step only when set.
 */
#include "rx_verify.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_metrics.h"
#include "rx_store.h"
#include "rx_train.h"

/* ---- choosing the runs ------------------------------------------------ */

typedef struct key_list {
    char (*v)[RX_KEY_LEN + 1];
    int n, cap;
    char status[16];   /* the last row's status (named keys) */
} key_list;

static int add_key(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    key_list *l = ud;
    if (v[0].type != RX_VTEXT)
        return 0;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        void *p = realloc(l->v, (size_t)cap * sizeof *l->v);
        if (!p)
            return RX_ENOMEM;
        l->v = p;
        l->cap = cap;
    }
    snprintf(l->v[l->n++], RX_KEY_LEN + 1, "%s", v[0].s);
    if (ncols > 1 && v[1].type == RX_VTEXT)
        snprintf(l->status, sizeof l->status, "%s", v[1].s);
    return 0;
}

/* The done runs (of sweeps named ?3, when it is not NULL).  The unary +
 * keeps SQLite on the key index, in key order, instead of collecting
 * every done run through the status index and sorting them. */
#define DONE_RUNS                                                          \
    "SELECT key FROM runs r WHERE +status = 'done' AND (?3 IS NULL OR "    \
    "EXISTS (SELECT 1 FROM sweep_runs l JOIN sweeps s ON s.id = l.sweep "  \
    "WHERE l.key = r.key AND s.name = ?3))"

static int select_named(rx_store *st, const rx_verify_select *sel, key_list *l, rx_err *err)
{
    for (int i = 0; i < sel->n_keys; i++) {
        const char *k = sel->keys[i];
        char hi[RX_KEY_LEN + 8];
        if (!*k || strlen(k) > RX_KEY_LEN)
            return rx_errf(err, RX_EINVAL, "'%s' is not a run key (16 hex digits, or a prefix)",
                           k);
        snprintf(hi, sizeof hi, "%s~", k);
        rx_value b[2] = {rx_vtext(k), rx_vtext(hi)};
        int before = l->n;
        int rc = rx_store_query(st,
                                "SELECT key, status FROM runs WHERE key >= ?1 AND key < ?2"
                                " ORDER BY key LIMIT 2",
                                b, 2, add_key, l, err);
        if (rc == RX_ENOMEM)
            return rx_errf(err, rc, "out of memory listing runs");
        if (rc)
            return rc;
        if (l->n == before)
            return rx_errf(err, RX_ENOTFOUND, "no run '%s' in store '%s'", k, rx_store_path(st));
        if (l->n - before > 1)
            return rx_errf(err, RX_EINVAL, "'%s' names more than one run ('%s', '%s', ...)", k,
                           l->v[before], l->v[before + 1]);
        if (strcmp(l->status, "done") != 0 && strcmp(l->status, "diverged") != 0)
            return rx_errf(err, RX_EINVAL, "run '%s' is %s: only done and diverged runs have "
                           "results to verify", l->v[before], l->status);
    }
    return RX_OK;
}

int rx_verify_select_keys(rx_store *st, const rx_verify_select *sel,
                          char (**keys)[RX_KEY_LEN + 1], int *n, rx_err *err)
{
    key_list l = {0};
    int rc;
    *keys = NULL;
    *n = 0;
    rx_value sweep = sel->sweep ? rx_vtext(sel->sweep) : rx_vnull();
    if (sel->n_keys > 0) {
        rc = select_named(st, sel, &l, err);
    } else if (sel->all) {
        rx_value b[3] = {rx_vnull(), rx_vnull(), sweep};
        rc = rx_store_query(st, DONE_RUNS " ORDER BY key", b, 3, add_key, &l, err);
    } else {
        /* from the seed's point to the end of the key space, then from
         * its start: n rows of the key index, whatever the store's size */
        char from[RX_KEY_LEN + 1];
        uint64_t h = rx_hash64(&sel->seed, sizeof sel->seed, RX_HASH_INIT);
        snprintf(from, sizeof from, "%016" PRIx64, h);
        rx_value b[3] = {rx_vtext(from), rx_vint(sel->sample), sweep};
        rc = rx_store_query(st, DONE_RUNS " AND key >= ?1 ORDER BY key LIMIT ?2", b, 3,
                            add_key, &l, err);
        if (!rc && l.n < sel->sample) {
            b[1] = rx_vint(sel->sample - l.n);
            rc = rx_store_query(st, DONE_RUNS " AND key < ?1 ORDER BY key LIMIT ?2", b, 3,
                                add_key, &l, err);
        }
    }
    if (rc == RX_ENOMEM)
        rc = rx_errf(err, rc, "out of memory listing runs");
    if (rc) {
        free(l.v);
        return rc;
    }
    *keys = l.v;
    *n = l.n;
    return RX_OK;
}

/* ---- comparing -------------------------------------------------------- */

/* A value read from the store, its text copied. */
typedef struct cell {
    rx_value v;
    char text[160];
} cell;

static void cell_set(cell *c, const rx_value *v)
{
    c->v = *v;
    if (v->type == RX_VTEXT) {
        snprintf(c->text, sizeof c->text, "%s", v->s);
        c->v.s = c->text;
    }
}

/* The columns compared: runs' own, then every metric column of the
 * metric-column table (rx_metrics.h) but the timings, so that a metric
 * added there is verified too. */
static const char *const run_fixed[] = {
    "status", "epochs", "steps", "steps_done", "steps_per_epoch", "samples", "flops",
    "n_params", "model_desc", "diverged_step"};
#define N_RUN_FIXED (int)(sizeof run_fixed / sizeof run_fixed[0])
#define MAX_COLS 64

/* The metric columns of table `where` (RX_MC_RUN, _EPOCH or _STEP) that
 * verify compares, into c[0..max); returns how many. */
static int metric_cols(unsigned where, const rx_metric_col **c, int max)
{
    int n, k = 0;
    const rx_metric_col *all = rx_metric_cols(&n);
    for (int i = 0; i < n && k < max; i++)
        if ((all[i].flags & where) && !(all[i].flags & RX_MC_TIMING))
            c[k++] = &all[i];
    return k;
}

/* The name of run column i (the fixed ones, then the metrics). */
static const char *run_col(const rx_metric_col *const *mc, int i)
{
    return i < N_RUN_FIXED ? run_fixed[i] : mc[i - N_RUN_FIXED]->name;
}

static void format_value(const rx_value *v, char *buf, size_t size)
{
    switch (v->type) {
    case RX_VNULL: snprintf(buf, size, "NULL"); break;
    case RX_VINT: snprintf(buf, size, "%" PRId64, v->i); break;
    case RX_VREAL:
        if (isfinite(v->r))
            snprintf(buf, size, "%.17g", v->r);
        else
            snprintf(buf, size, "%s", isnan(v->r) ? "NaN" : v->r > 0 ? "Infinity" : "-Infinity");
        break;
    default: snprintf(buf, size, "'%s'", v->s); break;
    }
}

/* Whether stored holds exactly what recording want would have written. */
static int same_value(const rx_value *stored, const rx_value *want)
{
    switch (want->type) {
    case RX_VNULL: return stored->type == RX_VNULL;
    case RX_VINT: return stored->type == RX_VINT && stored->i == want->i;
    case RX_VTEXT: return stored->type == RX_VTEXT && strcmp(stored->s, want->s) == 0;
    default: break;
    }
    double x = want->r, y;
    if (!isfinite(x)) {
        const char *name = isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
        return stored->type == RX_VTEXT && strcmp(stored->s, name) == 0;
    }
    if (stored->type == RX_VREAL)
        y = stored->r;
    else if (stored->type == RX_VINT)
        y = (double)stored->i;
    else
        return 0;
    return memcmp(&x, &y, sizeof x) == 0;
}

static void diff_text(rx_verify_run *out, const char *what, const char *stored, const char *now)
{
    if (out->n_diffs < RX_VERIFY_MAX_DIFFS) {
        rx_verify_diff *d = &out->diffs[out->n_diffs];
        snprintf(d->what, sizeof d->what, "%s", what);
        snprintf(d->stored, sizeof d->stored, "%s", stored);
        snprintf(d->now, sizeof d->now, "%s", now);
    }
    out->n_diffs++;
}

static void compare(rx_verify_run *out, const char *what, const rx_value *stored,
                    const rx_value *want)
{
    out->n_compared++;
    if (same_value(stored, want))
        return;
    char a[40], b[40];
    format_value(stored, a, sizeof a);
    format_value(want, b, sizeof b);
    diff_text(out, what, a, b);
}

/* ---- reading the stored run ------------------------------------------- */

typedef struct stored_run {
    cell run[N_RUN_FIXED + MAX_COLS];
    int n_run;
    char *config;
    int found;
} stored_run;

static int read_run(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    stored_run *s = ud;
    for (int i = 0; i < s->n_run; i++)
        cell_set(&s->run[i], &v[i]);
    free(s->config);
    s->config = v[s->n_run].type == RX_VTEXT ? strdup(v[s->n_run].s) : NULL;
    s->found = 1;
    return s->config ? 0 : RX_ENOMEM;
}

/* A column that a later schema step added is NULL in the runs recorded
 * before it (a migrated store): nothing to compare. */
static int recorded_before(const rx_metric_col *c, const rx_value *stored)
{
    return c->since > 1 && stored->type == RX_VNULL;
}

/* Rows of metrics or step_metrics, compared as they arrive. */
typedef struct row_cmp {
    rx_verify_run *out;
    int is_step;
    const rx_epoch_metrics *ep;
    const rx_step_metrics *sm;
    int n_want, n_seen;
    const rx_metric_col *mc[MAX_COLS];  /* the metric columns, after the
                                           row's position columns */
    int n_mc;
} row_cmp;

static rx_value num(double x)
{
    return rx_vreal(x);
}

/* "SELECT <pos>, <the metric columns of c> FROM <table> WHERE key = ?1
 * ORDER BY <order>" into buf. */
static void rows_sql(const row_cmp *c, const char *pos, const char *table, const char *order,
                     char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "SELECT %s", pos);
    for (int i = 0; i < c->n_mc && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, ", %s", c->mc[i]->name);
    if (k < size)
        snprintf(buf + k, size - k, " FROM %s WHERE key = ?1 ORDER BY %s", table, order);
}

static int compare_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    row_cmp *c = ud;
    int i = c->n_seen++;
    if (i >= c->n_want)
        return 0;
    char what[48], at[32];
    const void *m;
    rx_value want;
    int k = 0;   /* the next column of v */
    if (c->is_step) {
        const rx_step_metrics *sm = &c->sm[i];
        snprintf(what, sizeof what, "step row %d step", i + 1);
        want = rx_vint(sm->step);
        compare(c->out, what, &v[k++], &want);
        snprintf(at, sizeof at, "step %ld", sm->step);
        m = sm;
    } else {
        const rx_epoch_metrics *em = &c->ep[i];
        snprintf(what, sizeof what, "epoch row %d epoch", i + 1);
        want = rx_vint(em->epoch);
        compare(c->out, what, &v[k++], &want);
        snprintf(at, sizeof at, "epoch %d", em->epoch);
        snprintf(what, sizeof what, "%s step", at);
        want = rx_vint(em->step);
        compare(c->out, what, &v[k++], &want);
        snprintf(what, sizeof what, "%s samples", at);
        want = rx_vint(em->samples);
        compare(c->out, what, &v[k++], &want);
        m = em;
    }
    for (int j = 0; j < c->n_mc; j++, k++) {
        const rx_metric_col *mc = c->mc[j];
        if (recorded_before(mc, &v[k]))
            continue;
        want = num(rx_metric_at(m, c->is_step ? mc->step_off : mc->epoch_off));
        snprintf(what, sizeof what, "%s %s", at, mc->name);
        compare(c->out, what, &v[k], &want);
    }
    return 0;
}

/* ---- training again --------------------------------------------------- */

/* The runs row rx_store_finish writes for this outcome: the fixed columns,
 * then the metric columns mc[0..n_mc). */
static void expected_run(const rx_train_result *r, const rx_metric_col *const *mc, int n_mc,
                         rx_value *want)
{
    const rx_epoch_metrics *f = &r->final;
    /* the final metrics are the last epoch's: none before one ended */
    int epoch_ended = r->n_epochs_done > 0 || f->epoch > 0;
    want[0] = rx_vtext(rx_run_state_name(rx_run_state_of(r->status)));
    want[1] = num(r->epochs);
    want[2] = rx_vint(r->total_steps);
    want[3] = rx_vint(r->steps);
    want[4] = rx_vint(r->steps_per_epoch);
    want[5] = rx_vint(r->samples);
    want[6] = num(r->flops);
    want[7] = rx_vint(r->n_params);
    want[8] = r->model_desc[0] ? rx_vtext(r->model_desc) : rx_vnull();
    want[9] = r->diverged_step > 0 ? rx_vint(r->diverged_step) : rx_vnull();
    for (int i = 0; i < n_mc; i++)
        want[N_RUN_FIXED + i] = epoch_ended || !(mc[i]->flags & RX_MC_AFTER_EPOCH)
                                    ? num(rx_metric_at(r, mc[i]->run_off))
                                    : rx_vnull();
}

/* Which trainer version's key the stored configuration has, 0: none. */
static int key_version(const char *config, const char *key)
{
    for (int v = RX_TRAINER_VERSION; v >= 1; v--) {
        char k[RX_KEY_LEN + 1];
        if (rx_key_of_json(config, v, k) == RX_OK && strcmp(k, key) == 0)
            return v;
    }
    return 0;
}

static int has_row(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    *(int *)ud = ncols > 0 && v[0].type != RX_VNULL;
    return 0;
}

static int fail(rx_verify_run *out, rx_err *err, int rc)
{
    out->verdict = RX_VERIFY_ERROR;
    snprintf(out->error, sizeof out->error, "%s", err ? err->msg : "");
    return rc;
}

int rx_verify_run_key(rx_store *st, const char *key, rx_data_cache *cache,
                      volatile sig_atomic_t *stop, rx_verify_run *out, rx_err *err)
{
    rx_err local = {{0}};
    if (!err)
        err = &local;
    memset(out, 0, sizeof *out);
    snprintf(out->key, sizeof out->key, "%s", key);
    stored_run s = {0};
    const rx_metric_col *mc[MAX_COLS];
    int n_mc = metric_cols(RX_MC_RUN, mc, MAX_COLS);
    s.n_run = N_RUN_FIXED + n_mc;
    char sql[2048];
    size_t k = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (int i = 0; i < s.n_run && k < sizeof sql; i++)
        k += (size_t)snprintf(sql + k, sizeof sql - k, "%s, ", run_col(mc, i));
    if (k < sizeof sql)
        snprintf(sql + k, sizeof sql - k, "config FROM runs WHERE key = ?1");
    rx_value bkey = rx_vtext(key);
    int rc = rx_store_query(st, sql, &bkey, 1, read_run, &s, err);
    if (rc == RX_ENOMEM)
        rc = rx_errf(err, rc, "out of memory reading run '%s'", key);
    if (!rc && !s.found)
        rc = rx_errf(err, RX_ENOTFOUND, "no run '%s' in store '%s'", key, rx_store_path(st));
    if (rc) {
        free(s.config);
        return fail(out, err, rc);
    }
    /* a command trainer's run (rexsweep-trainer(7)) is its program's to
     * redo: the built-in trainer would compare another computation */
    int by_command = 0;
    rc = rx_store_query(st, "SELECT trainer FROM runs WHERE key = ?1", &bkey, 1, has_row,
                        &by_command, err);
    if (!rc && by_command)
        rc = rx_errf(err, RX_EINVAL,
                     "run '%s' was trained by a command trainer (runs.trainer); verify "
                     "retrains the built-in trainer's runs", key);
    if (rc) {
        free(s.config);
        return fail(out, err, rc);
    }
    out->trainer_version = key_version(s.config, key);
    if (!out->trainer_version) {
        diff_text(out, "config", "does not match the run's key", "not trained");
        out->verdict = RX_VERIFY_DIFFERS;
        free(s.config);
        return RX_OK;
    }
    rx_config cfg;
    rc = rx_config_from_json(s.config, &cfg, err);
    free(s.config);
    if (rc)
        return fail(out, err, rx_errctx(err, rc, "run '%s'", key));

    rx_train_log log = {0};
    rx_train_hooks hooks = {.on_epoch = rx_train_log_epoch, .on_step = rx_train_log_step,
                            .ud = &log, .stop = stop};
    rx_train_result res;
    double t0 = rx_now();
    const rx_data *data = NULL;
    rc = rx_data_cache_get(cache, &cfg.data, &data, err);
    if (!rc)
        rc = rx_train(&cfg, data, &hooks, &res, err);
    out->wall = rx_now() - t0;
    if (!rc && res.status == RX_RUN_INTERRUPTED)
        rc = rx_errf(err, RX_EINTR, "interrupted");
    if (rc) {
        rx_train_log_free(&log);
        return fail(out, err, rx_errctx(err, rc, "run '%s'", key));
    }

    rx_value want[N_RUN_FIXED + MAX_COLS];
    expected_run(&res, mc, n_mc, want);
    for (int i = 0; i < s.n_run; i++) {
        if (i >= N_RUN_FIXED && recorded_before(mc[i - N_RUN_FIXED], &s.run[i].v))
            continue;
        compare(out, run_col(mc, i), &s.run[i].v, &want[i]);
    }
    row_cmp ce = {out, 0, log.ep, NULL, log.n_ep, 0, {0}, 0};
    ce.n_mc = metric_cols(RX_MC_EPOCH, ce.mc, MAX_COLS);
    rows_sql(&ce, "epoch, step, samples", "metrics", "epoch", sql, sizeof sql);
    rc = rx_store_query(st, sql, &bkey, 1, compare_row, &ce, err);
    row_cmp cs = {out, 1, NULL, log.st, log.n_st, 0, {0}, 0};
    cs.n_mc = metric_cols(RX_MC_STEP, cs.mc, MAX_COLS);
    rows_sql(&cs, "step", "step_metrics", "step", sql, sizeof sql);
    if (!rc)
        rc = rx_store_query(st, sql, &bkey, 1, compare_row, &cs, err);
    rx_train_log_free(&log);
    if (rc)
        return fail(out, err, rc);
    char a[16], b[16];
    if (ce.n_seen != ce.n_want) {
        snprintf(a, sizeof a, "%d", ce.n_seen);
        snprintf(b, sizeof b, "%d", ce.n_want);
        diff_text(out, "epoch rows", a, b);
    }
    if (cs.n_seen != cs.n_want) {
        snprintf(a, sizeof a, "%d", cs.n_seen);
        snprintf(b, sizeof b, "%d", cs.n_want);
        diff_text(out, "step rows", a, b);
    }
    out->n_epochs = ce.n_want;
    out->n_steps = cs.n_want;
    out->verdict = out->n_diffs ? RX_VERIFY_DIFFERS : RX_VERIFY_MATCH;
    return RX_OK;
}
