/*
 * trainer.c: the trainer table (rx_trainer.h), the keys of a spec's
 * trainer section and the identity they add to run keys.  The command
 * trainer itself is in trainer_cmd.c.
 */
#include "rx_trainer.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_param.h"
#include "rx_sched.h"
#include "rx_table.h"

/* ---- the trainer table ---------------------------------------------- */

static int builtin_run(const rx_trainer_spec *t, const rx_trainer_ctx *ctx,
                       rx_train_result *res, rx_run_extra *x, rx_err *err)
{
    (void)t;
    (void)x;
    const rx_data *data = NULL;
    int rc = rx_data_cache_get(ctx->data, &ctx->cfg->data, &data, err);
    if (rc)
        return rc;
    return rx_train(ctx->cfg, data, ctx->hooks, res, err);
}

static const rx_trainer_ops trainers[] = {
    [RX_TRAINER_BUILTIN] = {"builtin", 1, builtin_run},
    [RX_TRAINER_COMMAND] = {"command", 0, rx_trainer_cmd_run},
};

const rx_trainer_ops *rx_trainer_ops_of(const rx_trainer_spec *t)
{
    return &trainers[t ? t->kind : RX_TRAINER_BUILTIN];
}

/* ---- the trainer section's keys -------------------------------------- */

typedef enum key_type { K_LIST, K_SECONDS, K_COUNT, K_ENUM, K_BOOL } key_type;

typedef struct trainer_key {
    const char *name;
    key_type type;
    int identity;                 /* part of the run key */
    const char *const *names;     /* K_ENUM */
    const char *doc;
} trainer_key;

static const char *const lr_formats[] = {"csv", "f64", NULL};

/* The table behind rx_trainer_spec_set, its messages and its docs. */
static const trainer_key keys[] = {
    {"command", K_LIST, 1, NULL,
     "the program and its arguments, run without a shell; {worker}, {key}, {seed}, {run_dir}, "
     "{checkpoint_dir} and {KEY} for any configuration key are replaced per run"},
    {"code", K_LIST, 1, NULL,
     "files (relative to the spec's directory) whose content is part of every run key"},
    {"env", K_LIST, 1, NULL,
     "environment variables whose values (when the spec is expanded) are part of every run key"},
    {"steps_per_epoch", K_COUNT, 1, NULL,
     "optimizer steps in one epoch (or give train_size)"},
    {"train_size", K_COUNT, 1, NULL,
     "training samples: steps_per_epoch = ceil(train_size / train.batch_size)"},
    {"timeout", K_SECONDS, 0, NULL,
     "wall-clock limit of one run: seconds, or a number with s, m, h or d; 0 = none"},
    {"grace", K_SECONDS, 0, NULL,
     "seconds between SIGTERM and SIGKILL when a run is stopped (default 10)"},
    {"gpus", K_LIST, 0, NULL,
     "CUDA_VISIBLE_DEVICES of each worker slot: worker w gets gpus[w mod n]"},
    {"lr_table", K_ENUM, 0, lr_formats,
     "the lr table's format: csv (step,lr,momentum) or f64 (binary float64 pairs)"},
    {"checkpoints", K_BOOL, 0, NULL,
     "hand the program a checkpoint directory kept between attempts of a run"},
};
#define N_KEYS ((int)(sizeof keys / sizeof keys[0]))

rx_trainer_spec *rx_trainer_spec_new(const char *dir)
{
    rx_trainer_spec *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->kind = RX_TRAINER_BUILTIN;
    t->grace = 10;
    if (!(t->dir = strdup(dir && *dir ? dir : "."))) {
        free(t);
        return NULL;
    }
    return t;
}

static void free_list(char **v, int *n)
{
    for (int i = 0; i < *n; i++)
        free(v[i]);
    *n = 0;
}

void rx_trainer_spec_free(rx_trainer_spec *t)
{
    if (!t)
        return;
    free_list(t->argv, &t->argc);
    free_list(t->code, &t->n_code);
    free_list(t->env, &t->n_env);
    free_list(t->gpus, &t->n_gpus);
    free(t->dir);
    free(t->identity);
    free(t);
}

