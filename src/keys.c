/* keys.c: the key table of rx_config and everything driven by it. */
#include "rx_keys.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rx_data.h"
#include "rx_model.h"
#include "rx_optim.h"
#include "rx_sched.h"

#define OFF(f) offsetof(rx_config, f)
#define SZ(f) ((int)sizeof(((rx_config *)0)->f))
#define BIG 1e300
#define SEED_MAX 9007199254740992.0 /* 2^53: exact in every JSON reader */

/* A row's optional last argument, its validate hook; NULL without one. */
#define HOOK(...) HOOK_PICK(__VA_ARGS__ __VA_OPT__(,) NULL, ~)
#define HOOK_PICK(h, ...) h

/* One line per key: key, type, field, count field, capacity, lo, hi,
 * flags, default, enum names, doc, and an optional validate hook (the
 * key's own rules; rx_config_check runs them in table order).  What an optimizer key means to each
 * optimizer is documented in the optimizer table (rx_optim_key_doc). */
#define INT(k, f, lo, hi, def, doc, ...) {k, RX_P_INT, OFF(f), 0, 0, lo, hi, 0, def, NULL, doc, HOOK(__VA_ARGS__)}
#define U64(k, f, lo, hi, def, doc, ...) {k, RX_P_U64, OFF(f), 0, 0, lo, hi, 0, def, NULL, doc, HOOK(__VA_ARGS__)}
#define DBL(k, f, lo, hi, fl, def, doc, ...) {k, RX_P_DOUBLE, OFF(f), 0, 0, lo, hi, fl, def, NULL, doc, HOOK(__VA_ARGS__)}
#define FRAC(k, f, lo, hi, fl, def, doc, ...) {k, RX_P_FRACTION, OFF(f), 0, 0, lo, hi, fl, def, NULL, doc, HOOK(__VA_ARGS__)}
#define BOOL(k, f, fl, def, doc, ...) {k, RX_P_BOOL, OFF(f), 0, 0, 0, 1, fl, def, NULL, doc, HOOK(__VA_ARGS__)}
#define STR(k, f, names, def, doc, ...) {k, RX_P_STR, OFF(f), 0, SZ(f), 0, 0, 0, def, names, doc, HOOK(__VA_ARGS__)}
#define ENUM(k, f, names, def, doc, ...) {k, RX_P_ENUM, OFF(f), 0, 0, 0, 0, 0, def, names, doc, HOOK(__VA_ARGS__)}
#define ILIST(k, f, cnt, lo, hi, fl, def, doc, ...) \
    {k, RX_P_INTLIST, OFF(f), OFF(cnt), SZ(f) / (int)sizeof(int), lo, hi, fl, def, NULL, doc, HOOK(__VA_ARGS__)}

/* A string row with names accepts only those names (checked here, not in
 * param.c, because the field is text that the data module reads). */
static const char *const norms[] = {"none", "global", "feature", NULL};
static const char *const acts[] = {"relu", "tanh", "gelu", "sigmoid", NULL};
static const char *const inits[] = {"auto", "he", "xavier", NULL};
static const char *const losses[] = {"auto", "cross-entropy", "mse", "vae", NULL};

/* ---- validate hooks: each key's own rules ---------------------------- */

#define CFG ((const rx_config *)base)
#define BAD(...) rx_errf(err, RX_EINVAL, __VA_ARGS__)

static unsigned dataset_flags(const rx_config *c)
{
    const rx_dataset_kind *k = rx_dataset_kind_of(c->data.dataset);
    return k ? k->flags : 0;
}

static int check_path(const void *base, const char **key, rx_err *err)
{
    if ((dataset_flags(CFG) & RX_DS_NEEDS_PATH) && !CFG->data.path[0])
        return BAD("dataset '%s' needs 'data.path'", CFG->data.dataset);
    return RX_OK;
}

static int check_validation(const void *base, const char **key, rx_err *err)
{
    const rx_data_config *d = &CFG->data;
    if ((dataset_flags(CFG) & RX_DS_SYNTHETIC) && d->validation >= d->n_samples)
        return BAD("'data.validation' (%d) must be smaller than 'data.n_samples' (%d)",
                   d->validation, d->n_samples);
    return RX_OK;
}

/* the vae's binary cross-entropy takes its inputs as targets in [0, 1],
 * which only the raw pixels (scaled by 1/255) are */
static int check_normalize(const void *base, const char **key, rx_err *err)
{
    if (CFG->model.type == RX_MODEL_VAE && CFG->data.normalize != RX_NORM_NONE)
        return BAD("a vae needs inputs in [0, 1] for its binary cross-entropy, so "
                   "'data.normalize' must be none, not %s", norms[CFG->data.normalize]);
    return RX_OK;
}

static int check_type(const void *base, const char **key, rx_err *err)
{
    if (CFG->model.type == RX_MODEL_CNN && CFG->model.n_conv == 0)
        return BAD("'model.conv' must list at least one layer for a cnn");
    return RX_OK;
}

static int check_hidden(const void *base, const char **key, rx_err *err)
{
    const rx_model_config *m = &CFG->model;
    if ((m->type == RX_MODEL_MLP || m->type == RX_MODEL_VAE) && m->n_hidden == 0)
        return BAD("'model.hidden' must list at least one width for a%s %s",
                   m->type == RX_MODEL_MLP ? "n" : "", rx_model_names[m->type]);
    return RX_OK;
}

static int check_loss(const void *base, const char **key, rx_err *err)
{
    const rx_model_config *m = &CFG->model;
    if (m->loss == RX_LOSS_VAE && m->type != RX_MODEL_VAE)
        return BAD("'model.loss' vae needs 'model.type' vae");
    if (m->type == RX_MODEL_VAE && m->loss != RX_LOSS_AUTO && m->loss != RX_LOSS_VAE)
        return BAD("a vae trains with 'model.loss' vae (or auto), not %s", losses[m->loss]);
    if ((dataset_flags(CFG) & RX_DS_REGRESSION) && m->loss == RX_LOSS_XENT)
        return BAD("'model.loss' cross-entropy needs class labels, and dataset '%s' is a "
                   "regression", CFG->data.dataset);
    return RX_OK;
}

/* the optimizer's table checks the keys it reads (and names the key) */
static int check_optimizer(const void *base, const char **key, rx_err *err)
{
    return rx_optim_check(&CFG->optim, key, err);
}

