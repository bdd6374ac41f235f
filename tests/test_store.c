/* test_store.c: the results store: schema, migrations, claiming under
 * contention, atomic recording, NaN/Inf, views and merge. */
#include "rx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rx_keys.h"
#include "rx_sched.h"
#include "rx_spec.h"
#include "rx_metrics.h"
#include "rx_store.h"

static char tmpdir[512];

static int setup(void **state)
{
    return rx_test_tmpdir(tmpdir, sizeof tmpdir, NULL, "rxstore");
}

static int teardown(void **state)
{
    return rx_test_rmtree(tmpdir);
}

static const char *tpath(const char *name)
{
    return rx_test_path(tmpdir, name);
}

/* Runs SQL on a store file with the sqlite3 shell (for states the API
 * never produces: older versions, foreign databases). */
static void shell(const char *path, const char *sql)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\"", path, sql);
    assert_int_equal(system(cmd), 0);
}

/* ---- building jobs ---------------------------------------------------- */

static const char *const sched_names[] = {"rex", "linear", "cosine"};

/* n jobs over 12 cells (2 optimizers x 3 schedules x 2 budgets), seed
 * i / 12; keys derive from tag so that two stores can share or differ. */
static rx_job *make_jobs(int n, const char *tag)
{
    rx_job *jobs = calloc((size_t)n, sizeof *jobs);
    assert_non_null(jobs);
    for (int i = 0; i < n; i++) {
        rx_job *j = &jobs[i];
        rx_config *c = &j->cfg;
        rx_config_defaults(c);
        snprintf(c->data.dataset, sizeof c->data.dataset, "fashion-mnist");
        c->model.type = RX_MODEL_MLP;
        c->optim.kind = i % 2 ? RX_OPTIM_ADAM : RX_OPTIM_SGD;
        c->optim.lr = i % 2 ? 1e-3 : 0.1;
        c->optim.momentum = i % 2 ? 0 : 0.9;
        c->optim.weight_decay = 5e-4;
        assert_int_equal(rx_sched_init(&c->sched, sched_names[(i / 2) % 3], NULL), RX_OK);
        c->train.batch_size = 128;
        c->train.full_epochs = 10;
        c->train.budget = (i / 6) % 2 ? 1.0 : 0.1;
        c->train.seed = (uint64_t)(i / 12);
        char id[64];
        snprintf(id, sizeof id, "%s-cell-%d", tag, i % 12);
        snprintf(j->cell, sizeof j->cell, "%016llx",
                 (unsigned long long)rx_hash64(id, strlen(id), RX_HASH_INIT));
        char json[128];
        snprintf(json, sizeof json, "{\"tag\":\"%s\",\"i\":%d}", tag, i);
        j->config_json = strdup(json);
        rx_key_of_json(json, RX_TRAINER_VERSION, j->key); /* a stored run must match its key */
        j->index = i;
    }
    return jobs;
}

static rx_train_result make_result(double test_acc)
{
    rx_train_result r;
    memset(&r, 0, sizeof r);
    r.status = RX_RUN_DONE;
    r.total_steps = r.steps = 100;
    r.steps_per_epoch = 10;
    r.epochs = 10;
    r.samples = 12800;
    r.flops = 1e9;
    r.wall = 1.5;
    r.n_epochs_done = 10;
    r.n_params = 1000;
    snprintf(r.model_desc, sizeof r.model_desc, "mlp 784-64-10");
    r.final.epoch = 10;
    r.final.step = 100;
    r.final.train_loss = 0.3;
    r.final.train_acc = 0.9;
    r.final.val_loss = 0.35;
    r.final.val_acc = test_acc + 0.01;
    r.final.test_loss = 0.4;
    r.final.test_acc = test_acc;
    r.best_val_acc = test_acc + 0.02;
    r.best_val_loss = 0.33;
    r.best_test_acc = test_acc + 0.01;
    return r;
}

static rx_store *open_new(const char *name)
{
    rx_store *st;
    rx_err err = {""};
    int rc = rx_store_open(tpath(name), RX_STORE_CREATE, &st, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, RX_OK);
    return st;
}

/* A store with one sweep holding n jobs; *sweep gets its id. */
static rx_store *store_with_jobs(const char *name, rx_job *jobs, int n, int64_t *sweep)
{
    rx_store *st = open_new(name);
    rx_err err;
    rx_sweep_info info = {"test", "name: test\n", "hash1", NULL};
    assert_int_equal(rx_store_begin_sweep(st, &info, sweep, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, *sweep, jobs, n, NULL, &err), RX_OK);
    return st;
}

/* A store with one job of tag, claimed: its key is in key. */
static rx_store *one_claimed(const char *name, const char *tag, rx_job **jobs,
                             char key[RX_KEY_LEN + 1])
{
    int64_t sw;
    rx_err err;
    *jobs = make_jobs(1, tag);
    rx_store *st = store_with_jobs(name, *jobs, 1, &sw);
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", 1, key, NULL, &err), RX_OK);
    return st;
}

/* ---- reading helpers -------------------------------------------------- */

typedef struct first_cell {
    int rows;
    rx_value v;
    char text[256];
} first_cell;

static int grab_first(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    first_cell *f = ud;
    if (f->rows++ == 0) {
        f->v = v[0];
        if (v[0].type == RX_VTEXT) {
            snprintf(f->text, sizeof f->text, "%s", v[0].s);
            f->v.s = f->text;
        }
    }
    return 0;
}

static first_cell q(rx_store *st, const char *sql)
{
    first_cell f;
    memset(&f, 0, sizeof f);
    rx_err err = {""};
    int rc = rx_store_query(st, sql, NULL, 0, grab_first, &f, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, RX_OK);
    return f;
}

static int64_t qint(rx_store *st, const char *sql)
{
    first_cell f = q(st, sql);
    assert_int_equal(f.v.type, RX_VINT);
    return f.v.i;
}

static double qnum(rx_store *st, const char *sql)
{
    first_cell f = q(st, sql);
    f.v.s = f.text;
    double x;
    if (!rx_value_number(&f.v, &x))
        fail_msg("'%s' is not a number", sql);
    return x;
}

static const char *qtext(rx_store *st, const char *sql)
{
    static first_cell f;
    f = q(st, sql);
    f.v.s = f.text;
    return f.v.type == RX_VTEXT ? f.text : "(null)";
}

/* The text of expression expr over run key's row. */
static const char *run_row(rx_store *st, const char *key, const char *expr)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE key = '%s'", expr, key);
    return qtext(st, sql);
}

static void assert_integrity(rx_store *st)
{
    assert_string_equal(qtext(st, "PRAGMA integrity_check"), "ok");
    assert_int_equal(q(st, "PRAGMA foreign_key_check").rows, 0);
}

/* ---- schema ----------------------------------------------------------- */

static void test_schema_fresh(void **state)
{
    rx_store *st = open_new("fresh.db");
    assert_int_equal(rx_store_found_version(st), 0);
    assert_int_equal(qint(st, "PRAGMA user_version"), RX_STORE_SCHEMA_VERSION);
    assert_int_equal(qint(st, "PRAGMA application_id"), RX_STORE_APP_ID);
    assert_int_equal(access(tpath("fresh.db-wal"), F_OK), 0); /* WAL mode */
    assert_int_equal(qint(st, "PRAGMA foreign_keys"), 1);
    assert_int_equal(qint(st, "SELECT count(*) FROM pragma_table_list "
                              "WHERE schema = 'main' AND type = 'table' AND strict = 1 "
                              "AND name IN ('sweeps', 'runs', 'sweep_runs', 'metrics', "
                              "'step_metrics', 'provenance', 'run_metrics')"),
                     7);
    assert_int_equal(qint(st, "SELECT count(*) FROM sqlite_master WHERE type = 'view'"), 7);
    assert_string_equal(rx_store_path(st), tpath("fresh.db"));
    assert_integrity(st);
    rx_store_close(st);

    /* reopening a current store changes nothing */
    rx_err err;
    assert_int_equal(rx_store_open(tpath("fresh.db"), 0, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), RX_STORE_SCHEMA_VERSION);
    rx_store_close(st);
    assert_int_equal(rx_store_open(tpath("fresh.db"), RX_STORE_READONLY, &st, &err), RX_OK);
    rx_store_close(st);
}

static void test_open_errors(void **state)
{
    rx_store *st = (rx_store *)1;
    rx_err err = {""};
    assert_int_equal(rx_store_open(tpath("missing.db"), 0, &st, &err), RX_EIO);
    assert_null(st);
    assert_non_null(strstr(err.msg, "cannot open store"));
    assert_int_equal(rx_store_open(tpath("missing.db"), RX_STORE_READONLY, &st, &err), RX_EIO);
    assert_int_equal(rx_store_open(tpath("nodir/x.db"), RX_STORE_CREATE, &st, &err), RX_EIO);
    assert_non_null(strstr(err.msg, "does not exist"));
    /* names SQLite would turn into private temporary databases, and a
     * directory, are not store files */
    assert_int_equal(rx_store_open("", RX_STORE_CREATE, &st, &err), RX_EINVAL);
    assert_int_equal(rx_store_open(":memory:", RX_STORE_CREATE, &st, &err), RX_EINVAL);
    assert_int_equal(rx_store_open(tpath(""), RX_STORE_CREATE, &st, &err), RX_EINVAL);
    assert_non_null(strstr(err.msg, "is a directory"));
    assert_null(st);

    /* another application's database is left alone */
    shell(tpath("other.db"), "CREATE TABLE foo (x); INSERT INTO foo VALUES (1)");
    assert_int_equal(rx_store_open(tpath("other.db"), RX_STORE_CREATE, &st, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "is not a rexsweep store"));
    shell(tpath("other2.db"), "PRAGMA application_id = 42");
    assert_int_equal(rx_store_open(tpath("other2.db"), 0, &st, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "application_id 0x2a"));

    /* not a database at all */
    FILE *f = fopen(tpath("junk.db"), "w");
    fputs("this is not a database, just some text that is long enough to be a header....\n"
          "................................................................................\n",
          f);
    fclose(f);
    assert_int_not_equal(rx_store_open(tpath("junk.db"), 0, &st, &err), RX_OK);
    assert_null(st);

    /* an empty file is not a store to read */
    fclose(fopen(tpath("empty.db"), "w"));
    assert_int_equal(rx_store_open(tpath("empty.db"), RX_STORE_READONLY, &st, &err),
                     RX_ESTORE);
}

