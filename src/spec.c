/* spec.c: sweep specs from YAML (the only file that includes <yaml.h>).
 *
 * The document is loaded whole (libyaml's document API), so every node
 * keeps its start mark, and checked top-down into an rx_grid: sections
 * become base assignments, list-valued top-level keys become axes.  Each
 * check reports "file:line:column: message" at the node it concerns. */
#include "rx_spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rx_keys.h"
#include "rx_lrgrid.h"
#include "rx_qmc.h"
#include "rx_range.h"
#include "rx_trainer.h"

/* Who sets a key: a section or an entry (set), or an axis (swept).  Two
 * owners of one key conflict when either sweeps it: a run could not say
 * which value wins. */
typedef struct owner {
    const char *key;
    const char *by;       /* "train", "optimizers", "grid", ... */
    int swept;
} owner;

typedef struct parser {
    rx_spec *s;
    rx_grid *g;
    yaml_document_t *doc;
    rx_err *err;
    owner *own;
    int n_own, cap_own;
    double *memo;         /* per node id: values of a range, runs of an entry */
    rx_qmc qmc;           /* `sampler:` */
    int qmc_samples;      /* sampler.samples; 0: each sampled key says */
    /* the sampled keys of the scope being read (the grid, or one entry of
     * optimizers or schedules): their axes become one axis of points */
    const char *sampled[RX_QMC_MAX_DIMS];
    int sampled_n[RX_QMC_MAX_DIMS];
    const yaml_node_t *sampled_at[RX_QMC_MAX_DIMS];
    int n_sampled;
    int sampling_ok;      /* in a scope that may sample */
    const yaml_node_t *scope; /* its mapping: a sampled key without samples
                                 takes a sibling's */
} parser;