#undef BAD
#undef CFG

static const rx_param keys[] = {
    STR("data.dataset", data.dataset, rx_dataset_names, "spirals", "the dataset (spirals, blobs and teacher are synthetic and need no files)"),
    STR("data.path", data.path, NULL, "", "directory of the IDX files, or the CSV or LIBSVM file; empty: the dataset's default", check_path),
    STR("data.test_path", data.test_path, NULL, "", "CSV or LIBSVM test file; empty: no test set"),
    INT("data.label_column", data.label_column, -1, 1e6, "-1", "CSV: 0-based column of the label; -1: the last"),
    BOOL("data.header", data.header, 0, "false", "CSV: the first row is a header"),
    INT("data.n_features", data.n_features, 0, 1e7, "0", "LIBSVM: number of features; 0: infer from the file"),
    INT("data.validation", data.validation, 0, 1e8, "0", "samples carved from the training set for validation", check_validation),
    INT("data.train_subset", data.train_subset, 0, 1e8, "0", "train on the first N samples after a seeded shuffle; 0: all"),
    INT("data.test_subset", data.test_subset, 0, 1e8, "0", "evaluate on the first N test samples; 0: all"),
    ENUM("data.normalize", data.normalize, norms, "global", "input normalisation: none, global (one mean and scale) or feature (per feature), from the training split", check_normalize),
    INT("data.n_samples", data.n_samples, 1, 1e8, "2000", "synthetic sets: training samples (the test set has a quarter as many)"),
    INT("data.n_classes", data.n_classes, 2, 1000, "3", "blobs: number of classes"),
    INT("data.n_dims", data.n_dims, 1, 1e5, "2", "blobs and teacher: input dimensions"),
    INT("data.n_outputs", data.n_outputs, 1, 1e4, "1", "teacher: output dimensions"),
    INT("data.teacher_hidden", data.teacher_hidden, 1, 1e5, "32", "teacher: hidden width of the teacher network"),
    DBL("data.noise", data.noise, 0, 1e6, 0, "0.1", "synthetic sets: noise level"),
    U64("data.seed", data.data_seed, 0, SEED_MAX, "0", "seed of the synthetic data and of the validation split (the same for every run)"),

    ENUM("model.type", model.type, rx_model_names, "mlp", "the model", check_type),
    ILIST("model.hidden", model.hidden, model.n_hidden, 1, 65536, 0, "[64, 64]", "hidden layer widths (mlp; dense head of a cnn; vae encoder)", check_hidden),
    ENUM("model.activation", model.activation, acts, "relu", "hidden activation"),
    DBL("model.dropout", model.dropout, 0, 1, RX_PF_HI_OPEN, "0", "dropout rate after each hidden activation"),
    ENUM("model.init", model.init, inits, "auto", "weight initialisation; auto: He for relu and gelu, Xavier otherwise"),
    ENUM("model.loss", model.loss, losses, "auto", "loss; auto: cross-entropy for classes, mse for regression, vae for a vae", check_loss),
    INT("model.latent", model.latent, 1, 4096, "2", "vae: latent size"),

    ENUM("optimizer.name", optim.kind, rx_optim_names, "sgd", "the optimizer", check_optimizer),
    DBL("optimizer.lr", optim.lr, 0, 1e6, RX_PF_LO_OPEN, "0.1", "initial (peak) learning rate, lr0; schedules scale it"),
    DBL("optimizer.momentum", optim.momentum, 0, 1, RX_PF_HI_OPEN, "0", "momentum"),
    BOOL("optimizer.nesterov", optim.nesterov, 0, "false", "use Nesterov momentum"),
    DBL("optimizer.dampening", optim.dampening, 0, 1, 0, "0", "momentum dampening"),
    DBL("optimizer.beta1", optim.beta1, 0, 1, RX_PF_HI_OPEN, "0.9", "first decay rate"),
    DBL("optimizer.beta2", optim.beta2, 0, 1, RX_PF_HI_OPEN, "0.999", "second decay rate"),
    DBL("optimizer.eps", optim.eps, 0, 1, RX_PF_LO_OPEN, "1e-8", "denominator epsilon"),
    DBL("optimizer.weight_decay", optim.weight_decay, 0, 10, 0, "0", "weight decay"),
    DBL("optimizer.clip_norm", optim.clip_norm, 0, 1e12, 0, "0", "clip gradients to this global L2 norm; 0: off"),

    INT("train.batch_size", train.batch_size, 1, 65536, "128", "examples per step"),
    DBL("train.full_epochs", train.full_epochs, 0, 1e6, RX_PF_LO_OPEN, "10", "epochs of the 100% budget"),
    FRAC("train.budget", train.budget, 0, 1, RX_PF_LO_OPEN, "1", "fraction of full_epochs this run trains for (25% or 0.25), rounded up to whole steps; to train longer, raise full_epochs"),
    U64("train.seed", train.seed, 0, SEED_MAX, "0", "seed of the initialisation, the shuffles and dropout"),
    INT("train.log_every", train.log_every, 0, 1e9, "0", "also record train loss, lr and momentum every N steps; 0: off"),
    BOOL("train.eval_test", train.eval_test, 0, "true", "evaluate the test set after every epoch"),
    {"train.blas_threads", RX_P_INT, OFF(train.blas_threads), 0, 0, 0, 256, RX_KF_RUNTIME, "0",
     NULL, "threads of OpenBLAS; 0: 1 (bit-identical results); not part of the run key", NULL},
    {"train.max_seconds", RX_P_DOUBLE, OFF(train.max_seconds), 0, 0, 0, 1e9, RX_KF_RUNTIME, "0",
     NULL, "stop a run after this many seconds (status timeout); 0: no limit; not part of the run key", NULL},
    {"train.checkpoint_every", RX_P_DOUBLE, OFF(train.checkpoint_every), 0, 0, 0, 1e9, RX_KF_RUNTIME, "300",
     NULL, "save a checkpoint at the end of an epoch once this many seconds have passed since the last (and when the run is stopped); 0: never; not part of the run key", NULL},
};
#define N_KEYS (int)(sizeof keys / sizeof keys[0])

