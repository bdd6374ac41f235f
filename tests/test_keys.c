/* test_keys.c: the key table, canonical JSON, run keys and the generated
 * key list of rexsweep.yaml(5).  RX_UPDATE=1 rewrites that list. */
#include "rx_test.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_keys.h"
#include "rx_param.h"
#include "rx_sched.h"

#define MAN_PAGE "man/rexsweep.yaml.5"
#define BEGIN_MARK ".\\\" BEGIN KEYS"
#define END_MARK ".\\\" END KEYS"

static void test_table_rows(void **state)
{
    (void)state;
    int n, nc;
    const rx_param *k = rx_keys(&n);
    const rx_param *ck = rx_conv_keys(&nc);
    assert_true(n > 30);
    for (int i = 0; i < n; i++) {
        const char *key = k[i].key;
        assert_true(strncmp(key, "data.", 5) == 0 || strncmp(key, "model.", 6) == 0 ||
                    strncmp(key, "optimizer.", 10) == 0 || strncmp(key, "train.", 6) == 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(key, k[j].key);
        /* docs follow the message rules: lower-case start, no full stop */
        assert_non_null(k[i].doc);
        const char *d = k[i].doc;
        int acronym = isupper((unsigned char)d[0]) && isupper((unsigned char)d[1]);
        if ((!islower((unsigned char)d[0]) && !acronym) || d[strlen(d) - 1] == '.')
            fail_msg("doc of '%s' must start lower-case and end without a full stop", key);
        /* every default is a valid value of its own row */
        assert_non_null(k[i].def);
        rx_config c;
        rx_err err;
        memset(&c, 0, sizeof c);
        if (rx_param_set_str(&k[i], &c, k[i].def, &err) != RX_OK)
            fail_msg("default of '%s': %s", key, err.msg);
    }
    /* the conv sub-table is sorted: canonical layers use its order */
    for (int i = 1; i < nc; i++)
        assert_true(strcmp(ck[i - 1].key, ck[i].key) < 0);
}

/* Collects "depth:key" for every object key of a JSON text. */
static int json_keys(const char *s, char keys[][64], int *depth, int max)
{
    int n = 0, d = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '{' || *p == '[') d++;
        else if (*p == '}' || *p == ']') d--;
        else if (*p == '"') {
            const char *e = p + 1;
            while (*e && *e != '"') e += (*e == '\\') ? 2 : 1;
            if (e[1] == ':' && n < max) {
                snprintf(keys[n], 64, "%.*s", (int)(e - p - 1), p + 1);
                depth[n++] = d;
            }
            p = e;
        }
    }
    return n;
}

static void test_canonical_sorted_complete(void **state)
{
    (void)state;
    rx_config c;
    rx_config_defaults(&c);
    char buf[16384];
    int len = rx_config_canonical(&c, 0, buf, sizeof buf);
    assert_true(len > 0 && len < (int)sizeof buf);
    assert_int_equal((int)strlen(buf), len);
    assert_null(strchr(buf, ' '));
    static char keys[512][64];
    int depth[512];
    int n = json_keys(buf, keys, depth, 512);
    /* sections in order, and keys sorted inside each (schedule's keys are
     * the schedule module's, in its table order) */
    const char *sections[] = {"data", "model", "optimizer", "schedule", "train"};
    int s = 0;
    const char *prev = "";
    const char *section = "";
    for (int i = 0; i < n; i++) {
        if (depth[i] == 1) {
            assert_true(s < 5);
            assert_string_equal(keys[i], sections[s++]);
            section = keys[i];
            prev = "";
        } else if (depth[i] == 2 && strcmp(section, "schedule") != 0) {
            assert_true(strcmp(prev, keys[i]) < 0);
            prev = keys[i];
        }
    }
    assert_int_equal(s, 5);
    /* every table key is there, runtime keys only on request */
    int nk;
    const rx_param *k = rx_keys(&nk);
    char *all = rx_config_json(&c, RX_CANON_RUNTIME);
    assert_non_null(all);
    for (int i = 0; i < nk; i++) {
        char pat[80];
        snprintf(pat, sizeof pat, "\"%s\":", strchr(k[i].key, '.') + 1);
        assert_non_null(strstr(all, pat));
        if (k[i].flags & RX_KF_RUNTIME)
            assert_null(strstr(buf, pat));
    }
    free(all);
    assert_non_null(strstr(buf, "\"conv\":[]"));
    /* the length report works with a short buffer */
    char small[8];
    assert_int_equal(rx_config_canonical(&c, 0, small, sizeof small), len);
    assert_int_equal((int)strlen(small), 7);
}

