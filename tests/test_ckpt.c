/* test_ckpt.c: checkpoint files (written atomically, read back, refused
 * when damaged, cut short, of another trainer version or another run) and
 * a trainer that resumes from one and ends bit for bit where a run that
 * was never stopped ends. */
#include "rx_test.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "rx_ckpt.h"
#include "rx_keys.h"
#include "rx_train.h"

static const char key[] = "0123456789abcdef";

static char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/rx_ckpt_%ld_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid(), name);
    return buf;
}

/* A file with two sections: 5 ints and a double. */
static void write_sample(const char *path)
{
    int a[5] = {1, 2, 3, 4, 5};
    double d = 2.5;
    rx_train_region r[] = {{"ints", a, sizeof a}, {"double", &d, sizeof d}};
    rx_err err = {{0}};
    assert_int_equal(rx_ckpt_write(path, key, r, 2, &err), RX_OK);
}

static void test_roundtrip(void **state)
{
    (void)state;
    char *path = tmp_path("rt.ckpt");
    write_sample(path);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0);   /* renamed away */
    rx_ckpt *c = NULL;
    rx_err err = {{0}};
    assert_int_equal(rx_ckpt_read(path, key, &c, &err), RX_OK);
    int a[5] = {0};
    double d = 0;
    rx_train_region r[] = {{"double", &d, sizeof d}, {"ints", a, sizeof a}};
    assert_int_equal(rx_ckpt_restore(c, r, 2, &err), RX_OK);
    assert_int_equal(a[4], 5);
    assert_true(d == 2.5);
    /* all or none: a region of another size touches nothing */
    int b[4] = {9, 9, 9, 9};
    d = 0;
    rx_train_region bad[] = {{"double", &d, sizeof d}, {"ints", b, sizeof b}};
    assert_int_equal(rx_ckpt_restore(c, bad, 2, &err), RX_EFORMAT);
    assert_non_null(strstr(err.msg, "'ints' has 20 bytes, the run has 16"));
    assert_true(d == 0 && b[0] == 9);
    rx_train_region missing[] = {{"nope", &d, sizeof d}};
    assert_int_equal(rx_ckpt_restore(c, missing, 1, &err), RX_EFORMAT);
    rx_ckpt_free(c);
    assert_int_equal(rx_ckpt_read(tmp_path("none.ckpt"), key, &c, &err), RX_ENOTFOUND);
    unlink(path);
}

/* Rewrites byte at of the file at path (at < 0: from the end). */
static void poke(const char *path, long at, unsigned char v)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, at, at < 0 ? SEEK_END : SEEK_SET);
    fputc(v, f);
    fclose(f);
}

static void expect_refused(const char *path, const char *want)
{
    rx_ckpt *c = NULL;
    rx_err err = {{0}};
    assert_int_equal(rx_ckpt_read(path, key, &c, &err), RX_EFORMAT);
    assert_null(c);
    if (!strstr(err.msg, want))
        fail_msg("want '%s' in '%s'", want, err.msg);
}

static void test_refused(void **state)
{
    (void)state;
    char *path = tmp_path("bad.ckpt");
    /* a flipped bit in a section */
    write_sample(path);
    poke(path, 44 + 32 + 8 + 3, 0x40);
    expect_refused(path, "damaged or cut short (bad checksum)");
    /* cut short, at every length */
    write_sample(path);
    char *full = rx_test_slurp(path);
    long len = 44 + 2 * 40 + 20 + 8 + 8;
    for (long k = 0; k < len; k += 7) {
        FILE *f = fopen(path, "wb");
        fwrite(full, 1, (size_t)k, f);
        fclose(f);
        rx_ckpt *c = NULL;
        rx_err err = {{0}};
        assert_int_equal(rx_ckpt_read(path, key, &c, &err), RX_EFORMAT);
    }
    free(full);
    /* another trainer version, another format, another run, not one */
    write_sample(path);
    poke(path, 12, RX_TRAINER_VERSION + 1);
    expect_refused(path, "written by trainer version");
    write_sample(path);
    poke(path, 8, 9);
    expect_refused(path, "has format version 9");
    write_sample(path);
    poke(path, 16, 'f');
    expect_refused(path, "belongs to run 'f123456789abcdef'");
    write_sample(path);
    poke(path, 0, 'X');
    expect_refused(path, "is not a rexsweep checkpoint (bad magic number)");
    unlink(path);
}

/* ---- a trainer that resumes ----------------------------------------- */

static void set(rx_config *c, const char *kv)
{
    rx_err err = {{0}};
    if (rx_config_assign(c, kv, &err) != RX_OK)
        fail_msg("%s: %s", kv, err.msg);
}

typedef struct saver {
    const char *path;
    long at;               /* raise the stop after this step */
    long saved;            /* the step saved at, 0 none */
    volatile sig_atomic_t stop;
    long trained;          /* steps trained (seen by stop_at) */
    rx_train_log log;
} saver;

static void save(void *ud, const rx_train_region *r, int n, long step)
{
    saver *s = ud;
    rx_err err = {{0}};
    assert_int_equal(rx_ckpt_write(s->path, key, r, n, &err), RX_OK);
    s->saved = step;
}