#define COFF(f) offsetof(rx_conv_config, f)
/* Sorted by key: the canonical form writes a layer's keys in this order. */
static const rx_param conv_keys[] = {
    {"model.conv.channels", RX_P_INT, COFF(channels), 0, 0, 1, 4096, 0, NULL, NULL, "output channels (required)", NULL},
    {"model.conv.kernel", RX_P_INT, COFF(kernel), 0, 0, 1, 64, 0, "3", NULL, "kernel size (square)", NULL},
    {"model.conv.padding", RX_P_INT, COFF(padding), 0, 0, 0, 64, 0, "0", NULL, "zero padding on each side", NULL},
    {"model.conv.pool", RX_P_INT, COFF(pool), 0, 0, 0, 64, 0, "0", NULL, "max-pool window and stride after the layer; 0 or 1: none", NULL},
    {"model.conv.stride", RX_P_INT, COFF(stride), 0, 0, 1, 64, 0, "1", NULL, "stride", NULL},
};
#define N_CONV (int)(sizeof conv_keys / sizeof conv_keys[0])

/* Schedule keys that are not rows of a table: the profile and the
 * sampling rate (rx_sched_init and rx_sched_set parse them). */
static const char *const sched_keys[] = {"schedule.name", "schedule.sampling"};
#define N_SCHED_KEYS (int)(sizeof sched_keys / sizeof sched_keys[0])

#define DEFAULT_SCHEDULE "constant"

const rx_param *rx_keys(int *n)
{
    *n = N_KEYS;
    return keys;
}

const rx_param *rx_conv_keys(int *n)
{
    *n = N_CONV;
    return conv_keys;
}

/* The last dotted component of a key. */
static const char *leaf(const char *key)
{
    const char *d = strrchr(key, '.');
    return d ? d + 1 : key;
}

static const rx_param *conv_find(const char *name)
{
    for (int i = 0; i < N_CONV; i++)
        if (strcmp(leaf(conv_keys[i].key), name) == 0)
            return &conv_keys[i];
    return NULL;
}

/* The row of schedule parameter `name` in profile pr, or NULL.  Rows may
 * be keyed bare ("gamma") or dotted ("schedule.gamma"). */
static const rx_param *profile_param(const rx_profile *pr, const char *name)
{
    for (int i = 0; i < pr->n_params; i++)
        if (strcmp(leaf(pr->params[i].key), name) == 0)
            return &pr->params[i];
    return NULL;
}

/* The row of schedule key `name` (bare) shared by every profile (the
 * warm-up keys), else of the first profile that has it, or NULL. */
static const rx_param *any_profile_param(const char *name)
{
    int nc, np;
    const rx_param *common = rx_sched_common_params(&nc);
    for (int i = 0; i < nc; i++)
        if (strcmp(leaf(common[i].key), name) == 0)
            return &common[i];
    const rx_profile *pr = rx_profiles(&np);
    for (int i = 0; i < np; i++) {
        const rx_param *p = profile_param(&pr[i], name);
        if (p)
            return p;
    }
    return NULL;
}

static int is_list_type(rx_ptype t)
{
    return t == RX_P_INTLIST || t == RX_P_DBLLIST;
}

/* Parses "model.conv.I.KEY": returns 1 and fills *idx and *name. */
static int conv_field_key(const char *key, int *idx, const char **name)
{
    static const char pre[] = "model.conv.";
    if (strncmp(key, pre, sizeof pre - 1) != 0)
        return 0;
    const char *s = key + sizeof pre - 1;
    if (!isdigit((unsigned char)*s))
        return 0;
    long i = 0;
    while (isdigit((unsigned char)*s) && i < 1000)
        i = i * 10 + (*s++ - '0');
    if (*s != '.')
        return 0;
    *idx = (int)i;
    *name = s + 1;
    return 1;
}

rx_key_shape rx_key_shape_of(const char *key)
{
    const rx_param *p = rx_param_find(keys, N_KEYS, key);
    if (p)
        return is_list_type(p->type) ? RX_KEY_LIST : RX_KEY_SCALAR;
    if (strcmp(key, "model.conv") == 0)
        return RX_KEY_LIST;
    int idx;
    const char *name;
    if (conv_field_key(key, &idx, &name))
        return conv_find(name) ? RX_KEY_SCALAR : RX_KEY_UNKNOWN;
    if (strncmp(key, "schedule.", 9) != 0)
        return RX_KEY_UNKNOWN;
    if (strcmp(key, "schedule.sampling") == 0)
        return RX_KEY_LIST;
    for (int i = 0; i < N_SCHED_KEYS; i++)
        if (strcmp(key, sched_keys[i]) == 0)
            return RX_KEY_SCALAR;
    p = strchr(key + 9, '.') ? NULL : any_profile_param(key + 9);
    if (!p)
        return RX_KEY_UNKNOWN;
    return is_list_type(p->type) ? RX_KEY_LIST : RX_KEY_SCALAR;
}

/* Calls fn on every known key: the table, model.conv, the schedule keys
 * and "schedule.P" for every profile parameter P (repeats possible). */
static void each_key(void (*fn)(const char *key, void *ud), void *ud)
{
    for (int i = 0; i < N_KEYS; i++)
        fn(keys[i].key, ud);
    fn("model.conv", ud);
    for (int i = 0; i < N_SCHED_KEYS; i++)
        fn(sched_keys[i], ud);
    int np, nc;
    char k[128];
    const rx_param *common = rx_sched_common_params(&nc);
    for (int i = 0; i < nc; i++) {
        snprintf(k, sizeof k, "schedule.%s", leaf(common[i].key));
        fn(k, ud);
    }
    const rx_profile *pr = rx_profiles(&np);
    for (int i = 0; i < np; i++)
        for (int j = 0; j < pr[i].n_params; j++) {
            snprintf(k, sizeof k, "schedule.%s", leaf(pr[i].params[j].key));
            fn(k, ud);
        }
}

typedef struct suggest_state {
    const char *key, *section;
    size_t section_len;
    int best_d;
    char best[128];
} suggest_state;

static void suggest_one(const char *cand, void *ud)
{
    suggest_state *s = ud;
    if (s->section && (strncmp(cand, s->section, s->section_len) != 0 ||
                       cand[s->section_len] != '.'))
        return;
    /* compare with the whole key and with its last component, so that
     * "batchsize" finds "train.batch_size" */
    int d = rx_edit_distance(s->key, cand);
    int d2 = rx_edit_distance(s->key, leaf(cand));
    if (d2 < d)
        d = d2;
    if (d < s->best_d) {
        s->best_d = d;
        snprintf(s->best, sizeof s->best, "%s", cand);
    }
}