static rx_loc loc_of(const yaml_node_t *n)
{
    return (rx_loc){(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

#define FAIL(p, node, ...) rx_grid_errf((p)->g, loc_of(node), (p)->err, RX_EINVAL, __VA_ARGS__)
#define OOM(p) rx_errf((p)->err, RX_ENOMEM, "out of memory")

static yaml_node_t *node_at(parser *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

static const char *text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int is_scalar(const yaml_node_t *n) { return n->type == YAML_SCALAR_NODE; }
static int is_seq(const yaml_node_t *n) { return n->type == YAML_SEQUENCE_NODE; }
static int is_map(const yaml_node_t *n) { return n->type == YAML_MAPPING_NODE; }

/* A plain empty, "~" or "null" scalar: YAML's null. */
static int is_null(const yaml_node_t *n)
{
    if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *t = text_of(n);
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
           !strcmp(t, "NULL");
}

static const char *kind_of(const yaml_node_t *n)
{
    if (is_null(n)) return "nothing";
    if (is_seq(n)) return "a list";
    if (is_map(n)) return "a mapping";
    return "a single value";
}

static int seq_len(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(parser *p, const yaml_node_t *n, int i)
{
    return node_at(p, n->data.sequence.items.start[i]);
}

static int map_len(const yaml_node_t *n)
{
    return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static yaml_node_t *map_key(parser *p, const yaml_node_t *n, int i)
{
    return node_at(p, n->data.mapping.pairs.start[i].key);
}

static yaml_node_t *map_value(parser *p, const yaml_node_t *n, int i)
{
    return node_at(p, n->data.mapping.pairs.start[i].value);
}

/* Every key of a mapping is a plain name and appears once. */
static int check_map(parser *p, const yaml_node_t *m, const char *where)
{
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i);
        if (!is_scalar(k) || is_null(k))
            return FAIL(p, k, "keys of %s must be names, got %s", where, kind_of(k));
        for (int j = 0; j < i; j++)
            if (strcmp(text_of(map_key(p, m, j)), text_of(k)) == 0)
                return FAIL(p, k, "duplicate key '%s' in %s", text_of(k), where);
    }
    return RX_OK;
}

/* m must be a mapping ("SUBJECT must be WHAT, got a list") whose keys
 * are names, each once. */
static int want_map(parser *p, const yaml_node_t *m, const char *subject, const char *what)
{
    if (!is_map(m))
        return FAIL(p, m, "%s must be %s, got %s", subject, what, kind_of(m));
    return check_map(p, m, subject);
}

/* The value of key `name` in mapping m, or NULL. */
static yaml_node_t *map_get(parser *p, const yaml_node_t *m, const char *name, yaml_node_t **key)
{
    for (int i = 0; i < map_len(m); i++)
        if (strcmp(text_of(map_key(p, m, i)), name) == 0) {
            if (key)
                *key = map_key(p, m, i);
            return map_value(p, m, i);
        }
    return NULL;
}

/* "unknown key 'k' in W (did you mean 'x'?)": section limits the hints
 * and is stripped from them. */
static int unknown_key(parser *p, const yaml_node_t *k, const char *where, const char *section)
{
    char full[256], hint[128];
    if (section)
        snprintf(full, sizeof full, "%s.%s", section, text_of(k));
    else
        snprintf(full, sizeof full, "%s", text_of(k));
    if (rx_key_suggest(full, section, hint, sizeof hint)) {
        const char *h = section ? hint + strlen(section) + 1 : hint;
        return FAIL(p, k, "unknown key '%s' in %s (did you mean '%s'?)", text_of(k), where, h);
    }
    return FAIL(p, k, "unknown key '%s' in %s", text_of(k), where);
}

/* Suggests among a fixed list of names. */
static const char *closest(const char *s, const char *const *names, int n)
{
    const char *best = NULL;
    int bd = (int)strlen(s) / 3 + 2;
    if (bd > 4)
        bd = 4;
    for (int i = 0; i < n; i++) {
        int d = rx_edit_distance(s, names[i]);
        if (d < bd)
            bd = d, best = names[i];
    }
    return best;
}

static int find_axis(const parser *p, const char *name, const char **key);

/* ---- ownership of keys ------------------------------------------------- */

static int own(parser *p, const yaml_node_t *at, const char *key, const char *by, int swept)
{
    for (int i = 0; i < p->n_own; i++) {
        const owner *o = &p->own[i];
        if (strcmp(o->key, key) != 0 || (!swept && !o->swept))
            continue;
        if (o->swept && swept)
            return FAIL(p, at, "'%s' is swept both by '%s' and by '%s'", key, o->by, by);
        if (o->swept)
            return FAIL(p, at, "'%s' is swept by '%s' and set in '%s'", key, o->by, by);
        return FAIL(p, at, "'%s' is set in '%s' and swept by '%s'", key, o->by, by);
    }
    if (p->n_own == p->cap_own) {
        int cap = p->cap_own ? 2 * p->cap_own : 32;
        owner *o = realloc(p->own, (size_t)cap * sizeof *o);
        if (!o)
            return OOM(p);
        p->own = o;
        p->cap_own = cap;
    }
    const char *k = rx_grid_strdup(p->g, key), *b = rx_grid_strdup(p->g, by);
    if (!k || !b)
        return OOM(p);
    p->own[p->n_own++] = (owner){k, b, swept};
    return RX_OK;
}

/* Is key set or swept by `by` (e.g. a key in some entry of "optimizers")? */
static int owned_by(const parser *p, const char *key, const char *by)
{
    for (int i = 0; i < p->n_own; i++)
        if (strcmp(p->own[i].key, key) == 0 && strcmp(p->own[i].by, by) == 0)
            return 1;
    return 0;
}

/* ---- values ------------------------------------------------------------ */

static int set_assign(parser *p, rx_assign *a, const char *key, const char *const *vals, int n,
                      int is_list, rx_loc loc)
{
    a->key = rx_grid_strdup(p->g, key);
    a->vals = rx_grid_alloc(p->g, (size_t)(n ? n : 1) * sizeof *a->vals);
    if (!a->key || !a->vals)
        return OOM(p);
    for (int i = 0; i < n; i++)
        if (!(a->vals[i] = rx_grid_strdup(p->g, vals[i])))
            return OOM(p);
    a->n = n;
    a->is_list = is_list;
    a->loc = loc;
    return RX_OK;
}

/* Applies a to a scratch copy of c: the check that a value fits. */
static int try_assign(parser *p, const rx_config *c, const rx_assign *a)
{
    rx_config scratch = *c;
    return rx_grid_apply(p->g, &scratch, a, p->err);
}

/* One conv layer (a mapping of sub-table keys, or the text form) as text
 * "channels=16 kernel=3", each field checked where it was written. */
static int conv_layer(parser *p, const yaml_node_t *n, char *buf, size_t size)
{
    if (is_scalar(n) && !is_null(n)) {
        rx_config scratch;
        rx_config_defaults(&scratch);
        const char *t = text_of(n);
        rx_err e;
        if (rx_config_set(&scratch, "model.conv", &t, 1, 1, &e))
            return FAIL(p, n, "%s", e.msg);
        snprintf(buf, size, "%s", t);
        return RX_OK;
    }
    if (!is_map(n))
        return FAIL(p, n, "a layer of 'model.conv' must be a mapping, got %s", kind_of(n));
    int rc = check_map(p, n, "'model.conv'");
    if (rc)
        return rc;
    int nk;
    const rx_param *ck = rx_conv_keys(&nk);
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < map_len(n); i++) {
        yaml_node_t *key = map_key(p, n, i), *v = map_value(p, n, i);
        char full[128];
        snprintf(full, sizeof full, "model.conv.%s", text_of(key));
        const rx_param *row = rx_param_find(ck, nk, full);
        if (!row) {
            const char *names[16];
            for (int j = 0; j < nk && j < 16; j++)
                names[j] = strrchr(ck[j].key, '.') + 1;
            const char *h = closest(text_of(key), names, nk < 16 ? nk : 16);
            if (h)
                return FAIL(p, key, "unknown key '%s' in 'model.conv' (did you mean '%s'?)",
                            text_of(key), h);
            return FAIL(p, key, "unknown key '%s' in 'model.conv'", text_of(key));
        }
        if (!is_scalar(v) || is_null(v))
            return FAIL(p, v, "'%s' takes a single value, got %s", full, kind_of(v));
        rx_conv_config layer;
        rx_err e;
        const char *t = text_of(v);
        if (rx_param_set(row, &layer, &t, 1, 0, &e))
            return FAIL(p, v, "%s", e.msg);
        if (strpbrk(t, " \t="))
            return FAIL(p, v, "'%s' must be an integer, got '%s'", full, t);
        k += (size_t)snprintf(buf + k, k < size ? size - k : 0, "%s%s=%s", k ? " " : "",
                              text_of(key), t);
    }
    if (!map_get(p, n, "channels", NULL))
        return FAIL(p, n, "a layer of 'model.conv' needs 'channels'");
    return k < size ? RX_OK : FAIL(p, n, "a layer of 'model.conv' is too long");
}

/* Reads one value for key: a scalar, or for list keys a list of scalars
 * (conv layers for model.conv).  Lists for single-valued keys and
 * mappings are errors; `hint` ends the message for a list given to a
 * single-valued key. */
static int read_value(parser *p, const char *key, const yaml_node_t *v, rx_assign *a,
                      const char *hint)
{
    rx_key_shape shape = rx_key_shape_of(key);
    if (is_null(v))
        return FAIL(p, v, "'%s' has no value", key);
    if (is_scalar(v)) {
        const char *t = text_of(v);
        if (strcmp(key, "model.conv") == 0) {
            char layer[512];
            int rc = conv_layer(p, v, layer, sizeof layer);
            const char *l = layer;
            return rc ? rc : set_assign(p, a, key, &l, 1, 1, loc_of(v));
        }
        return set_assign(p, a, key, &t, 1, 0, loc_of(v));
    }
    if (is_map(v))
        return FAIL(p, v, "'%s' takes %s, not a mapping", key,
                    shape == RX_KEY_LIST ? "a list" : "a single value");
    if (shape != RX_KEY_LIST)
        return FAIL(p, v, "'%s' takes a single value, not a list%s", key, hint);
    int n = seq_len(v);
    if (n > RX_MAX_ITEMS_SPLIT)
        return FAIL(p, v, "'%s' takes at most %d values", key, RX_MAX_ITEMS_SPLIT);
    const char *vals[RX_MAX_ITEMS_SPLIT];
    char layers[RX_MAX_CONV][512];
    int conv = strcmp(key, "model.conv") == 0;
    if (conv && n > RX_MAX_CONV)
        return FAIL(p, v, "'model.conv' takes at most %d layers, got %d", RX_MAX_CONV, n);
    for (int i = 0; i < n; i++) {
        yaml_node_t *item = seq_item(p, v, i);
        if (conv) {
            int rc = conv_layer(p, item, layers[i], sizeof layers[i]);
            if (rc)
                return rc;
            vals[i] = layers[i];
            continue;
        }
        if (!is_scalar(item) || is_null(item))
            return FAIL(p, item, "'%s' takes a list of single values, got %s in it", key,
                        kind_of(item));
        vals[i] = text_of(item);
    }
    return set_assign(p, a, key, vals, n, 1, loc_of(v));
}

/* The label of a value in tables: the text, or [a,b] for a list. */
static const char *label_of(parser *p, const rx_assign *a)
{
    if (!a->is_list)
        return a->vals[0];
    size_t len = 3;
    for (int i = 0; i < a->n; i++)
        len += strlen(a->vals[i]) + 2;
    char *s = rx_grid_alloc(p->g, len);
    if (!s)
        return "?";
    size_t k = 0;
    s[k++] = '[';
    for (int i = 0; i < a->n; i++)
        k += (size_t)sprintf(s + k, "%s%s", i ? ", " : "", a->vals[i]);
    s[k++] = ']';
    s[k] = '\0';
    return s;
}

/* ---- sampled axes (rexsweep.yaml(5), SAMPLED AXES) ----------------------- */

/* {uniform: [A, B]} or {log_uniform: [A, B]}, with or without samples. */
static int is_sampled(parser *p, const yaml_node_t *m)
{
    return is_map(m) && (map_get(p, m, "uniform", NULL) || map_get(p, m, "log_uniform", NULL));
}

/* The number of points of sampled range m: its `samples`, else the
 * sampler's. */
static int sampled_count(parser *p, const yaml_node_t *m, int *n)
{
    yaml_node_t *v = map_get(p, m, "samples", NULL);
    for (int i = 0; !v && p->scope && i < map_len(p->scope); i++) {
        yaml_node_t *sib = map_value(p, p->scope, i);
        if (is_sampled(p, sib))
            v = map_get(p, sib, "samples", NULL);
    }
    if (!v) {
        if (p->qmc_samples > 0) {
            *n = p->qmc_samples;
            return RX_OK;
        }
        return FAIL(p, m, "a sampled range needs a count of points: add 'samples: N' here or to "
                          "'sampler'");
    }
    long long k;
    if (!is_scalar(v) || rx_parse_int(text_of(v), &k) || k < 1 || k > RX_QMC_MAX_POINTS)
        return FAIL(p, v, "'samples' must be an integer in [1, %d], got %s%s%s",
                    RX_QMC_MAX_POINTS, is_scalar(v) ? "'" : "",
                    is_scalar(v) ? text_of(v) : kind_of(v), is_scalar(v) ? "'" : "");
    *n = (int)k;
    return RX_OK;
}

/* The values of sampled range m over key, as a range's texts (one malloc'd
 * block: *n pointers, then the strings).  The range takes the next
 * dimension of the sequence in its scope. */
static int read_sampled(parser *p, const char *key, const yaml_node_t *m, char ***texts, int *n)
{
    static const char *const names[] = {"uniform", "log_uniform", "samples"};
    int rc = check_map(p, m, "a sampled range");
    if (rc)
        return rc;
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i);
        if (strcmp(text_of(k), names[0]) && strcmp(text_of(k), names[1]) &&
            strcmp(text_of(k), names[2])) {
            const char *h = closest(text_of(k), names, 3);
            return FAIL(p, k, "unknown key '%s' in a sampled range (%s%s%s)", text_of(k),
                        h ? "did you mean '" : "it has uniform or log_uniform, and samples",
                        h ? h : "", h ? "'?" : "");
        }
    }
    yaml_node_t *uni = map_get(p, m, "uniform", NULL), *log = map_get(p, m, "log_uniform", NULL);
    if (uni && log)
        return FAIL(p, m, "a sampled range is either 'uniform' or 'log_uniform', not both");
    yaml_node_t *b = uni ? uni : log;
    double lo, hi;
    if (!is_seq(b) || seq_len(b) != 2 || !is_scalar(seq_item(p, b, 0)) ||
        !is_scalar(seq_item(p, b, 1)) || rx_parse_double(text_of(seq_item(p, b, 0)), &lo) ||
        rx_parse_double(text_of(seq_item(p, b, 1)), &hi) || !isfinite(lo) || !isfinite(hi))
        return FAIL(p, b, "'%s' takes two numbers, [low, high]", uni ? "uniform" : "log_uniform");
    if (!(lo < hi))
        return FAIL(p, b, "'%s' needs low < high, got [%s, %s]", uni ? "uniform" : "log_uniform",
                    text_of(seq_item(p, b, 0)), text_of(seq_item(p, b, 1)));
    if (log && !(lo > 0))
        return FAIL(p, b, "'log_uniform' needs low > 0, got '%s'", text_of(seq_item(p, b, 0)));
    int count;
    if ((rc = sampled_count(p, m, &count)))
        return rc;
    if (p->n_sampled == RX_QMC_MAX_DIMS)
        return FAIL(p, m, "at most %d keys are sampled together", RX_QMC_MAX_DIMS);
    int dim = p->n_sampled;
    char **t = malloc((size_t)count * (sizeof *t + 32));
    double *u = malloc((size_t)count * sizeof *u);
    if (!t || !u) {
        free(t);
        free(u);
        return OOM(p);
    }
    rx_qmc_points(&p->qmc, dim, count, u);
    char *str = (char *)(t + count);
    for (int i = 0; i < count; i++, str += 32) {
        t[i] = str;
        rx_qmc_value(&p->qmc, uni ? RX_QMC_UNIFORM : RX_QMC_LOG_UNIFORM, lo, hi, u[i], str, 32);
    }
    free(u);
    if (!(p->sampled[dim] = rx_grid_strdup(p->g, key))) {
        free(t);
        return OOM(p);
    }
    p->sampled_n[dim] = count;
    p->sampled_at[dim] = m;
    p->n_sampled++;
    int known = 0;
    for (int j = 0; j < p->s->n_sampled && !known; j++)
        known = strcmp(p->s->sampled[j], key) == 0;
    if (!known && p->s->n_sampled < RX_SEARCH_MAX_OVER)
        p->s->sampled[p->s->n_sampled++] = p->sampled[dim];
    *texts = t;
    *n = count;
    return RX_OK;
}

/* The sampled keys of one scope (axes[0..*n) are its axes) share their
 * points: their axes become one, the first's, whose choice i sets every
 * sampled key to coordinate i of point i. */
static int merge_sampled(parser *p, rx_axis *axes, int *n, const char *scope)
{
    int ns = p->n_sampled, idx[RX_QMC_MAX_DIMS];
    p->n_sampled = 0;
    if (ns < 2)
        return RX_OK;
    for (int j = 0; j < ns; j++) {
        idx[j] = -1;
        for (int i = 0; i < *n; i++)
            if (strcmp(axes[i].name, p->sampled[j]) == 0)
                idx[j] = i;
        if (idx[j] < 0)
            return rx_errf(p->err, RX_EINVAL, "internal: sampled '%s' has no axis", p->sampled[j]);
    }
    rx_axis *a = &axes[idx[0]];
    for (int j = 1; j < ns; j++) {
        const rx_axis *b = &axes[idx[j]];
        if (b->n != a->n)
            return FAIL(p, p->sampled_at[j],
                        "'%s' has %d samples and '%s' %d: the sampled keys of %s share their "
                        "points, so their counts must agree",
                        b->name, b->n, a->name, a->n, scope);
        for (int i = 0; i < a->n; i++) {
            rx_choice *c = &a->choices[i];
            const rx_choice *d = &b->choices[i];
            rx_assign *set = rx_grid_grow(p->g, c->set, (size_t)c->n_set * sizeof *set,
                                          (size_t)(c->n_set + d->n_set) * sizeof *set);
            char *label = rx_grid_alloc(p->g, strlen(c->label) + strlen(d->label) + 3);
            if (!set || !label)
                return OOM(p);
            memcpy(set + c->n_set, d->set, (size_t)d->n_set * sizeof *set);
            sprintf(label, "%s, %s", c->label, d->label);
            c->set = set;
            c->n_set += d->n_set;
            c->label = label;
        }
    }
    /* drop the merged axes, last first, keeping the order of the rest */
    for (int j = ns - 1; j >= 1; j--) {
        int at = idx[j];
        memmove(&axes[at], &axes[at + 1], (size_t)(*n - at - 1) * sizeof *axes);
        (*n)--;
        for (int k = 0; k < j; k++)
            if (idx[k] > at)
                idx[k]--;
    }
    return RX_OK;
}

/* sampler: {kind: sobol | halton, seed: N, samples: N, digits: N,
 * scramble: BOOL}: read before the axes. */
static int read_sampler(parser *p, const yaml_node_t *m)
{
    int rc = want_map(p, m, "'sampler'", "a mapping (kind, seed, samples, digits, scramble)");
    if (rc)
        return rc;
    static const char *const names[] = {"kind", "seed", "samples", "digits", "scramble"};
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i), *v = map_value(p, m, i);
        int t = 0;
        while (t < 5 && strcmp(text_of(k), names[t]) != 0)
            t++;
        if (t == 5) {
            const char *h = closest(text_of(k), names, 5);
            return FAIL(p, k, "unknown key '%s' in 'sampler'%s%s%s", text_of(k),
                        h ? " (did you mean '" : "", h ? h : "", h ? "'?)" : "");
        }
        const char *x = is_scalar(v) && !is_null(v) ? text_of(v) : NULL;
        long long n = 0;
        if (t == 0) {
            if (x && strcmp(x, "sobol") == 0)
                p->qmc.kind = RX_QMC_SOBOL;
            else if (x && strcmp(x, "halton") == 0)
                p->qmc.kind = RX_QMC_HALTON;
            else
                return FAIL(p, v, "'sampler.kind' must be one of sobol, halton");
        } else if (t == 4) {
            if (x && (!strcmp(x, "true") || !strcmp(x, "yes") || !strcmp(x, "on")))
                p->qmc.scramble = 1;
            else if (x && (!strcmp(x, "false") || !strcmp(x, "no") || !strcmp(x, "off")))
                p->qmc.scramble = 0;
            else
                return FAIL(p, v, "'sampler.scramble' must be true or false");
        } else {
            static const long long hi[] = {0, 9007199254740992LL, RX_QMC_MAX_POINTS, 15};
            long long lo = t == 1 ? 0 : 1;
            if (!x || rx_parse_int(x, &n) || n < lo || n > hi[t])
                return FAIL(p, v, "'sampler.%s' must be an integer in [%lld, %lld], got %s%s%s",
                            names[t], lo, hi[t], x ? "'" : "", x ? x : kind_of(v), x ? "'" : "");
            if (t == 1)
                p->qmc.seed = (uint64_t)n;
            else if (t == 2)
                p->qmc_samples = (int)n;
            else
                p->qmc.digits = (int)n;
        }
    }
    return RX_OK;
}