static int resume(void *ud, rx_train_region *r, int n)
{
    saver *s = ud;
    rx_ckpt *c = NULL;
    rx_err err = {{0}};
    if (rx_ckpt_read(s->path, key, &c, &err) != RX_OK)
        return 0;
    int rc = rx_ckpt_restore(c, r, n, &err);
    rx_ckpt_free(c);
    return rc == RX_OK;
}

static int log_epoch(void *ud, const rx_epoch_metrics *m)
{
    return rx_train_log_epoch(&((saver *)ud)->log, m);
}

static int stop_at(void *ud, const rx_step_metrics *m)
{
    saver *s = ud;
    s->trained++;
    if (m->step == s->at)
        s->stop = 1;
    return 0;
}

/* The bits of two runs' results, and of their epochs: b's are a's from
 * epoch `from` on. */
static void assert_same(const rx_train_result *a, const rx_train_result *b,
                        const rx_train_log *la, const rx_train_log *lb, int from)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->steps, b->steps);
    assert_int_equal(a->samples, b->samples);
    assert_int_equal(a->n_epochs_done, b->n_epochs_done);
    assert_memory_equal(&a->final.train_loss, &b->final.train_loss, sizeof(double));
    assert_memory_equal(&a->final.val_loss, &b->final.val_loss, sizeof(double));
    assert_memory_equal(&a->final.test_acc, &b->final.test_acc, sizeof(double));
    assert_memory_equal(&a->best_val_loss, &b->best_val_loss, sizeof(double));
    assert_int_equal(la->n_ep, lb->n_ep + from);
    for (int i = 0; i < lb->n_ep; i++) {
        const rx_epoch_metrics *x = &la->ep[i + from], *y = &lb->ep[i];
        assert_int_equal(x->epoch, y->epoch);
        assert_memory_equal(&x->train_loss, &y->train_loss, sizeof(double));
        assert_memory_equal(&x->val_loss, &y->val_loss, sizeof(double));
        assert_memory_equal(&x->lr, &y->lr, sizeof(double));
        assert_memory_equal(&x->grad_norm, &y->grad_norm, sizeof(double));
    }
}

/* Stopped in the middle of an epoch with its state saved, resumed in a
 * fresh trainer: the same bits as a run that was never stopped (adam,
 * dropout and plateau, then sgd with momentum and rex: every piece of
 * state matters). */
static void test_train_resume(void **state)
{
    (void)state;
    const char *opts[][2] = {{"optimizer.name=adam", "schedule.name=plateau"},
                             {"optimizer.name=sgd", "schedule.name=rex"}};
    for (int v = 0; v < 2; v++) {
        rx_config c;
        rx_config_defaults(&c);
        set(&c, "data.dataset=spirals");
        set(&c, "data.noise=0.05");
        set(&c, "data.validation=200");
        set(&c, "model.hidden=[32,32]");
        set(&c, "model.dropout=0.2");
        set(&c, opts[v][0]);
        set(&c, "optimizer.lr=0.01");
        set(&c, "train.full_epochs=8");
        set(&c, "train.log_every=1");
        set(&c, opts[v][1]);
        rx_data data;
        rx_err err = {{0}};
        assert_int_equal(rx_data_load(&c.data, &data, &err), RX_OK);
        saver ref = {0};
        rx_train_hooks h = {.on_epoch = log_epoch, .ud = &ref};
        rx_train_result rref, r1, r2;
        assert_int_equal(rx_train(&c, &data, &h, &rref, &err), RX_OK);
        assert_int_equal(rref.status, RX_RUN_DONE);

        /* stopped after step `at` (mid-epoch): it saves there */
        long spe = rref.steps_per_epoch;
        saver s = {.path = tmp_path("train.ckpt"), .at = 3 * spe + spe / 2};
        unlink(s.path);
        h = (rx_train_hooks){.on_epoch = log_epoch, .on_step = stop_at, .ud = &s,
                             .stop = &s.stop, .on_save = save, .on_resume = resume,
                             .save_every = 1e9};
        assert_int_equal(rx_train(&c, &data, &h, &r1, &err), RX_OK);
        assert_int_equal(r1.status, RX_RUN_INTERRUPTED);
        assert_int_equal(s.saved, s.at);
        /* resumed by a fresh trainer, it runs to the end */
        rx_train_log_free(&s.log);
        memset(&s.log, 0, sizeof s.log);
        s.stop = 0;
        s.at = -1;
        s.trained = 0;
        rx_train_progress prog = {0, 0};
        h.progress = &prog;
        assert_int_equal(rx_train(&c, &data, &h, &r2, &err), RX_OK);
        assert_same(&rref, &r2, &ref.log, &s.log, 3);
        /* ... training only the steps that were left */
        assert_int_equal(s.trained, rref.total_steps - (3 * spe + spe / 2));
        rx_train_log_free(&s.log);
        rx_train_log_free(&ref.log);
        rx_data_free(&data);
        unlink(s.path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_train_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