int rx_key_suggest(const char *key, const char *section, char *out, size_t size)
{
    suggest_state s = {key, section, section ? strlen(section) : 0, 0, ""};
    s.best_d = (int)strlen(leaf(key)) / 3 + 2;
    if (s.best_d > 4)
        s.best_d = 4;
    each_key(suggest_one, &s);
    if (!s.best[0])
        return 0;
    snprintf(out, size, "%s", s.best);
    return 1;
}

static int unknown_key(const char *key, rx_err *err)
{
    char hint[128];
    if (rx_key_suggest(key, NULL, hint, sizeof hint))
        return rx_errf(err, RX_EINVAL, "unknown key '%s' (did you mean '%s'?)", key, hint);
    return rx_errf(err, RX_EINVAL, "unknown key '%s'", key);
}

int rx_key_tunable(const char *key, rx_err *err)
{
    static const struct {
        const char *key, *why;
    } never[] = {
        {"optimizer.lr", "the lr is always tuned"},
        {"train.seed", "seeds are what a cell averages over"},
        {"train.budget", "budgets are what a report compares across"},
        {"schedule.name", "schedules are what a report compares"},
        {"optimizer.name", "optimizers are what a report compares"},
        {"model.type", "a model type is a setting, compared apart"},
        {"data.dataset", "a dataset is a setting, compared apart"},
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strcmp(key, never[i].key) == 0)
            return rx_errf(err, RX_EINVAL, "'%s' cannot be tuned like the lr: %s", key,
                           never[i].why);
    if (rx_key_shape_of(key) == RX_KEY_UNKNOWN)
        return unknown_key(key, err);
    const rx_param *p = rx_param_find(keys, N_KEYS, key);
    if (p && (p->flags & RX_KF_RUNTIME))
        return rx_errf(err, RX_EINVAL, "'%s' cannot be tuned like the lr: it does not change "
                       "what a run computes", key);
    return RX_OK;
}

/* Sets a table row; string rows with names accept only those names and
 * report them as an enum would. */
static int set_row(const rx_param *p, rx_config *c, const char *const *vals, int n,
                   int is_list, rx_err *err)
{
    if (p->type == RX_P_STR && p->names && !is_list && n == 1) {
        rx_param q = *p;
        int idx;
        q.type = RX_P_ENUM;
        q.off = 0;
        int rc = rx_param_set(&q, &idx, vals, n, is_list, err);
        if (rc)
            return rc;
    }
    return rx_param_set(p, c, vals, n, is_list, err);
}

/* Parses one layer "channels=16 kernel=3 pool=2" (n is the 1-based layer
 * number for messages). */
static int conv_parse(rx_conv_config *l, const char *text, int n, rx_err *err)
{
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return rx_errf(err, RX_EINVAL, "'model.conv' layer %d is too long", n);
    memset(l, 0, sizeof *l);
    rx_param_defaults(conv_keys, N_CONV, l, NULL);
    strcpy(buf, text);
    char *save = NULL;
    for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t || !eq[1])
            return rx_errf(err, RX_EINVAL,
                           "'model.conv' layer %d: expected KEY=VALUE, got '%s'", n, t);
        *eq = '\0';
        const rx_param *p = conv_find(t);
        if (!p) {
            const rx_param *best = NULL;
            int bd = 3;
            for (int i = 0; i < N_CONV; i++) {
                int d = rx_edit_distance(t, leaf(conv_keys[i].key));
                if (d < bd)
                    bd = d, best = &conv_keys[i];
            }
            if (best)
                return rx_errf(err, RX_EINVAL,
                               "'model.conv' layer %d: unknown key '%s' (did you mean '%s'?)",
                               n, t, leaf(best->key));
            return rx_errf(err, RX_EINVAL, "'model.conv' layer %d: unknown key '%s'", n, t);
        }
        const char *v = eq + 1;
        int rc = rx_param_set(p, l, &v, 1, 0, err);
        if (rc)
            return rc;
    }
    if (l->channels == 0)
        return rx_errf(err, RX_EINVAL, "'model.conv' layer %d needs 'channels'", n);
    return RX_OK;
}

int rx_config_set(rx_config *c, const char *key, const char *const *vals, int n,
                  int is_list, rx_err *err)
{
    const rx_param *p = rx_param_find(keys, N_KEYS, key);
    if (p)
        return set_row(p, c, vals, n, is_list, err);
    if (strcmp(key, "model.conv") == 0) {
        if (n > RX_MAX_CONV)
            return rx_errf(err, RX_EINVAL, "'model.conv' takes at most %d layers, got %d",
                           RX_MAX_CONV, n);
        rx_conv_config layers[RX_MAX_CONV];
        for (int i = 0; i < n; i++) {
            int rc = conv_parse(&layers[i], vals[i], i + 1, err);
            if (rc)
                return rc;
        }
        memcpy(c->model.conv, layers, (size_t)n * sizeof layers[0]);
        c->model.n_conv = n;
        return RX_OK;
    }
    int idx;
    const char *name;
    if (conv_field_key(key, &idx, &name)) {
        p = conv_find(name);
        if (!p)
            return unknown_key(key, err);
        if (idx >= c->model.n_conv)
            return rx_errf(err, RX_EINVAL, "'%s': there is no conv layer %d (the model has %d)",
                           key, idx, c->model.n_conv);
        return rx_param_set(p, &c->model.conv[idx], vals, n, is_list, err);
    }
    if (strncmp(key, "schedule.", 9) == 0 && key[9]) {
        if (strcmp(key, "schedule.name") == 0) {
            if (is_list || n != 1)
                return rx_errf(err, RX_EINVAL, "'schedule.name' takes a single value, not a list");
            return rx_sched_init(&c->sched, vals[0], err);
        }
        if (rx_key_shape_of(key) == RX_KEY_UNKNOWN)
            return unknown_key(key, err);
        return rx_sched_set(&c->sched, key + 9, vals, n, is_list, err);
    }
    return unknown_key(key, err);
}