static void want_set_error(rx_config *c, const char *key, const char *val, const char *msg)
{
    rx_err err = {{0}};
    assert_int_equal(rx_config_set_str(c, key, val, &err), RX_EINVAL);
    assert_string_equal(err.msg, msg);
}

static void test_set(void **state)
{
    (void)state;
    rx_config c;
    rx_err err;
    rx_config_defaults(&c);
    assert_int_equal(rx_config_set_str(&c, "train.batch_size", "64", &err), RX_OK);
    assert_int_equal(c.train.batch_size, 64);
    assert_int_equal(rx_config_assign(&c, "optimizer.lr=0.5", &err), RX_OK);
    assert_true(c.optim.lr == 0.5);
    assert_int_equal(rx_config_set_str(&c, "train.budget", "25%", &err), RX_OK);
    assert_true(c.train.budget == 0.25);
    assert_int_equal(rx_config_set_str(&c, "model.hidden", "[128, 64, 32]", &err), RX_OK);
    assert_int_equal(c.model.n_hidden, 3);
    assert_int_equal(c.model.hidden[2], 32);
    assert_int_equal(rx_config_set_str(&c, "optimizer.name", "adamw", &err), RX_OK);
    assert_int_equal(c.optim.kind, RX_OPTIM_ADAMW);
    assert_int_equal(rx_config_set_str(&c, "data.dataset", "fashion-mnist", &err), RX_OK);
    assert_string_equal(c.data.dataset, "fashion-mnist");

    want_set_error(&c, "train.batch_size", "0",
                 "'train.batch_size' must be an integer in [1, 65536], got '0'");
    want_set_error(&c, "train.batchsize", "64",
                 "unknown key 'train.batchsize' (did you mean 'train.batch_size'?)");
    want_set_error(&c, "train.batch_size", "[64, 128]",
                 "'train.batch_size' takes a single value, not a list");
    want_set_error(&c, "data.dataset", "fmnist",
                 "'data.dataset' must be one of fashion-mnist, mnist, idx, csv, libsvm, spirals, blobs, teacher, got 'fmnist' (did you mean 'mnist'?)");
    want_set_error(&c, "xyzzy", "1", "unknown key 'xyzzy'");
    assert_int_equal(rx_config_assign(&c, "novalue", &err), RX_EINVAL);
    assert_string_equal(err.msg, "expected KEY=VALUE, got 'novalue'");
    /* a failed set leaves the value alone */
    assert_int_equal(c.train.batch_size, 64);
    assert_string_equal(c.data.dataset, "fashion-mnist");
}

/* rx_config_set_is_noop by its definition: the canonical forms (with
 * runtime keys) before and after the set. */
static int noop_by_definition(const rx_config *c, const char *key, const char *val)
{
    static char was[RX_CANON_MAX], now[RX_CANON_MAX];
    rx_config after = *c;
    if (rx_config_set_str(&after, key, val, NULL))
        return 0;
    rx_config_canonical(c, RX_CANON_RUNTIME, was, sizeof was);
    rx_config_canonical(&after, RX_CANON_RUNTIME, now, sizeof now);
    return strcmp(was, now) == 0;
}

static int noop_of(const rx_config *c, const char *key, const char *val)
{
    char buf[4096];
    const char *items[RX_MAX_ITEMS_SPLIT];
    int k = rx_split_list(val, buf, sizeof buf, items, RX_MAX_ITEMS_SPLIT);
    if (k >= 0)
        return rx_config_set_is_noop(c, key, items, k, 1);
    return rx_config_set_is_noop(c, key, &val, 1, 0);
}

