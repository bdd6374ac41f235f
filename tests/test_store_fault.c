/* test_store_fault.c: every write of the store under injected failures.
 * For each store operation, and for N = 1, 2, ... until the operation no
 * longer reaches the Nth call: SQLite's allocations fail from the Nth on
 * (out of memory), or its file writes fail from the Nth on (an I/O
 * error).  Each failure must give a clean error status with a message
 * (exit code 4 at the CLI), no crash (the suite also runs under ASan),
 * no half-written result, and a store that passes integrity_check. */
#define RX_FAULT_INJECTION 1
#include "../src/store.c"

#include "rx_test.h"

#include <limits.h>
#include <sys/stat.h>

static char tmpdir[512];

static int setup(void **state)
{
    /* thousands of small stores: in memory when the machine has a tmpfs
     * (a disk's fsync per commit makes the loop ten times slower) */
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    return rx_test_tmpdir(tmpdir, sizeof tmpdir, base, "rxfault") == 0 &&
                   fault_install() == RX_OK ? 0 : -1;
}

static int teardown(void **state)
{
    fault_set(0, 0, 0);
    return rx_test_rmtree(tmpdir);
}

static const char *tpath(const char *name)
{
    return rx_test_path(tmpdir, name);
}

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    assert_non_null(a);
    assert_non_null(b);
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

/* A fresh work store: a copy of the template, without WAL or shm. */
static void fresh(const char *tmpl, const char *work)
{
    char p[600];
    snprintf(p, sizeof p, "%s-wal", work);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", work);
    unlink(p);
    unlink(work);
    copy_file(tmpl, work);
}

static rx_job *make_jobs(int n, const char *tag)
{
    rx_job *jobs = calloc((size_t)n, sizeof *jobs);
    assert_non_null(jobs);
    for (int i = 0; i < n; i++) {
        rx_job *j = &jobs[i];
        rx_config_defaults(&j->cfg);
        snprintf(j->cfg.data.dataset, sizeof j->cfg.data.dataset, "spirals");
        assert_int_equal(rx_sched_init(&j->cfg.sched, "rex", NULL), RX_OK);
        j->cfg.train.seed = (uint64_t)i;
        char json[128];
        snprintf(json, sizeof json, "{\"tag\":\"%s\",\"i\":%d}", tag, i);
        j->config_json = strdup(json);
        rx_key_of_json(json, RX_TRAINER_VERSION, j->key);
        snprintf(j->cell, sizeof j->cell, "%016x", 7);
        j->index = i;
    }
    return jobs;
}

static int64_t qint(rx_store *st, const char *sql)
{
    int64_t v = -1;
    rx_err err;
    assert_int_equal(rx_store_query(st, sql, NULL, 0, first_int64, &v, &err), RX_OK);
    return v;
}

#define N_JOBS 4
#define N_EP 3
#define N_ST 5

static rx_job *jobs_a, *jobs_b;
static int64_t sweep_a;

/* The template: a sweep with N_JOBS pending runs.  The shard: another
 * sweep with N_JOBS done runs (for merge). */
static void make_templates(void)
{
    rx_store *st;
    rx_err err = {""};
    rx_sweep_info info = {"a", "name: a", "hash-a", NULL};
    assert_int_equal(rx_store_open(tpath("tmpl.db"), RX_STORE_CREATE, &st, &err), RX_OK);
    assert_int_equal(rx_store_begin_sweep(st, &info, &sweep_a, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sweep_a, jobs_a, N_JOBS, NULL, &err), RX_OK);
    rx_store_close(st);

    int64_t sb;
    rx_sweep_info ib = {"b", "name: b", "hash-b", NULL};
    assert_int_equal(rx_store_open(tpath("shard.db"), RX_STORE_CREATE, &st, &err), RX_OK);
    assert_int_equal(rx_store_begin_sweep(st, &ib, &sb, &err), RX_OK);
    assert_int_equal(rx_store_add_jobs(st, sb, jobs_b, N_JOBS, NULL, &err), RX_OK);
    rx_train_result r;
    memset(&r, 0, sizeof r);
    r.n_epochs_done = N_EP;
    r.final.epoch = N_EP;
    r.final.test_acc = 0.5;
    rx_epoch_metrics ep[N_EP];
    memset(ep, 0, sizeof ep);
    for (int e = 0; e < N_EP; e++)
        ep[e].epoch = e + 1;
    for (int i = 0; i < N_JOBS; i++) {
        char key[RX_KEY_LEN + 1];
        assert_int_equal(rx_store_claim(st, sb, 0, 0, "h", 1, key, NULL, &err), RX_OK);
        assert_int_equal(rx_store_finish(st, key, RX_STATE_DONE, &r, ep, N_EP, NULL, 0, NULL,
                                         &err), RX_OK);
    }
    rx_store_close(st);
}