int rx_config_set_is_noop(const rx_config *c, const char *key, const char *const *vals,
                          int n, int is_list)
{
    rx_config after = *c;
    if (rx_config_set(&after, key, vals, n, is_list, NULL))
        return 0;
    if (memcmp(&after, c, sizeof after) == 0)
        return 1;
    const rx_param *p = rx_param_find(keys, N_KEYS, key);
    if (p) {
        /* rx_param_set wrote p's field (and a list's count) alone */
        char was[8192], now[8192];
        rx_param_format(p, c, was, sizeof was);
        rx_param_format(p, &after, now, sizeof now);
        return strcmp(was, now) == 0;
    }
    /* on the stack (128 KiB): out of memory must not decide a comparison */
    char was[RX_CANON_MAX], now[RX_CANON_MAX];
    rx_config_canonical(c, RX_CANON_RUNTIME, was, sizeof was);
    rx_config_canonical(&after, RX_CANON_RUNTIME, now, sizeof now);
    return strcmp(was, now) == 0;
}

int rx_config_set_str(rx_config *c, const char *key, const char *val, rx_err *err)
{
    char buf[4096];
    const char *items[RX_MAX_ITEMS_SPLIT];
    int k = rx_split_list(val, buf, sizeof buf, items, RX_MAX_ITEMS_SPLIT);
    if (k == -2)
        return rx_errf(err, RX_EINVAL, "'%s': too many values or value too long", key);
    if (k >= 0)
        return rx_config_set(c, key, items, k, 1, err);
    return rx_config_set(c, key, &val, 1, 0, err);
}

int rx_config_assign(rx_config *c, const char *setting, rx_err *err)
{
    const char *eq = strchr(setting, '=');
    if (!eq || eq == setting)
        return rx_errf(err, RX_EINVAL, "expected KEY=VALUE, got '%s'", setting);
    char key[128];
    size_t kn = (size_t)(eq - setting);
    if (kn >= sizeof key)
        return rx_errf(err, RX_EINVAL, "key too long in '%s'", setting);
    memcpy(key, setting, kn);
    key[kn] = '\0';
    return rx_config_set_str(c, key, eq + 1, err);
}

void rx_config_defaults(rx_config *c)
{
    memset(c, 0, sizeof *c);
    /* The table's defaults are literals checked by the tests, so these
     * calls cannot fail. */
    rx_param_defaults(keys, N_KEYS, c, NULL);
    rx_sched_init(&c->sched, DEFAULT_SCHEDULE, NULL);
}

#define FAIL(k, ...) (key ? (void)(*key = (k)) : (void)0, rx_errf(err, RX_EINVAL, __VA_ARGS__))

int rx_config_check(const rx_config *c, const char **key, rx_err *err)
{
    const rx_model_config *m = &c->model;
    if (key)
        *key = NULL;
    /* each key's own rules, in table order */
    for (int i = 0; i < N_KEYS; i++) {
        const char *at = keys[i].key;
        int rc = keys[i].check ? keys[i].check(c, &at, err) : RX_OK;
        if (rc) {
            if (key)
                *key = at;
            return rc;
        }
    }
    /* the rules that span keys outside the table */
    if (m->type != RX_MODEL_CNN && m->n_conv > 0)
        return FAIL("model.conv", "'model.conv' is only for a cnn, not a %s model",
                    rx_model_names[m->type]);
    int np;
    const rx_profile *pr = rx_profiles(&np);
    if (c->sched.profile >= 0 && c->sched.profile < np &&
        strcmp(pr[c->sched.profile].name, "plateau") == 0 && c->data.validation == 0)
        return FAIL("schedule.name",
                    "schedule 'plateau' monitors the validation loss, so 'data.validation' must be > 0");
    /* the fault is among the schedule's keys: name the section */
    int rc = rx_sched_validate(&c->sched, err);
    if (rc && key)
        *key = "schedule";
    return rc;
}

int rx_config_validate(const rx_config *c, rx_err *err)
{
    return rx_config_check(c, NULL, err);
}

/* ---- canonical JSON --------------------------------------------------- */

/* An append-only text buffer that keeps counting past its end, so that
 * callers learn the size they need (snprintf rules). */
typedef struct sbuf {
    char *p;
    size_t size, k;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->k < b->size) {
        size_t room = b->size - b->k - 1;
        memcpy(b->p + b->k, s, n < room ? n : room);
    }
    b->k += n;
    if (b->size)
        b->p[b->k < b->size ? b->k : b->size - 1] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static int cmp_rows(const void *a, const void *b)
{
    const rx_param *const *x = a, *const *y = b;
    return strcmp((*x)->key, (*y)->key);
}

static const rx_param conv_row = {"model.conv", RX_P_STR, 0, 0, 0, 0, 0, 0, NULL, NULL, "", NULL};

/* The rows of section ("data", ...) in canonical order, into rows (room
 * for N_KEYS + 1); returns their count. */
static int section_rows(const char *section, unsigned flags, const rx_param **rows)
{
    size_t sl = strlen(section);
    int n = 0;
    for (int i = 0; i < N_KEYS; i++) {
        if (strncmp(keys[i].key, section, sl) != 0 || keys[i].key[sl] != '.')
            continue;
        if ((keys[i].flags & RX_KF_RUNTIME) && !(flags & RX_CANON_RUNTIME))
            continue;
        if ((flags & RX_CANON_NOSEED) && strcmp(keys[i].key, "train.seed") == 0)
            continue;
        rows[n++] = &keys[i];
    }
    if (strcmp(section, "model") == 0)
        rows[n++] = &conv_row;
    qsort(rows, (size_t)n, sizeof rows[0], cmp_rows);
    return n;
}

/* ---- memo: the keys of many similar configurations ------------------- */

#define MEMO_TEXT 40    /* longest memoised value: a double is at most 24 */
enum { SEC_DATA, SEC_MODEL, SEC_OPTIM, SEC_TRAIN, SEC_TRAIN_NOSEED, N_SEC };
static const char *const sec_name[N_SEC] = {"data", "model", "optimizer", "train", "train"};

/* What the last configuration looked like: each scalar row's raw bytes
 * and text, the schedule section's struct and text, and the FNV-1a state
 * after the canonical prefix (everything before the train section). */