/* A range mapping {from, to, step | factor | mantissas} into texts. */
static int read_range(parser *p, const yaml_node_t *m, char ***texts, int *n)
{
    static const char *const names[] = {"from", "to", "step", "factor", "mantissas"};
    int rc = check_map(p, m, "a range");
    if (rc)
        return rc;
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i);
        int known = 0;
        for (int j = 0; j < 5; j++)
            known |= strcmp(text_of(k), names[j]) == 0;
        if (!known) {
            const char *h = closest(text_of(k), names, 5);
            if (h)
                return FAIL(p, k, "unknown key '%s' in a range (did you mean '%s'?)", text_of(k), h);
            return FAIL(p, k, "unknown key '%s' in a range (ranges have from, to and one of step, factor or mantissas)",
                        text_of(k));
        }
    }
    yaml_node_t *v[5];
    int kinds = 0;
    for (int j = 0; j < 5; j++) {
        v[j] = map_get(p, m, names[j], NULL);
        if (j >= 2 && v[j])
            kinds++;
    }
    if (!v[0] || !v[1])
        return FAIL(p, m, "a range needs 'from' and 'to'");
    if (kinds != 1)
        return FAIL(p, m, "a range needs exactly one of 'step', 'factor' or 'mantissas'");
    for (int j = 0; j < 4; j++)
        if (v[j] && (!is_scalar(v[j]) || is_null(v[j])))
            return FAIL(p, v[j], "'%s' of a range must be a number, got %s", names[j],
                        kind_of(v[j]));
    rx_range_kind kind = v[2] ? RX_RANGE_STEP : v[3] ? RX_RANGE_FACTOR : RX_RANGE_MANTISSAS;
    const char *by[RX_MAX_LIST];
    int nby = 0;
    if (kind == RX_RANGE_MANTISSAS) {
        yaml_node_t *ms = v[4];
        if (is_scalar(ms) && !is_null(ms)) {
            by[nby++] = text_of(ms);
        } else if (is_seq(ms) && seq_len(ms) <= RX_MAX_LIST) {
            for (int i = 0; i < seq_len(ms); i++) {
                yaml_node_t *it = seq_item(p, ms, i);
                if (!is_scalar(it) || is_null(it))
                    return FAIL(p, it, "'mantissas' must be numbers, got %s", kind_of(it));
                by[nby++] = text_of(it);
            }
        } else {
            return FAIL(p, ms, "'mantissas' must be a list of numbers");
        }
    } else {
        by[nby++] = text_of(v[kind == RX_RANGE_STEP ? 2 : 3]);
    }
    rx_err e;
    rc = rx_range_expand(kind, text_of(v[0]), text_of(v[1]), by, nby, texts, n, &e);
    if (rc == RX_ENOMEM)
        return OOM(p);
    if (rc)
        return FAIL(p, m, "%s", e.msg);
    return RX_OK;
}

/* Appends the values of a range (mapping m) to the choices ch[*n..]. */
static int add_range(parser *p, const char *key, const yaml_node_t *m, rx_choice **ch, int *n,
                     int *cap)
{
    char **texts;
    int nt, rc = is_sampled(p, m) ? read_sampled(p, key, m, &texts, &nt)
                                  : read_range(p, m, &texts, &nt);
    if (rc)
        return rc;
    if (*n + nt > *cap) {
        int want = *n + nt + 16;
        rx_choice *c = rx_grid_grow(p->g, *ch, (size_t)*n * sizeof *c, (size_t)want * sizeof *c);
        if (!c) {
            free(texts);
            return OOM(p);
        }
        *ch = c;
        *cap = want;
    }
    for (int i = 0; i < nt; i++) {
        rx_choice *c = &(*ch)[(*n)++];
        c->set = rx_grid_alloc(p->g, sizeof *c->set);
        if (!c->set || set_assign(p, c->set, key, (const char *const *)&texts[i], 1, 0,
                                  loc_of(m))) {
            free(texts);
            return OOM(p);
        }
        c->n_set = 1;
        c->label = c->set->vals[0];
        c->loc = loc_of(m);
    }
    free(texts);
    return RX_OK;
}

/* ---- counting before reading ------------------------------------------ */

/* Aliases let a few kilobytes name millions of values (20,000 aliases of
 * an entry with 1000 lrs, or of a range of 10,000 values).  So axes are
 * counted on the YAML nodes first, each aliased node once (memo by node
 * id), and a grid over the limit is refused before anything is built. */
static double *memo_of(parser *p, const yaml_node_t *n)
{
    size_t nodes = (size_t)(p->doc->nodes.top - p->doc->nodes.start);
    if (!p->memo && !(p->memo = calloc(nodes, sizeof *p->memo)))
        return NULL;
    return &p->memo[n - p->doc->nodes.start];
}

/* *count += the values an axis item list (or range, or scalar) v holds. */
static int axis_values(parser *p, const yaml_node_t *v, double *count)
{
    if (is_seq(v)) {
        for (int i = 0; i < seq_len(v); i++) {
            const yaml_node_t *it = seq_item(p, v, i);
            if (is_sampled(p, it))
                return FAIL(p, it, "a sampled range stands for the whole axis, not for an item of "
                                   "a list");
            int rc = is_map(it) ? axis_values(p, it, count) : RX_OK;
            if (rc)
                return rc;
            *count += !is_map(it);
            if (*count > RX_GRID_MAX_RUNS)
                return RX_OK;
        }
        return RX_OK;
    }
    if (!is_map(v)) {
        *count += 1;
        return RX_OK;
    }
    const yaml_node_t *vals = map_get(p, v, "values", NULL);
    if (vals)                   /* an extending lr axis: its values */
        return axis_values(p, vals, count);
    double *m = memo_of(p, v);
    if (!m)
        return OOM(p);
    if (is_sampled(p, v) && !p->sampling_ok)
        return FAIL(p, v, "a sampled range belongs under 'grid' or in an entry of "
                          "'optimizers' or 'schedules'");
    if (*m == 0 && is_sampled(p, v)) {
        int nt, rc = sampled_count(p, v, &nt);
        if (rc)
            return rc;
        *m = nt;
    } else if (*m == 0) {
        char **texts;
        int nt, rc = read_range(p, v, &texts, &nt);
        if (rc)
            return rc;
        free(texts);
        *m = nt;
    }
    *count += *m;
    return RX_OK;
}

/* *runs += the runs of one entry of optimizers or schedules: the product
 * of the values of the keys that read_entry makes axes. */
static int entry_runs(parser *p, const char *section, const yaml_node_t *item, double *runs)
{
    double *m = is_map(item) ? memo_of(p, item) : NULL;
    if (is_map(item) && !m)
        return OOM(p);
    p->scope = is_map(item) ? item : NULL;
    if (m && *m == 0) {
        double prod = 1;
        int sampled = 0;      /* sampled keys share their points: count once */
        for (int i = 0; i < map_len(item) && prod <= RX_GRID_MAX_RUNS; i++) {
            yaml_node_t *k = map_key(p, item, i), *v = map_value(p, item, i);
            char full[256];
            if (!is_scalar(k))
                continue;
            snprintf(full, sizeof full, "%s.%s", section, text_of(k));
            rx_key_shape shape = rx_key_shape_of(full);
            int swept = is_map(v) || (is_seq(v) && shape == RX_KEY_SCALAR);
            for (int j = 0; is_seq(v) && shape == RX_KEY_LIST && j < seq_len(v); j++)
                swept |= is_seq(seq_item(p, v, j));
            double n = 0;
            int rc = swept && shape != RX_KEY_UNKNOWN ? axis_values(p, v, &n) : RX_OK;
            if (rc)
                return rc;
            if (is_sampled(p, v) && sampled++)
                n = 1;
            prod *= n > 0 ? n : 1;
        }
        *m = prod;
    }
    *runs += m ? *m : 1;
    return RX_OK;
}

/* Counting stops past the limit, so the message gives the limit alone. */
static int too_many(parser *p, const yaml_node_t *at, const char *what)
{
    return FAIL(p, at, "%s alone has more than %d runs, the limit of a grid", what,
                RX_GRID_MAX_RUNS);
}

/* An extending lr axis, {values: LIST|RANGE, extend: N, metric: M}
 * (rexsweep.yaml(5), ADAPTIVE LR GRID): when v is one, *vals is its
 * values node and *extend, *metric are set; otherwise *vals is v and
 * *extend 0.  Only optimizer.lr extends. */