/* A v1 store, with data, as rexsweep 0.1's first schema wrote it. */
static void make_v1_store(const char *path, const char *key, const char *status,
                          const char *test_acc)
{
    rx_err err;
    if (access(path, F_OK) != 0)
        assert_int_equal(rx_store_create_at(path, 1, &err), RX_OK);
    char sql[4096];
    snprintf(sql, sizeof sql,
             "INSERT OR IGNORE INTO sweeps (name, spec, spec_hash, created, rexsweep_version,"
             " trainer_version, host) VALUES ('old', 'name: old', 'h-old', 1.7e9, '0.0.9', 1, 'h');"
             "INSERT INTO runs (key, cell, dataset, model, optimizer, lr, momentum, weight_decay,"
             " batch_size, schedule, schedule_json, sampling, budget, full_epochs, seed, config,"
             " status, attempts, test_acc, train_loss) VALUES ('%s', 'c-old', 'blobs', 'mlp',"
             " 'adam', 0.001, 0, 0, 32, 'rex', '{}', 'iteration', 0.5, 4, 0, '{}', '%s', 1, %s,"
             " 'NaN');"
             "INSERT INTO sweep_runs VALUES ((SELECT id FROM sweeps WHERE name = 'old'), '%s', 0);"
             "INSERT INTO metrics (key, epoch, step, samples, train_loss, test_acc)"
             " VALUES ('%s', 1, 10, 320, 'Infinity', %s);",
             key, status, test_acc, key, key, test_acc);
    shell(path, sql);
}

static void test_migration(void **state)
{
    rx_err err = {""};
    const char *p = tpath("v1.db");
    make_v1_store(p, "00000000000000a1", "done", "0.75");
    assert_int_equal(rx_store_create_at(p, 1, &err), RX_EINVAL); /* exists */
    assert_int_equal(rx_store_create_at(tpath("v9.db"), 9, &err), RX_EINVAL);

    /* read-only: a migrated copy in memory; the file stays at v1 */
    rx_store *st;
    assert_int_equal(rx_store_open(p, RX_STORE_READONLY, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), 1);
    assert_int_equal(qint(st, "PRAGMA user_version"), RX_STORE_SCHEMA_VERSION);
    assert_true(qnum(st, "SELECT test_acc FROM run_results") == 0.75);
    /* step 3 added final_lr: NULL for the runs recorded before */
    assert_int_equal(q(st, "SELECT final_lr FROM run_results").v.type, RX_VNULL);
    assert_int_equal(rx_store_exec(st, "DELETE FROM runs", &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "read-only"));
    rx_store_close(st);
    assert_int_equal(rx_store_open(p, RX_STORE_READONLY, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), 1);
    rx_store_close(st);

    /* read-write: migrated in place, data intact, views answer */
    assert_int_equal(rx_store_open(p, 0, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), 1);
    assert_int_equal(qint(st, "PRAGMA user_version"), RX_STORE_SCHEMA_VERSION);
    assert_true(qnum(st, "SELECT mean_test_acc FROM cell_results") == 0.75);
    assert_true(qnum(st, "SELECT mean_test_error FROM cell_results WHERE sweep = 'old'") == 25);
    assert_int_equal(qint(st, "SELECT n_runs FROM sweep_status WHERE sweep = 'old'"), 1);
    assert_true(isnan(qnum(st, "SELECT train_loss FROM runs")));
    assert_true(isinf(qnum(st, "SELECT train_loss FROM metrics")));
    assert_integrity(st);
    rx_store_close(st);
    assert_int_equal(rx_store_open(p, 0, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), RX_STORE_SCHEMA_VERSION);
    rx_store_close(st);
}

static void test_refuse_newer(void **state)
{
    rx_store *st = open_new("new.db");
    rx_store_close(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", RX_STORE_SCHEMA_VERSION + 1);
    shell(tpath("new.db"), sql);
    rx_err err = {""};
    assert_int_equal(rx_store_open(tpath("new.db"), 0, &st, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "newer than this rexsweep"));
    assert_non_null(strstr(err.msg, "upgrade rexsweep"));
    assert_int_equal(rx_store_open(tpath("new.db"), RX_STORE_READONLY, &st, &err), RX_ESTORE);
    assert_null(st);
}

/* ---- sweeps and jobs -------------------------------------------------- */

static void test_add_jobs(void **state)
{
    rx_err err = {""};
    int64_t sw, sw2, sw3;
    rx_job *jobs = make_jobs(24, "a");
    rx_store *st = open_new("jobs.db");
    rx_sweep_info info = {"s", "spec text", "hash1", "abc123"};
    assert_int_equal(rx_store_begin_sweep(st, &info, &sw, &err), RX_OK);
    assert_int_equal(rx_store_begin_sweep(st, &info, &sw2, &err), RX_OK);
    assert_int_equal(sw, sw2);
    info.spec_hash = "hash2";
    info.spec = "spec text 2";
    assert_int_equal(rx_store_begin_sweep(st, &info, &sw2, &err), RX_OK);
    assert_true(sw2 != sw);
    assert_int_equal(rx_store_find_sweep(st, "s", &sw3, &err), RX_OK);
    assert_true(sw3 == sw2);
    assert_int_equal(rx_store_find_sweep(st, "nope", &sw3, &err), RX_ENOTFOUND);
    /* the spec of the most recent sweep of a name */
    char *spec = NULL;
    assert_int_equal(rx_store_sweep_spec(st, "s", &spec, &err), RX_OK);
    assert_string_equal(spec, "spec text 2");
    free(spec);
    assert_int_equal(rx_store_sweep_spec(st, "nope", &spec, &err), RX_ENOTFOUND);
    assert_null(spec);
    assert_non_null(strstr(err.msg, "no sweep named 'nope'"));
    assert_string_equal(qtext(st, "SELECT git_commit FROM sweeps WHERE id = 1"), "abc123");
    assert_string_equal(qtext(st, "SELECT rexsweep_version FROM sweeps WHERE id = 1"),
                        RX_VERSION);

    int n_new = -1;
    assert_int_equal(rx_store_add_jobs(st, sw, jobs, 20, &n_new, &err), RX_OK);
    assert_int_equal(n_new, 20);
    assert_int_equal(rx_store_add_jobs(st, sw, jobs, 20, &n_new, &err), RX_OK);
    assert_int_equal(n_new, 0);
    /* a changed spec adds only what is new, and shares the rest */
    assert_int_equal(rx_store_add_jobs(st, sw2, jobs + 10, 14, &n_new, &err), RX_OK);
    assert_int_equal(n_new, 4);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs"), 24);
    assert_int_equal(qint(st, "SELECT count(*) FROM sweep_runs"), 34);

    rx_store_counts c;
    assert_int_equal(rx_store_count_sweep(st, sw, &c, &err), RX_OK);
    assert_int_equal(c.pending, 20);
    assert_int_equal(c.total, 20);
    assert_int_equal(rx_store_count_jobs(st, jobs, 24, &c, &err), RX_OK);
    assert_int_equal(c.pending, 24);
    assert_int_equal(c.new_runs, 0);
    rx_job *other = make_jobs(3, "zz");
    assert_int_equal(rx_store_count_jobs(st, other, 3, &c, &err), RX_OK);
    assert_int_equal(c.new_runs, 3);
    assert_int_equal(c.total, 3);

    /* axes are real columns */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT optimizer || ' ' || schedule || ' ' || dataset || ' ' ||"
                              " model || ' ' || budget || ' ' || lr FROM runs WHERE key = '%s'",
             jobs[3].key);
    assert_string_equal(qtext(st, sql), "adam linear fashion-mnist mlp 0.1 0.001");
    snprintf(sql, sizeof sql, "SELECT seed FROM runs WHERE key = '%s'", jobs[13].key);
    assert_int_equal(qint(st, sql), 1);
    snprintf(sql, sizeof sql, "SELECT json_extract(schedule_json, '$.name') FROM runs"
                              " WHERE key = '%s'", jobs[0].key);
    assert_string_equal(qtext(st, sql), "rex");

    /* the same key with another configuration is a collision */
    free(other[0].config_json);
    other[0].config_json = strdup("{\"different\":1}");
    memcpy(other[0].key, jobs[0].key, sizeof other[0].key);
    assert_int_equal(rx_store_add_jobs(st, sw, other, 3, &n_new, &err), RX_ECONFLICT);
    assert_non_null(strstr(err.msg, jobs[0].key));
    assert_int_equal(qint(st, "SELECT count(*) FROM runs"), 24); /* all or nothing */
    rx_jobs_free(other, 3);
    assert_integrity(st);

    /* a stored configuration that no longer hashes to its key is damage,
     * not a collision: reported as corruption, and nothing more written */
    char fix[256];
    snprintf(fix, sizeof fix, "UPDATE runs SET config = '{\"tag\":\"a\",\"i\":99}'"
                              " WHERE key = '%s'", jobs[0].key);
    assert_int_equal(rx_store_exec(st, fix, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sw, jobs, 24, &n_new, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "is corrupt"));
    assert_non_null(strstr(err.msg, "quick_check: ok"));
    char key[RX_KEY_LEN + 1];
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", 1, key, NULL, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "nothing more is written"));
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
    rx_store_close(st);
    rx_jobs_free(jobs, 24);
}

