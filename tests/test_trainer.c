/* test_trainer.c: the trainer table, the trainer section's keys and the
 * identity a command trainer adds to run keys (rx_trainer.h).  The
 * protocol itself is tested end to end by tests/cli/test_trainer_cmd*.sh. */
#include "rx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rx_keys.h"
#include "rx_spec.h"
#include "rx_trainer.h"

static char dir[512];

static int setup(void **state)
{
    return rx_test_tmpdir(dir, sizeof dir, NULL, "rx-test-trainer");
}

static int teardown(void **state)
{
    return rx_test_rmtree(dir);
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(rx_test_path(dir, name), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A trainer from "key=v1|v2" settings (a list when there is a '|'). */
static rx_trainer_spec *trainer(const char *const *settings, int n, rx_err *err, int *rc)
{
    rx_trainer_spec *t = rx_trainer_spec_new(dir);
    assert_non_null(t);
    *rc = RX_OK;
    for (int i = 0; i < n && *rc == RX_OK; i++) {
        char buf[256], *vals[8];
        snprintf(buf, sizeof buf, "%s", settings[i]);
        char *eq = strchr(buf, '=');
        *eq = '\0';
        int k = 0, is_list = strchr(eq + 1, '|') != NULL;
        for (char *v = strtok(eq + 1, "|"); v && k < 8; v = strtok(NULL, "|"))
            vals[k++] = v;
        *rc = rx_trainer_spec_set(t, buf, (const char *const *)vals, k, is_list, err);
    }
    if (*rc == RX_OK)
        *rc = rx_trainer_spec_finish(t, err);
    return t;
}

static void job_of(const rx_trainer_spec *t, rx_job *j)
{
    memset(j, 0, sizeof *j);
    rx_config_defaults(&j->cfg);
    rx_config_run_key(&j->cfg, j->key);
    rx_config_cell_key(&j->cfg, j->cell);
    rx_trainer_rekey(t, j);
}

static void test_builtin_keys_unchanged(void **state)
{
    rx_job a, b;
    job_of(NULL, &a);
    rx_err err;
    int rc;
    rx_trainer_spec *t = trainer(NULL, 0, &err, &rc);
    assert_int_equal(rc, RX_OK);
    assert_int_equal(t->kind, RX_TRAINER_BUILTIN);
    assert_string_equal(rx_trainer_ops_of(t)->name, "builtin");
    assert_string_equal(rx_trainer_ops_of(NULL)->name, "builtin");
    job_of(t, &b);
    assert_string_equal(a.key, b.key);
    assert_string_equal(a.cell, b.cell);
    rx_trainer_spec_free(t);
}

static void test_identity(void **state)
{
    write_file("train.py", "print('v1')\n");
    const char *s1[] = {"command=python3|train.py", "code=train.py", "train_size=1000"};
    rx_err err;
    int rc;
    rx_trainer_spec *t1 = trainer(s1, 3, &err, &rc);
    assert_int_equal(rc, RX_OK);
    assert_string_equal(rx_trainer_ops_of(t1)->name, "command");
    rx_job base, a, again;
    job_of(NULL, &base);
    job_of(t1, &a);
    job_of(t1, &again);
    assert_string_not_equal(a.key, base.key);
    assert_string_not_equal(a.cell, base.cell);
    assert_string_equal(a.key, again.key);          /* deterministic */
    assert_non_null(strstr(t1->identity, "\"command\":[\"python3\",\"train.py\"]"));

    /* the same program, another content: new keys */
    write_file("train.py", "print('v2')\n");
    rx_trainer_spec *t2 = trainer(s1, 3, &err, &rc);
    rx_job b;
    job_of(t2, &b);
    assert_string_not_equal(a.key, b.key);
    /* another argument: new keys; a runtime key (timeout): the same */
    const char *s3[] = {"command=python3|train.py|--fast", "code=train.py", "train_size=1000"};
    const char *s4[] = {"command=python3|train.py", "code=train.py", "train_size=1000",
                        "timeout=2h", "gpus=0|1"};
    rx_trainer_spec *t3 = trainer(s3, 3, &err, &rc), *t4 = trainer(s4, 5, &err, &rc);
    assert_int_equal(rc, RX_OK);
    rx_job c, d;
    job_of(t3, &c);
    job_of(t4, &d);
    assert_string_not_equal(b.key, c.key);
    assert_string_equal(b.key, d.key);
    assert_true(t4->timeout == 7200);
    rx_trainer_spec_free(t1);
    rx_trainer_spec_free(t2);
    rx_trainer_spec_free(t3);
    rx_trainer_spec_free(t4);
}

static void test_keys_and_errors(void **state)
{
    rx_err err;
    int rc;
    static const struct {
        const char *setting, *msg;
    } bad[] = {
        {"timeut=5", "unknown key 'timeut' in 'trainer' (did you mean 'timeout'?)"},
        {"timeout=2x", "'trainer.timeout' must be a duration (90, 90s, 15m, 2h, 1d), got '2x'"},
        {"timeout=-1", "'trainer.timeout' must be a duration"},
        {"steps_per_epoch=0", "'trainer.steps_per_epoch' must be an integer in [1, 1e9], got '0'"},
        {"lr_table=tsv", "'trainer.lr_table' must be csv or f64, got 'tsv'"},
        {"env=1BAD", "'trainer.env' item '1BAD' is not a variable name"},
        {"code=missing.py", "'trainer.code': cannot read"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *s[] = {"command=prog", bad[i].setting, "steps_per_epoch=5"};
        rx_trainer_spec *t = trainer(s, 2, &err, &rc);
        assert_int_not_equal(rc, RX_OK);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("'%s': got '%s'", bad[i].setting, err.msg);
        rx_trainer_spec_free(t);
    }
    /* durations */
    static const struct {
        const char *v;
        double s;
    } dur[] = {{"90", 90}, {"90s", 90}, {"1.5m", 90}, {"2h", 7200}, {"1d", 86400}, {"0", 0}};
    for (size_t i = 0; i < sizeof dur / sizeof dur[0]; i++) {
        char set[32];
        snprintf(set, sizeof set, "timeout=%s", dur[i].v);
        const char *s[] = {"command=prog", "steps_per_epoch=5", set};
        rx_trainer_spec *t = trainer(s, 3, &err, &rc);
        assert_int_equal(rc, RX_OK);
        assert_true(t->timeout == dur[i].s);
        rx_trainer_spec_free(t);
    }
    /* exactly one of steps_per_epoch and train_size */
    const char *none[] = {"command=prog"};
    const char *both[] = {"command=prog", "steps_per_epoch=5", "train_size=10"};
    rx_trainer_spec *t = trainer(none, 1, &err, &rc);
    assert_int_equal(rc, RX_EINVAL);
    rx_trainer_spec_free(t);
    t = trainer(both, 3, &err, &rc);
    assert_int_equal(rc, RX_EINVAL);
    rx_trainer_spec_free(t);
    /* other keys without a command */
    const char *lone[] = {"timeout=5"};
    t = trainer(lone, 1, &err, &rc);
    assert_int_equal(rc, RX_EINVAL);
    assert_non_null(strstr(err.msg, "without 'command' is the built-in trainer"));
    rx_trainer_spec_free(t);
}

static void test_steps_per_epoch(void **state)
{
    rx_err err;
    int rc;
    const char *s[] = {"command=prog", "train_size=1000"};
    rx_trainer_spec *t = trainer(s, 2, &err, &rc);
    assert_int_equal(rc, RX_OK);
    rx_config c;
    rx_config_defaults(&c);
    c.train.batch_size = 128;
    assert_int_equal(rx_trainer_steps_per_epoch(t, &c), 8);    /* ceil(1000 / 128) */
    c.train.batch_size = 100;
    assert_int_equal(rx_trainer_steps_per_epoch(t, &c), 10);
    assert_int_equal(rx_trainer_steps_per_epoch(NULL, &c), 0);
    rx_trainer_spec_free(t);
}

/* A spec's trainer section: keys re-keyed by rx_spec_expand. */
static void test_spec_section(void **state)
{
    write_file("p.py", "pass\n");
    const char *path = rx_test_path(dir, "s.yaml");
    const char *text = "name: s\ntrain: {full_epochs: 1}\nseeds: 2\n"
                       "trainer: {command: [python3, p.py], code: [p.py], steps_per_epoch: 4}\n";
    rx_err err;
    rx_spec *s;
    assert_int_equal(rx_spec_parse(text, strlen(text), path, &s, &err), RX_OK);
    assert_non_null(s->trainer);
    rx_job *jobs;
    int n;
    assert_int_equal(rx_spec_expand(s, &jobs, &n, &err), RX_OK);
    assert_int_equal(n, 2);
    char plain[RX_KEY_LEN + 1];
    rx_config_run_key(&jobs[0].cfg, plain);
    assert_string_not_equal(plain, jobs[0].key);
    assert_string_equal(jobs[0].cell, jobs[1].cell);
    rx_jobs_free(jobs, n);
    rx_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtin_keys_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_steps_per_epoch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_section, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