static int read_adaptive(parser *p, const char *key, const char *what, const yaml_node_t *v,
                         const yaml_node_t **vals, int *extend, int *metric)
{
    static const char *const names[] = {"values", "extend", "metric"};
    static const char *const metrics[] = {"auto", "error", "acc", "loss"};
    static const int metric_of[] = {RX_LR_METRIC_AUTO, RX_LR_METRIC_ACC, RX_LR_METRIC_ACC,
                                    RX_LR_METRIC_LOSS};
    *vals = v;
    *extend = 0;
    *metric = RX_LR_METRIC_AUTO;
    if (!is_map(v) || !(map_get(p, v, "values", NULL) || map_get(p, v, "extend", NULL)))
        return RX_OK;
    int rc = check_map(p, v, what);
    if (rc)
        return rc;
    for (int i = 0; i < map_len(v); i++) {
        yaml_node_t *k = map_key(p, v, i);
        int known = 0;
        for (int j = 0; j < 3; j++)
            known |= strcmp(text_of(k), names[j]) == 0;
        if (!known)
            return FAIL(p, k, "unknown key '%s' in %s (an extending axis has values, extend and "
                        "metric; a range goes under values)", text_of(k), what);
    }
    if (strcmp(key, "optimizer.lr") != 0)
        return FAIL(p, v, "%s cannot extend: only an lr axis ('optimizer.lr') does", what);
    const yaml_node_t *vn = map_get(p, v, "values", NULL), *en = map_get(p, v, "extend", NULL);
    const yaml_node_t *mn = map_get(p, v, "metric", NULL);
    if (!vn)
        return FAIL(p, v, "%s extends but has no 'values' (write {values: [0.1, 0.03], "
                    "extend: 2})", what);
    if (!en)
        return FAIL(p, v, "%s has 'values' but no 'extend' (the extra lrs per side)", what);
    long long n;
    if (!is_scalar(en) || rx_parse_int(text_of(en), &n) || n < 0 || n > RX_LR_EXTEND_MAX)
        return FAIL(p, en, "'extend' must be a count of lrs per side in [0, %d], got %s",
                    RX_LR_EXTEND_MAX, is_scalar(en) ? text_of(en) : kind_of(en));
    if (mn) {
        int m = -1;
        for (int j = 0; is_scalar(mn) && j < 4; j++)
            if (strcmp(text_of(mn), metrics[j]) == 0)
                m = metric_of[j];
        if (m < 0)
            return FAIL(p, mn, "'metric' of an extending axis must be auto, error, acc or loss, "
                        "got %s", is_scalar(mn) ? text_of(mn) : kind_of(mn));
        *metric = m;
    }
    if (is_map(vn) && (map_get(p, vn, "values", NULL) || map_get(p, vn, "extend", NULL)))
        return FAIL(p, vn, "'values' of %s must be a list or a range", what);
    *vals = vn;
    *extend = (int)n;
    return RX_OK;
}

/* Reads the values of an axis over key from v: a list (each item a value
 * of the key: a scalar, a list for list keys, or a range whose values
 * take its place), a range, or (when allow_scalar) one scalar.  `what`
 * names the axis in messages. */
static int read_axis(parser *p, const char *key, const char *what, const yaml_node_t *v,
                     int allow_scalar, rx_choice **out, int *n_out)
{
    if (is_null(v) || (is_seq(v) && seq_len(v) == 0))
        return FAIL(p, v, "%s is empty: an axis needs at least one value", what);
    if (is_scalar(v) && !allow_scalar)
        return FAIL(p, v, "%s must be a list of values or a range, got a single value (write [%s])",
                    what, text_of(v));
    double values = 0;
    int rc = axis_values(p, v, &values);
    if (rc)
        return rc;
    if (values > RX_GRID_MAX_RUNS)
        return too_many(p, v, what);
    int n = 0, cap = is_seq(v) ? seq_len(v) : 1;
    rx_choice *ch = rx_grid_alloc(p->g, (size_t)cap * sizeof *ch);
    if (!ch)
        return OOM(p);
    if (is_map(v)) {
        if ((rc = add_range(p, key, v, &ch, &n, &cap)))
            return rc;
    }
    for (int i = 0; !is_map(v) && i < (is_seq(v) ? seq_len(v) : 1); i++) {
        const yaml_node_t *item = is_seq(v) ? seq_item(p, v, i) : v;
        if (is_map(item)) {
            if ((rc = add_range(p, key, item, &ch, &n, &cap)))
                return rc;
            continue;
        }
        if (n == cap) {
            rx_choice *c = rx_grid_grow(p->g, ch, (size_t)n * sizeof *c, (size_t)(n + 16) * sizeof *c);
            if (!c)
                return OOM(p);
            ch = c;
            cap = n + 16;
        }
        rx_choice *c = &ch[n];
        if (!(c->set = rx_grid_alloc(p->g, sizeof *c->set)))
            return OOM(p);
        if ((rc = read_value(p, key, item, c->set, " inside the list")))
            return rc;
        c->n_set = 1;
        c->label = label_of(p, c->set);
        c->loc = loc_of(item);
        n++;
    }
    *out = ch;
    *n_out = n;
    return RX_OK;
}

/* Appends a top-level axis; the pointer is valid until the next one. */
static rx_axis *add_axis(parser *p, const char *name, rx_loc loc)
{
    rx_grid *g = p->g;
    rx_axis *a = rx_grid_grow(g, g->axes, (size_t)g->n_axes * sizeof *a,
                              (size_t)(g->n_axes + 1) * sizeof *a);
    if (!a)
        return NULL;
    g->axes = a;
    a = &g->axes[g->n_axes++];
    a->name = rx_grid_strdup(g, name);
    a->loc = loc;
    return a->name ? a : NULL;
}

/* Checks every choice of an axis against configuration c. */
static int try_choices(parser *p, const rx_config *c, const rx_choice *ch, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < ch[i].n_set; j++) {
            int rc = try_assign(p, c, &ch[i].set[j]);
            if (rc)
                return rc;
        }
    return RX_OK;
}

static int push_base(parser *p, const rx_assign *a)
{
    rx_grid *g = p->g;
    rx_assign *b = rx_grid_grow(g, g->base_set, (size_t)g->n_base_set * sizeof *b,
                                (size_t)(g->n_base_set + 1) * sizeof *b);
    if (!b)
        return OOM(p);
    g->base_set = b;
    b[g->n_base_set++] = *a;
    return RX_OK;
}

/* ---- sections: the base configuration ---------------------------------- */

static const char sweep_hint[] = " (to sweep it, list it under 'grid')";

static int read_section(parser *p, const char *section, const yaml_node_t *m)
{
    char where[64];
    snprintf(where, sizeof where, "'%s'", section);
    if (is_null(m))
        return RX_OK;
    int rc = want_map(p, m, where, "a mapping of keys");
    if (rc)
        return rc;
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i), *v = map_value(p, m, i);
        char full[256];
        snprintf(full, sizeof full, "%s.%s", section, text_of(k));
        if (rx_key_shape_of(full) == RX_KEY_UNKNOWN)
            return unknown_key(p, k, where, section);
        rx_assign a;
        if ((rc = read_value(p, full, v, &a, sweep_hint)) || (rc = own(p, k, a.key, section, 0)) ||
            (rc = push_base(p, &a)) || (rc = rx_grid_apply(p->g, &p->g->base, &a, p->err)))
            return rc;
    }
    return RX_OK;
}

/* schedule: NAME, or {name: NAME, KEY: VALUE...}.  The keys other than
 * name are common to every schedule: they are re-applied after each
 * schedule.name, so they also hold for the entries of `schedules`. */
static int read_schedule_section(parser *p, const yaml_node_t *m, int has_axis)
{
    rx_grid *g = p->g;
    const yaml_node_t *name = NULL;
    int rc;
    if (is_null(m))
        return RX_OK;
    if (is_scalar(m)) {
        name = m;
    } else {
        if ((rc = want_map(p, m, "'schedule'", "a name or a mapping of keys")))
            return rc;
        name = map_get(p, m, "name", NULL);
        g->sched_common = rx_grid_alloc(g, (size_t)(map_len(m) + 1) * sizeof *g->sched_common);
        if (!g->sched_common)
            return OOM(p);
        for (int i = 0; i < map_len(m); i++) {
            yaml_node_t *k = map_key(p, m, i), *v = map_value(p, m, i);
            if (strcmp(text_of(k), "name") == 0)
                continue;
            char full[256];
            snprintf(full, sizeof full, "schedule.%s", text_of(k));
            if (rx_key_shape_of(full) == RX_KEY_UNKNOWN)
                return unknown_key(p, k, "'schedule'", "schedule");
            rx_assign *a = &g->sched_common[g->n_sched_common];
            if ((rc = read_value(p, full, v, a, sweep_hint)) ||
                (rc = own(p, k, a->key, "schedule", 0)) || (rc = push_base(p, a)))
                return rc;
            g->n_sched_common++;
        }
    }
    if (name && (!is_scalar(name) || is_null(name)))
        return FAIL(p, name, "'schedule.name' must be a schedule name, got %s", kind_of(name));
    if (has_axis && !name)
        return RX_OK; /* each entry of `schedules` applies them */
    /* (Re)initialise the base schedule, which applies the common keys. */
    char cur[RX_NAME_MAX];
    rx_config_get(&g->base, "schedule.name", cur, sizeof cur);
    const char *nm = name ? text_of(name) : cur;
    rx_assign a;
    if ((rc = set_assign(p, &a, "schedule.name", &nm, 1, 0, loc_of(name ? name : m))))
        return rc;
    if (name && (rc = own(p, name, a.key, "schedule", 0)))
        return rc;
    if ((rc = push_base(p, &a)))
        return rc;
    return rx_grid_apply(g, &g->base, &a, p->err);
}

/* ---- axes ---------------------------------------------------------------- */

/* An entry of `optimizers` or `schedules`: a name, or a mapping with a
 * name and keys of its section; a list (or a range) for a single-valued
 * key, or a list of lists for a list key, becomes an axis within the
 * entry. */