/* rx_store_registered: what an earlier registration of the same sweep
 * made needs no second one; anything else does (another sweep, another
 * grid index, a key not linked, a configuration damaged since). */
static void test_registered(void **state)
{
    (void)state;
    rx_err err;
    int64_t sw, sw2;
    rx_job *jobs = make_jobs(6, "reg");
    rx_store *st = store_with_jobs("reg.db", jobs, 4, &sw);
    rx_sweep_info info = {"other", "name: other\n", "hash2", NULL};
    assert_int_equal(rx_store_begin_sweep(st, &info, &sw2, &err), RX_OK);
    rx_run_ref runs[6];
    for (int i = 0; i < 6; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        memcpy(runs[i].key, jobs[i].key, sizeof runs[i].key);
        memcpy(runs[i].cell, jobs[i].cell, sizeof runs[i].cell);
        runs[i].index = i;
    }
    unsigned char ok[6];
    assert_int_equal(rx_store_registered(st, sw, runs, 6, ok, &err), RX_OK);
    const unsigned char want[6] = {1, 1, 1, 1, 0, 0};
    assert_memory_equal(ok, want, 6);
    /* the same runs seen from another sweep are not its own */
    assert_int_equal(rx_store_registered(st, sw2, runs, 6, ok, &err), RX_OK);
    assert_memory_equal(ok, ((unsigned char[6]){0}), 6);
    /* another grid index: registered again (the expansion changed) */
    runs[1].index = 7;
    /* a damaged configuration: left to the full check, which names it */
    char fix[256];
    snprintf(fix, sizeof fix, "UPDATE runs SET config = '{\"tag\":\"x\"}' WHERE key = '%s'",
             jobs[2].key);
    assert_int_equal(rx_store_exec(st, fix, &err), RX_OK);
    assert_int_equal(rx_store_registered(st, sw, runs, 6, ok, &err), RX_OK);
    const unsigned char want2[6] = {1, 0, 0, 1, 0, 0};
    assert_memory_equal(ok, want2, 6);
    assert_int_equal(rx_store_add_jobs(st, sw, jobs + 2, 1, NULL, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "is corrupt"));
    rx_store_close(st);
    rx_jobs_free(jobs, 6);
}

/* rx_store_key_states answers the same by its two paths: one pass over
 * the store's indexes when the list is about as large as the store, one
 * lookup per key otherwise (here forced by a far rowid). */
static void test_key_states_paths(void **state)
{
    (void)state;
    rx_err err;
    int64_t sw;
    rx_job *jobs = make_jobs(8, "ks");
    rx_store *st = store_with_jobs("ks.db", jobs, 6, &sw);
    char fix[256];
    snprintf(fix, sizeof fix, "UPDATE runs SET status = 'done' WHERE key = '%s'", jobs[1].key);
    assert_int_equal(rx_store_exec(st, fix, &err), RX_OK);
    snprintf(fix, sizeof fix, "UPDATE runs SET status = 'failed' WHERE key = '%s'", jobs[4].key);
    assert_int_equal(rx_store_exec(st, fix, &err), RX_OK);
    /* the list: 8 keys, two of them not stored, one repeated */
    rx_job list[9];
    memcpy(list, jobs, 8 * sizeof *list);
    list[8] = jobs[4];
    const signed char want[9] = {RX_STATE_PENDING, RX_STATE_DONE, RX_STATE_PENDING,
                                 RX_STATE_PENDING, RX_STATE_FAILED, RX_STATE_PENDING, -1, -1,
                                 RX_STATE_FAILED};
    for (int pass = 0; pass < 2; pass++) {
        signed char got[9];
        rx_store_counts c;
        assert_int_equal(rx_store_key_states(st, list[0].key, sizeof list[0], 9, got, &c, &err),
                         RX_OK);
        assert_memory_equal(got, want, 9);
        assert_int_equal(c.pending, 4);
        assert_int_equal(c.done, 1);
        assert_int_equal(c.failed, 2);
        assert_int_equal(c.new_runs, 2);
        assert_int_equal(c.total, 9);
        /* a far rowid: the store looks much larger than the list */
        snprintf(fix, sizeof fix, "UPDATE runs SET rowid = 100000 WHERE key = '%s'", jobs[5].key);
        assert_int_equal(rx_store_exec(st, fix, &err), RX_OK);
    }
    rx_store_close(st);
    rx_jobs_free(jobs, 8);
}

/* ---- claiming --------------------------------------------------------- */

static void finish_done(rx_store *st, const char *key, double acc)
{
    rx_err err = {""};
    rx_train_result r = make_result(acc);
    int rc = rx_store_finish(st, key, RX_STATE_DONE, &r, &r.final, 1, NULL, 0, NULL, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, RX_OK);
}

static void test_claim_order(void **state)
{
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(6, "o");
    /* grid order is the index, not the insertion order */
    int order[6] = {5, 3, 0, 4, 1, 2};
    for (int i = 0; i < 6; i++)
        jobs[i].index = order[i];
    rx_store *st = store_with_jobs("claim.db", jobs, 6, &sw);
    char key[RX_KEY_LEN + 1];
    int idx;
    long me = (long)getpid();
    for (int want = 0; want < 6; want++) {
        assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", me, key, &idx, &err), RX_OK);
        assert_int_equal(idx, want);
    }
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", me, key, &idx, &err), RX_ENOTFOUND);
    rx_store_counts c;
    rx_store_count_sweep(st, sw, &c, &err);
    assert_int_equal(c.running, 6);

    /* outcomes: done, failed, interrupted (by the run and by a parent) */
    finish_done(st, jobs[2].key, 0.8);
    assert_int_equal(rx_store_finish(st, jobs[4].key, RX_STATE_FAILED, NULL, NULL, 0, NULL, 0,
                                     "out of memory", &err), RX_OK);
    assert_int_equal(rx_store_mark(st, jobs[1].key, RX_STATE_INTERRUPTED, "SIGINT", &err),
                     RX_OK);
    assert_int_equal(rx_store_mark(st, jobs[1].key, RX_STATE_INTERRUPTED, NULL, &err),
                     RX_ENOTFOUND);
    assert_int_equal(rx_store_mark(st, jobs[0].key, RX_STATE_DONE, NULL, &err), RX_EINVAL);
    int n = -1;
    assert_int_equal(rx_store_release_worker(st, "h", me, RX_STATE_INTERRUPTED, &n, &err),
                     RX_OK);
    assert_int_equal(n, 3); /* indexes 2, 4 and 5 */
    rx_store_count_sweep(st, sw, &c, &err);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.interrupted, 4);
    assert_int_equal(c.total, 6);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT error FROM runs WHERE key = '%s'", jobs[4].key);
    assert_string_equal(qtext(st, sql), "out of memory");

    /* interrupted runs come back in grid order, failed ones only on request */
    int expect[4] = {2, 3, 4, 5};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", me, key, &idx, &err), RX_OK);
        assert_int_equal(idx, expect[i]);
    }
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "h", me, key, &idx, &err), RX_ENOTFOUND);
    assert_int_equal(rx_store_claim(st, sw, RX_CLAIM_RETRY_FAILED, 0, "h", me, key, &idx, &err),
                     RX_OK);
    assert_int_equal(idx, 1);
    assert_string_equal(key, jobs[4].key);
    snprintf(sql, sizeof sql, "SELECT attempts || ' ' || ifnull(error, '-') FROM runs"
                              " WHERE key = '%s'", key);
    assert_string_equal(qtext(st, sql), "2 -");
    /* done is final */
    finish_done(st, key, 0.5);
    assert_int_equal(rx_store_claim(st, sw, RX_CLAIM_RETRY_FAILED, 0, "h", me, key, &idx, &err),
                     RX_ENOTFOUND);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, 6);
}

/* Claiming one run by key: only claimable states, and the state found
 * when it is not (a runner walking its own job list, issue 11). */