struct rx_key_memo {
    struct {
        unsigned char raw[8];
        int n;                      /* text length; 0 = nothing memoised */
        char text[MEMO_TEXT];
    } row[N_KEYS];
    const rx_param *rows[N_SEC][N_KEYS + 1];   /* section_rows, once */
    int n_rows[N_SEC];
    rx_sched_config sched;
    char *sched_text;               /* malloc'd; NULL = none yet */
    size_t n_sched;
    char *prefix, *buf;             /* last prefix; scratch (cap bytes each) */
    size_t n_prefix, cap;
    uint64_t h_prefix;
    /* the prefix reads only the config's bytes before train (checked at
     * creation): while those are the same, so is h_prefix */
    int prefix_before_train, have_last;
    unsigned char last[offsetof(rx_config, train)];
    char ver[32];                   /* "\ntrainer=N" */
    int n_ver;
};

rx_key_memo *rx_key_memo_new(void)
{
    rx_key_memo *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->prefix_before_train = 1;
    for (int s = 0; s < N_SEC; s++) {
        m->n_rows[s] = section_rows(sec_name[s], s == SEC_TRAIN_NOSEED ? RX_CANON_NOSEED : 0,
                                    m->rows[s]);
        for (int i = 0; i < m->n_rows[s] && s < SEC_TRAIN; i++)
            if (m->rows[s][i] != &conv_row && m->rows[s][i]->off >= offsetof(rx_config, train))
                m->prefix_before_train = 0;
    }
    m->n_ver = snprintf(m->ver, sizeof m->ver, "\ntrainer=%d", RX_TRAINER_VERSION);
    return m;
}

void rx_key_memo_free(rx_key_memo *m)
{
    if (!m)
        return;
    free(m->sched_text);
    free(m->prefix);
    free(m->buf);
    free(m);
}

/* The raw bytes of a scalar row (n of them), or 0 for rows not memoised
 * (strings, lists). */
static int scalar_bytes(const rx_param *p)
{
    switch (p->type) {
    case RX_P_INT: case RX_P_BOOL: case RX_P_ENUM: return (int)sizeof(int);
    case RX_P_U64: return (int)sizeof(uint64_t);
    case RX_P_DOUBLE: case RX_P_FRACTION: return (int)sizeof(double);
    default: return 0;
    }
}

/* Appends the value of row p (a field of base) as JSON.  8 KiB holds the
 * longest value: a 1023-byte path with every byte escaped as \u00XX.
 * With a memo, a scalar row equal to the last one reuses its text (number
 * formatting is most of the cost of a key). */
static void sb_value(sbuf *b, const rx_param *p, const void *base, rx_key_memo *m)
{
    char v[8192];
    int nb = m && p >= keys && p < keys + N_KEYS ? scalar_bytes(p) : 0;
    if (nb) {
        int r = (int)(p - keys);
        const unsigned char *raw = (const unsigned char *)base + p->off;
        if (m->row[r].n && memcmp(m->row[r].raw, raw, (size_t)nb) == 0) {
            sb_put(b, m->row[r].text, (size_t)m->row[r].n);
            return;
        }
        int n = rx_param_format(p, base, v, sizeof v);
        m->row[r].n = 0;
        if (n > 0 && n < MEMO_TEXT) {
            memcpy(m->row[r].raw, raw, (size_t)nb);
            memcpy(m->row[r].text, v, (size_t)n);
            m->row[r].n = n;
        }
        sb_put(b, v, (size_t)n);
        return;
    }
    int n = rx_param_format(p, base, v, sizeof v);
    sb_put(b, v, n < (int)sizeof v ? (size_t)n : strlen(v));
}

/* Appends the conv layers: [{"channels":..,"kernel":..,...}]. */
static void sb_conv(sbuf *b, const rx_config *c)
{
    sb_str(b, "[");
    for (int l = 0; l < c->model.n_conv; l++) {
        sb_str(b, l ? ",{" : "{");
        for (int j = 0; j < N_CONV; j++) {
            sb_str(b, j ? ",\"" : "\"");
            sb_str(b, leaf(conv_keys[j].key));
            sb_str(b, "\":");
            sb_value(b, &conv_keys[j], &c->model.conv[l], NULL);
        }
        sb_str(b, "}");
    }
    sb_str(b, "]");
}

/* Appends {"k":v,...} of the rows of a section: rows[0..n), sorted. */
static void sb_rows(sbuf *b, const rx_config *c, const char *section, const rx_param *const *rows,
                    int n, rx_key_memo *m)
{
    size_t sl = strlen(section);
    sb_str(b, "{");
    for (int i = 0; i < n; i++) {
        sb_str(b, i ? ",\"" : "\"");
        sb_str(b, rows[i]->key + sl + 1);
        sb_str(b, "\":");
        if (rows[i] == &conv_row)
            sb_conv(b, c);
        else
            sb_value(b, rows[i], c, m);
    }
    sb_str(b, "}");
}

/* Appends {"k":v,...} of the rows whose key starts with "section.",
 * sorted (model adds the model.conv pseudo-key).  With a memo, sec is the
 * section's index there. */
static void sb_section(sbuf *b, const rx_config *c, const char *section, unsigned flags,
                       rx_key_memo *m, int sec)
{
    if (m && !(flags & RX_CANON_RUNTIME)) {
        sb_rows(b, c, section, m->rows[sec], m->n_rows[sec], m);
        return;
    }
    const rx_param *rows[N_KEYS + 1];
    int n = section_rows(section, flags, rows);
    sb_rows(b, c, section, rows, n, NULL);
}

/* Appends the schedule section; a memo reuses the last text while the
 * schedule is the same. */
static void sb_sched(sbuf *b, const rx_sched_config *sc, rx_key_memo *m)
{
    if (m && m->sched_text && memcmp(&m->sched, sc, sizeof *sc) == 0) {
        sb_put(b, m->sched_text, m->n_sched);
        return;
    }
    char sched[8192];
    int n = rx_sched_format(sc, sched, sizeof sched);
    char *text = sched;
    if (n >= (int)sizeof sched) {
        if (!(text = malloc((size_t)n + 1))) {
            b->k += (size_t)n;
            return;
        }
        rx_sched_format(sc, text, (size_t)n + 1);
    }
    sb_put(b, text, (size_t)n);
    if (m) {
        char *keep = malloc((size_t)n + 1);
        if (keep) {
            memcpy(keep, text, (size_t)n + 1);
            free(m->sched_text);
            m->sched_text = keep;
            m->n_sched = (size_t)n;
            m->sched = *sc;
        }
    }
    if (text != sched)
        free(text);
}