static int read_entry(parser *p, const char *axis, const char *section, const yaml_node_t *item,
                      rx_choice *ch)
{
    rx_grid *g = p->g;
    char where[64], namekey[64];
    snprintf(where, sizeof where, "'%s'", axis);
    snprintf(namekey, sizeof namekey, "%s.name", section);
    const yaml_node_t *name = NULL;
    int rc, nk = 0;
    if (is_scalar(item) && !is_null(item)) {
        name = item;
    } else if (is_map(item)) {
        if ((rc = check_map(p, item, where)))
            return rc;
        name = map_get(p, item, "name", NULL);
        if (!name)
            return FAIL(p, item, "an entry of '%s' needs a 'name'", axis);
        if (!is_scalar(name) || is_null(name))
            return FAIL(p, name, "'name' in '%s' must be a single value, got %s", axis,
                        kind_of(name));
        nk = map_len(item);
    } else {
        return FAIL(p, item, "an entry of '%s' must be a name or a mapping, got %s", axis,
                    kind_of(item));
    }
    ch->label = rx_grid_strdup(g, text_of(name));
    ch->loc = loc_of(item);
    ch->set = rx_grid_alloc(g, (size_t)(nk + 1) * sizeof *ch->set);
    ch->sub = rx_grid_alloc(g, (size_t)(nk + 1) * sizeof *ch->sub);
    if (!ch->label || !ch->set || !ch->sub)
        return OOM(p);
    const char *nm = text_of(name);
    if ((rc = set_assign(p, &ch->set[ch->n_set++], namekey, &nm, 1, 0, loc_of(name))))
        return rc;
    p->n_sampled = 0;
    p->scope = is_map(item) ? item : NULL;
    for (int i = 0; i < nk; i++) {
        yaml_node_t *k = map_key(p, item, i), *v = map_value(p, item, i);
        if (strcmp(text_of(k), "name") == 0)
            continue;
        char full[256];
        snprintf(full, sizeof full, "%s.%s", section, text_of(k));
        rx_key_shape shape = rx_key_shape_of(full);
        if (shape == RX_KEY_UNKNOWN || strcmp(full, namekey) == 0)
            return unknown_key(p, k, where, section);
        if ((rc = own(p, k, full, axis, 0)))
            return rc;
        int swept = is_map(v) || (is_seq(v) && shape == RX_KEY_SCALAR);
        if (is_seq(v) && shape == RX_KEY_LIST)
            for (int j = 0; j < seq_len(v); j++)
                swept |= is_seq(seq_item(p, v, j));
        if (!swept) {
            if ((rc = read_value(p, full, v, &ch->set[ch->n_set], "")))
                return rc;
            ch->n_set++;
            continue;
        }
        rx_axis *sub = &ch->sub[ch->n_sub++];
        char what[300];
        snprintf(what, sizeof what, "'%s' in '%s'", text_of(k), axis);
        sub->name = rx_grid_strdup(g, full);
        sub->loc = loc_of(k);
        if (!sub->name)
            return OOM(p);
        const yaml_node_t *vals;
        if ((rc = read_adaptive(p, full, what, v, &vals, &sub->extend, &sub->ext_metric)) ||
            (rc = read_axis(p, full, what, vals, 0, &sub->choices, &sub->n)))
            return rc;
    }
    char scope[96];
    snprintf(scope, sizeof scope, "an entry of '%s'", axis);
    if ((rc = merge_sampled(p, ch->sub, &ch->n_sub, scope)))
        return rc;
    /* check the entry against the base, and each value of its axes */
    rx_config c = g->base;
    for (int j = 0; j < ch->n_set; j++)
        if ((rc = rx_grid_apply(g, &c, &ch->set[j], p->err)))
            return rc;
    for (int s = 0; s < ch->n_sub; s++)
        if ((rc = try_choices(p, &c, ch->sub[s].choices, ch->sub[s].n)))
            return rc;
    return RX_OK;
}

static int read_entries(parser *p, const char *axis, const char *section, const yaml_node_t *k,
                        const yaml_node_t *v)
{
    char key[64];
    snprintf(key, sizeof key, "%s.name", section);
    int rc = own(p, k, key, axis, 1);
    if (rc)
        return rc;
    if (is_null(v) || (is_seq(v) && seq_len(v) == 0))
        return FAIL(p, v, "'%s' is empty: an axis needs at least one value", axis);
    if (!is_seq(v))
        return FAIL(p, v, "'%s' must be a list of %s, got %s", axis, axis, kind_of(v));
    /* the runs of the entries, counted on the nodes before reading any */
    double runs = 0;
    p->sampling_ok = 1;
    for (int i = 0; i < seq_len(v); i++) {
        if ((rc = entry_runs(p, section, seq_item(p, v, i), &runs)))
            return rc;
        if (runs > RX_GRID_MAX_RUNS) {
            char what[64];
            snprintf(what, sizeof what, "'%s'", axis);
            return too_many(p, seq_item(p, v, i), what);
        }
    }
    rx_axis *a = add_axis(p, axis, loc_of(k));
    if (!a)
        return OOM(p);
    a->n = seq_len(v);
    a->choices = rx_grid_alloc(p->g, (size_t)a->n * sizeof *a->choices);
    if (!a->choices)
        return OOM(p);
    for (int i = 0; i < a->n; i++)
        if ((rc = read_entry(p, axis, section, seq_item(p, v, i), &a->choices[i])))
            return rc;
    p->sampling_ok = 0;
    return RX_OK;
}

/* A plain axis over one key (budgets, sampling, seeds, grid keys). */
static int read_key_axis(parser *p, const char *name, const char *key, const yaml_node_t *k,
                         const yaml_node_t *v, int allow_scalar)
{
    int rc = own(p, k, key, strcmp(name, key) == 0 ? "grid" : name, 1);
    if (rc)
        return rc;
    char what[300];
    if (strcmp(name, key) == 0)
        snprintf(what, sizeof what, "'%s' in 'grid'", key);
    else
        snprintf(what, sizeof what, "'%s'", name);
    rx_choice *ch;
    const yaml_node_t *vals;
    int n, extend, metric;
    if ((rc = read_adaptive(p, key, what, v, &vals, &extend, &metric)) ||
        (rc = read_axis(p, key, what, vals, allow_scalar, &ch, &n)))
        return rc;
    /* schedule keys depend on the schedule of each run: with a schedules
     * axis they are checked as the runs are built */
    if (strncmp(key, "schedule.", 9) != 0 || find_axis(p, "schedules", NULL) < 0)
        if ((rc = try_choices(p, &p->g->base, ch, n)))
            return rc;
    rx_axis *a = add_axis(p, name, loc_of(k));
    if (!a)
        return OOM(p);
    a->choices = ch;
    a->n = n;
    a->extend = extend;
    a->ext_metric = metric;
    return RX_OK;
}

/* seeds: N (0..N-1), a list, or a range. */
static int read_seeds(parser *p, const yaml_node_t *k, const yaml_node_t *v)
{
    if (!is_scalar(v) || is_null(v))
        return read_key_axis(p, "seeds", "train.seed", k, v, 0);
    long long n;
    if (rx_parse_int(text_of(v), &n))
        return FAIL(p, v, "'seeds' must be a count, a list of seeds or a range, got '%s'",
                    text_of(v));
    if (n < 1 || n > RX_RANGE_MAX)
        return FAIL(p, v, "'seeds' must be a count in [1, %d], got '%s'", RX_RANGE_MAX,
                    text_of(v));
    int rc = own(p, k, "train.seed", "seeds", 1);
    if (rc)
        return rc;
    rx_axis *a = add_axis(p, "seeds", loc_of(k));
    if (!a || !(a->choices = rx_grid_alloc(p->g, (size_t)n * sizeof *a->choices)))
        return OOM(p);
    a->n = (int)n;
    for (int i = 0; i < a->n; i++) {
        char t[32];
        const char *tp = t;
        snprintf(t, sizeof t, "%d", i);
        rx_choice *ch = &a->choices[i];
        if (!(ch->set = rx_grid_alloc(p->g, sizeof *ch->set)) ||
            (rc = set_assign(p, ch->set, "train.seed", &tp, 1, 0, loc_of(v))))
            return rc ? rc : OOM(p);
        ch->n_set = 1;
        ch->label = ch->set->vals[0];
        ch->loc = loc_of(v);
    }
    return RX_OK;
}

static int read_grid(parser *p, const yaml_node_t *m)
{
    if (is_null(m))
        return FAIL(p, m, "'grid' is empty: give it keys with lists of values");
    int rc = want_map(p, m, "'grid'", "a mapping of keys to lists of values");
    if (rc)
        return rc;
    int first = p->g->n_axes;
    p->n_sampled = 0;
    p->sampling_ok = 1;
    p->scope = m;
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i), *v = map_value(p, m, i);
        const char *key = text_of(k);
        if (rx_key_shape_of(key) == RX_KEY_UNKNOWN)
            return unknown_key(p, k, "'grid'", NULL);
        if (strcmp(key, "schedule.name") == 0)
            return FAIL(p, k, "sweep schedules with 'schedules', not with 'grid'");
        if ((rc = read_key_axis(p, key, key, k, v, 0)))
            return rc;
    }
    p->sampling_ok = 0;
    int n = p->g->n_axes - first;
    rc = merge_sampled(p, p->g->axes + first, &n, "'grid'");
    p->g->n_axes = first + n;
    return rc;
}

/* ---- zip and exclude ---------------------------------------------------- */

/* Names of the top-level axes and what else they answer to. */
static const struct {
    const char *alias, *axis, *key;
} aliases[] = {
    {"budgets", "budgets", "train.budget"},     {"budget", "budgets", "train.budget"},
    {"train.budget", "budgets", "train.budget"}, {"seeds", "seeds", "train.seed"},
    {"seed", "seeds", "train.seed"},             {"train.seed", "seeds", "train.seed"},
    {"sampling", "sampling", "schedule.sampling"},
    {"schedule.sampling", "sampling", "schedule.sampling"},
    {"optimizers", "optimizers", "optimizer.name"}, {"optimizer", "optimizers", "optimizer.name"},
    {"optimizer.name", "optimizers", "optimizer.name"},
    {"schedules", "schedules", "schedule.name"},  {"schedule", "schedules", "schedule.name"},
    {"schedule.name", "schedules", "schedule.name"},
};
#define N_ALIASES (int)(sizeof aliases / sizeof aliases[0])

/* The index of the top-level axis called name (or an alias), or -1. */
static int find_axis(const parser *p, const char *name, const char **key)
{
    const char *axis = name;
    if (key)
        *key = name;
    for (int i = 0; i < N_ALIASES; i++)
        if (strcmp(aliases[i].alias, name) == 0) {
            axis = aliases[i].axis;
            if (key)
                *key = aliases[i].key;
        }
    for (int i = 0; i < p->g->n_axes; i++)
        if (strcmp(p->g->axes[i].name, axis) == 0)
            return i;
    return -1;
}

static void axis_list(const parser *p, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->g->n_axes && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", p->g->axes[i].name);
}

static int not_an_axis(parser *p, const yaml_node_t *at, const char *what, const char *name)
{
    char list[512];
    axis_list(p, list, sizeof list);
    if (!list[0])
        return FAIL(p, at, "%s names '%s', but the spec has no axes", what, name);
    return FAIL(p, at, "%s names '%s', which is not an axis (the axes are: %s)", what, name, list);
}