static void test_claim_key(void **state)
{
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(4, "k");
    rx_store *st = store_with_jobs("claimkey.db", jobs, 4, &sw);
    long me = (long)getpid();
    int found = 99;
    assert_int_equal(rx_store_claim_key(st, jobs[2].key, 0, 0, "h", me, &found, &err), RX_OK);
    assert_int_equal(found, RX_STATE_RUNNING);
    /* held by a live worker: not claimable, reported as running */
    assert_int_equal(rx_store_claim_key(st, jobs[2].key, 0, 0, "h", me, &found, &err),
                     RX_ENOTFOUND);
    assert_int_equal(found, RX_STATE_RUNNING);
    finish_done(st, jobs[2].key, 0.7);
    assert_int_equal(rx_store_claim_key(st, jobs[2].key, RX_CLAIM_RETRY_FAILED, 0, "h", me,
                                        &found, &err), RX_ENOTFOUND);
    assert_int_equal(found, RX_STATE_DONE);
    /* failed: only with RX_CLAIM_RETRY_FAILED */
    assert_int_equal(rx_store_claim_key(st, jobs[0].key, 0, 0, "h", me, NULL, &err), RX_OK);
    assert_int_equal(rx_store_finish(st, jobs[0].key, RX_STATE_FAILED, NULL, NULL, 0, NULL, 0,
                                     "boom", &err), RX_OK);
    assert_int_equal(rx_store_claim_key(st, jobs[0].key, 0, 0, "h", me, &found, &err),
                     RX_ENOTFOUND);
    assert_int_equal(found, RX_STATE_FAILED);
    assert_int_equal(rx_store_claim_key(st, jobs[0].key, RX_CLAIM_RETRY_FAILED, 0, "h", me,
                                        &found, &err), RX_OK);
    /* a key the store does not have */
    assert_int_equal(rx_store_claim_key(st, "0123456789abcdef", 0, 0, "h", me, &found, &err),
                     RX_ENOTFOUND);
    assert_int_equal(found, -1);
    /* stale: a dead worker on this host, or an old heartbeat elsewhere */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE runs SET status = 'running', worker_host = 'h',"
                              " worker_pid = 2147483646, heartbeat = 1e12 WHERE key = '%s';"
                              "UPDATE runs SET status = 'running', worker_host = 'far',"
                              " worker_pid = 1, heartbeat = 1 WHERE key = '%s'",
             jobs[1].key, jobs[3].key);
    assert_int_equal(rx_store_exec(st, sql, &err), RX_OK);
    assert_int_equal(rx_store_claim_key(st, jobs[1].key, 0, 0, "h", me, &found, &err), RX_OK);
    assert_int_equal(rx_store_claim_key(st, jobs[3].key, 0, 0, "h", me, &found, &err),
                     RX_ENOTFOUND);
    assert_int_equal(found, RX_STATE_RUNNING);
    assert_int_equal(rx_store_claim_key(st, jobs[3].key, 0, 600, "h", me, &found, &err), RX_OK);
    snprintf(sql, sizeof sql, "SELECT attempts || ' ' || worker_host FROM runs WHERE key = '%s'",
             jobs[3].key);
    assert_string_equal(qtext(st, sql), "1 h");
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, 4);
}

/* One worker transaction (rx_store_commit_batch): records, give-backs, a
 * refresh and claims together; a record of a run held elsewhere is
 * skipped, and any failure takes the whole batch back. */
static void test_commit_batch(void **state)
{
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(6, "b");
    rx_store *st = store_with_jobs("batch.db", jobs, 6, &sw);
    long me = (long)getpid();
    char sql[512];
    /* claim 0..2 in one transaction; 5 is held by a live worker elsewhere */
    snprintf(sql, sizeof sql, "UPDATE runs SET status = 'running', worker_host = 'far',"
                              " worker_pid = 1, heartbeat = 1e12 WHERE key = '%s'", jobs[5].key);
    assert_int_equal(rx_store_exec(st, sql, &err), RX_OK);
    rx_store_claim_try cl[4] = {{jobs[0].key, 9, 9}, {jobs[1].key, 9, 9}, {jobs[2].key, 9, 9},
                                {jobs[5].key, 9, 9}};
    rx_store_batch b = {.claim = cl, .n_claim = 4, .stale_after = 600, .host = "h", .pid = me};
    assert_int_equal(rx_store_commit_batch(st, &b, &err), RX_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cl[i].claimed, 1);
        assert_int_equal(cl[i].state, RX_STATE_RUNNING);
    }
    assert_int_equal(cl[3].claimed, 0);
    assert_int_equal(cl[3].state, RX_STATE_RUNNING);

    /* record 0 (with its start of training) and 1, give 2 back, refresh
     * nothing, claim 3; run 1 was meanwhile reclaimed by another worker */
    snprintf(sql, sizeof sql, "UPDATE runs SET worker_host = 'other' WHERE key = '%s'",
             jobs[1].key);
    assert_int_equal(rx_store_exec(st, sql, &err), RX_OK);
    rx_train_result r0 = make_result(0.75), r1 = make_result(0.5);
    rx_epoch_metrics ep[2] = {r0.final, r0.final};
    ep[0].epoch = 1;
    ep[1].epoch = 2;
    rx_store_record rec[2] = {
        {jobs[0].key, RX_STATE_DONE, &r0, ep, 2, NULL, 0, NULL, NULL, 1234.5, 99},
        {jobs[1].key, RX_STATE_DONE, &r1, &r1.final, 1, NULL, 0, NULL, NULL, 0, 99}};
    const char *back[1] = {jobs[2].key};
    rx_store_claim_try c3 = {jobs[3].key, 9, 9};
    b = (rx_store_batch){rec, 2, back, 1, &c3, 1, 0, 600, "h", me, NULL, 0, 0};
    assert_int_equal(rx_store_commit_batch(st, &b, &err), RX_OK);
    assert_int_equal(rec[0].status, RX_OK);
    assert_int_equal(rec[1].status, RX_ECONFLICT);
    assert_int_equal(c3.claimed, 1);
    assert_string_equal(run_row(st, jobs[0].key, "status || ' ' || test_acc || ' ' || started ||"
                                                  " ' ' || attempts"), "done 0.75 1234.5 1");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM metrics WHERE key = '%s'", jobs[0].key);
    assert_int_equal(qint(st, sql), 2);
    /* not ours: nothing written */
    assert_string_equal(run_row(st, jobs[1].key, "status || ' ' || ifnull(test_acc, '-')"),
                        "running -");
    /* given back: pending as before its claim */
    assert_string_equal(run_row(st, jobs[2].key, "status || ' ' || attempts || ' ' ||"
                                " ifnull(worker_pid, '-') || ' ' || ifnull(started, '-')"),
                        "pending 0 - -");

    /* a refresh with progress, alone */
    b = (rx_store_batch){.host = "h", .pid = me, .beat_key = jobs[3].key, .steps_done = 7,
                         .steps = 40};
    assert_int_equal(rx_store_commit_batch(st, &b, &err), RX_OK);
    assert_string_equal(run_row(st, jobs[3].key, "steps_done || '/' || steps"), "7/40");

    /* a failing record (a duplicate epoch) takes the claim and the give-
     * back with it */
    rx_train_result r3 = make_result(0.6);
    rx_epoch_metrics dup[2] = {r3.final, r3.final};
    rx_store_record bad = {jobs[3].key, RX_STATE_DONE, &r3, dup, 2, NULL, 0, NULL, NULL, 0, 0};
    const char *back3[1] = {jobs[3].key};
    rx_store_claim_try c4 = {jobs[4].key, 9, 9};
    b = (rx_store_batch){&bad, 1, back3, 1, &c4, 1, 0, 600, "h", me, NULL, 0, 0};
    assert_int_equal(rx_store_commit_batch(st, &b, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "UNIQUE"));
    assert_string_equal(run_row(st, jobs[3].key, "status"), "running");
    assert_string_equal(run_row(st, jobs[4].key, "status"), "pending");
    /* a state no run ends in: refused before anything is written */
    bad.state = RX_STATE_PENDING;
    b = (rx_store_batch){&bad, 1, NULL, 0, &c4, 1, 0, 600, "h", me, NULL, 0, 0};
    assert_int_equal(rx_store_commit_batch(st, &b, &err), RX_EINVAL);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE status = 'pending'"), 2);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, 6);
}

/* A worker process: claims and finishes until nothing is left, writing
 * every key it claimed to fd.  Never returns. */
static void worker(const char *path, int64_t sw, int fd)
{
    rx_store *st;
    rx_err err = {""};
    char key[RX_KEY_LEN + 1], line[64];
    int rc = rx_store_open(path, 0, &st, &err);
    while (rc == RX_OK) {
        rc = rx_store_claim(st, sw, 0, 600, "host", (long)getpid(), key, NULL, &err);
        if (rc)
            break;
        int n = snprintf(line, sizeof line, "%s\n", key);
        if (write(fd, line, (size_t)n) != n)
            _exit(3);
        usleep(500);
        rx_train_result r = make_result(0.5);
        if ((rc = rx_store_heartbeat(st, key, &err)) ||
            (rc = rx_store_finish(st, key, RX_STATE_DONE, &r, &r.final, 1, NULL, 0, NULL, &err)))
            break;
    }
    if (rc != RX_ENOTFOUND)
        fprintf(stderr, "worker %d: %s\n", (int)getpid(), err.msg);
    rx_store_close(st);
    _exit(rc == RX_ENOTFOUND ? 0 : 1);
}

static void test_claim_contention(void **state)
{
    enum { N = 90, W = 3 };
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(N, "k");
    rx_store *st = store_with_jobs("contend.db", jobs, N, &sw);
    rx_store_close(st);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[W];
    for (int w = 0; w < W; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            close(fds[0]);
            worker(tpath("contend.db"), sw, fds[1]);
        }
    }
    close(fds[1]);
    static char buf[N * 20 + 1];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)r;
    close(fds[0]);
    buf[len] = 0;
    for (int w = 0; w < W; w++) {
        int status;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    /* every key claimed exactly once */
    int claims = 0;
    for (char *p = buf; *p; p++)
        claims += *p == '\n';
    assert_int_equal(claims, N);
    for (int i = 0; i < N; i++) {
        char *first = strstr(buf, jobs[i].key);
        assert_non_null(first);
        assert_null(strstr(first + 1, jobs[i].key));
    }
    assert_int_equal(rx_store_open(tpath("contend.db"), 0, &st, &err), RX_OK);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE status = 'done'"
                              " AND attempts = 1"), N);
    assert_int_equal(qint(st, "SELECT count(*) FROM metrics"), N);
    assert_true(qint(st, "SELECT count(DISTINCT worker_pid) FROM runs") >= 2);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, N);
}