/* Exclusion's test: every table key, schedule parameters and conv layers,
 * each with its current value, its default and other spellings, on
 * several configurations; both answers must occur. */
static void test_set_is_noop(void **state)
{
    (void)state;
    static const char *const bases[][2] = {
        {NULL, NULL},
        {"train.budget", "25%"},
        {"model.hidden", "[4, 4]"},
        {"schedule.name", "exp"},
        {"data.path", "some/dir"},
        {"model.conv", "[channels=16 kernel=5, channels=32]"},
    };
    static const char *const vals[] = {"0",   "1",      "2",     "0.25",  "25%",   "1%",
                                       "0.01", "[4, 4]", "[4]",  "true",  "false", "-3",
                                       "-5",  "exp",    "rex",   "sgd",   "adam",  "spirals",
                                       "some/dir", "epoch", "50-75", "channels=16 kernel=5"};
    const char *extra[] = {"schedule.gamma", "schedule.sampling", "schedule.name",
                           "model.conv", "model.conv.0.kernel", "model.conv.1.channels"};
    int n, yes = 0, no = 0;
    const rx_param *k = rx_keys(&n);
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        rx_config c;
        rx_err err;
        rx_config_defaults(&c);
        if (bases[b][0]) {
            assert_int_equal(rx_config_set_str(&c, bases[b][0], bases[b][1], &err), RX_OK);
            if (strcmp(bases[b][0], "schedule.name") == 0)
                assert_int_equal(rx_config_set_str(&c, "schedule.gamma", "-5", &err), RX_OK);
        }
        for (int i = 0; i < n + (int)(sizeof extra / sizeof extra[0]); i++) {
            const char *key = i < n ? k[i].key : extra[i - n];
            char cur[8192];
            int m = 0;
            const char *try[sizeof vals / sizeof vals[0] + 2];
            if (rx_config_get(&c, key, cur, sizeof cur) == RX_OK) {
                char plain[8192];
                rx_config_unquote(cur, plain, sizeof plain);
                strcpy(cur, plain);
                try[m++] = cur;
            }
            if (i < n && k[i].def)
                try[m++] = k[i].def;
            for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++)
                try[m++] = vals[v];
            for (int t = 0; t < m; t++) {
                int want = noop_by_definition(&c, key, try[t]);
                if (noop_of(&c, key, try[t]) != want)
                    fail_msg("base %zu: setting '%s' to '%s': is_noop says %d", b, key, try[t],
                             !want);
                yes += want;
                no += !want;
            }
        }
    }
    assert_true(yes > 100 && no > 100);
}