static int read_zip(parser *p, const yaml_node_t *v)
{
    if (is_null(v))
        return RX_OK;
    if (!is_seq(v))
        return FAIL(p, v, "'zip' must be a list of lists of axes, e.g. [[budgets, seeds]], got %s",
                    kind_of(v));
    for (int gi = 0; gi < seq_len(v); gi++) {
        yaml_node_t *grp = seq_item(p, v, gi);
        if (!is_seq(grp))
            return FAIL(p, grp, "each entry of 'zip' must be a list of axes, got %s", kind_of(grp));
        if (seq_len(grp) < 2)
            return FAIL(p, grp, "a zip group needs at least two axes");
        int first = -1;
        for (int j = 0; j < seq_len(grp); j++) {
            yaml_node_t *nm = seq_item(p, grp, j);
            if (!is_scalar(nm) || is_null(nm))
                return FAIL(p, nm, "a zip group lists axis names, got %s", kind_of(nm));
            int ai = find_axis(p, text_of(nm), NULL);
            if (ai < 0)
                return not_an_axis(p, nm, "zip", text_of(nm));
            rx_axis *a = &p->g->axes[ai];
            if (a->zip)
                return FAIL(p, nm, "'%s' is zipped twice", a->name);
            if (a->extend)
                return FAIL(p, nm, "'%s' extends itself, so it cannot be zipped (its lrs differ "
                            "from cell to cell)", a->name);
            a->zip = gi + 1;
            if (first < 0) {
                first = ai;
                continue;
            }
            const rx_axis *f = &p->g->axes[first];
            if (a->n != f->n)
                return FAIL(p, nm, "zip couples '%s' (%d values) with '%s' (%d values): the lengths differ",
                            f->name, f->n, a->name, a->n);
        }
    }
    return RX_OK;
}

/* Checks an exclude value: it must fit at least one schedule entry (for
 * schedule parameters) or the base. */
static int check_exclude_value(parser *p, const rx_assign *a)
{
    if (strncmp(a->key, "schedule.", 9) != 0 || strcmp(a->key, "schedule.sampling") == 0)
        return try_assign(p, &p->g->base, a);
    int ai = find_axis(p, "schedules", NULL);
    if (ai < 0)
        return try_assign(p, &p->g->base, a);
    const rx_axis *ax = &p->g->axes[ai];
    int rc = RX_OK;
    for (int i = 0; i < ax->n; i++) {
        rx_config c = p->g->base;
        if (rx_grid_apply(p->g, &c, &ax->choices[i].set[0], NULL))
            continue;
        if ((rc = try_assign(p, &c, a)) == RX_OK)
            return RX_OK;
    }
    return rc;
}

static int read_rule(parser *p, const yaml_node_t *m, rx_exclude *x);

static int read_exclude(parser *p, const yaml_node_t *v)
{
    rx_grid *g = p->g;
    if (is_null(v))
        return RX_OK;
    if (!is_seq(v))
        return FAIL(p, v, "'exclude' must be a list of mappings from axes to values, got %s",
                    kind_of(v));
    /* each run is matched against every rule: an aliased rule counts
     * once, and the rules are bounded */
    size_t nodes = (size_t)(p->doc->nodes.top - p->doc->nodes.start);
    char *seen = calloc(nodes, 1);
    g->excl = rx_grid_alloc(g, (size_t)(seq_len(v) ? seq_len(v) : 1) * sizeof *g->excl);
    if (!seen || !g->excl) {
        free(seen);
        return OOM(p);
    }
    int rc = RX_OK;
    for (int r = 0; r < seq_len(v) && rc == RX_OK; r++) {
        yaml_node_t *m = seq_item(p, v, r);
        if (seen[m - p->doc->nodes.start])
            continue;
        seen[m - p->doc->nodes.start] = 1;
        if (g->n_excl == RX_SPEC_MAX_EXCLUDES)
            rc = FAIL(p, m, "'exclude' has more than %d rules", RX_SPEC_MAX_EXCLUDES);
        else
            rc = read_rule(p, m, &g->excl[g->n_excl++]);
    }
    free(seen);
    return rc;
}

/* One rule of exclude: a mapping of axes (or keys of entries) to values. */
static int read_rule(parser *p, const yaml_node_t *m, rx_exclude *x)
{
    rx_grid *g = p->g;
    x->loc = loc_of(m);
    if (!is_map(m) || map_len(m) == 0)
        return FAIL(p, m, "an entry of 'exclude' must map axes to values, e.g. {schedules: step, budgets: 1%%}, got %s",
                    is_map(m) ? "an empty mapping" : kind_of(m));
    int rc = check_map(p, m, "'exclude'");
    if (rc)
        return rc;
    x->terms = rx_grid_alloc(g, (size_t)map_len(m) * sizeof *x->terms);
    if (!x->terms)
        return OOM(p);
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *k = map_key(p, m, i), *val = map_value(p, m, i);
        const char *name = text_of(k), *key = name;
        char dotted[256];
        if (find_axis(p, name, &key) < 0) {
            /* a key set by the entries of optimizers or schedules,
             * or a bare name ("lr") of one of those or of a grid key */
            key = NULL;
            static const char *const sections[] = {"optimizer", "schedule"};
            static const char *const axes[] = {"optimizers", "schedules"};
            for (int s = 0; s < 2 && !key; s++) {
                if (strchr(name, '.'))
                    snprintf(dotted, sizeof dotted, "%s", name);
                else
                    snprintf(dotted, sizeof dotted, "%s.%s", sections[s], name);
                if (owned_by(p, dotted, axes[s]) || find_axis(p, dotted, NULL) >= 0)
                    key = dotted;
            }
            if (!key)
                return not_an_axis(p, k, "exclude", name);
        }
        rx_assign *a = &x->terms[x->n];
        if ((rc = read_value(p, key, val, a, "")))
            return rc;
        x->n++;
        if (strcmp(key, "schedule.name") == 0) {
            const rx_axis *ax = &g->axes[find_axis(p, "schedules", NULL)];
            int found = 0;
            for (int c = 0; c < ax->n; c++)
                found |= strcmp(ax->choices[c].label, a->vals[0]) == 0;
            if (!found)
                return FAIL(p, val, "exclude names schedule '%s', which is not in 'schedules'",
                            a->vals[0]);
        } else if ((rc = check_exclude_value(p, a))) {
            return rc;
        }
    }
    return RX_OK;
}

/* ---- the document ---------------------------------------------------------- */

static const char *const top_keys[] = {
    "name", "description", "store", "data", "model", "train", "optimizer", "schedule",
    "budgets", "optimizers", "schedules", "sampling", "grid", "seeds", "zip", "exclude",
    "trainer", "sampler", "search", "tune"};
enum { T_NAME, T_DESC, T_STORE, T_DATA, T_MODEL, T_TRAIN, T_OPTIMIZER, T_SCHEDULE, T_BUDGETS,
       T_OPTIMIZERS, T_SCHEDULES, T_SAMPLING, T_GRID, T_SEEDS, T_ZIP, T_EXCLUDE, T_TRAINER,
       T_SAMPLER, T_SEARCH, T_TUNE, T_N };

/* tune: a key or a list of keys the report tunes like the lr.  Advice to
 * the report only: nothing here reaches a run's configuration. */
static int read_tune(parser *p, const yaml_node_t *v)
{
    rx_spec *s = p->s;
    int n = is_seq(v) ? seq_len(v) : 1;
    if (!is_seq(v) && (!is_scalar(v) || is_null(v)))
        return FAIL(p, v, "'tune' takes a key or a list of keys (e.g. [schedule.patience]), "
                    "got %s", kind_of(v));
    if (n > RX_SPEC_TUNE_MAX)
        return FAIL(p, v, "'tune' takes at most %d keys, got %d", RX_SPEC_TUNE_MAX, n);
    for (int i = 0; i < n; i++) {
        const yaml_node_t *it = is_seq(v) ? seq_item(p, v, i) : v;
        if (!is_scalar(it) || is_null(it))
            return FAIL(p, it, "'tune' takes keys such as schedule.patience, got %s",
                        kind_of(it));
        rx_err e;
        if (rx_key_tunable(text_of(it), &e))
            return FAIL(p, it, "'tune': %s", e.msg);
        for (int j = 0; j < s->n_tune; j++)
            if (strcmp(s->tune[j], text_of(it)) == 0)
                return FAIL(p, it, "'tune' names '%s' twice", text_of(it));
        if (!(s->tune[s->n_tune] = strdup(text_of(it))))
            return OOM(p);
        s->n_tune++;
    }
    return RX_OK;
}

/* The trainer section: its keys belong to rx_trainer.h, which gets each
 * value as text (a scalar, or the scalars of a list). */
static int read_trainer(parser *p, const yaml_node_t *k, const yaml_node_t *m)
{
    int rc = want_map(p, m, "'trainer'", "a mapping (command, code, env, timeout, ...)");
    if (rc)
        return rc;
    char *dir = strdup(p->s->path);
    if (!dir)
        return OOM(p);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    rx_trainer_spec *t = rx_trainer_spec_new(slash ? (dir[0] ? dir : "/") : ".");
    free(dir);
    if (!t)
        return OOM(p);
    rx_trainer_spec_free(p->s->trainer);
    p->s->trainer = t;
    p->g->trainer = t;
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *kk = map_key(p, m, i), *v = map_value(p, m, i);
        const char *vals[RX_TRAINER_MAX_LIST];
        int n = 0, is_list = is_seq(v);
        if (is_list) {
            if (seq_len(v) > RX_TRAINER_MAX_LIST)
                return FAIL(p, v, "'trainer.%s' takes at most %d items", text_of(kk),
                            RX_TRAINER_MAX_LIST);
            for (int j = 0; j < seq_len(v); j++) {
                yaml_node_t *it = seq_item(p, v, j);
                if (!is_scalar(it))
                    return FAIL(p, it, "'trainer.%s' takes a list of text values, got %s",
                                text_of(kk), kind_of(it));
                vals[n++] = text_of(it);
            }
        } else if (is_scalar(v) && !is_null(v)) {
            vals[n++] = text_of(v);
        } else {
            return FAIL(p, v, "'trainer.%s' takes a value or a list, got %s", text_of(kk),
                        kind_of(v));
        }
        rx_err e;
        if ((rc = rx_trainer_spec_set(t, text_of(kk), vals, n, is_list, &e)))
            return rx_grid_errf(p->g, loc_of(rc == RX_ENOTFOUND ? kk : v), p->err,
                                rc == RX_ENOMEM ? rc : RX_EINVAL, "%s", e.msg);
    }
    rx_err e;
    if ((rc = rx_trainer_spec_finish(t, &e)))
        return rx_grid_errf(p->g, loc_of(k), p->err, rc, "%s", e.msg);
    return RX_OK;
}