/* Processes that open one new file at once all get the schema, once. */
static void test_concurrent_create(void **state)
{
    enum { W = 4, N = 12 };
    pid_t pids[W];
    for (int w = 0; w < W; w++) {
        if ((pids[w] = fork()) == 0) {
            rx_store *st;
            rx_err err = {""};
            int64_t sw;
            rx_job *jobs = make_jobs(N, "cc");
            rx_sweep_info info = {"cc", "spec", "h", NULL};
            int rc = rx_store_open(tpath("race.db"), RX_STORE_CREATE, &st, &err);
            if (!rc)
                rc = rx_store_begin_sweep(st, &info, &sw, &err);
            if (!rc)
                rc = rx_store_add_jobs(st, sw, jobs, N, NULL, &err);
            if (rc)
                fprintf(stderr, "creator %d: %s\n", w, err.msg);
            _exit(rc ? 1 : 0);
        }
    }
    for (int w = 0; w < W; w++) {
        int status;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    rx_store *st;
    rx_err err;
    assert_int_equal(rx_store_open(tpath("race.db"), 0, &st, &err), RX_OK);
    assert_int_equal(qint(st, "SELECT count(*) FROM sweeps"), 1);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs"), N);
    assert_int_equal(qint(st, "SELECT count(*) FROM sweep_runs"), N);
    assert_integrity(st);
    rx_store_close(st);
}

/* A worker killed with SIGKILL at random moments never leaves a run that
 * looks done without all its metrics, nor a damaged file; its running
 * run is stale and claimed again. */
static void test_kill_atomicity(void **state)
{
    enum { N = 40, EPOCHS = 50 };
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(N, "kill");
    rx_store *st = store_with_jobs("kill.db", jobs, N, &sw);
    rx_store_close(st);
    rx_rng rng;
    rx_rng_seed(&rng, 7);
    for (int round = 0; round < 10; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            rx_store *w;
            char key[RX_KEY_LEN + 1];
            static rx_epoch_metrics ep[EPOCHS];
            rx_train_result r = make_result(0.5);
            for (int e = 0; e < EPOCHS; e++) {
                ep[e] = r.final;
                ep[e].epoch = e + 1;
            }
            if (rx_store_open(tpath("kill.db"), 0, &w, &err))
                _exit(1);
            while (rx_store_claim(w, sw, 0, 0, "host", (long)getpid(), key, NULL, &err) == RX_OK)
                rx_store_finish(w, key, RX_STATE_DONE, &r, ep, EPOCHS, NULL, 0, NULL, &err);
            _exit(0);
        }
        usleep((useconds_t)(1000 + rx_rng_below(&rng, 8000)));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        assert_int_equal(rx_store_open(tpath("kill.db"), 0, &st, &err), RX_OK);
        assert_integrity(st);
        assert_int_equal(qint(st, "SELECT count(*) FROM runs r WHERE status = 'done' AND"
                                  " (SELECT count(*) FROM metrics m WHERE m.key = r.key) <> 50"),
                         0);
        assert_int_equal(qint(st, "SELECT count(*) FROM metrics m JOIN runs r USING (key)"
                                  " WHERE r.status <> 'done'"), 0);
        rx_store_close(st);
    }
    /* the last victim's run, if any, is stale: finish everything here */
    assert_int_equal(rx_store_open(tpath("kill.db"), 0, &st, &err), RX_OK);
    char key[RX_KEY_LEN + 1];
    while (rx_store_claim(st, sw, 0, 0, "host", (long)getpid(), key, NULL, &err) == RX_OK)
        finish_done(st, key, 0.5);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE status = 'done'"), N);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, N);
}

static void test_stale_reclaim(void **state)
{
    rx_err err = {""};
    int64_t sw;
    rx_job *jobs = make_jobs(3, "s");
    rx_store *st = store_with_jobs("stale.db", jobs, 3, &sw);
    char key[RX_KEY_LEN + 1], sql[256];
    long me = (long)getpid();

    /* a worker on this host that died: its pid is gone */
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "here", (long)dead, key, NULL, &err), RX_OK);
    assert_string_equal(key, jobs[0].key);
    /* its partial metrics of that attempt */
    snprintf(sql, sizeof sql, "INSERT INTO metrics (key, epoch, step, samples, train_loss)"
                              " VALUES ('%s', 1, 5, 100, 2.5)", key);
    assert_int_equal(rx_store_exec(st, sql, &err), RX_OK);

    /* a worker elsewhere whose heartbeat stopped long ago */
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "elsewhere", 1, key, NULL, &err), RX_OK);
    assert_string_equal(key, jobs[1].key);
    snprintf(sql, sizeof sql, "UPDATE runs SET heartbeat = heartbeat - 1000 WHERE key = '%s'",
             key);
    assert_int_equal(rx_store_exec(st, sql, &err), RX_OK);
    /* and a live one elsewhere, recently seen */
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "elsewhere", 2, key, NULL, &err), RX_OK);
    assert_string_equal(key, jobs[2].key);

    /* without the heartbeat test only the dead local pid is stale */
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "here", me, key, NULL, &err), RX_OK);
    assert_string_equal(key, jobs[0].key);
    snprintf(sql, sizeof sql, "SELECT attempts FROM runs WHERE key = '%s'", key);
    assert_int_equal(qint(st, sql), 2);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM metrics WHERE key = '%s'", key);
    assert_int_equal(qint(st, sql), 0);
    assert_int_equal(rx_store_claim(st, sw, 0, 0, "here", me, key, NULL, &err), RX_ENOTFOUND);
    assert_int_equal(rx_store_claim(st, sw, 0, 600, "here", me, key, NULL, &err), RX_OK);
    assert_string_equal(key, jobs[1].key);
    assert_int_equal(rx_store_claim(st, sw, 0, 600, "here", me, key, NULL, &err), RX_ENOTFOUND);

    /* the worker that lost its run can neither beat nor record it */
    rx_store *old;
    assert_int_equal(rx_store_open(tpath("stale.db"), 0, &old, &err), RX_OK);
    assert_int_equal(rx_store_claim(old, sw + 100, 0, 0, "elsewhere", 1, key, NULL, &err),
                     RX_ENOTFOUND); /* only sets the identity */
    assert_int_equal(rx_store_heartbeat(old, jobs[1].key, &err), RX_ECONFLICT);
    assert_non_null(strstr(err.msg, "no longer held"));
    rx_train_result r = make_result(0.1);
    assert_int_equal(rx_store_finish(old, jobs[1].key, RX_STATE_DONE, &r, NULL, 0, NULL, 0,
                                     NULL, &err), RX_ECONFLICT);
    rx_store_close(old);
    finish_done(st, jobs[1].key, 0.7);
    snprintf(sql, sizeof sql, "SELECT test_acc FROM runs WHERE key = '%s'", jobs[1].key);
    assert_true(qnum(st, sql) == 0.7);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, 3);
}

/* ---- recording -------------------------------------------------------- */

static void test_finish_atomic(void **state)
{
    rx_err err = {""};
    rx_job *jobs;
    char key[RX_KEY_LEN + 1], sql[256];
    rx_store *st = one_claimed("atomic.db", "f", &jobs, key);
    rx_train_result r = make_result(0.9);
    rx_epoch_metrics ep[3] = {r.final, r.final, r.final};
    ep[0].epoch = 1;
    ep[1].epoch = 2;
    ep[2].epoch = 2; /* a duplicate epoch fails the third insert */
    assert_int_equal(rx_store_finish(st, key, RX_STATE_DONE, &r, ep, 3, NULL, 0, NULL, &err),
                     RX_ESTORE);
    assert_non_null(strstr(err.msg, "UNIQUE"));
    snprintf(sql, sizeof sql, "SELECT status || ' ' || ifnull(test_acc, 'null') FROM runs"
                              " WHERE key = '%s'", key);
    assert_string_equal(qtext(st, sql), "running null");
    assert_int_equal(qint(st, "SELECT count(*) FROM metrics"), 0);
    ep[2].epoch = 3;
    assert_int_equal(rx_store_finish(st, key, RX_STATE_DONE, &r, ep, 3, NULL, 0, NULL, &err),
                     RX_OK);
    assert_string_equal(qtext(st, sql), "done 0.9");
    assert_int_equal(qint(st, "SELECT count(*) FROM metrics"), 3);
    assert_int_equal(rx_store_finish(st, key, RX_STATE_PENDING, &r, ep, 3, NULL, 0, NULL, &err),
                     RX_EINVAL);
    rx_store_close(st);
    rx_jobs_free(jobs, 1);
}