typedef enum { OP_OPEN, OP_PROV, OP_ADD, OP_CLAIM, OP_HEARTBEAT, OP_FINISH, OP_MARK,
               OP_RELEASE, OP_MERGE, N_OP } op_kind;
static const char *const op_names[N_OP] = {"open", "provenance", "add", "claim", "heartbeat",
                                           "finish", "mark", "release", "merge"};

static long last_n[2]; /* the calls the last run_op made, per mode */

/* Stops injecting, keeps the counts and closes st.  Returns 1 when the
 * fault point was reached. */
static int end_op(rx_store *st)
{
    int hit = fault_hit();
    last_n[0] = fault.n_malloc;
    last_n[1] = fault.n_write;
    fault_set(0, 0, 0);
    rx_store_close(st);
    return hit;
}

/* The modes: SQLite's allocations or its file writes fail, from the Nth
 * call on (persistent) or at the Nth call only (transient: what follows
 * succeeds, so an ignored error would be committed). */
static const char *const mode_names[4] = {"malloc", "write", "malloc1", "write1"};

/* Runs op on the work store with faults at the nth call of mode.
 * Returns 1 when the fault point was reached. */
static int run_op(op_kind op, int mode, long nth, int *rc_out, rx_err *err)
{
    const char *work = tpath("work.db");
    rx_store *st = NULL;
    char key[RX_KEY_LEN + 1] = "";
    int rc;
    if (op == OP_OPEN) {
        /* a new store: creation and every migration step */
        fresh(tpath("tmpl.db"), work);
        unlink(work);
        fault_set(mode & 1 ? 0 : nth, mode & 1 ? nth : 0, mode >= 2);
        *rc_out = rx_store_open(work, RX_STORE_CREATE, &st, err);
        return end_op(st);
    }
    fresh(tpath("tmpl.db"), work);
    assert_int_equal(rx_store_open(work, 0, &st, err), RX_OK);
    if (op == OP_HEARTBEAT || op == OP_FINISH || op == OP_MARK || op == OP_RELEASE)
        assert_int_equal(rx_store_claim(st, sweep_a, 0, 0, "h", 1, key, NULL, err), RX_OK);
    rx_train_result r;
    memset(&r, 0, sizeof r);
    r.n_epochs_done = N_EP;
    r.final.epoch = N_EP;
    r.final.test_acc = 0.75;
    snprintf(r.model_desc, sizeof r.model_desc, "mlp");
    rx_epoch_metrics ep[N_EP];
    rx_step_metrics sm[N_ST];
    memset(ep, 0, sizeof ep);
    memset(sm, 0, sizeof sm);
    for (int e = 0; e < N_EP; e++)
        ep[e].epoch = e + 1;
    for (int e = 0; e < N_ST; e++)
        sm[e].step = e + 1;
    rx_provenance prov;
    rx_provenance_collect(NULL, &prov);
    rx_merge_stats ms;
    int64_t sw;
    rx_sweep_info info = {"c", "name: c", "hash-c", NULL};
    fault_set(mode & 1 ? 0 : nth, mode & 1 ? nth : 0, mode >= 2);
    switch (op) {
    case OP_PROV: rc = rx_store_set_provenance(st, &prov, err); break;
    case OP_ADD:
        rc = rx_store_begin_sweep(st, &info, &sw, err);
        if (!rc)
            rc = rx_store_add_jobs(st, sw, jobs_b, N_JOBS, NULL, err);
        break;
    case OP_CLAIM: rc = rx_store_claim(st, sweep_a, 0, 0, "h", 1, key, NULL, err); break;
    case OP_HEARTBEAT: rc = rx_store_heartbeat(st, key, err); break;
    case OP_FINISH:
        rc = rx_store_finish(st, key, RX_STATE_DONE, &r, ep, N_EP, sm, N_ST, NULL, err);
        break;
    case OP_MARK: rc = rx_store_mark(st, key, RX_STATE_INTERRUPTED, "x", err); break;
    case OP_RELEASE:
        rc = rx_store_release_worker(st, "h", 1, RX_STATE_INTERRUPTED, NULL, err);
        break;
    default: rc = rx_store_merge(st, tpath("shard.db"), &ms, err); break;
    }
    *rc_out = rc;
    return end_op(st);
}