/* "90", "90s", "1.5m", "2h", "1d" in seconds; -1 when malformed. */
static double parse_seconds(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return -1;
    static const struct { char c; double mul; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    if (*end) {
        int u = 0;
        while (u < 4 && *end != units[u].c)
            u++;
        if (u == 4 || end[1])
            return -1;
        v *= units[u].mul;
    }
    return v;
}

static uint64_t hash_file(FILE *f, int *bad)
{
    uint64_t h = RX_HASH_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = rx_hash64(buf, n, h);
    *bad = ferror(f);
    return h;
}

static int valid_env_name(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int set_list(rx_trainer_spec *t, const trainer_key *k, const char *const *vals, int n,
                    rx_err *err)
{
    char **v;
    int *count;
    if (strcmp(k->name, "command") == 0)
        v = t->argv, count = &t->argc;
    else if (strcmp(k->name, "code") == 0)
        v = t->code, count = &t->n_code;
    else if (strcmp(k->name, "env") == 0)
        v = t->env, count = &t->n_env;
    else
        v = t->gpus, count = &t->n_gpus;
    if (n > RX_TRAINER_MAX_LIST)
        return rx_errf(err, RX_EINVAL, "'trainer.%s' takes at most %d items, got %d", k->name,
                       RX_TRAINER_MAX_LIST, n);
    if (v == t->argv && n == 0)
        return rx_errf(err, RX_EINVAL, "'trainer.command' must name a program, got an empty list");
    for (int i = 0; i < n; i++) {
        if (v != t->argv && !*vals[i])
            return rx_errf(err, RX_EINVAL, "'trainer.%s' item %d is empty", k->name, i + 1);
        if (v == t->env && !valid_env_name(vals[i]))
            return rx_errf(err, RX_EINVAL,
                           "'trainer.env' item '%s' is not a variable name (letters, digits, '_')",
                           vals[i]);
        if (v == t->code) {
            char path[RX_PATH_MAX + 8];
            if (vals[i][0] == '/')
                snprintf(path, sizeof path, "%s", vals[i]);
            else
                snprintf(path, sizeof path, "%s/%s", t->dir, vals[i]);
            FILE *f = fopen(path, "rb");
            if (!f)
                return rx_errf(err, RX_EIO, "'trainer.code': cannot read '%s': %s", path,
                               strerror(errno));
            int bad;
            t->code_hash[i] = hash_file(f, &bad);
            fclose(f);
            if (bad)
                return rx_errf(err, RX_EIO, "'trainer.code': cannot read '%s'", path);
        }
    }
    free_list(v, count);
    for (int i = 0; i < n; i++) {
        if (!(v[i] = strdup(vals[i])))
            return rx_errf(err, RX_ENOMEM, "out of memory");
        (*count)++;
    }
    if (v == t->argv)
        t->kind = RX_TRAINER_COMMAND;
    return RX_OK;
}

int rx_trainer_spec_set(rx_trainer_spec *t, const char *key, const char *const *vals, int n,
                        int is_list, rx_err *err)
{
    const trainer_key *k = NULL;
    for (int i = 0; i < N_KEYS && !k; i++)
        if (strcmp(keys[i].name, key) == 0)
            k = &keys[i];
    if (!k) {
        const char *best = NULL;
        int bd = (int)strlen(key) / 3 + 2;
        for (int i = 0; i < N_KEYS; i++) {
            int d = rx_edit_distance(key, keys[i].name);
            if (d < bd)
                bd = d, best = keys[i].name;
        }
        if (best)
            return rx_errf(err, RX_ENOTFOUND, "unknown key '%s' in 'trainer' (did you mean '%s'?)",
                           key, best);
        return rx_errf(err, RX_ENOTFOUND, "unknown key '%s' in 'trainer'", key);
    }
    if (k->type == K_LIST)
        return set_list(t, k, vals, n, err);
    if (is_list || n != 1)
        return rx_errf(err, RX_EINVAL, "'trainer.%s' takes one value, got a list", key);
    const char *v = vals[0];
    switch (k->type) {
    case K_SECONDS: {
        double s = parse_seconds(v);
        if (s < 0)
            return rx_errf(err, RX_EINVAL,
                           "'trainer.%s' must be a duration (90, 90s, 15m, 2h, 1d), got '%s'", key, v);
        if (strcmp(key, "timeout") == 0)
            t->timeout = s;
        else
            t->grace = s;
        return RX_OK;
    }
    case K_COUNT: {
        long long c;
        if (rx_parse_int(v, &c) || c < 1 || c > 1000000000LL)
            return rx_errf(err, RX_EINVAL, "'trainer.%s' must be an integer in [1, 1e9], got '%s'",
                           key, v);
        if (strcmp(key, "steps_per_epoch") == 0)
            t->steps_per_epoch = (long)c;
        else
            t->train_size = (long)c;
        return RX_OK;
    }
    case K_ENUM:
        for (int i = 0; k->names[i]; i++)
            if (strcmp(k->names[i], v) == 0) {
                t->lr_format = (rx_lr_format)i;
                return RX_OK;
            }
        return rx_errf(err, RX_EINVAL, "'trainer.%s' must be csv or f64, got '%s'", key, v);
    case K_BOOL:
        if (rx_parse_bool(v, &t->checkpoints))
            return rx_errf(err, RX_EINVAL, "'trainer.%s' must be true or false, got '%s'", key, v);
        return RX_OK;
    case K_LIST:
        break;
    }
    return RX_OK;
}

/* The identity JSON: {"code":{file:hash},"command":[...],"env":{name:value
 * or null},"kind":"command","steps_per_epoch":N,"train_size":N}, keys
 * sorted, so equal programs give equal text. */
static char *identity_json(const rx_trainer_spec *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("{\"code\":{", f);
    for (int i = 0; i < t->n_code; i++) {
        char h[17];
        snprintf(h, sizeof h, "%016" PRIx64, t->code_hash[i]);
        if (i)
            fputc(',', f);
        rx_json_kv_str(f, t->code[i], h, 0);
    }
    fputs("},\"command\":[", f);
    for (int i = 0; i < t->argc; i++) {
        if (i)
            fputc(',', f);
        rx_json_string(f, t->argv[i]);
    }
    fputs("],\"env\":{", f);
    for (int i = 0; i < t->n_env; i++) {
        if (i)
            fputc(',', f);
        rx_json_kv_str(f, t->env[i], getenv(t->env[i]), 0);
    }
    fprintf(f, "},\"kind\":\"command\",\"steps_per_epoch\":%ld,\"train_size\":%ld}",
            t->steps_per_epoch, t->train_size);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

int rx_trainer_spec_finish(rx_trainer_spec *t, rx_err *err)
{
    if (t->kind == RX_TRAINER_BUILTIN) {
        if (t->n_code || t->n_env || t->n_gpus || t->steps_per_epoch || t->train_size ||
            t->timeout > 0 || t->checkpoints)
            return rx_errf(err, RX_EINVAL,
                           "'trainer' without 'command' is the built-in trainer, which takes no "
                           "other trainer keys");
        return RX_OK;
    }
    if (!t->steps_per_epoch == !t->train_size)
        return rx_errf(err, RX_EINVAL,
                       "a command trainer needs exactly one of 'steps_per_epoch' and 'train_size' "
                       "(rexsweep computes the schedule's steps from it)");
    for (int i = 0; i < t->n_env; i++)
        if (t->n_gpus && strcmp(t->env[i], "CUDA_VISIBLE_DEVICES") == 0)
            return rx_errf(err, RX_EINVAL,
                           "'trainer.env' lists CUDA_VISIBLE_DEVICES, which 'trainer.gpus' sets per "
                           "worker: list one or the other");
    free(t->identity);
    if (!(t->identity = identity_json(t)))
        return rx_errf(err, RX_ENOMEM, "out of memory");
    return RX_OK;
}

int rx_trainer_check_config(const rx_trainer_spec *t, const rx_config *c, rx_err *err)
{
    if (!t || t->kind == RX_TRAINER_BUILTIN)
        return RX_OK;
    long spe = rx_trainer_steps_per_epoch(t, c);
    long T = rx_budget_steps(c->train.budget, c->train.full_epochs, spe);
    long total = rx_sched_total_steps(&c->sched, T);
    /* the lr table is written per run: keep it to a sane size */
    if (total > 100000000L)
        return rx_errf(err, RX_EINVAL, "a run of %ld steps is more than the lr table allows (1e8)",
                       total);
    return RX_OK;
}

static void continue_key(char key[RX_KEY_LEN + 1], const char *identity)
{
    uint64_t h = strtoull(key, NULL, 16);
    static const char tag[] = "\ntrainer=";
    h = rx_hash64(tag, sizeof tag - 1, h);
    h = rx_hash64(identity, strlen(identity), h);
    snprintf(key, RX_KEY_LEN + 1, "%016" PRIx64, h);
}

void rx_trainer_rekey(const rx_trainer_spec *t, rx_job *job)
{
    if (!t || t->kind == RX_TRAINER_BUILTIN || !t->identity)
        return;
    continue_key(job->key, t->identity);
    continue_key(job->cell, t->identity);
}

void rx_trainer_keys_print(FILE *f, int roff)
{
    for (int i = 0; i < N_KEYS; i++) {
        if (roff)
            fprintf(f, ".TP\n.B trainer.%s\n%s%s.\n", keys[i].name, keys[i].doc,
                    keys[i].identity ? "; part of the run key" : "");
        else
            fprintf(f, "  trainer.%-18s %s%s\n", keys[i].name, keys[i].doc,
                    keys[i].identity ? " (part of the run key)" : "");
    }
}

void rx_run_extra_free(rx_run_extra *x)
{
    if (!x)
        return;
    free(x->m);
    free(x->output_tail);
    x->m = NULL;
    x->output_tail = NULL;
    x->n = x->cap = 0;
}