static void test_conv(void **state)
{
    (void)state;
    rx_config c;
    rx_err err;
    rx_config_defaults(&c);
    assert_int_equal(rx_config_set_str(&c, "model.conv",
                                       "[channels=16 kernel=5 padding=2 pool=2, channels=32]", &err),
                     RX_OK);
    assert_int_equal(c.model.n_conv, 2);
    assert_int_equal(c.model.conv[0].channels, 16);
    assert_int_equal(c.model.conv[0].kernel, 5);
    assert_int_equal(c.model.conv[0].padding, 2);
    assert_int_equal(c.model.conv[0].pool, 2);
    assert_int_equal(c.model.conv[0].stride, 1);
    assert_int_equal(c.model.conv[1].kernel, 3); /* default */
    assert_int_equal(rx_config_set_str(&c, "model.conv.1.kernel", "7", &err), RX_OK);
    assert_int_equal(c.model.conv[1].kernel, 7);
    char buf[256];
    assert_int_equal(rx_config_get(&c, "model.conv", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "[{\"channels\":16,\"kernel\":5,\"padding\":2,\"pool\":2,\"stride\":1},"
                             "{\"channels\":32,\"kernel\":7,\"padding\":0,\"pool\":0,\"stride\":1}]");
    assert_int_equal(rx_config_get(&c, "model.conv.0.pool", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "2");
    want_set_error(&c, "model.conv.2.kernel", "3",
                 "'model.conv.2.kernel': there is no conv layer 2 (the model has 2)");
    want_set_error(&c, "model.conv", "[kernel=3]", "'model.conv' layer 1 needs 'channels'");
    want_set_error(&c, "model.conv", "[channels=8 kernal=3]",
                 "'model.conv' layer 1: unknown key 'kernal' (did you mean 'kernel'?)");
    want_set_error(&c, "model.conv", "[channels=8, channels=0]",
                 "'model.conv.channels' must be an integer in [1, 4096], got '0'");
    want_set_error(&c, "model.conv", "[channels]",
                 "'model.conv' layer 1: expected KEY=VALUE, got 'channels'");
    assert_int_equal(c.model.n_conv, 2);
    assert_int_equal(rx_config_set_str(&c, "model.conv", "[]", &err), RX_OK);
    assert_int_equal(c.model.n_conv, 0);
}

static void test_schedule_keys(void **state)
{
    (void)state;
    rx_config c;
    rx_err err;
    char buf[256];
    rx_config_defaults(&c);
    assert_int_equal(rx_config_get(&c, "schedule.name", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "constant");
    assert_int_equal(rx_config_set_str(&c, "schedule.name", "exp", &err), RX_OK);
    assert_int_equal(c.sched.profile, rx_profile_find("exp"));
    assert_int_equal(rx_config_set_str(&c, "schedule.gamma", "-5", &err), RX_OK);
    assert_int_equal(rx_config_get(&c, "schedule.gamma", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "-5");
    /* schedule.name resets the profile's parameters */
    assert_int_equal(rx_config_set_str(&c, "schedule.name", "exp", &err), RX_OK);
    assert_int_equal(rx_config_get(&c, "schedule.gamma", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "-3");
    assert_int_equal(rx_config_get(&c, "schedule.d", buf, sizeof buf), RX_ENOTFOUND);
    assert_int_equal(rx_config_get(&c, "schedule.sampling", buf, sizeof buf), RX_OK);
    assert_string_equal(buf, "iteration");
    want_set_error(&c, "schedule.gama", "1",
                 "unknown key 'schedule.gama' (did you mean 'schedule.gamma'?)");
    assert_int_equal(rx_config_set_str(&c, "schedule.name", "[rex, exp]", &err), RX_EINVAL);
    assert_int_equal(rx_key_shape_of("schedule.milestones"), RX_KEY_LIST);
    assert_int_equal(rx_key_shape_of("schedule.sampling"), RX_KEY_LIST);
    assert_int_equal(rx_key_shape_of("schedule.gamma"), RX_KEY_SCALAR);
    assert_int_equal(rx_key_shape_of("schedule.nope"), RX_KEY_UNKNOWN);
    assert_int_equal(rx_key_shape_of("model.hidden"), RX_KEY_LIST);
    assert_int_equal(rx_key_shape_of("model.conv"), RX_KEY_LIST);
    assert_int_equal(rx_key_shape_of("model.conv.3.kernel"), RX_KEY_SCALAR);
    assert_int_equal(rx_key_shape_of("model.conv.x.kernel"), RX_KEY_UNKNOWN);
    assert_int_equal(rx_key_shape_of("train.seed"), RX_KEY_SCALAR);
    assert_int_equal(rx_key_shape_of("train"), RX_KEY_UNKNOWN);
}

static void test_suggest(void **state)
{
    (void)state;
    char h[128];
    assert_int_equal(rx_key_suggest("train.batchsize", "train", h, sizeof h), 1);
    assert_string_equal(h, "train.batch_size");
    assert_int_equal(rx_key_suggest("model.hiden", "model", h, sizeof h), 1);
    assert_string_equal(h, "model.hidden");
    assert_int_equal(rx_key_suggest("optimizer.momentun", NULL, h, sizeof h), 1);
    assert_string_equal(h, "optimizer.momentum");
    assert_int_equal(rx_key_suggest("completely.different", NULL, h, sizeof h), 0);
    /* a section limits the candidates */
    assert_int_equal(rx_key_suggest("data.batch_size", "data", h, sizeof h), 0);
}

/* The longest canonical form fits RX_CANON_MAX, which the run keys rely
 * on (they are computed on the stack, never with malloc). */
static void test_canonical_bound(void **state)
{
    (void)state;
    rx_config c;
    rx_err err = {{0}};
    rx_config_defaults(&c);
    char list[2048];
    size_t k = (size_t)snprintf(list, sizeof list, "model.hidden=[");
    for (int i = 0; i < 16; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s65536", i ? "," : "");
    snprintf(list + k, sizeof list - k, "]");
    if (rx_config_assign(&c, list, &err) != RX_OK)
        fail_msg("%s", err.msg);
    if (rx_config_assign(&c, "schedule.name=step", &err) != RX_OK)
        fail_msg("%s", err.msg);
    k = (size_t)snprintf(list, sizeof list, "schedule.milestones=[");
    for (int i = 0; i < 64; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s0.%02d00000000000001", i ? "," : "",
                              i + 10);
    snprintf(list + k, sizeof list - k, "]");
    if (rx_config_assign(&c, list, &err) != RX_OK)
        fail_msg("%s", err.msg);
    /* control characters are written \u00XX: six bytes each */
    memset(c.data.path, 1, sizeof c.data.path - 1);
    c.data.path[sizeof c.data.path - 1] = '\0';
    memcpy(c.data.test_path, c.data.path, sizeof c.data.path);
    char probe[1];
    int n = rx_config_canonical(&c, RX_CANON_RUNTIME, probe, sizeof probe);
    print_message("longest canonical form: %d bytes\n", n);
    assert_true(n > 12000);
    assert_true(n < RX_CANON_MAX / 2);
}

static void test_run_keys(void **state)
{
    (void)state;
    rx_config a, b;
    char ka[RX_KEY_LEN + 1], kb[RX_KEY_LEN + 1], ca[RX_KEY_LEN + 1], cb[RX_KEY_LEN + 1];
    rx_config_defaults(&a);
    b = a;
    rx_config_run_key(&a, ka);
    rx_config_run_key(&b, kb);
    assert_int_equal((int)strlen(ka), RX_KEY_LEN);
    for (int i = 0; i < RX_KEY_LEN; i++)
        assert_true(isxdigit((unsigned char)ka[i]) && !isupper((unsigned char)ka[i]));
    assert_string_equal(ka, kb);
    /* the seed changes the run key, not the cell key */
    b.train.seed = 7;
    rx_config_run_key(&b, kb);
    rx_config_cell_key(&a, ca);
    rx_config_cell_key(&b, cb);
    assert_string_not_equal(ka, kb);
    assert_string_equal(ca, cb);
    /* runtime settings change neither */
    b = a;
    b.train.blas_threads = 4;
    b.train.max_seconds = 60;
    rx_config_run_key(&b, kb);
    assert_string_equal(ka, kb);
    /* the same value written differently is the same run */
    rx_err err;
    rx_config_set_str(&b, "optimizer.lr", "1e-1", &err);
    rx_config_run_key(&b, kb);
    assert_string_equal(ka, kb);
    rx_config_set_str(&b, "optimizer.lr", "0.10000000000000001", &err);
    rx_config_run_key(&b, kb);
    assert_string_equal(ka, kb);
    /* a hyperparameter changes both */
    rx_config_set_str(&b, "optimizer.lr", "0.3", &err);
    rx_config_run_key(&b, kb);
    rx_config_cell_key(&b, cb);
    assert_string_not_equal(ka, kb);
    assert_string_not_equal(ca, cb);
}

/* The key of a stored configuration: NULL is no configuration, an error,
 * not the key of the trainer version alone. */
static void test_key_of_json(void **state)
{
    (void)state;
    char k[RX_KEY_LEN + 1] = "x", k2[RX_KEY_LEN + 1];
    assert_int_equal(rx_key_of_json(NULL, RX_TRAINER_VERSION, k), RX_EINVAL);
    assert_string_equal(k, "");
    assert_int_equal(rx_key_of_json("", RX_TRAINER_VERSION, k), RX_OK);
    assert_int_equal((int)strlen(k), RX_KEY_LEN);
    /* a configuration's key is its text's, under the version */
    rx_config c;
    rx_config_defaults(&c);
    char *json = rx_config_json(&c, 0);
    assert_non_null(json);
    assert_int_equal(rx_key_of_json(json, RX_TRAINER_VERSION, k), RX_OK);
    rx_config_run_key(&c, k2);
    assert_string_equal(k, k2);
    assert_int_equal(rx_key_of_json(json, RX_TRAINER_VERSION - 1, k), RX_OK);
    assert_string_not_equal(k, k2);
    free(json);
}

static void want_check_error(rx_config *c, const char *key, const char *msg)
{
    const char *bad = NULL;
    rx_err err = {{0}};
    assert_int_equal(rx_config_check(c, &bad, &err), RX_EINVAL);
    assert_string_equal(err.msg, msg);
    assert_non_null(bad);
    assert_string_equal(bad, key);
    assert_int_equal(rx_config_validate(c, NULL), RX_EINVAL);
}

static void test_check(void **state)
{
    (void)state;
    rx_config c, d;
    rx_err err;
    rx_config_defaults(&d);
    assert_int_equal(rx_config_validate(&d, &err), RX_OK);

    c = d;
    rx_config_set_str(&c, "model.type", "cnn", &err);
    want_check_error(&c, "model.type", "'model.conv' must list at least one layer for a cnn");
    c = d;
    rx_config_set_str(&c, "model.conv", "[channels=8]", &err);
    want_check_error(&c, "model.conv", "'model.conv' is only for a cnn, not a mlp model");
    c = d;
    rx_config_set_str(&c, "model.hidden", "[]", &err);
    want_check_error(&c, "model.hidden", "'model.hidden' must list at least one width for an mlp");
    c = d;
    rx_config_set_str(&c, "optimizer.name", "adam", &err);
    rx_config_set_str(&c, "optimizer.nesterov", "true", &err);
    want_check_error(&c, "optimizer.nesterov",
                 "'optimizer.nesterov' needs sgd with momentum > 0 and dampening 0");
    c = d;
    rx_config_set_str(&c, "schedule.name", "plateau", &err);
    want_check_error(&c, "schedule.name",
                 "schedule 'plateau' monitors the validation loss, so 'data.validation' must be > 0");
    c = d;
    rx_config_set_str(&c, "data.validation", "2000", &err);
    want_check_error(&c, "data.validation",
                 "'data.validation' (2000) must be smaller than 'data.n_samples' (2000)");
    c = d;
    rx_config_set_str(&c, "data.dataset", "csv", &err);
    want_check_error(&c, "data.path", "dataset 'csv' needs 'data.path'");
    c = d;
    rx_config_set_str(&c, "data.dataset", "teacher", &err);
    rx_config_set_str(&c, "model.loss", "cross-entropy", &err);
    want_check_error(&c, "model.loss",
                 "'model.loss' cross-entropy needs class labels, and dataset 'teacher' is a regression");
    c = d;
    rx_config_set_str(&c, "model.loss", "vae", &err);
    want_check_error(&c, "model.loss", "'model.loss' vae needs 'model.type' vae");
    c = d;
    rx_config_set_str(&c, "model.type", "vae", &err);
    want_check_error(&c, "data.normalize",
                     "a vae needs inputs in [0, 1] for its binary cross-entropy, so 'data.normalize' must be none, not global");
    rx_config_set_str(&c, "data.normalize", "none", &err);
    assert_int_equal(rx_config_validate(&c, &err), RX_OK);
}

static void test_format_double(void **state)
{
    (void)state;
    static const struct {
        double x;
        const char *s;
    } cases[] = {{20, "20"}, {100, "100"}, {0.1, "0.1"}, {0.3, "0.3"}, {1e-8, "1e-08"},
                 {-0.0005, "-0.0005"}, {1e21, "1e+21"}, {123456, "123456"}, {1e20, "100000000000000000000"},
                 {0.000001, "0.000001"}, {1.5e-7, "1.5e-07"}, {0, "0"}, {-3, "-3"},
                 {2.5e15, "2500000000000000"}, {0.1 + 0.2, "0.30000000000000004"}};
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rx_format_double(cases[i].x, buf, sizeof buf);
        assert_string_equal(buf, cases[i].s);
    }
    /* shortest text that reads back exactly, for many doubles */
    rx_rng r;
    rx_rng_seed(&r, 42);
    for (int i = 0; i < 20000; i++) {
        double x = ldexp(rx_rng_uniform(&r) - 0.5, (int)rx_rng_below(&r, 160) - 80);
        rx_format_double(x, buf, sizeof buf);
        assert_true(strtod(buf, NULL) == x);
    }
}

/* The key list of the man page is exactly what the table renders. */
static void test_man_page_keys(void **state)
{
    (void)state;
    char *rendered = NULL;
    size_t rlen = 0;
    FILE *m = open_memstream(&rendered, &rlen);
    assert_non_null(m);
    rx_keys_print(m, RX_KEYS_ROFF);
    fclose(m);
    char *page = rx_test_slurp(MAN_PAGE);
    assert_non_null(page);
    char *begin = strstr(page, BEGIN_MARK), *end = strstr(page, END_MARK);
    assert_non_null(begin);
    assert_non_null(end);
    /* the block starts after the two comment lines of the marker */
    char *body = strchr(begin, '\n') + 1;
    body = strchr(body, '\n') + 1;
    assert_true(body <= end);
    size_t blen = (size_t)(end - body);
    if (getenv("RX_UPDATE")) {
        FILE *f = fopen(MAN_PAGE, "wb");
        assert_non_null(f);
        fwrite(page, 1, (size_t)(body - page), f);
        fwrite(rendered, 1, rlen, f);
        fputs(end, f);
        fclose(f);
    } else if (blen != rlen || memcmp(body, rendered, rlen) != 0) {
        fail_msg("the key list of %s is out of date: run 'RX_UPDATE=1 build/tests/test_keys'",
                 MAN_PAGE);
    }
    /* every key is named in the text listing too */
    char *text = NULL;
    size_t tlen = 0;
    m = open_memstream(&text, &tlen);
    rx_keys_print(m, RX_KEYS_TEXT);
    fclose(m);
    int n;
    const rx_param *k = rx_keys(&n);
    for (int i = 0; i < n; i++) {
        char pat[80];
        snprintf(pat, sizeof pat, "  %s = ", k[i].key);
        assert_non_null(strstr(text, pat));
        char roff[80];
        snprintf(roff, sizeof roff, ".B %s\n", k[i].key);
        /* roff escapes the minus only; keys have none but enum docs may */
        assert_non_null(strstr(rendered, roff));
    }
    free(text);
    free(rendered);
    free(page);
}

/* The canonical JSON read back: every leaf in document order with its
 * dotted key and raw text; malformed text and a callback's status stop it. */
typedef struct leaves {
    char text[8192];
    int n, stop_at;
} leaves;

static int collect(void *ud, const char *key, const char *val, size_t len)
{
    leaves *l = ud;
    size_t k = strlen(l->text);
    snprintf(l->text + k, sizeof l->text - k, "%s=%.*s;", key, (int)len, val);
    return ++l->n == l->stop_at ? RX_EINVAL : RX_OK;
}

static void test_json_walk(void **state)
{
    (void)state;
    rx_config c;
    rx_config_defaults(&c);
    char *json = rx_config_json(&c, 0);
    assert_non_null(json);
    leaves l = {{0}, 0, 0};
    assert_int_equal(rx_config_json_walk(json, collect, &l), RX_OK);
    assert_non_null(strstr(l.text, "model.hidden=[64,64];"));
    assert_non_null(strstr(l.text, "schedule.name=\"constant\";"));
    assert_non_null(strstr(l.text, "data.path=\"\";"));
    free(json);

    memset(&l, 0, sizeof l);
    assert_int_equal(rx_config_json_walk(" {\"a\":{\"b\":\"x\\\"y\",\"c\":[1,{\"d\":2}]},\"e\":-1e-05}",
                                         collect, &l), RX_OK);
    assert_string_equal(l.text, "a.b=\"x\\\"y\";a.c=[1,{\"d\":2}];e=-1e-05;");
    static const char *const bad[] = {"", "[1]", "{\"a\":}", "{\"a\":1", "{\"a\" 1}",
                                      "{\"a\":\"b}", "{\"a\":[1,2}", "{a:1}", "{\"a\":1} x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&l, 0, sizeof l);
        assert_int_equal(rx_config_json_walk(bad[i], collect, &l), RX_EFORMAT);
    }
    assert_int_equal(rx_config_json_walk(NULL, collect, &l), RX_EFORMAT);
    memset(&l, 0, sizeof l);
    l.stop_at = 2;
    assert_int_equal(rx_config_json_walk("{\"a\":1,\"b\":2,\"c\":3}", collect, &l), RX_EINVAL);
    assert_string_equal(l.text, "a=1;b=2;");

    char buf[16];
    assert_int_equal(rx_config_unquote("\"sgd\"", buf, sizeof buf), 3);
    assert_string_equal(buf, "sgd");
    rx_config_unquote("[1,2]", buf, sizeof buf);
    assert_string_equal(buf, "[1,2]");
}

/* rx_config_from_json is the inverse of the canonical form, on the same
 * reader: lists, conv layers, escaped strings, a schedule's keys. */
static void test_from_json(void **state)
{
    (void)state;
    rx_config c, back;
    rx_err e = {{0}};
    rx_config_defaults(&c);
    static const char *const set[] = {
        "model.type=cnn", "model.hidden=[32, 16]", "data.dataset=csv",
        "data.path=dir with \"quotes\" and \\back\tslash", "optimizer.name=adam",
        "schedule.name=step", "schedule.milestones=[0.3, 0.6]", "train.seed=7"};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (rx_config_assign(&c, set[i], &e))
            fail_msg("%s: %s", set[i], e.msg);
    const char *conv[] = {"channels=6 kernel=5 stride=2 padding=2",
                          "channels=12 kernel=3 stride=1 padding=1 pool=2"};
    if (rx_config_set(&c, "model.conv", conv, 2, 1, &e))
        fail_msg("conv: %s", e.msg);
    char *json = rx_config_json(&c, 0);
    assert_non_null(json);
    assert_int_equal(rx_config_from_json(json, &back, &e), RX_OK);
    char *again = rx_config_json(&back, 0);
    assert_non_null(again);
    assert_string_equal(again, json);
    char k1[RX_KEY_LEN + 1], k2[RX_KEY_LEN + 1];
    rx_config_run_key(&c, k1);
    rx_config_run_key(&back, k2);
    assert_string_equal(k1, k2);
    free(again);
    free(json);
    memset(&e, 0, sizeof e);
    assert_int_equal(rx_config_from_json("{\"data\":{\"dataset\":\"spirals\"", &back, &e), RX_EFORMAT);
    assert_non_null(strstr(e.msg, "configuration JSON"));
    assert_int_equal(rx_config_from_json("{\"model\":{\"conv\":[1]}}", &back, &e), RX_EFORMAT);
    assert_int_equal(rx_config_from_json("{\"model\":{\"hidden\":[[1]]}}", &back, &e), RX_EFORMAT);
    assert_int_equal(rx_config_from_json("{\"optimizer\":{\"nope\":1}}", &back, &e), RX_EINVAL);
    assert_int_equal(rx_config_from_json("{\"data\":{\"path\":\"\\u00e9\"}}", &back, &e), RX_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_canonical_sorted_complete),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_set_is_noop),
        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_schedule_keys),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_canonical_bound),
        cmocka_unit_test(test_run_keys),
        cmocka_unit_test(test_key_of_json),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_man_page_keys),
        cmocka_unit_test(test_json_walk),
        cmocka_unit_test(test_from_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
