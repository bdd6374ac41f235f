/* test_golden.c: the trainer's golden fingerprints.  A handful of tiny
 * fixed runs (mlp, cnn, vae, linear and a regression; sgd, momentum,
 * Nesterov, adam, adamw; several schedules) train and the exact bits of
 * their final metrics are compared with tests/data/train/golden.txt.
 *
 * Why: run keys hash RX_TRAINER_VERSION, and a store trusts that one key
 * always gives the same metrics.  So any change to the trainer's numerics
 * must bump RX_TRAINER_VERSION (include/rx_common.h) and these
 * fingerprints in the same commit:
 *   1. bump RX_TRAINER_VERSION;
 *   2. RX_UPDATE=1 build/tests/test_golden  (rewrites golden.txt; it
 *      refuses while the version in golden.txt equals the build's and a
 *      fingerprint differs, so a forgotten bump cannot be papered over);
 *   3. commit both, and regenerate tests/data/grid/golden.keys
 *      (RX_UPDATE=1 build/tests/test_grid): every run key changes.
 *
 * The bits depend on OpenBLAS's sgemm kernel, which OpenBLAS picks for
 * the CPU at load time, so golden.txt holds one section per kernel
 * ("core Haswell").  A machine whose kernel has no section skips with a
 * message; RX_UPDATE=1 adds its section (only under the same version).
 * Within a section the bits must not depend on the build: -O1 and -O2,
 * ASan+UBSan, the AVX2 and the portable kernels (checked below) all give
 * the same results, since no build fuses multiply-adds or reassociates
 * sums (-std=c11, no -ffast-math). */
#include "rx_test.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_blas.h"
#include "rx_keys.h"
#include "rx_train.h"

#define GOLDEN RX_TEST_DATA "/train/golden.txt"

/* Each case: a name and its settings on top of the defaults.  Keep them
 * small: the whole file trains in well under a second. */