/* Appends the canonical form up to the train section's value:
 * {"data":..,"model":..,"optimizer":..,"schedule":..,"train": */
static void sb_prefix(sbuf *b, const rx_config *c, unsigned flags, rx_key_memo *m)
{
    sb_str(b, "{\"data\":");
    sb_section(b, c, "data", flags, m, SEC_DATA);
    sb_str(b, ",\"model\":");
    sb_section(b, c, "model", flags, m, SEC_MODEL);
    sb_str(b, ",\"optimizer\":");
    sb_section(b, c, "optimizer", flags, m, SEC_OPTIM);
    sb_str(b, ",\"schedule\":");
    sb_sched(b, &c->sched, m);
    sb_str(b, ",\"train\":");
}

int rx_config_canonical(const rx_config *c, unsigned flags, char *buf, size_t size)
{
    sbuf b = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    sb_prefix(&b, c, flags, NULL);
    sb_section(&b, c, "train", flags, NULL, 0);
    sb_str(&b, "}");
    return (int)b.k;
}

char *rx_config_json(const rx_config *c, unsigned flags)
{
    char probe[1];
    int n = rx_config_canonical(c, flags, probe, sizeof probe);
    char *s = malloc((size_t)n + 1);
    if (s)
        rx_config_canonical(c, flags, s, (size_t)n + 1);
    return s;
}

int rx_key_of_json(const char *json, int trainer_version, char out[RX_KEY_LEN + 1])
{
    out[0] = '\0';
    if (!json)
        return RX_EINVAL;
    uint64_t h = rx_hash64(json, strlen(json), RX_HASH_INIT);
    char ver[32];
    int n = snprintf(ver, sizeof ver, "\ntrainer=%d", trainer_version);
    h = rx_hash64(ver, (size_t)n, h);
    snprintf(out, RX_KEY_LEN + 1, "%016" PRIx64, h);
    return RX_OK;
}

static int key_of(const rx_config *c, unsigned flags, char out[RX_KEY_LEN + 1])
{
    /* On the stack: a key must not depend on whether malloc worked (a
     * failed allocation once gave the key of the version alone).  Every
     * config fits RX_CANON_MAX (test_keys checks the longest). */
    char json[RX_CANON_MAX];
    rx_config_canonical(c, flags, json, sizeof json);
    rx_key_of_json(json, RX_TRAINER_VERSION, out);
    return RX_OK;
}

int rx_config_run_key(const rx_config *c, char out[RX_KEY_LEN + 1])
{
    return key_of(c, 0, out);
}

int rx_config_cell_key(const rx_config *c, char out[RX_KEY_LEN + 1])
{
    return key_of(c, RX_CANON_NOSEED, out);
}

int rx_config_keys(rx_key_memo *m, const rx_config *c, char run[RX_KEY_LEN + 1],
                   char cell[RX_KEY_LEN + 1])
{
    /* the prefix: reuse its hash while it is the same as last time */
    int same = m->prefix_before_train && m->have_last && memcmp(m->last, c, sizeof m->last) == 0;
    for (; !same;) {
        sbuf b = {m->buf, m->cap, 0};
        sb_prefix(&b, c, 0, m);
        if (b.k < m->cap) {
            if (b.k != m->n_prefix || memcmp(m->buf, m->prefix, b.k) != 0) {
                char *t = m->prefix;
                m->prefix = m->buf;
                m->buf = t;
                m->n_prefix = b.k;
                m->h_prefix = rx_hash64(m->prefix, b.k, RX_HASH_INIT);
            }
            memcpy(m->last, c, sizeof m->last);
            m->have_last = 1;
            break;
        }
        size_t cap = 2 * b.k + 1;
        char *p = realloc(m->prefix, cap), *q = p ? realloc(m->buf, cap) : NULL;
        if (p)
            m->prefix = p;
        if (q)
            m->buf = q;
        if (!p || !q)
            return RX_ENOMEM;
        m->cap = cap;
        m->n_prefix = (size_t)-1; /* the old prefix is gone: hash again */
    }
    for (int pass = 0; pass < 2; pass++) {
        char t[4096];
        sbuf b = {t, sizeof t, 0};
        sb_section(&b, c, "train", 0, m, pass ? SEC_TRAIN_NOSEED : SEC_TRAIN);
        sb_str(&b, "}");
        if (b.k >= sizeof t)
            return RX_ENOMEM; /* the train section is a few numbers */
        uint64_t h = rx_hash64(m->ver, (size_t)m->n_ver, rx_hash64(t, b.k, m->h_prefix));
        char *out = pass ? cell : run;
        for (int d = RX_KEY_LEN - 1; d >= 0; d--, h >>= 4)
            out[d] = "0123456789abcdef"[h & 15];
        out[RX_KEY_LEN] = '\0';
    }
    return RX_OK;
}

int rx_config_unquote(const char *json, char *buf, size_t size)
{
    size_t n = strlen(json);
    if (n >= 2 && json[0] == '"' && json[n - 1] == '"')
        return snprintf(buf, size, "%.*s", (int)(n - 2), json + 1);
    return snprintf(buf, size, "%s", json);
}

int rx_config_get(const rx_config *c, const char *key, char *buf, size_t size)
{
    char tmp[4096];
    const rx_param *p = rx_param_find(keys, N_KEYS, key);
    if (p) {
        rx_param_format(p, c, tmp, sizeof tmp);
        rx_config_unquote(tmp, buf, size);
        return RX_OK;
    }
    if (strcmp(key, "model.conv") == 0) {
        sbuf b = {buf, size, 0};
        sb_conv(&b, c);
        return RX_OK;
    }
    int idx;
    const char *name;
    if (conv_field_key(key, &idx, &name)) {
        p = conv_find(name);
        if (!p || idx >= c->model.n_conv)
            return RX_ENOTFOUND;
        rx_param_format(p, &c->model.conv[idx], buf, size);
        return RX_OK;
    }
    if (strncmp(key, "schedule.", 9) != 0)
        return RX_ENOTFOUND;
    int np;
    const rx_profile *pr = rx_profiles(&np);
    if (c->sched.profile < 0 || c->sched.profile >= np)
        return RX_ENOTFOUND;
    const char *k = key + 9;
    if (strcmp(k, "name") == 0) {
        snprintf(buf, size, "%s", pr[c->sched.profile].name);
        return RX_OK;
    }
    if (strcmp(k, "sampling") == 0) {
        rx_sampling_format(&c->sched, tmp, sizeof tmp);
        rx_config_unquote(tmp, buf, size);
        return RX_OK;
    }
    int nc;
    const rx_param *common = rx_sched_common_params(&nc);
    p = rx_param_find(common, nc, k);
    if (!p)
        p = profile_param(&pr[c->sched.profile], k);
    /* an alias (exp's "final") only writes another parameter */
    if (!p || (p->flags & RX_SF_ALIAS))
        return RX_ENOTFOUND;
    rx_param_format(p, &c->sched, tmp, sizeof tmp);
    rx_config_unquote(tmp, buf, size);
    return RX_OK;
}