/* What must hold after op, whether it succeeded (ok) or not. */
static void check_after(op_kind op, int ok)
{
    rx_store *st;
    rx_err err = {""};
    int rc = rx_store_open(tpath("work.db"), RX_STORE_CREATE, &st, &err);
    if (rc)
        fail_msg("%s: cannot reopen: %s", op_names[op], err.msg);
    char qc[256];
    if (!quick_check(st, qc, sizeof qc))
        fail_msg("%s: quick_check: %s", op_names[op], qc);
    assert_int_equal(qint(st, "SELECT count(*) FROM pragma_integrity_check"
                              " WHERE integrity_check <> 'ok'"), 0);
    assert_int_equal(qint(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    /* no half-written result: a done run has all its rows, others none */
    assert_int_equal(qint(st, "SELECT count(*) FROM runs r WHERE status = 'done' AND"
                              " ((SELECT count(*) FROM metrics m WHERE m.key = r.key) <> 3"
                              " OR test_acc IS NULL)"), 0);
    assert_int_equal(qint(st, "SELECT count(*) FROM runs r WHERE status <> 'done' AND"
                              " EXISTS (SELECT 1 FROM metrics m WHERE m.key = r.key)"), 0);
    int64_t n_runs = qint(st, "SELECT count(*) FROM runs");
    int64_t done = qint(st, "SELECT count(*) FROM runs WHERE status = 'done'");
    switch (op) {
    case OP_ADD: /* all or nothing */
        assert_true(n_runs == N_JOBS || (ok && n_runs == 2 * N_JOBS));
        assert_true(qint(st, "SELECT count(*) FROM sweep_runs") == n_runs);
        break;
    case OP_FINISH:
        assert_true(done == (ok ? 1 : 0));
        assert_int_equal(qint(st, "SELECT count(*) FROM step_metrics"), ok ? N_ST : 0);
        break;
    case OP_MERGE: /* one transaction */
        assert_true(n_runs == (ok ? 2 * N_JOBS : N_JOBS));
        assert_true(done == (ok ? N_JOBS : 0));
        break;
    case OP_OPEN:
        assert_int_equal(qint(st, "PRAGMA user_version"), RX_STORE_SCHEMA_VERSION);
        break;
    default: break;
    }
    rx_store_close(st);
}

/* Calls of the mode that op makes when nothing fails. */
static long count_calls(op_kind op, int mode)
{
    int rc;
    rx_err err = {""};
    run_op(op, mode, LONG_MAX, &rc, &err);
    assert_int_equal(rc, RX_OK);
    return last_n[mode & 1];
}

/* Fails op at every call, as SQLite's own tests do, up to ALL calls;
 * beyond (a store's creation parses the whole schema: 17000 allocations,
 * a merge 8000) the first FIRST calls, then POINTS more spread evenly to
 * the last, unless RX_FAULT_ALL is set. */
#define ALL 1500
#define FIRST 50
#define POINTS 150

static void loop(op_kind op, int mode)
{
    long total = count_calls(op, mode), step = 1, tried = 0;
    if (!getenv("RX_FAULT_ALL") && total > ALL)
        step = (total - FIRST) / POINTS + 1;
    for (long nth = 1; nth <= total; nth = nth < FIRST ? nth + 1 : nth + step) {
        int rc;
        rx_err err = {""};
        int hit = run_op(op, mode, nth, &rc, &err);
        assert_true(hit);
        if (rc) {
            /* a clean error: a store status (exit 4) with a message */
            if (rc != RX_ESTORE && rc != RX_ENOMEM && rc != RX_EIO)
                fail_msg("%s, %s fault %ld: status %d (%s)", op_names[op],
                         mode_names[mode], nth, rc, err.msg);
            if (!err.msg[0])
                fail_msg("%s, %s fault %ld: no message", op_names[op],
                         mode_names[mode], nth);
        }
        check_after(op, rc == RX_OK);
        tried++;
    }
    /* every operation allocates and writes (else the loop tests nothing) */
    if (total == 0)
        fail_msg("%s: no %s call to fail", op_names[op], mode_names[mode]);
    printf("    %-10s %-6s %5ld calls, %3ld failure points tried\n", op_names[op],
           mode_names[mode], total, tried);
    fflush(stdout);
}

static void test_faults(void **state)
{
    jobs_a = make_jobs(N_JOBS, "a");
    jobs_b = make_jobs(N_JOBS, "b");
    make_templates();
    for (int op = 0; op < N_OP; op++)
        for (int mode = 0; mode < 4; mode++)
            loop((op_kind)op, mode);
    rx_jobs_free(jobs_a, N_JOBS);
    rx_jobs_free(jobs_b, N_JOBS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