static void test_nan_inf(void **state)
{
    rx_err err = {""};
    rx_job *jobs;
    char key[RX_KEY_LEN + 1];
    rx_store *st = one_claimed("nan.db", "n", &jobs, key);
    rx_train_result r = make_result(0.5);
    r.status = RX_RUN_DIVERGED;
    r.diverged_step = 42;
    r.final.train_loss = NAN;
    r.final.val_loss = INFINITY;
    r.final.test_loss = -INFINITY;
    r.final.train_acc = 0.1 + 0.2; /* not 0.3: the exact bits must survive */
    r.final.val_acc = 5e-324;      /* the smallest subnormal */
    r.final.test_acc = -0.0;
    r.final_lr = 0.1 + 0.7;
    rx_epoch_metrics ep = r.final;
    ep.grad_norm = NAN;
    ep.lr = 1e300;
    rx_step_metrics sm[2] = {{41, 2.5, 0.1, 0.9, 1.0}, {42, NAN, 0.1, 0.9, INFINITY}};
    assert_int_equal(rx_store_finish(st, key, rx_run_state_of(r.status), &r, &ep, 1, sm, 2,
                                     "loss became NaN", &err),
                     RX_OK);
    /* raw columns: distinguishable text for non-finite, exact REALs */
    assert_string_equal(qtext(st, "SELECT train_loss FROM runs"), "NaN");
    assert_string_equal(qtext(st, "SELECT val_loss FROM runs"), "Infinity");
    assert_string_equal(qtext(st, "SELECT test_loss FROM runs"), "-Infinity");
    assert_string_equal(qtext(st, "SELECT typeof(train_acc) FROM runs"), "real");
    double x = qnum(st, "SELECT train_acc FROM runs");
    assert_memory_equal(&x, &r.final.train_acc, sizeof x);
    x = qnum(st, "SELECT val_acc FROM runs");
    assert_memory_equal(&x, &r.final.val_acc, sizeof x);
    x = qnum(st, "SELECT test_acc FROM runs");
    assert_true(x == 0 && signbit(x));
    assert_true(isnan(qnum(st, "SELECT train_loss FROM runs")));
    x = qnum(st, "SELECT val_loss FROM runs");
    assert_true(isinf(x) && x > 0);
    x = qnum(st, "SELECT test_loss FROM runs");
    assert_true(isinf(x) && x < 0);
    assert_true(isnan(qnum(st, "SELECT grad_norm FROM metrics")));
    assert_true(qnum(st, "SELECT lr FROM metrics") == 1e300);
    assert_true(isnan(qnum(st, "SELECT loss FROM step_metrics WHERE step = 42")));
    assert_true(isinf(qnum(st, "SELECT grad_norm FROM step_metrics WHERE step = 42")));
    assert_true(qnum(st, "SELECT loss FROM step_metrics WHERE step = 41") == 2.5);
    assert_int_equal(qint(st, "SELECT diverged_step FROM runs"), 42);
    assert_string_equal(qtext(st, "SELECT status FROM runs"), "diverged");
    /* the views show finite values only */
    assert_int_equal(q(st, "SELECT train_loss FROM run_results").v.type, RX_VNULL);
    assert_int_equal(q(st, "SELECT val_loss FROM run_results").v.type, RX_VNULL);
    assert_int_equal(q(st, "SELECT test_loss FROM run_results").v.type, RX_VNULL);
    assert_true(qnum(st, "SELECT train_acc FROM run_results") == 0.1 + 0.2);
    assert_true(qnum(st, "SELECT final_lr FROM run_results") == 0.1 + 0.7);
    assert_int_equal(q(st, "SELECT grad_norm FROM epoch_results").v.type, RX_VNULL);
    /* the CHECK keeps other text out of metric columns */
    assert_int_equal(rx_store_exec(st, "UPDATE runs SET test_acc = 'nan'", &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "CHECK"));
    /* binds: non-finite REALs match the stored encoding */
    rx_value b = rx_vreal(-INFINITY);
    first_cell f = {0};
    assert_int_equal(rx_store_query(st, "SELECT count(*) FROM runs WHERE test_loss = ?1", &b, 1,
                                    grab_first, &f, &err),
                     RX_OK);
    assert_int_equal(f.v.i, 1);
    /* rx_value_number */
    rx_value v = rx_vtext("hello");
    assert_int_equal(rx_value_number(&v, &x), 0);
    v = rx_vnull();
    assert_int_equal(rx_value_number(&v, &x), 0);
    v = rx_vint(7);
    assert_int_equal(rx_value_number(&v, &x), 1);
    assert_true(x == 7);
    rx_store_close(st);
    rx_jobs_free(jobs, 1);
}

static int stop_after_two(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    return ++*(int *)ud == 2 ? 99 : 0;
}

static void test_query_api(void **state)
{
    rx_err err = {""};
    rx_store *st = open_new("query.db");
    assert_int_equal(rx_store_query(st, "DELETE FROM runs", NULL, 0, NULL, NULL, &err),
                     RX_EINVAL);
    assert_non_null(strstr(err.msg, "must not write"));
    assert_int_equal(rx_store_query(st, "SELECT 1; SELECT 2", NULL, 0, NULL, NULL, &err),
                     RX_EINVAL);
    assert_int_equal(rx_store_query(st, "SELECT 1;  \n", NULL, 0, NULL, NULL, &err), RX_OK);
    assert_int_equal(rx_store_query(st, "SELEC 1", NULL, 0, NULL, NULL, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "syntax error"));
    assert_int_equal(rx_store_query(st, "", NULL, 0, NULL, NULL, &err), RX_EINVAL);
    int n = 0;
    assert_int_equal(rx_store_query(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                                    " WHERE i < 5) SELECT i FROM n", NULL, 0,
                                    stop_after_two, &n, &err),
                     99);
    assert_int_equal(n, 2);
    /* every value type and the column names */
    rx_value b[3] = {rx_vint(3), rx_vtext("x"), rx_vnull()};
    first_cell f = {0};
    assert_int_equal(rx_store_query(st, "SELECT ?1 + 1 AS four, ?2, ?3", b, 3, grab_first, &f,
                                    &err),
                     RX_OK);
    assert_int_equal(f.v.i, 4);
    assert_int_equal(rx_store_exec(st, "INSERT INTO nope VALUES (1)", &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "no such table"));
    rx_store_close(st);
}

/* Recording must be cheap: one run of 200 epochs and 5000 step rows. */
static void test_record_cost(void **state)
{
    rx_err err = {""};
    rx_job *jobs;
    char key[RX_KEY_LEN + 1];
    rx_store *st = one_claimed("cost.db", "c", &jobs, key);
    static rx_epoch_metrics ep[200];
    static rx_step_metrics sm[5000];
    rx_train_result r = make_result(0.9);
    for (int i = 0; i < 200; i++) {
        ep[i] = r.final;
        ep[i].epoch = i + 1;
    }
    for (int i = 0; i < 5000; i++)
        sm[i] = (rx_step_metrics){i + 1, 1.0 / (i + 1), 0.1, 0.9, 2.0};
    double t = rx_now();
    assert_int_equal(rx_store_finish(st, key, RX_STATE_DONE, &r, ep, 200, sm, 5000, NULL, &err),
                     RX_OK);
    t = rx_now() - t;
    fprintf(stderr, "   recording 200 epochs + 5000 steps: %.1f ms\n", 1e3 * t);
    assert_true(t < 1.0);
    assert_int_equal(qint(st, "SELECT count(*) FROM step_metrics"), 5000);
    rx_store_close(st);
    rx_jobs_free(jobs, 1);
}

/* ---- views ------------------------------------------------------------ */

/* Finishes jobs with test accuracy acc[i] (NAN: diverged, < 0: failed). */
static void finish_all(rx_store *st, int64_t sw, rx_job *jobs, int n, const double *acc)
{
    rx_err err = {""};
    char key[RX_KEY_LEN + 1];
    int idx;
    while (rx_store_claim(st, sw, 0, 0, "h", 1, key, &idx, &err) == RX_OK) {
        double a = acc[idx];
        if (a < 0) {
            assert_int_equal(rx_store_finish(st, key, RX_STATE_FAILED, NULL, NULL, 0, NULL, 0,
                                             "boom", &err), RX_OK);
            continue;
        }
        rx_train_result r = make_result(a);
        if (isnan(a)) {
            r.final.train_loss = NAN;
            assert_int_equal(rx_store_finish(st, key, RX_STATE_DIVERGED, &r, NULL, 0, NULL, 0,
                                             NULL, &err), RX_OK);
        } else {
            finish_done(st, key, a);
        }
    }
}