/* ---- the key reference ------------------------------------------------ */

static void describe(const rx_param *p, char *buf, size_t size)
{
    if (p->type == RX_P_STR && p->names) {
        rx_param q = *p;
        q.type = RX_P_ENUM;
        rx_param_describe(&q, buf, size);
    } else {
        rx_param_describe(p, buf, size);
    }
}

/* Writes s with roff's special characters escaped. */
static void roff_text(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

/* One key: its name (and the profile it belongs to, if any), its doc, and
 * "Value: TYPE; default DEF". */
static void print_row(FILE *f, rx_keys_format fmt, const char *key, const char *profile,
                      const char *type, const char *def, const char *doc)
{
    if (fmt == RX_KEYS_TEXT) {
        fprintf(f, "  %s", key);
        if (profile)
            fprintf(f, " (%s)", profile);
        if (def)
            fprintf(f, " = %s", def[0] ? def : "\"\"");
        fprintf(f, "\n      %s\n      value: %s\n", doc, type);
        return;
    }
    fputs(profile ? ".TP\n.BR " : ".TP\n.B ", f);
    roff_text(f, key);
    if (profile) {
        fputs(" \" (", f);
        roff_text(f, profile);
        fputs(")\"", f);
    }
    fputc('\n', f);
    roff_text(f, doc);
    fputs(".\n.br\nValue: ", f);
    roff_text(f, type);
    if (def) {
        fputs("; default ", f);
        roff_text(f, def[0] ? def : "\"\"");
    }
    fputs(".\n", f);
}

static void print_heading(FILE *f, rx_keys_format fmt, const char *text)
{
    if (fmt == RX_KEYS_TEXT) {
        /* a blank line between sections, none before the first */
        fprintf(f, "%s%s\n", strcmp(text, "data:") == 0 ? "" : "\n", text);
        return;
    }
    fputs(".SS ", f);
    roff_text(f, text);
    fputc('\n', f);
}

void rx_keys_print(FILE *f, rx_keys_format fmt)
{
    static const char *const sections[] = {"data", "model", "optimizer", "train"};
    char type[512];
    for (int s = 0; s < 4; s++) {
        char head[64];
        snprintf(head, sizeof head, "%s:", sections[s]);
        print_heading(f, fmt, head);
        size_t sl = strlen(sections[s]);
        for (int i = 0; i < N_KEYS; i++) {
            const rx_param *p = &keys[i];
            if (strncmp(p->key, sections[s], sl) != 0 || p->key[sl] != '.' ||
                (p->flags & RX_PF_HIDDEN))
                continue;
            describe(p, type, sizeof type);
            char doc[1024], own[256], def[320];
            if (s != 2 || rx_optim_key_doc(leaf(p->key), doc, sizeof doc) == 0)
                snprintf(doc, sizeof doc, "%s", p->doc);
            /* an optimizer's own default: "0.999 (lion: 0.99)" */
            const char *d = p->def;
            if (s == 2 && rx_optim_default_doc(leaf(p->key), own, sizeof own) > 0) {
                snprintf(def, sizeof def, "%s (%s)", p->def, own);
                d = def;
            }
            print_row(f, fmt, p->key, NULL, type, d, doc);
        }
        if (s != 1)
            continue;
        print_row(f, fmt, "model.conv", NULL, "a list of at most 8 layers, each a map of the keys below",
                  "[]", "cnn: the convolution layers, in order");
        for (int i = 0; i < N_CONV; i++) {
            char k[64];
            snprintf(k, sizeof k, "model.conv[].%s", leaf(conv_keys[i].key));
            describe(&conv_keys[i], type, sizeof type);
            print_row(f, fmt, k, NULL, type, conv_keys[i].def, conv_keys[i].doc);
        }
    }

    print_heading(f, fmt, "schedule:");
    int np, npre, nc;
    const rx_profile *pr = rx_profiles(&np);
    const rx_preset *pre = rx_presets(&npre);
    size_t k = (size_t)snprintf(type, sizeof type, "one of ");
    for (int i = 0; i < np && k < sizeof type; i++)
        k += (size_t)snprintf(type + k, sizeof type - k, "%s%s", i ? ", " : "", pr[i].name);
    for (int i = 0; i < npre && k < sizeof type; i++)
        k += (size_t)snprintf(type + k, sizeof type - k, "%s%s", i ? ", " : "; or a preset: ",
                              pre[i].name);
    print_row(f, fmt, "schedule.name", NULL, type, DEFAULT_SCHEDULE,
              "the schedule's profile; setting it resets every schedule key to the profile's defaults");
    print_row(f, fmt, "schedule.sampling", NULL, RX_SAMPLING_FORMS, RX_SAMPLING_DEFAULT,
              "when the lr is re-read from the profile (held in between)");
    const rx_param *common = rx_sched_common_params(&nc);
    for (int i = 0; i < nc; i++) {
        char key[128];
        snprintf(key, sizeof key, "schedule.%s", leaf(common[i].key));
        describe(&common[i], type, sizeof type);
        print_row(f, fmt, key, NULL, type, common[i].def, common[i].doc ? common[i].doc : "");
    }
    for (int i = 0; i < np; i++)
        for (int j = 0; j < pr[i].n_params; j++) {
            const rx_param *p = &pr[i].params[j];
            if (p->flags & RX_PF_HIDDEN)
                continue;
            char key[128];
            snprintf(key, sizeof key, "schedule.%s", leaf(p->key));
            describe(p, type, sizeof type);
            print_row(f, fmt, key, pr[i].name, type, p->def, p->doc ? p->doc : "");
        }
}