static const struct golden_case {
    const char *name;
    const char *set[20];
} cases[] = {
    {"mlp-sgd-rex", {"data.dataset=spirals", "data.n_samples=300", "data.validation=60",
                     "model.hidden=[16,16]", "optimizer.lr=0.1", "train.batch_size=32",
                     "train.full_epochs=3", "schedule.name=rex", NULL}},
    {"mlp-momentum-cosine", {"data.dataset=blobs", "data.noise=1", "data.n_samples=300", "data.n_classes=4",
                             "data.n_dims=8", "data.validation=50", "model.hidden=[24]",
                             "model.activation=tanh", "model.dropout=0.1",
                             "optimizer.momentum=0.9", "optimizer.weight_decay=5e-4",
                             "optimizer.clip_norm=1", "optimizer.lr=0.05",
                             "train.full_epochs=2", "train.batch_size=25",
                             "schedule.name=cosine", NULL}},
    {"mlp-nesterov-step", {"data.dataset=blobs", "data.noise=1", "data.n_samples=240", "data.n_dims=6",
                           "data.validation=40", "data.normalize=feature",
                           "model.hidden=[12,12]", "model.activation=gelu",
                           "optimizer.momentum=0.8", "optimizer.nesterov=true",
                           "optimizer.dampening=0", "optimizer.lr=0.03",
                           "train.full_epochs=3", "train.batch_size=16",
                           "schedule.name=step", "schedule.warmup=0.1", NULL}},
    {"cnn-adam-onecycle", {"data.dataset=blobs", "data.noise=1", "data.n_samples=200", "data.n_dims=16",
                           "data.validation=40", "model.type=cnn",
                           "model.conv=[channels=3 kernel=3 padding=1]",
                           "model.hidden=[8]", "optimizer.name=adam", "optimizer.lr=0.01",
                           "train.full_epochs=2", "train.batch_size=20",
                           "schedule.name=onecycle", NULL}},
    {"vae-adam-linear", {"data.dataset=spirals", "data.n_samples=200", "data.noise=0.02",
                         "data.validation=40", "data.normalize=none", "model.type=vae",
                         "model.hidden=[8]", "model.latent=2", "optimizer.name=adam",
                         "optimizer.lr=0.01", "train.full_epochs=2", "train.batch_size=20",
                         "schedule.name=linear", NULL}},
    {"teacher-adamw-plateau", {"data.dataset=teacher", "data.n_samples=200", "data.n_dims=4",
                               "data.n_outputs=2", "data.teacher_hidden=8",
                               "data.validation=40", "model.hidden=[16]", "model.loss=mse",
                               "optimizer.name=adamw", "optimizer.weight_decay=0.01",
                               "optimizer.lr=0.01", "train.full_epochs=4",
                               "train.batch_size=32", "schedule.name=plateau",
                               "schedule.patience=0", "schedule.sampling=epoch", NULL}},
    {"linear-sgd-exp", {"data.dataset=blobs", "data.noise=1", "data.n_samples=200", "data.n_dims=5",
                        "data.validation=0", "model.type=linear", "optimizer.lr=0.2",
                        "train.full_epochs=2", "train.budget=50%", "train.batch_size=10",
                        "schedule.name=exp", NULL}},
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

/* The hex of a double's bits: what "bit-identical" means, NaNs included. */
static void hex_put(char **p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    *p += sprintf(*p, " %016" PRIx64, u);
}

/* Trains case i and writes "name v1 v2 ..." into out. */
static void fingerprint(int i, char *out, size_t size)
{
    rx_config c;
    rx_err err = {{0}};
    rx_config_defaults(&c);
    for (int k = 0; cases[i].set[k]; k++)
        if (rx_config_assign(&c, cases[i].set[k], &err) != RX_OK)
            fail_msg("%s: %s: %s", cases[i].name, cases[i].set[k], err.msg);
    if (rx_config_validate(&c, &err) != RX_OK)
        fail_msg("%s: %s", cases[i].name, err.msg);
    rx_data data;
    if (rx_data_load(&c.data, &data, &err) != RX_OK)
        fail_msg("%s: data: %s", cases[i].name, err.msg);
    rx_train_result r;
    int rc = rx_train(&c, &data, NULL, &r, &err);
    rx_data_free(&data);
    if (rc != RX_OK)
        fail_msg("%s: train: %s", cases[i].name, err.msg);
    if (r.status != RX_RUN_DONE)
        fail_msg("%s: ended %s", cases[i].name, rx_run_status_name(r.status));
    char buf[1024], *p = buf;
    p += sprintf(p, "%s %ld", cases[i].name, r.steps);
    const rx_epoch_metrics *m = &r.final;
    double v[] = {m->train_loss, m->train_acc, m->val_loss, m->val_acc, m->test_loss,
                  m->test_acc, m->lr, m->momentum, m->grad_norm, r.best_val_acc,
                  r.best_val_loss, r.best_test_acc};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        hex_put(&p, v[k]);
    snprintf(out, size, "%s", buf);
}

/* OpenBLAS's kernel, from rx_blas_info's "(core NAME, ...)". */
static void blas_core(char *out, size_t size)
{
    const char *s = strstr(rx_blas_info(), "(core ");
    if (!s) {
        snprintf(out, size, "unknown");
        return;
    }
    s += 6;
    snprintf(out, size, "%.*s", (int)strcspn(s, ", )"), s);
}

typedef struct golden {
    int version;          /* the "trainer N" line; 0 when absent */
    char *text;           /* the whole file, for rewriting; owned */
    char *section;        /* start of this core's lines in text, or NULL */
    size_t section_len;
} golden;

static void golden_read(golden *g, const char *core)
{
    memset(g, 0, sizeof *g);
    g->text = rx_test_slurp(GOLDEN);
    if (!g->text)
        g->text = calloc(1, 1);
    const char *v = strstr(g->text, "\ntrainer ");
    if (v)
        g->version = atoi(v + 9);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "\ncore %s\n", core);
    char *s = strstr(g->text, hdr);
    if (s) {
        g->section = s + strlen(hdr);
        char *e = strstr(g->section, "\ncore ");
        g->section_len = e ? (size_t)(e + 1 - g->section) : strlen(g->section);
    }
}