static void test_views(void **state)
{
    int64_t sw;
    /* 24 jobs: 12 cells x 2 seeds (index i and i + 12) */
    rx_job *jobs = make_jobs(24, "v");
    rx_store *st = store_with_jobs("views.db", jobs, 24, &sw);
    double acc[24];
    for (int i = 0; i < 24; i++)
        acc[i] = 0.5 + 0.01 * (i % 12) + (i < 12 ? 0.0 : 0.02);
    /* cell 1 (adam rex 10%): seeds 0.80 and 0.84 -- the best adam cell */
    acc[1] = 0.80;
    acc[13] = 0.84;
    acc[5] = NAN;  /* cell 5 (adam cosine 10%): one diverged */
    acc[17] = 0.6;
    acc[0] = -1;   /* cell 0: one failed */
    finish_all(st, sw, jobs, 24, acc);

    char sql[512];
    snprintf(sql, sizeof sql, "SELECT schedule FROM cell_results WHERE optimizer = 'adam'"
                              " AND budget = 0.1 ORDER BY mean_test_acc DESC LIMIT 1");
    assert_string_equal(qtext(st, sql), "rex");
    snprintf(sql, sizeof sql, "SELECT round(mean_test_acc, 6) || ' ' || round(std_test_acc, 6)"
                              " || ' ' || n_done FROM cell_results WHERE cell = '%s'", jobs[1].cell);
    /* mean 0.82, sample std sqrt(2 * 0.02^2 / 1) */
    assert_string_equal(qtext(st, sql), "0.82 0.028284 2");
    snprintf(sql, sizeof sql, "SELECT n_runs || n_done || n_diverged || n_failed || n_pending ||"
                              " ' ' || mean_test_acc || ' ' || ifnull(std_test_acc, 'null')"
                              " FROM cell_results WHERE cell = '%s'", jobs[5].cell);
    assert_string_equal(qtext(st, sql), "21100 0.6 null");
    snprintf(sql, sizeof sql, "SELECT n_failed || ' ' || mean_test_acc FROM cell_results"
                              " WHERE cell = '%s'", jobs[0].cell);
    assert_string_equal(qtext(st, sql), "1 0.52");
    assert_int_equal(qint(st, "SELECT count(*) FROM cell_results"), 12);
    /* the sweep, and the report's test error in % (schema step 6) */
    assert_int_equal(qint(st, "SELECT count(*) FROM cell_results WHERE sweep = 'test'"), 12);
    snprintf(sql, sizeof sql, "SELECT round(mean_test_error, 6) || ' ' || round(std_test_error, 6)"
                              " FROM cell_results WHERE cell = '%s'", jobs[1].cell);
    assert_string_equal(qtext(st, sql), "18.0 2.828427");
    snprintf(sql, sizeof sql, "SELECT round(mean_test_error, 6) || ' ' ||"
                              " ifnull(std_test_error, 'null') FROM cell_results"
                              " WHERE cell = '%s'", jobs[5].cell);
    assert_string_equal(qtext(st, sql), "40.0 null");
    /* a second sweep of 4 of the runs (one listed twice under the same
     * name, as a changed spec does): its own rows, each run counted once */
    rx_err err;
    int64_t sw2, sw3;
    rx_sweep_info other = {"other", "name: other\n", "hash2", NULL};
    rx_sweep_info again = {"other", "name: other\n# changed\n", "hash3", NULL};
    rx_job two[4] = {jobs[1], jobs[13], jobs[0], jobs[12]};
    assert_int_equal(rx_store_begin_sweep(st, &other, &sw2, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sw2, two, 4, NULL, &err), RX_OK);
    assert_int_equal(rx_store_begin_sweep(st, &again, &sw3, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sw3, two, 1, NULL, &err), RX_OK);
    assert_int_equal(qint(st, "SELECT count(*) FROM cell_results"), 14);
    assert_string_equal(qtext(st, "SELECT group_concat(n_runs || '/' || n_done || '/' ||"
                                  " round(mean_test_error, 6), ' ') FROM (SELECT * FROM cell_results"
                                  " WHERE sweep = 'other' ORDER BY n_done)"),
                        "2/1/48.0 2/2/18.0");
    snprintf(sql, sizeof sql, "SELECT n_runs || ' ' || round(mean_test_error, 6) FROM cell_results"
                              " WHERE sweep = 'test' AND cell = '%s'", jobs[1].cell);
    assert_string_equal(qtext(st, sql), "2 18.0");
    assert_int_equal(qint(st, "SELECT count(*) FROM run_results"), 24);
    assert_int_equal(qint(st, "SELECT count(*) FROM run_results WHERE status = 'diverged'"
                              " AND train_loss IS NULL"), 1);
    assert_string_equal(qtext(st, "SELECT done || diverged || failed || n_runs FROM sweep_status"),
                        "221124");
    assert_int_equal(qint(st, "SELECT count(*) FROM sweep_results WHERE sweep = 'test'"), 24);
    assert_int_equal(qint(st, "SELECT count(*) FROM epoch_results WHERE epoch_lr IS NULL"), 0);
    assert_integrity(st);
    rx_store_close(st);
    rx_jobs_free(jobs, 24);
}

/* A real spec through the real grid: keys, axes and the exact budget
 * values that rexsweep-results(5) promises (budget = 0.1 for "10%"). */
static void test_real_spec(void **state)
{
    static const char text[] =
        "name: it\n"
        "data: {dataset: blobs}\n"
        "model: {type: mlp, hidden: [8]}\n"
        "train: {batch_size: 32, full_epochs: 4}\n"
        "budgets: [10%, 25%, 100%]\n"
        "optimizers:\n"
        "  - {name: sgd, momentum: 0.9, lr: [0.1, 0.03]}\n"
        "  - {name: adam, lr: 1e-3}\n"
        "schedules: [rex, {name: exp, gamma: -3}]\n"
        "seeds: 2\n";
    rx_err err = {""};
    rx_spec *spec;
    rx_job *jobs;
    int n, n_new;
    int64_t sw;
    int rc = rx_spec_parse(text, sizeof text - 1, "it.yaml", &spec, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, RX_OK);
    assert_int_equal(rx_spec_expand(spec, &jobs, &n, &err), RX_OK);
    assert_int_equal(n, 3 * 3 * 2 * 2);
    rx_store *st = open_new("spec.db");
    rx_sweep_info info = {spec->name, spec->text, spec->hash, NULL};
    assert_int_equal(rx_store_begin_sweep(st, &info, &sw, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sw, jobs, n, &n_new, &err), RX_OK);
    assert_int_equal(n_new, n);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE budget = 0.1"), n / 3);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE budget = 0.25"), n / 3);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE optimizer = 'adam'"), n / 3);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE lr = 0.03"), n / 3);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE schedule = 'exp' AND"
                              " json_extract(schedule_json, '$.gamma') = -3"), n / 2);
    assert_int_equal(qint(st, "SELECT count(DISTINCT cell) FROM runs"), n / 2);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE dataset = 'blobs'"
                              " AND model = 'mlp' AND sampling = 'iteration'"
                              " AND batch_size = 32 AND full_epochs = 4"), n);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs"
                              " WHERE json_valid(config) AND seed IN (0, 1)"), n);
    rx_value b[2] = {rx_vtext(jobs[5].key), rx_vtext(jobs[5].config_json)};
    first_cell f = {0};
    assert_int_equal(rx_store_query(st, "SELECT config = ?2 FROM runs WHERE key = ?1", b, 2,
                                    grab_first, &f, &err),
                     RX_OK);
    assert_int_equal(f.v.i, 1);
    /* the same spec again adds nothing */
    assert_int_equal(rx_store_add_jobs(st, sw, jobs, n, &n_new, &err), RX_OK);
    assert_int_equal(n_new, 0);
    rx_store_close(st);
    rx_jobs_free(jobs, n);
    rx_spec_free(spec);
}

/* ---- merge ------------------------------------------------------------ */

static void test_merge(void **state)
{
    rx_err err = {""};
    int64_t sa, sb, so;
    rx_merge_stats ms;
    rx_job *jobs = make_jobs(12, "m");
    /* shard A did runs 0..5, shard B runs 6..11 and a failed 0 */
    rx_store *a = store_with_jobs("a.db", jobs, 6, &sa);
    rx_store *b = store_with_jobs("b.db", jobs + 6, 6, &sb);
    rx_store_add_jobs(b, sb, jobs, 1, NULL, &err);
    double acc[12] = {0.5, 0.6, 0.7, 0.8, 0.9, -1, 0.1, 0.2, 0.3, 0.4, 0.45, 0.55};
    finish_all(a, sa, jobs, 12, acc);
    acc[0] = -1;
    finish_all(b, sb, jobs, 12, acc);
    /* run 5 failed in A: B claims it and leaves it running (killed) */
    rx_store_add_jobs(b, sb, jobs + 5, 1, NULL, &err);
    char key[RX_KEY_LEN + 1];
    assert_int_equal(rx_store_claim(b, sb, 0, 0, "h", 1, key, NULL, &err), RX_OK);
    rx_store_close(a);
    rx_store_close(b);

    rx_store *out = open_new("out.db");
    assert_int_equal(rx_store_merge(out, tpath("b.db"), &ms, &err), RX_OK);
    assert_int_equal(ms.src_version, RX_STORE_SCHEMA_VERSION);
    assert_int_equal(ms.runs_added, 8);
    assert_int_equal(ms.sweeps_added, 1);
    assert_int_equal(rx_store_merge(out, tpath("a.db"), &ms, &err), RX_OK);
    assert_int_equal(ms.runs_added, 4);
    assert_int_equal(ms.runs_replaced, 2); /* done 0 beats failed 0; failed 5
                                              beats B's killed (interrupted) 5 */
    assert_int_equal(ms.sweeps_added, 0);  /* same name and spec hash */
    assert_int_equal(qint(out, "SELECT count(*) FROM runs"), 12);
    assert_int_equal(qint(out, "SELECT count(*) FROM sweep_runs"), 12);
    assert_int_equal(qint(out, "SELECT count(*) FROM runs WHERE status = 'done'"), 11);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status FROM runs WHERE key = '%s'", jobs[5].key);
    assert_string_equal(qtext(out, sql), "failed");
    snprintf(sql, sizeof sql, "SELECT test_acc FROM runs WHERE key = '%s'", jobs[0].key);
    assert_true(qnum(out, sql) == 0.5);
    assert_int_equal(qint(out, "SELECT count(*) FROM metrics"), 11);

    /* idempotent: merging again changes nothing */
    assert_int_equal(rx_store_merge(out, tpath("a.db"), &ms, &err), RX_OK);
    assert_int_equal(ms.runs_added + ms.runs_replaced + ms.sweeps_added, 0);
    assert_int_equal(ms.runs_same, 5);
    assert_int_equal(ms.runs_kept, 1);
    assert_int_equal(rx_store_merge(out, tpath("b.db"), &ms, &err), RX_OK);
    assert_int_equal(ms.runs_added + ms.runs_replaced + ms.sweeps_added, 0);
    assert_int_equal(ms.runs_kept, 2); /* failed 0, killed 5 */
    assert_int_equal(qint(out, "SELECT count(*) FROM runs"), 12);
    assert_int_equal(qint(out, "SELECT count(*) FROM metrics"), 11);

    /* a shard where run 1 has another result, and a new run 12 */
    rx_job *more = make_jobs(13, "m");
    rx_store *c = store_with_jobs("c.db", more, 13, &so);
    double acc2[13] = {-1, 0.61, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0.33};
    finish_all(c, so, more, 13, acc2);
    rx_store_close(c);
    assert_int_equal(rx_store_merge(out, tpath("c.db"), &ms, &err), RX_ECONFLICT);
    assert_int_equal(ms.conflicts, 1);
    assert_int_equal(ms.n_conflict_keys, 1);
    assert_string_equal(ms.conflict_keys[0], jobs[1].key);
    assert_non_null(strstr(err.msg, jobs[1].key));
    assert_int_equal(ms.runs_added, 1);
    snprintf(sql, sizeof sql, "SELECT test_acc FROM runs WHERE key = '%s'", jobs[1].key);
    assert_true(qnum(out, sql) == 0.6); /* dst kept its own */
    assert_int_equal(qint(out, "SELECT count(*) FROM runs"), 13); /* the rest committed */
    assert_int_equal(rx_store_merge(out, tpath("c.db"), &ms, &err), RX_ECONFLICT);
    assert_int_equal(ms.runs_added, 0);
    assert_int_equal(qint(out, "SELECT count(*) FROM runs"), 13);

    /* an older shard is migrated (in memory: the file stays v1) */
    make_v1_store(tpath("old.db"), "00000000000000b1", "done", "0.25");
    make_v1_store(tpath("old.db"), jobs[2].key, "failed", "NULL");
    assert_int_equal(rx_store_merge(out, tpath("old.db"), &ms, &err), RX_OK);
    assert_int_equal(ms.src_version, 1);
    assert_int_equal(ms.runs_added, 1);
    assert_int_equal(ms.runs_kept, 1);
    assert_int_equal(ms.sweeps_added, 1);
    assert_true(qnum(out, "SELECT test_acc FROM runs WHERE key = '00000000000000b1'") == 0.25);
    assert_true(isinf(qnum(out, "SELECT train_loss FROM metrics"
                                " WHERE key = '00000000000000b1'")));
    rx_store *o;
    assert_int_equal(rx_store_open(tpath("old.db"), RX_STORE_READONLY, &o, &err), RX_OK);
    assert_int_equal(rx_store_found_version(o), 1);
    rx_store_close(o);

    /* every metric column of runs is part of a result: a shard whose run
     * differs only in final_lr conflicts; one without it (NULL: recorded
     * before schema step 5) is the same result */
    int64_t sd;
    rx_store *d = store_with_jobs("d.db", jobs, 6, &sd);
    double acc3[6] = {-1, -1, -1, 0.8, 0.9, -1};
    finish_all(d, sd, jobs, 6, acc3);
    rx_store_close(d);
    snprintf(sql, sizeof sql,
             "UPDATE runs SET final_lr = 0.125 WHERE key = '%s';"
             "UPDATE runs SET final_lr = NULL WHERE key = '%s'", jobs[3].key, jobs[4].key);
    shell(tpath("d.db"), sql);
    assert_int_equal(rx_store_merge(out, tpath("d.db"), &ms, &err), RX_ECONFLICT);
    assert_int_equal(ms.conflicts, 1);
    assert_string_equal(ms.conflict_keys[0], jobs[3].key);
    assert_int_equal(ms.runs_same, 1);

    /* refusals: a newer shard, itself, a missing file */
    o = open_new("newer.db");
    rx_store_close(o);
    shell(tpath("newer.db"), "PRAGMA user_version = 99");
    assert_int_equal(rx_store_merge(out, tpath("newer.db"), &ms, &err), RX_ESTORE);
    assert_non_null(strstr(err.msg, "newer"));
    assert_int_equal(rx_store_merge(out, tpath("out.db"), &ms, &err), RX_EINVAL);
    assert_int_equal(rx_store_merge(out, tpath("none.db"), &ms, &err), RX_EIO);
    assert_integrity(out);
    rx_store_close(out);
    rx_jobs_free(more, 13);
    rx_jobs_free(jobs, 12);
}