/* search: {strategy: grid | halving | hyperband, eta: N, over: [KEY...], metric: M}:
 * read after the axes, which halving needs (the budgets are its rungs). */
static int read_search(parser *p, const yaml_node_t *k, const yaml_node_t *m)
{
    int rc = want_map(p, m, "'search'", "a mapping (strategy, eta, over, metric)");
    if (rc)
        return rc;
    static const char *const names[] = {"strategy", "eta", "over", "metric"};
    rx_search_spec *ss = &p->s->search;
    ss->loc = loc_of(k);
    for (int i = 0; i < map_len(m); i++) {
        yaml_node_t *kk = map_key(p, m, i), *v = map_value(p, m, i);
        int t = 0;
        while (t < 4 && strcmp(text_of(kk), names[t]) != 0)
            t++;
        if (t == 4) {
            const char *h = closest(text_of(kk), names, 4);
            return FAIL(p, kk, "unknown key '%s' in 'search'%s%s%s", text_of(kk),
                        h ? " (did you mean '" : "", h ? h : "", h ? "'?)" : "");
        }
        const char *x = is_scalar(v) && !is_null(v) ? text_of(v) : NULL;
        if (t == 0) {
            if (x && strcmp(x, "grid") == 0)
                ss->strategy = RX_STRATEGY_GRID;
            else if (x && strcmp(x, "halving") == 0)
                ss->strategy = RX_STRATEGY_HALVING;
            else if (x && strcmp(x, "hyperband") == 0)
                ss->strategy = RX_STRATEGY_HYPERBAND;
            else
                return FAIL(p, v, "'search.strategy' must be one of grid, halving, hyperband");
        } else if (t == 1) {
            long long n;
            if (!x || rx_parse_int(x, &n) || n < 2 || n > 100)
                return FAIL(p, v, "'search.eta' must be an integer in [2, 100], got %s%s%s",
                            x ? "'" : "", x ? x : kind_of(v), x ? "'" : "");
            ss->eta = (int)n;
        } else if (t == 2) {
            int n = is_seq(v) ? seq_len(v) : 1;
            if ((!is_seq(v) && !x) || n < 1 || n > RX_SEARCH_MAX_OVER)
                return FAIL(p, v, "'search.over' must be a key or a list of 1 to %d keys",
                            RX_SEARCH_MAX_OVER);
            for (int j = 0; j < n; j++) {
                yaml_node_t *it = is_seq(v) ? seq_item(p, v, j) : v;
                if (!is_scalar(it) || is_null(it))
                    return FAIL(p, it, "'search.over' lists keys, got %s", kind_of(it));
                if (rx_key_shape_of(text_of(it)) == RX_KEY_UNKNOWN)
                    return unknown_key(p, it, "'search.over'", NULL);
                if (!(ss->over[j] = rx_grid_strdup(p->g, text_of(it))))
                    return OOM(p);
            }
            ss->n_over = n;
        } else {
            if (!x || strlen(x) >= sizeof ss->metric)
                return FAIL(p, v, "'search.metric' must be a metric name (as 'rexsweep report "
                                  "--metric' takes)");
            snprintf(ss->metric, sizeof ss->metric, "%s", x);
        }
    }
    if (ss->strategy == RX_STRATEGY_GRID)
        return RX_OK;
    if (!ss->eta)
        ss->eta = 3;
    const char *what = ss->strategy == RX_STRATEGY_HALVING ? "halving" : "hyperband";
    int b = find_axis(p, "budgets", NULL);
    if (b < 0 || p->g->axes[b].n < 2)
        return FAIL(p, k, "%s needs rungs: list two or more budgets (budgets: [5%%, 15%%, "
                          "50%%, 100%%])", what);
    if (p->g->axes[b].zip)
        return FAIL(p, k, "%s's budgets are its rungs: they cannot be zipped", what);
    return RX_OK;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= RX_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
            return 0;
    return 1;
}

static int read_root(parser *p, const yaml_node_t *root)
{
    rx_spec *s = p->s;
    int rc = want_map(p, root, "the spec", "a mapping of keys (name, data, model, train, ...)");
    if (rc)
        return rc;
    yaml_node_t *key[T_N] = {0}, *val[T_N] = {0};
    for (int i = 0; i < map_len(root); i++) {
        yaml_node_t *k = map_key(p, root, i);
        int t = 0;
        while (t < T_N && strcmp(top_keys[t], text_of(k)) != 0)
            t++;
        if (t == T_N) {
            const char *h = closest(text_of(k), top_keys, T_N);
            if (h)
                return FAIL(p, k, "unknown key '%s' (did you mean '%s'?)", text_of(k), h);
            return FAIL(p, k, "unknown key '%s'", text_of(k));
        }
        key[t] = k;
        val[t] = map_value(p, root, i);
    }
    if (val[T_NAME]) {
        if (!is_scalar(val[T_NAME]) || !valid_name(text_of(val[T_NAME])))
            return FAIL(p, val[T_NAME],
                        "'name' must be 1 to %d letters, digits, '.', '_' or '-', got %s%s%s",
                        RX_NAME_MAX - 1, is_scalar(val[T_NAME]) ? "'" : "",
                        is_scalar(val[T_NAME]) ? text_of(val[T_NAME]) : kind_of(val[T_NAME]),
                        is_scalar(val[T_NAME]) ? "'" : "");
        free(s->name);
        if (!(s->name = strdup(text_of(val[T_NAME]))))
            return OOM(p);
    }
    if (val[T_DESC] && !is_scalar(val[T_DESC]))
        return FAIL(p, val[T_DESC], "'description' must be text, got %s", kind_of(val[T_DESC]));
    if (val[T_STORE]) {
        if (!is_scalar(val[T_STORE]) || is_null(val[T_STORE]) || !*text_of(val[T_STORE]))
            return FAIL(p, val[T_STORE], "'store' must be a file name, got %s",
                        is_scalar(val[T_STORE]) && !is_null(val[T_STORE]) ? "an empty string"
                                                                         : kind_of(val[T_STORE]));
        if (!(s->store = strdup(text_of(val[T_STORE]))))
            return OOM(p);
    }
    static const struct {
        int t;
        const char *section;
    } sections[] = {{T_DATA, "data"}, {T_MODEL, "model"}, {T_TRAIN, "train"},
                    {T_OPTIMIZER, "optimizer"}};
    for (int i = 0; i < 4; i++)
        if (val[sections[i].t] && (rc = read_section(p, sections[i].section, val[sections[i].t])))
            return rc;
    if (val[T_SCHEDULE] &&
        (rc = read_schedule_section(p, val[T_SCHEDULE], val[T_SCHEDULES] != NULL)))
        return rc;
    p->qmc = (rx_qmc){RX_QMC_SOBOL, 0, 1, RX_QMC_DIGITS};
    if (val[T_SAMPLER] && (rc = read_sampler(p, val[T_SAMPLER])))
        return rc;
    /* the axes, slowest first: this is the documented order of runs */
    if (val[T_BUDGETS] && (rc = read_key_axis(p, "budgets", "train.budget", key[T_BUDGETS],
                                               val[T_BUDGETS], 1)))
        return rc;
    if (val[T_OPTIMIZERS] &&
        (rc = read_entries(p, "optimizers", "optimizer", key[T_OPTIMIZERS], val[T_OPTIMIZERS])))
        return rc;
    if (val[T_SCHEDULES] &&
        (rc = read_entries(p, "schedules", "schedule", key[T_SCHEDULES], val[T_SCHEDULES])))
        return rc;
    if (val[T_SAMPLING] && (rc = read_key_axis(p, "sampling", "schedule.sampling",
                                                key[T_SAMPLING], val[T_SAMPLING], 1)))
        return rc;
    if (val[T_GRID] && (rc = read_grid(p, val[T_GRID])))
        return rc;
    if (val[T_SEEDS] && (rc = read_seeds(p, key[T_SEEDS], val[T_SEEDS])))
        return rc;
    if (val[T_ZIP] && (rc = read_zip(p, val[T_ZIP])))
        return rc;
    if (val[T_EXCLUDE] && (rc = read_exclude(p, val[T_EXCLUDE])))
        return rc;
    if (val[T_TRAINER] && (rc = read_trainer(p, key[T_TRAINER], val[T_TRAINER])))
        return rc;
    if (val[T_SEARCH] && (rc = read_search(p, key[T_SEARCH], val[T_SEARCH])))
        return rc;
    if (val[T_TUNE] && (rc = read_tune(p, val[T_TUNE])))
        return rc;
    return RX_OK;
}

/* The root of a stored spec, for its tune: key alone. */
static int read_root_tune(parser *p, const yaml_node_t *root)
{
    int rc = want_map(p, root, "the spec", "a mapping of keys (name, data, model, train, ...)");
    for (int i = 0; rc == RX_OK && i < map_len(root); i++)
        if (strcmp(text_of(map_key(p, root, i)), "tune") == 0)
            rc = read_tune(p, map_value(p, root, i));
    return rc;
}

/* libyaml's complaint as "file:line:column: malformed YAML: ...". */
static int yaml_fail(parser *p, const yaml_parser_t *y, const char *text, size_t len)
{
    rx_loc l = {(int)y->problem_mark.line + 1, (int)y->problem_mark.column + 1};
    if (y->error == YAML_READER_ERROR) {
        /* reader errors carry a byte offset, not a mark */
        l = (rx_loc){1, 1};
        for (size_t i = 0; i < y->problem_offset && i < len; i++) {
            if (text[i] == '\n')
                l.line++, l.col = 1;
            else
                l.col++;
        }
    }
    /* libyaml sets no problem on some of its allocation failures */
    if (y->error == YAML_MEMORY_ERROR || !y->problem)
        return OOM(p);
    const char *what = y->problem ? y->problem : "cannot be parsed";
    if (y->context)
        return rx_grid_errf(p->g, l, p->err, RX_EINVAL, "malformed YAML: %s (%s at line %d)",
                            what, y->context, (int)y->context_mark.line + 1);
    return rx_grid_errf(p->g, l, p->err, RX_EINVAL, "malformed YAML: %s", what);
}

/* libyaml takes time quadratic in the nesting depth (100,000 '[' take
 * 49 s to load), so a first pass over the events refuses deep nesting
 * before the document is built.  Syntax errors are left to the load,
 * which reports them in full. */