/* The lines of this core in golden.txt, one per case. */
static int golden_line(const golden *g, const char *name, char *out, size_t size)
{
    const char *p = g->section, *end = g->section + g->section_len;
    size_t n = strlen(name);
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == ' ') {
            snprintf(out, size, "%.*s", (int)len, p);
            return 1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static const char header[] =
    "# The golden fingerprints of the trainer (tests/test_golden.c): per\n"
    "# OpenBLAS kernel, each case's steps, then the bits (hex) of its final\n"
    "# train loss, train acc, val loss, val acc, test loss, test acc, lr,\n"
    "# momentum, grad norm, best val acc, best val loss and best test acc.\n"
    "# Any change here goes with a bump of RX_TRAINER_VERSION\n"
    "# (include/rx_common.h) in the same commit: see tests/test_golden.c.\n";

/* RX_UPDATE=1: rewrites golden.txt with this core's section (other cores'
 * sections are kept under the same version, dropped under a new one). */
static void golden_update(const golden *g, const char *core, char lines[][1024])
{
    int same = g->version == RX_TRAINER_VERSION;
    if (same && g->section)
        for (int i = 0; i < N_CASES; i++) {
            char old[1024];
            if (golden_line(g, cases[i].name, old, sizeof old) && strcmp(old, lines[i]) != 0)
                fail_msg("'%s' changed but RX_TRAINER_VERSION is still %d: bump it in "
                         "include/rx_common.h first (same commit), then rerun with RX_UPDATE=1",
                         cases[i].name, RX_TRAINER_VERSION);
        }
    FILE *f = fopen(GOLDEN, "w");
    if (!f)
        fail_msg("cannot write '%s'", GOLDEN);
    fprintf(f, "%s\ntrainer %d\n", header, RX_TRAINER_VERSION);
    /* keep the other cores' sections of this version */
    const char *p = same ? strstr(g->text, "\ncore ") : NULL;
    while (p) {
        const char *next = strstr(p + 1, "\ncore ");
        size_t len = next ? (size_t)(next - p) : strlen(p);
        if (!g->section || p + 1 + strlen("core ") + strlen(core) + 1 != g->section)
            fprintf(f, "%.*s", (int)len, p);
        p = next;
    }
    fprintf(f, "\ncore %s\n", core);
    for (int i = 0; i < N_CASES; i++)
        fprintf(f, "%s\n", lines[i]);
    fclose(f);
    print_message("wrote '%s' (trainer %d, core %s)\n", GOLDEN, RX_TRAINER_VERSION, core);
}

/* The fingerprints of every case match golden.txt for this trainer
 * version and BLAS kernel, with the AVX2 kernels and the portable ones. */
static void test_golden_fingerprints(void **state)
{
    (void)state;
    char core[64];
    blas_core(core, sizeof core);
    static char lines[N_CASES][1024];
    for (int i = 0; i < N_CASES; i++) {
        fingerprint(i, lines[i], sizeof lines[i]);
        /* the portable kernels give the same bits (RX_NO_AVX2=1) */
        char portable[1024];
        rx_cpu_avx2_allow(0);
        fingerprint(i, portable, sizeof portable);
        rx_cpu_avx2_allow(1);
        if (strcmp(lines[i], portable) != 0)
            fail_msg("the AVX2 and portable kernels differ:\n  avx2     %s\n  portable %s",
                     lines[i], portable);
    }
    golden g;
    golden_read(&g, core);
    if (getenv("RX_UPDATE"))
        golden_update(&g, core, lines);
    free(g.text);
    golden_read(&g, core);
    if (g.version != RX_TRAINER_VERSION) {
        free(g.text);
        fail_msg("'%s' holds fingerprints of trainer %d but this is trainer %d: "
                 "regenerate them with RX_UPDATE=1 build/tests/test_golden in the commit "
                 "that bumps RX_TRAINER_VERSION", GOLDEN, g.version, RX_TRAINER_VERSION);
    }
    if (!g.section) {
        free(g.text);
        print_message("no golden fingerprints for OpenBLAS core '%s' (sgemm's bits depend on "
                      "the kernel): RX_UPDATE=1 build/tests/test_golden adds them\n", core);
        skip();
    }
    int bad = 0;
    for (int i = 0; i < N_CASES; i++) {
        char want[1024];
        if (!golden_line(&g, cases[i].name, want, sizeof want)) {
            print_error("'%s': no fingerprint for core %s\n", cases[i].name, core);
            bad++;
        } else if (strcmp(want, lines[i]) != 0) {
            print_error("'%s' changed:\n  golden %s\n  now    %s\n", cases[i].name, want,
                        lines[i]);
            bad++;
        }
    }
    free(g.text);
    if (bad)
        fail_msg("the trainer's numerics changed (%d of %d fingerprints differ): run keys "
                 "promise the same bits, so bump RX_TRAINER_VERSION in include/rx_common.h "
                 "and regenerate the fingerprints with RX_UPDATE=1 build/tests/test_golden "
                 "in the same commit (see tests/test_golden.c)", bad, N_CASES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_fingerprints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