/* ---- the example store of rexsweep-results(5) -------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static int append_schema(void *ud, int ncols, const char *const *names, const rx_value *v)
{
    sbuf *b = ud;
    size_t need = strlen(v[0].s) + 4;
    if (b->n + need >= b->cap) {
        b->cap = 2 * (b->cap + need);
        b->p = realloc(b->p, b->cap);
    }
    b->n += (size_t)sprintf(b->p + b->n, "%s;\n", v[0].s);
    return 0;
}

/* Every row of the metric table is a column of each table it names, and
 * of the view that shows that table's metrics. */
static void test_metric_columns(void **state)
{
    rx_store *st = open_new("cols.db");
    rx_err err = {""};
    int n;
    const rx_metric_col *c = rx_metric_cols(&n);
    static const struct {
        unsigned where;
        const char *table, *view;
    } tabs[] = {{RX_MC_RUN, "runs", "run_results"},
                {RX_MC_EPOCH, "metrics", "epoch_results"},
                {RX_MC_STEP, "step_metrics", NULL}};
    for (int i = 0; i < n; i++) {
        assert_true(c[i].since >= 1 && c[i].since <= RX_STORE_SCHEMA_VERSION);
        for (int t = 0; t < 3; t++) {
            if (!(c[i].flags & tabs[t].where))
                continue;
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT %s FROM %s", c[i].name, tabs[t].table);
            if (rx_store_exec(st, sql, &err) != RX_OK)
                fail_msg("metric '%s' is not a column of %s: %s", c[i].name, tabs[t].table,
                         err.msg);
            if (!tabs[t].view)
                continue;
            snprintf(sql, sizeof sql, "SELECT %s FROM %s",
                     t == 1 && c[i].epoch_as ? c[i].epoch_as : c[i].name, tabs[t].view);
            if (rx_store_exec(st, sql, &err) != RX_OK)
                fail_msg("metric '%s' is not in %s: %s", c[i].name, tabs[t].view, err.msg);
        }
    }
    rx_store_close(st);
}

/* tests/data/store/schema.sql is the live schema, replayable by the
 * sqlite3 shell (tests/cli/test_results_man.sh builds its store from it). */
static void test_schema_fixture(void **state)
{
    rx_store *st = open_new("schema.db");
    sbuf b = {NULL, 0, 0};
    char head[256];
    snprintf(head, sizeof head,
             "-- the schema of a rexsweep store, version %d (written by tests/test_store.c)\n"
             "PRAGMA application_id = %d;\nPRAGMA user_version = %d;\n",
             RX_STORE_SCHEMA_VERSION, RX_STORE_APP_ID, RX_STORE_SCHEMA_VERSION);
    b.cap = strlen(head) + 1;
    b.p = strdup(head);
    b.n = strlen(head);
    rx_err err;
    assert_int_equal(rx_store_query(st, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                                        " ORDER BY rowid", NULL, 0, append_schema, &b, &err),
                     RX_OK);
    rx_store_close(st);
    const char *path = RX_TEST_DATA "/store/schema.sql";
    if (getenv("RX_REGEN")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(b.p, f);
        fclose(f);
    }
    char *have = rx_test_slurp(path);
    int same = have && strcmp(have, b.p) == 0;
    free(have);
    free(b.p);
    if (!same)
        fail_msg("%s is not the current schema; HINT: regenerate it with "
                 "RX_REGEN=1 build/tests/test_store", path);
}

/* A store of schema version 5 (tests/data/store/v5-small.sql: 12 runs
 * of sweep 'small', 4 done) read as it is, and migrated: cell_results has
 * the sweep and the test error in % (schema step 6), nothing else moved. */
static void test_v5_store(void **state)
{
    rx_err err = {""};
    const char *p = tpath("v5.db");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' < '%s'", p, RX_TEST_DATA "/store/v5-small.sql");
    assert_int_equal(system(cmd), 0);
    static const char *const sql =
        "SELECT group_concat(sweep || ' ' || schedule || ' ' || budget || ' ' || n_done || ' ' ||"
        " ifnull(round(mean_test_error, 4), '-'), '; ') FROM (SELECT * FROM cell_results"
        " ORDER BY schedule, budget)";
    static const char *const want =
        "small linear 0.5 1 18.2; small linear 1.0 0 -; small rex 0.5 3 7.2667; small rex 1.0 0 -";
    for (int rw = 0; rw < 2; rw++) {
        rx_store *st;
        assert_int_equal(rx_store_open(p, rw ? 0 : RX_STORE_READONLY, &st, &err), RX_OK);
        assert_int_equal(rx_store_found_version(st), 5);
        assert_int_equal(qint(st, "PRAGMA user_version"), RX_STORE_SCHEMA_VERSION);
        assert_string_equal(qtext(st, sql), want);
        /* the error is the report's: 100 * (1 - mean accuracy) */
        assert_true(fabs(qnum(st, "SELECT mean_test_error + 100 * mean_test_acc FROM cell_results"
                                  " WHERE n_done > 0 LIMIT 1") - 100) < 1e-9);
        assert_int_equal(qint(st, "SELECT count(*) FROM runs WHERE status = 'done'"), 4);
        assert_integrity(st);
        rx_store_close(st);
    }
    rx_store *st;
    assert_int_equal(rx_store_open(p, RX_STORE_READONLY, &st, &err), RX_OK);
    assert_int_equal(rx_store_found_version(st), RX_STORE_SCHEMA_VERSION);
    rx_store_close(st);
}

/* The example data loads into a store made by the API and the views give
 * the answers that rexsweep-results(5) documents. */
static void test_example_store(void **state)
{
    rx_err err = {""};
    rx_store *st = open_new("example.db");
    char *data = rx_test_slurp(RX_TEST_DATA "/store/example-data.sql");
    assert_non_null(data);
    int rc = rx_store_exec(st, data, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, RX_OK);
    free(data);
    assert_string_equal(qtext(st, "SELECT schedule FROM cell_results WHERE optimizer = 'adam'"
                                  " AND budget = 0.1 ORDER BY mean_test_acc DESC LIMIT 1"),
                        "rex");
    assert_integrity(st);
    rx_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_states_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_contention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_atomicity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_reclaim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nan_inf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_cost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metric_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v5_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