static int check_depth(parser *p, const char *text, size_t len)
{
    yaml_parser_t y;
    if (!yaml_parser_initialize(&y))
        return OOM(p);
    yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
    int depth = 0, rc = RX_OK, end = 0;
    while (rc == RX_OK && !end) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&y, &ev)) {
            if (y.error == YAML_MEMORY_ERROR || !y.problem)
                rc = OOM(p);
            break;
        }
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > RX_SPEC_MAX_DEPTH)
                rc = rx_grid_errf(p->g,
                                  (rx_loc){(int)ev.start_mark.line + 1,
                                           (int)ev.start_mark.column + 1},
                                  p->err, RX_EINVAL,
                                  "lists and mappings nested more than %d deep",
                                  RX_SPEC_MAX_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            end = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&y);
    return rc;
}

/* The name of a spec without a name: its file name without directory and
 * extension. */
static char *default_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strcspn(b, ".");
    if (n == 0)
        return strdup("sweep");
    char *s = strndup(b, n);
    for (char *c = s; c && *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_-", *c))
            *c = '-';
    return s;
}

static rx_spec *spec_alloc(const char *path, const char *text, size_t len, rx_err *err)
{
    rx_spec *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = strdup(path);
    s->name = default_name(path);
    s->text = malloc(len + 1);
    if (!s->path || !s->name || !s->text || rx_grid_init(&s->grid, path, err)) {
        rx_spec_free(s);
        return NULL;
    }
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->text_len = len;
    snprintf(s->hash, sizeof s->hash, "%016llx",
             (unsigned long long)rx_hash64(text, len, RX_HASH_INIT));
    return s;
}

/* Parses text with read (read_root, or read_root_tune) on its root. */
static int parse_text(const char *text, size_t len, const char *path,
                      int (*read)(parser *p, const yaml_node_t *root), rx_spec **out,
                      rx_err *err)
{
    *out = NULL;
    rx_spec *s = spec_alloc(path, text, len, err);
    if (!s)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    parser p = {.s = s, .g = &s->grid, .err = err};
    yaml_parser_t y;
    yaml_document_t doc, extra;
    int rc = check_depth(&p, text, len);
    if (rc) {
        rx_spec_free(s);
        return rc;
    }
    if (!yaml_parser_initialize(&y)) {
        rx_spec_free(s);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
    if (!yaml_parser_load(&y, &doc)) {
        rc = yaml_fail(&p, &y, text, len);
        yaml_parser_delete(&y);
        rx_spec_free(s);
        return rc;
    }
    p.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        rc = rx_grid_errf(p.g, (rx_loc){1, 1}, err, RX_EINVAL, "the spec is empty");
    } else if (!yaml_parser_load(&y, &extra)) {
        rc = yaml_fail(&p, &y, text, len);
    } else {
        rc = RX_OK;
        if (yaml_document_get_root_node(&extra))
            rc = rx_grid_errf(p.g, (rx_loc){(int)extra.start_mark.line + 1,
                                            (int)extra.start_mark.column + 1},
                              err, RX_EINVAL, "a spec is one YAML document, and this is a second one");
        yaml_document_delete(&extra);
        if (rc == RX_OK)
            rc = read(&p, root);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&y);
    free(p.own);
    free(p.memo);
    if (rc) {
        rx_spec_free(s);
        return rc;
    }
    *out = s;
    return RX_OK;
}

int rx_spec_parse(const char *text, size_t len, const char *path, rx_spec **out, rx_err *err)
{
    return parse_text(text, len, path, read_root, out, err);
}

int rx_spec_parse_tune(const char *text, size_t len, const char *path, rx_spec **out,
                       rx_err *err)
{
    return parse_text(text, len, path, read_root_tune, out, err);
}

int rx_spec_load(const char *path, rx_spec **out, rx_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return rx_errf(err, RX_EIO, "cannot read '%s': %s", path, strerror(errno));
    char *buf = malloc(RX_SPEC_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, RX_SPEC_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = rx_errf(err, RX_EIO, "cannot read '%s'", path);
    else if (n > RX_SPEC_MAX_BYTES)
        rc = rx_errf(err, RX_EINVAL, "'%s' is larger than %d bytes", path, RX_SPEC_MAX_BYTES);
    else
        rc = rx_spec_parse(buf, n, path, out, err);
    free(buf);
    return rc;
}

int rx_spec_new(const char *name, rx_spec **out, rx_err *err)
{
    *out = spec_alloc("", "", 0, err);
    if (!*out)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    free((*out)->name);
    if (!((*out)->name = strdup(name ? name : "train"))) {
        rx_spec_free(*out);
        *out = NULL;
        return rx_errf(err, RX_ENOMEM, "out of memory");
    }
    return RX_OK;
}

/* The key an axis sets: its name, or the key of a named axis (budgets:
 * train.budget). */
static const char *axis_key(const rx_axis *a)
{
    for (int i = 0; i < N_ALIASES; i++)
        if (strcmp(aliases[i].axis, a->name) == 0)
            return aliases[i].key;
    return a->name;
}

/* The axis among axes[0..n), or their choices' own axes, that sweeps key
 * (over two values or more: one value is a setting like any other). */
static const rx_axis *axis_setting(const rx_axis *axes, int n, const char *key)
{
    for (int i = 0; i < n; i++) {
        if ((axes[i].n > 1 || axes[i].extend) && strcmp(axis_key(&axes[i]), key) == 0)
            return &axes[i];
        for (int c = 0; c < axes[i].n; c++) {
            const rx_axis *sub = axis_setting(axes[i].choices[c].sub, axes[i].choices[c].n_sub, key);
            if (sub)
                return sub;
        }
    }
    return NULL;
}

int rx_spec_override(rx_spec *s, const char *setting, rx_err *err)
{
    rx_grid *g = &s->grid;
    const char *eq = strchr(setting, '=');
    if (!eq || eq == setting)
        return rx_errf(err, RX_EINVAL, "expected KEY=VALUE, got '%s'", setting);
    char key[128];
    if ((size_t)(eq - setting) >= sizeof key)
        return rx_errf(err, RX_EINVAL, "key too long in '%s'", setting);
    memcpy(key, setting, (size_t)(eq - setting));
    key[eq - setting] = '\0';
    /* as in a spec, a key that an axis sweeps cannot also be set: the
     * override would silently replace the axis */
    const rx_axis *ax = axis_setting(g->axes, g->n_axes, key);
    if (ax)
        return rx_errf(err, RX_EINVAL, "--set %s: '%s' is swept by '%s' at %s:%d:%d; "
                       "change the axis in the spec instead", setting, key, ax->name, g->file,
                       ax->loc.line, ax->loc.col);
    /* let the key table split and check the value: a scratch config
     * reports unknown keys and bad values in its own words */
    rx_config c = g->base;
    int rc = rx_config_set_str(&c, key, eq + 1, err);
    int sched_param = strncmp(key, "schedule.", 9) == 0 && strcmp(key, "schedule.name") != 0 &&
                      rx_key_shape_of(key) != RX_KEY_UNKNOWN;
    if (rc && !sched_param)
        return rc;
    /* keep it as an assignment for every run, split as the table did */
    const char *v = eq + 1, *items[RX_MAX_ITEMS_SPLIT];
    char buf[4096];
    int k = rx_split_list(v, buf, sizeof buf, items, RX_MAX_ITEMS_SPLIT), is_list = k >= 0;
    if (k == -2)
        return rx_errf(err, RX_EINVAL, "'%s': too many values or value too long", key);
    if (k < 0) {
        items[0] = v;
        k = 1;
    }
    parser p = {.s = s, .g = g, .err = err};
    rx_assign *o = rx_grid_grow(g, g->over, (size_t)g->n_over * sizeof *o,
                                (size_t)(g->n_over + 1) * sizeof *o);
    if (!o)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    g->over = o;
    if ((rc = set_assign(&p, &o[g->n_over], key, items, k, is_list,
                         (rx_loc){RX_LOC_OVERRIDE, g->n_over})))
        return rc;
    g->n_over++;
    if (rx_grid_apply(g, &c, &o[g->n_over - 1], NULL) == RX_OK)
        g->base = c;
    return RX_OK;
}

int rx_spec_expand(const rx_spec *s, rx_job **jobs, int *n, rx_err *err)
{
    int rc = rx_grid_expand(&s->grid, jobs, n, err);
    if (rc || !s->trainer || s->trainer->kind == RX_TRAINER_BUILTIN)
        return rc;
    /* the program is part of every run's identity */
    for (int i = 0; i < *n; i++) {
        rx_trainer_rekey(s->trainer, &(*jobs)[i]);
        if ((rc = rx_trainer_check_config(s->trainer, &(*jobs)[i].cfg, err))) {
            rx_jobs_free(*jobs, *n);
            *jobs = NULL;
            *n = 0;
            return rx_errctx(err, rc, "%s", s->path);
        }
    }
    return RX_OK;
}

int rx_spec_plan(const rx_spec *s, rx_run_ref **runs, int *n, rx_err *err)
{
    return rx_spec_plan_tune(s, runs, NULL, n, err);
}

int rx_spec_plan_tune(const rx_spec *s, rx_run_ref **runs, rx_tune_ref **tune, int *n,
                      rx_err *err)
{
    int rc = rx_grid_plan_tune(&s->grid, runs, tune, n, err);
    if (rc || !s->trainer || s->trainer->kind == RX_TRAINER_BUILTIN)
        return rc;
    /* the program is part of every run's identity: rekey as rx_spec_expand */
    for (int i = 0; i < *n && rc == RX_OK; i++) {
        rx_job job;
        if ((rc = rx_grid_job(&s->grid, &(*runs)[i], &job, err)))
            break;
        rx_trainer_rekey(s->trainer, &job);
        rc = rx_trainer_check_config(s->trainer, &job.cfg, err);
        memcpy((*runs)[i].key, job.key, sizeof job.key);
        memcpy((*runs)[i].cell, job.cell, sizeof job.cell);
        free(job.config_json);
    }
    if (rc) {
        free(*runs);
        *runs = NULL;
        if (tune) {
            free(*tune);
            *tune = NULL;
        }
        *n = 0;
        return rx_errctx(err, rc, "%s", s->path);
    }
    return RX_OK;
}

int rx_spec_single(const rx_spec *s, rx_job **job, rx_err *err)
{
    int n, rc = rx_spec_expand(s, job, &n, err);
    if (rc)
        return rc;
    if (n != 1) {
        rx_jobs_free(*job, n);
        *job = NULL;
        return rx_errf(err, RX_EINVAL, "'%s' describes %d runs, not one", s->path[0] ? s->path : s->name, n);
    }
    return RX_OK;
}

void rx_spec_free(rx_spec *s)
{
    if (!s)
        return;
    rx_grid_free(&s->grid);
    rx_trainer_spec_free(s->trainer);
    free(s->path);
    free(s->name);
    free(s->store);
    free(s->text);
    for (int i = 0; i < s->n_tune; i++)
        free(s->tune[i]);
    free(s);
}
