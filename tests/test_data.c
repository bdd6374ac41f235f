/* test_data.c: loaders, malformed files, synthetic sets, splits,
 * normalisation and gathering.  Binary fixtures come from
 * tests/data/data/make_fixtures.py. */
#include "rx_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rx_data.h"

#define D RX_TEST_DATA "/data/"

/* Asserts a failure with exactly this status and message. */
static void expect_err(int rc, int want_rc, const rx_err *e, const char *want)
{
    if (rc != want_rc || strcmp(e->msg, want) != 0)
        print_error("got rc %d '%s'\nwant rc %d '%s'\n", rc, e->msg, want_rc,
                    want);
    assert_int_equal(rc, want_rc);
    assert_string_equal(e->msg, want);
}

static void expect_zeroed(const rx_dataset *ds)
{
    rx_dataset z;
    memset(&z, 0, sizeof z);
    assert_memory_equal(ds, &z, sizeof z);
}

/* One malformed-input case: the loader's arguments, then the status and
 * message it must give. */
typedef struct load_case {
    const char *path, *path2;
    int a, b;
    int rc;
    const char *msg;
} load_case;

typedef int (*case_loader)(const load_case *c, rx_dataset *ds, rx_err *e);

static void run_cases(const load_case *cases, size_t n, case_loader load)
{
    for (size_t i = 0; i < n; i++) {
        rx_dataset ds;
        rx_err e;
        expect_err(load(&cases[i], &ds, &e), cases[i].rc, &e, cases[i].msg);
        expect_zeroed(&ds);
    }
}
#define RUN_CASES(cases, load) \
    run_cases(cases, sizeof cases / sizeof cases[0], load)

static rx_data_config base_config(const char *name)
{
    rx_data_config c;
    memset(&c, 0, sizeof c);
    snprintf(c.dataset, sizeof c.dataset, "%s", name);
    c.label_column = -1;
    c.n_samples = 400;
    c.n_classes = 3;
    c.n_dims = 4;
    c.n_outputs = 2;
    c.teacher_hidden = 8;
    c.noise = 0.1;
    c.data_seed = 7;
    return c;
}

/* ---- IDX ----------------------------------------------------------- */

static void check_tiny(const rx_dataset *ds)
{
    assert_int_equal(ds->n, 6);
    assert_int_equal(ds->d, 6);
    assert_int_equal(ds->c, 1);
    assert_int_equal(ds->h, 2);
    assert_int_equal(ds->w, 3);
    assert_int_equal(ds->n_classes, 3);
    assert_non_null(ds->x_u8);
    assert_null(ds->x_f32);
    assert_null(ds->y);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(ds->label[i], i % 3);
        for (int j = 0; j < 6; j++)
            assert_int_equal(ds->x_u8[i * 6 + j], (i * 41 + j * 7) % 256);
    }
}

static void test_idx_raw_and_gz(void **state)
{
    rx_dataset a, b;
    rx_err e;
    assert_int_equal(rx_idx_load(D "tiny-images.idx", D "tiny-labels.idx", &a, &e), RX_OK);
    check_tiny(&a);
    assert_int_equal(rx_idx_load(D "tiny-images.idx.gz", D "tiny-labels.idx.gz", &b, &e), RX_OK);
    check_tiny(&b);
    rx_dataset_free(&a);
    rx_dataset_free(&b);
    expect_zeroed(&a);
    rx_dataset_free(&a); /* twice is harmless */
    /* raw images with gzipped labels mix freely */
    assert_int_equal(rx_idx_load(D "tiny-images.idx", D "tiny-labels.idx.gz", &a, &e), RX_OK);
    check_tiny(&a);
    rx_dataset_free(&a);
    /* n_classes given: fixed, not inferred */
    assert_int_equal(rx_idx_load_classes(D "tiny-images.idx", D "tiny-labels.idx", 10, &a, &e), RX_OK);
    assert_int_equal(a.n_classes, 10);
    rx_dataset_free(&a);
}

static int idx_case(const load_case *c, rx_dataset *ds, rx_err *e)
{
    return rx_idx_load_classes(c->path, c->path2, c->a, ds, e);
}

static void test_idx_errors(void **state)
{
    /* images, labels, n_classes */
    static const load_case cases[] = {
        {D "empty.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "empty.idx': empty file"},
        {D "short-header.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "short-header.idx': truncated header: file ends at offset 7 (want 16 bytes)"},
        {D "bad-magic.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "bad-magic.idx': bad magic 0x00000000 at offset 0 (want 0x00000803 for images)"},
        {D "tiny-labels.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "tiny-labels.idx': bad magic 0x00000801 at offset 0 (want 0x00000803 for images)"},
        {D "tiny-images.idx", D "tiny-images.idx.gz", 0, 0, RX_EFORMAT,
         "'" D "tiny-images.idx.gz': bad magic 0x00000803 at offset 0 (want 0x00000801 for labels)"},
        {D "zero-dim.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "zero-dim.idx': bad dimension 0 at offset 8 (want 1 to 2147483647)"},
        {D "truncated-images.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "truncated-images.idx': truncated at offset 46 (header says 6 images of 2x3, 36 bytes from offset 16)"},
        {D "trailing-images.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "trailing-images.idx': 5 bytes of trailing garbage at offset 52 (header says 6 images of 2x3 end there)"},
        {D "huge-count.idx", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "huge-count.idx': truncated at offset 52 (header says 100000000 images of 28x28, 78400000000 bytes from offset 16)"},
        {D "truncated-images.idx.gz", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "truncated-images.idx.gz': corrupt gzip data at offset 50: unexpected end of file"},
        {D "bad-crc-images.idx.gz", D "tiny-labels.idx", 0, 0, RX_EFORMAT,
         "'" D "bad-crc-images.idx.gz': corrupt gzip data at offset 0: incorrect data check"},
        {D "tiny-images.idx", D "labels-5.idx", 0, 0, RX_EFORMAT,
         "'" D "tiny-images.idx' has 6 images but '" D "labels-5.idx' has 5 labels"},
        {D "tiny-images.idx", D "labels-range.idx", 10, 0, RX_EFORMAT,
         "'" D "labels-range.idx': label 12 at offset 11 out of range [0, 10)"},
        {D "missing.idx", D "tiny-labels.idx", 0, 0, RX_EIO,
         "cannot open '" D "missing.idx': No such file or directory"},
        {D "idx-dir", D "tiny-labels.idx", 0, 0, RX_EIO,
         "'" D "idx-dir' is a directory, not a regular file"},
        {"/dev/zero", D "tiny-labels.idx", 0, 0, RX_EIO,
         "'/dev/zero' is a character device, not a regular file"},
    };
    RUN_CASES(cases, idx_case);
}

/* ---- CSV ----------------------------------------------------------- */

static void test_csv_good(void **state)
{
    rx_dataset ds;
    rx_err e;
    static const float want[4][3] = {
        {1, 2, 3}, {4, 5, 6}, {7, 8, 9.5f}, {-10, 0, 0.25f}};
    static const int lab[4] = {0, 1, 2, 1};
    assert_int_equal(rx_csv_load(D "good.csv", -1, 1, &ds, &e), RX_OK);
    assert_int_equal(ds.n, 4);
    assert_int_equal(ds.d, 3);
    assert_int_equal(ds.n_classes, 3);
    assert_int_equal(ds.h, 0);
    assert_null(ds.x_u8);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ds.label[i], lab[i]);
        for (int j = 0; j < 3; j++)
            assert_true(ds.x_f32[i * 3 + j] == want[i][j]);
    }
    rx_dataset_free(&ds);

    /* label in the first column, no header */
    assert_int_equal(rx_csv_load(D "label-first.csv", 0, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.n_classes, 3);
    assert_int_equal(ds.label[1], 2);
    assert_true(ds.x_f32[0] == 1.5f && ds.x_f32[5] == 6.0f);
    rx_dataset_free(&ds);
    /* a UTF-8 byte order mark is not part of the first number */
    assert_int_equal(rx_csv_load(D "bom.csv", -1, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n, 2);
    assert_true(ds.x_f32[0] == 1.0f);
    rx_dataset_free(&ds);
    /* label-first.csv with label column 2: labels 2, 4, 6 */
    assert_int_equal(rx_csv_load(D "label-first.csv", 2, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n_classes, 7);
    assert_true(ds.x_f32[0] == 0.0f && ds.x_f32[1] == 1.5f);
    rx_dataset_free(&ds);
}

static int csv_case(const load_case *c, rx_dataset *ds, rx_err *e)
{
    return rx_csv_load(c->path, c->a, c->b, ds, e);
}

static void test_csv_errors(void **state)
{
    /* path, -, label_column, header */
    static const load_case cases[] = {
        {D "bad-number.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "bad-number.csv':3:3: bad number 'x1'"},
        {D "good.csv", NULL, -1, 0, RX_EFORMAT,
         "'" D "good.csv':1:1: bad number 'x1' (is line 1 a header? set data.header)"},
        {D "ragged.csv", NULL, -1, 0, RX_EFORMAT,
         "'" D "ragged.csv':2: expected 3 fields, found 4"},
        {D "empty.csv", NULL, -1, 0, RX_EFORMAT, "'" D "empty.csv': empty file"},
        {D "blank.csv", NULL, -1, 1, RX_EFORMAT, "'" D "blank.csv': empty file"},
        {D "header-only.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "header-only.csv': no data rows after the header"},
        {D "bad-label.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "bad-label.csv':3:5: label '1.5' is not a class index (an integer in [0, 65536))"},
        {D "negative-label.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "negative-label.csv':3:5: label '-1' is not a class index (an integer in [0, 65536))"},
        {D "nan.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "nan.csv':2:3: non-finite number 'nan'"},
        {D "huge.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "huge.csv':2:3: number too large for a float '1e39'"},
        {"/dev/zero", NULL, -1, 0, RX_EIO, "'/dev/zero' is a character device, not a regular file"},
        {D "idx-dir", NULL, -1, 0, RX_EIO, "'" D "idx-dir' is a directory, not a regular file"},
        {D "empty-field.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "empty-field.csv':2:3: empty field 2"},
        {D "unterminated.csv", NULL, -1, 1, RX_EFORMAT,
         "'" D "unterminated.csv':2:3: unterminated quote"},
        {D "good.csv", NULL, 4, 1, RX_EINVAL,
         "'" D "good.csv': label column 4 out of range (line 1 has 4 fields)"},
        {D "good.csv", NULL, -2, 1, RX_EINVAL, "csv label column -2 is negative"},
        {D "missing.csv", NULL, -1, 1, RX_EIO,
         "cannot open '" D "missing.csv': No such file or directory"},
    };
    RUN_CASES(cases, csv_case);
}

/* ---- LIBSVM -------------------------------------------------------- */

static void test_libsvm_good(void **state)
{
    rx_dataset ds;
    rx_err e;
    static const float want[4][4] = {
        {0.5f, 0, 2, 0}, {0, -1, 0, 0.1f}, {0, 0, 0, 0}, {1, 2, 3, 4}};
    static const int lab[4] = {0, 2, 1, 1};
    assert_int_equal(rx_libsvm_load(D "good.svm", 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n, 4);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.n_classes, 3);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ds.label[i], lab[i]);
        for (int j = 0; j < 4; j++)
            assert_true(ds.x_f32[i * 4 + j] == want[i][j]);
    }
    rx_dataset_free(&ds);

    /* a given width pads with zeros */
    assert_int_equal(rx_libsvm_load(D "good.svm", 6, &ds, &e), RX_OK);
    assert_int_equal(ds.d, 6);
    assert_true(ds.x_f32[3 * 6 + 3] == 4.0f && ds.x_f32[3 * 6 + 5] == 0.0f);
    rx_dataset_free(&ds);

    /* binary -1/+1 files map to classes 0/1 */
    assert_int_equal(rx_libsvm_load(D "pm1.svm", 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n_classes, 2);
    assert_int_equal(ds.label[0], 0);
    assert_int_equal(ds.label[1], 1);
    assert_int_equal(ds.label[2], 0);
    rx_dataset_free(&ds);
}

static int libsvm_case(const load_case *c, rx_dataset *ds, rx_err *e)
{
    return rx_libsvm_load(c->path, c->a, ds, e);
}

/* A FIFO is refused at once: opening it must not wait for a writer, and
 * reading it would not end. */
static void test_fifo_refused(void **state)
{
    char dir[] = "/tmp/rx-fifo-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/data", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    rx_dataset ds;
    rx_err e;
    char want[128];
    snprintf(want, sizeof want, "'%s' is a FIFO, not a regular file", path);
    expect_err(rx_csv_load(path, -1, 0, &ds, &e), RX_EIO, &e, want);
    expect_err(rx_libsvm_load(path, 0, &ds, &e), RX_EIO, &e, want);
    expect_err(rx_idx_load(path, D "tiny-labels.idx", &ds, &e), RX_EIO, &e, want);
    unlink(path);
    rmdir(dir);
}

/* 100,000 samples of 10,000,000 features are 4 TB as a dense array: the
 * LIBSVM loader says so instead of asking for it. */
static void test_libsvm_dense_too_large(void **state)
{
    char dir[] = "/tmp/rx-svm-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wide.svm", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++)
        fprintf(f, "%d 10000000:1\n", i % 2);
    fclose(f);
    rx_dataset ds;
    rx_err e;
    assert_int_equal(rx_libsvm_load(path, 0, &ds, &e), RX_EFORMAT);
    char want[128];
    snprintf(want, sizeof want, "'%s': 100000 samples of 10000000 features need 4e+03 GB", path);
    if (strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("got '%s'", e.msg);
    unlink(path);
    rmdir(dir);
}

static void test_libsvm_errors(void **state)
{
    /* path, -, n_features */
    static const load_case cases[] = {
        {D "bad-index.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "bad-index.svm':2:3: bad index '0' (want an integer from 1)"},
        {D "nonincreasing.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "nonincreasing.svm':1:11: index 2 is not above the previous index 3"},
        {D "missing-colon.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "missing-colon.svm':2:7: expected index:value, got '3'"},
        {D "bad-value.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "bad-value.svm':1:9: bad number 'abc' for index 2"},
        {D "negative-label.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "negative-label.svm':2:1: negative label -1 (only files labelled -1/+1 may use them)"},
        {D "bad-label.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "bad-label.svm':1:1: bad label 'a' (want an integer)"},
        {D "empty.svm", NULL, 0, 0, RX_EFORMAT, "'" D "empty.svm': empty file"},
        {D "good.svm", NULL, 3, 0, RX_EFORMAT,
         "'" D "good.svm':4:8: index 4 exceeds n_features 3"},
        {D "missing.svm", NULL, 0, 0, RX_EIO,
         "cannot open '" D "missing.svm': No such file or directory"},
        /* a width of 2e8 from a 30-byte file: refused before any dense array */
        {D "huge-index.svm", NULL, 0, 0, RX_EFORMAT,
         "'" D "huge-index.svm':1:9: index 200000000 exceeds the limit of 10000000 features"},
        {"/dev/zero", NULL, 0, 0, RX_EIO, "'/dev/zero' is a character device, not a regular file"},
        {D "idx-dir", NULL, 0, 0, RX_EIO, "'" D "idx-dir' is a directory, not a regular file"},
    };
    RUN_CASES(cases, libsvm_case);
}

/* ---- synthetic sets ------------------------------------------------ */

static void assert_same(const rx_dataset *a, const rx_dataset *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->d, b->d);
    assert_memory_equal(a->x_f32, b->x_f32, (size_t)a->n * a->d * sizeof(float));
    if (a->label)
        assert_memory_equal(a->label, b->label, (size_t)a->n * sizeof(int32_t));
    if (a->y)
        assert_memory_equal(a->y, b->y, (size_t)a->n * a->n_targets * sizeof(float));
}

static void test_synth_deterministic(void **state)
{
    static const char *names[] = {"spirals", "blobs", "teacher"};
    for (int k = 0; k < 3; k++) {
        rx_data_config c = base_config(names[k]);
        rx_dataset a, b, t;
        rx_err e;
        assert_int_equal(rx_synth_load(&c, 0, &a, &e), RX_OK);
        assert_int_equal(rx_synth_load(&c, 0, &b, &e), RX_OK);
        assert_same(&a, &b);
        assert_int_equal(rx_synth_load(&c, 1, &t, &e), RX_OK);
        assert_int_equal(t.n, 100);
        /* the test draw is a different sample */
        assert_memory_not_equal(a.x_f32, t.x_f32, 100 * a.d * sizeof(float));
        rx_dataset_free(&b);
        c.data_seed = 8;
        assert_int_equal(rx_synth_load(&c, 0, &b, &e), RX_OK);
        assert_memory_not_equal(a.x_f32, b.x_f32, (size_t)a.n * a.d * sizeof(float));
        rx_dataset_free(&a);
        rx_dataset_free(&b);
        rx_dataset_free(&t);
    }
}

static void test_synth_shapes(void **state)
{
    rx_data_config c = base_config("spirals");
    rx_dataset ds;
    rx_err e;
    c.noise = 0;
    assert_int_equal(rx_synth_load(&c, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.n, 400);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.n_classes, 2);
    int count[2] = {0, 0};
    for (int i = 0; i < ds.n; i++) {
        count[ds.label[i]]++;
        float x = ds.x_f32[2 * i], y = ds.x_f32[2 * i + 1];
        assert_true(x * x + y * y <= 1.0f + 1e-6f);
    }
    assert_int_equal(count[0], 200);
    assert_int_equal(count[1], 200);
    rx_dataset_free(&ds);

    c = base_config("blobs");
    c.n_samples = 301;
    assert_int_equal(rx_synth_load(&c, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.n_classes, 3);
    int cb[3] = {0, 0, 0};
    for (int i = 0; i < ds.n; i++)
        cb[ds.label[i]]++;
    assert_int_equal(cb[0], 101);
    assert_int_equal(cb[1], 100);
    assert_int_equal(cb[2], 100);
    /* points sit near their centre: the within-class spread is the noise */
    double mean[3][4] = {{0}}, ss = 0;
    for (int i = 0; i < ds.n; i++)
        for (int j = 0; j < 4; j++)
            mean[ds.label[i]][j] += ds.x_f32[i * 4 + j] / cb[ds.label[i]];
    for (int i = 0; i < ds.n; i++)
        for (int j = 0; j < 4; j++) {
            double t = ds.x_f32[i * 4 + j] - mean[ds.label[i]][j];
            ss += t * t;
        }
    assert_true(fabs(sqrt(ss / (ds.n * 4)) - 0.1) < 0.02);
    rx_dataset_free(&ds);

    c = base_config("teacher");
    c.noise = 0;
    assert_int_equal(rx_synth_load(&c, 0, &ds, &e), RX_OK);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.n_classes, 0);
    assert_int_equal(ds.n_targets, 2);
    assert_null(ds.label);
    assert_non_null(ds.y);
    double m = 0, v = 0;
    for (int i = 0; i < ds.n * 2; i++)
        m += ds.y[i] / (ds.n * 2);
    for (int i = 0; i < ds.n * 2; i++)
        v += (ds.y[i] - m) * (ds.y[i] - m) / (ds.n * 2);
    assert_true(v > 0.01 && v < 10);
    rx_dataset_free(&ds);
}

static void test_synth_errors(void **state)
{
    rx_data_config c = base_config("blobs");
    rx_dataset ds;
    rx_err e;
    c.n_classes = 1;
    expect_err(rx_synth_load(&c, 0, &ds, &e), RX_EINVAL, &e,
               "data.n_classes must be at least 2 for blobs, got 1");
    c = base_config("teacher");
    c.teacher_hidden = 0;
    expect_err(rx_synth_load(&c, 0, &ds, &e), RX_EINVAL, &e,
               "data.teacher_hidden must be at least 1, got 0");
    c = base_config("spirals");
    c.noise = -1;
    expect_err(rx_synth_load(&c, 0, &ds, &e), RX_EINVAL, &e,
               "data.noise must be finite and >= 0");
    c = base_config("csv");
    expect_err(rx_synth_load(&c, 0, &ds, &e), RX_EINVAL, &e,
               "'csv' is not a synthetic dataset (want spirals, blobs or teacher)");
}

/* ---- rx_data_load: splits ----------------------------------------- */

static int sorted_unique(const rx_split *s)
{
    for (int i = 1; i < s->n; i++)
        if (s->idx[i] <= s->idx[i - 1])
            return 0;
    return 1;
}

static void test_splits(void **state)
{
    rx_data_config c = base_config("blobs");
    rx_data a, b;
    rx_err e;
    c.validation = 50;
    assert_int_equal(rx_data_load(&c, &a, &e), RX_OK);
    assert_int_equal(a.train.n, 350);
    assert_int_equal(a.val.n, 50);
    assert_int_equal(a.test.n, 100);
    assert_ptr_equal(a.train.src, a.train_set);
    assert_ptr_equal(a.val.src, a.train_set);
    assert_ptr_equal(a.test.src, a.test_set);
    assert_true(sorted_unique(&a.train) && sorted_unique(&a.val) &&
                sorted_unique(&a.test));
    /* train and validation are disjoint and cover the training set */
    char seen[400] = {0};
    for (int i = 0; i < a.train.n; i++)
        seen[a.train.idx[i]]++;
    for (int i = 0; i < a.val.n; i++)
        seen[a.val.idx[i]]++;
    for (int i = 0; i < 400; i++)
        assert_int_equal(seen[i], 1);

    /* the same data seed gives the same split, whatever else changes */
    c.normalize = RX_NORM_FEATURE;
    assert_int_equal(rx_data_load(&c, &b, &e), RX_OK);
    assert_memory_equal(a.val.idx, b.val.idx, 50 * sizeof(int));
    rx_data_free(&b);
    /* a train subset comes from what validation left, nested by size */
    c.train_subset = 100;
    assert_int_equal(rx_data_load(&c, &b, &e), RX_OK);
    assert_int_equal(b.train.n, 100);
    assert_memory_equal(a.val.idx, b.val.idx, 50 * sizeof(int));
    for (int i = 0; i < b.train.n; i++)
        assert_int_equal(seen[b.train.idx[i]], 1);
    rx_data c2;
    c.train_subset = 200;
    assert_int_equal(rx_data_load(&c, &c2, &e), RX_OK);
    for (int i = 0, j = 0; i < b.train.n; i++) {
        while (j < c2.train.n && c2.train.idx[j] < b.train.idx[i])
            j++;
        assert_true(j < c2.train.n && c2.train.idx[j] == b.train.idx[i]);
    }
    for (int i = 0; i < b.val.n; i++) /* validation never in the subset */
        for (int j = 0; j < c2.train.n; j++)
            assert_int_not_equal(b.val.idx[i], c2.train.idx[j]);
    rx_data_free(&c2);
    rx_data_free(&b);
    /* another data seed, another split */
    c.train_subset = 0;
    c.data_seed = 8;
    c.test_subset = 30;
    assert_int_equal(rx_data_load(&c, &b, &e), RX_OK);
    assert_memory_not_equal(a.val.idx, b.val.idx, 50 * sizeof(int));
    assert_int_equal(b.test.n, 30);
    assert_true(sorted_unique(&b.test));
    rx_data_free(&b);
    rx_data_free(&a);
    rx_data_free(&a); /* twice is harmless */
}

static void test_split_errors(void **state)
{
    rx_data_config c = base_config("blobs");
    rx_data d;
    rx_err e;
    c.validation = 400;
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "the training split of 'blobs' is empty: its 400 samples give validation 400, "
               "training 0, and the test set has 100");
    /* a synthetic test set of n_samples / 4 = 0 */
    c.validation = 0;
    c.n_samples = 3;
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "the test split of 'blobs' is empty: its 3 samples give validation 0, "
               "training 3, and the test set has 0");
    /* the same without loading anything */
    expect_err(rx_data_check_sizes(&c, &e), RX_EFORMAT, &e,
               "the test split of 'blobs' is empty: its 3 samples give validation 0, "
               "training 3, and the test set has 0");
    c.n_samples = 400;
    assert_int_equal(rx_data_check_sizes(&c, &e), RX_OK);
    c.validation = 100;
    c.train_subset = 301;
    expect_err(rx_data_load(&c, &d, &e), RX_EINVAL, &e,
               "train_subset 301 exceeds the 300 training samples left after validation");
    c.train_subset = 0;
    c.test_subset = 101;
    expect_err(rx_data_load(&c, &d, &e), RX_EINVAL, &e,
               "test_subset 101 exceeds the 100 test samples");
    c = base_config("nope");
    expect_err(rx_data_load(&c, &d, &e), RX_EINVAL, &e,
               "unknown dataset 'nope' (want fashion-mnist, mnist, idx, csv, libsvm, spirals, blobs or teacher)");
    c = base_config("csv");
    expect_err(rx_data_load(&c, &d, &e), RX_EINVAL, &e,
               "dataset 'csv' needs data.path");
    c = base_config("idx");
    expect_err(rx_data_load(&c, &d, &e), RX_EINVAL, &e,
               "dataset 'idx' needs data.path (a directory of IDX files)");
    c = base_config("fashion-mnist");
    snprintf(c.path, sizeof c.path, "%s", D "no-such-dir");
    expect_err(rx_data_load(&c, &d, &e), RX_ENOTFOUND, &e,
               "cannot find '" D "no-such-dir/train-images-idx3-ubyte.gz' or '" D "no-such-dir/train-images-idx3-ubyte'");
    rx_data z;
    memset(&z, 0, sizeof z);
    assert_memory_equal(&d, &z, sizeof z);
}

static void test_carved_test(void **state)
{
    rx_data_config c = base_config("libsvm");
    rx_data d;
    rx_err e;
    snprintf(c.path, sizeof c.path, "%s", D "pm1.svm");
    /* 3 samples: a fifth rounds to no test samples, which is an error
     * (a run would store NaN test metrics as done) */
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "the test split of '" D "pm1.svm' is empty: its 3 samples give test 0 (a fifth, "
               "with no data.test_path), validation 0, training 3");
    rx_data z;
    memset(&z, 0, sizeof z);
    assert_memory_equal(&d, &z, sizeof z);

    c = base_config("csv");
    c.header = 1;
    c.validation = 1;
    snprintf(c.path, sizeof c.path, "%s", D "good.csv");
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "the test split of '" D "good.csv' is empty: its 4 samples give test 0 (a fifth, "
               "with no data.test_path), validation 1, training 3");
    c.test_subset = 2;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    assert_int_equal(d.test.n, 2);
    assert_int_equal(d.val.n, 1);
    assert_int_equal(d.train.n, 1);
    int seen[4] = {0};
    seen[d.train.idx[0]]++;
    seen[d.val.idx[0]]++;
    seen[d.test.idx[0]]++;
    seen[d.test.idx[1]]++;
    for (int i = 0; i < 4; i++)
        assert_int_equal(seen[i], 1);
    rx_data_free(&d);
    c.test_subset = 3;
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "the training split of '" D "good.csv' is empty: its 4 samples give test 3 "
               "(data.test_subset), validation 1, training 0");
}

static void test_test_files(void **state)
{
    rx_data_config c = base_config("libsvm");
    rx_data d;
    rx_err e;
    snprintf(c.path, sizeof c.path, "%s", D "good.svm");
    snprintf(c.test_path, sizeof c.test_path, "%s", D "good-test.svm");
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    /* inferred widths (4 and 6) are padded to the wider */
    assert_int_equal(d.train_set->d, 6);
    assert_int_equal(d.test_set->d, 6);
    assert_int_equal(d.train_set->n_classes, 3);
    assert_int_equal(d.test_set->n_classes, 3);
    assert_true(d.train_set->x_f32[3 * 6 + 3] == 4.0f);
    assert_true(d.test_set->x_f32[5] == 0.5f);
    assert_int_equal(d.test.n, 2);
    rx_data_free(&d);

    c.n_features = 4;
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "'" D "good-test.svm':1:7: index 6 exceeds n_features 4");

    c = base_config("csv");
    c.header = 1;
    snprintf(c.path, sizeof c.path, "%s", D "good.csv");
    snprintf(c.test_path, sizeof c.test_path, "%s", D "label-first.csv");
    expect_err(rx_data_load(&c, &d, &e), RX_EFORMAT, &e,
               "'" D "label-first.csv' has 2 features but '" D "good.csv' has 3");
}

/* ---- normalisation and gathering ---------------------------------- */

/* Gathers the whole training split and returns per-feature moments. */
static void split_moments(const rx_data *d, const rx_split *s, double *mean,
                          double *sd)
{
    int n = s->n, dim = s->src->d;
    float *x = malloc((size_t)n * dim * sizeof(float));
    int *pos = malloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++)
        pos[i] = i;
    rx_data_gather(d, s, pos, n, x, NULL, NULL);
    for (int j = 0; j < dim; j++) {
        double m = 0, v = 0;
        for (int i = 0; i < n; i++)
            m += x[i * dim + j];
        m /= n;
        for (int i = 0; i < n; i++)
            v += (x[i * dim + j] - m) * (x[i * dim + j] - m);
        mean[j] = m;
        sd[j] = sqrt(v / n);
    }
    free(x);
    free(pos);
}

static void test_normalise_feature(void **state)
{
    rx_data_config c = base_config("blobs");
    rx_data d;
    rx_err e;
    double mean[4], sd[4];
    c.validation = 40;
    c.normalize = RX_NORM_FEATURE;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    split_moments(&d, &d.train, mean, sd);
    for (int j = 0; j < 4; j++) {
        assert_true(fabs(mean[j]) < 1e-5);
        assert_true(fabs(sd[j] - 1) < 1e-5);
    }
    /* the test set is normalised with the training statistics: close,
     * not exact */
    split_moments(&d, &d.test, mean, sd);
    for (int j = 0; j < 4; j++)
        assert_true(fabs(mean[j]) < 0.5 && fabs(sd[j] - 1) < 0.5);
    rx_data_free(&d);

    c.normalize = RX_NORM_GLOBAL;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    for (int j = 1; j < 4; j++)
        assert_true(d.shift[j] == d.shift[0] && d.scale[j] == d.scale[0]);
    split_moments(&d, &d.train, mean, sd);
    double m = 0, v = 0;
    for (int j = 0; j < 4; j++)
        m += mean[j] / 4;
    for (int j = 0; j < 4; j++)
        v += (sd[j] * sd[j] + (mean[j] - m) * (mean[j] - m)) / 4;
    assert_true(fabs(m) < 1e-5 && fabs(v - 1) < 1e-4);
    rx_data_free(&d);

    c.normalize = RX_NORM_NONE;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    float xb[2 * 4];
    int32_t lb[2];
    int pos[2] = {3, 0};
    rx_data_gather(&d, &d.val, pos, 2, xb, lb, NULL);
    for (int k = 0; k < 2; k++) {
        int r = d.val.idx[pos[k]];
        assert_memory_equal(xb + 4 * k, d.train_set->x_f32 + 4 * r, 4 * sizeof(float));
        assert_int_equal(lb[k], d.train_set->label[r]);
    }
    rx_data_free(&d);
}

static void test_idx_dataset_u8(void **state)
{
    rx_data_config c = base_config("idx");
    rx_data d;
    rx_err e;
    snprintf(c.path, sizeof c.path, "%s", D "idx-dir");
    c.validation = 4;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    assert_true(d.u8_input);
    assert_int_equal(d.train.n, 16);
    assert_int_equal(d.val.n, 4);
    assert_int_equal(d.test.n, 8);
    assert_int_equal(d.train_set->n_classes, 4);
    assert_int_equal(d.train_set->h, 2);
    /* none: bytes / 255 */
    float xb[3 * 6];
    int32_t lb[3];
    int pos[3] = {7, 0, 7};
    rx_data_gather(&d, &d.test, pos, 3, xb, lb, NULL);
    for (int k = 0; k < 3; k++) {
        int r = d.test.idx[pos[k]];
        assert_int_equal(lb[k], r % 4);
        for (int j = 0; j < 6; j++)
            assert_double_close(xb[6 * k + j],
                               d.test_set->x_u8[6 * r + j] / 255.0f, 1e-7);
    }
    rx_data_free(&d);
    /* feature: train split standardised exactly as the float path */
    c.normalize = RX_NORM_FEATURE;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    double mean[6], sd[6];
    split_moments(&d, &d.train, mean, sd);
    for (int j = 0; j < 6; j++) {
        assert_true(fabs(mean[j]) < 1e-5);
        assert_true(fabs(sd[j] - 1) < 1e-4);
    }
    rx_data_free(&d);
}

/* ---- the cache of decoded sources --------------------------------- */

static void same_split(const rx_split *a, const rx_split *b)
{
    assert_int_equal(a->n, b->n);
    if (a->n)
        assert_memory_equal(a->idx, b->idx, (size_t)a->n * sizeof(int));
}

/* got (from the cache) is what rx_data_load made in ref, bit for bit. */
static void same_data(const rx_data *got, const rx_data *ref)
{
    assert_int_equal(got->u8_input, ref->u8_input);
    assert_int_equal(got->train_set->n, ref->train_set->n);
    assert_int_equal(got->train_set->d, ref->train_set->d);
    assert_int_equal(got->test_set == NULL, ref->test_set == NULL);
    same_split(&got->train, &ref->train);
    same_split(&got->val, &ref->val);
    same_split(&got->test, &ref->test);
    assert_ptr_equal(got->train.src, got->train_set);
    int d = ref->train_set->d;
    assert_memory_equal(got->shift, ref->shift, (size_t)d * sizeof(float));
    assert_memory_equal(got->scale, ref->scale, (size_t)d * sizeof(float));
    size_t bytes = (size_t)ref->train_set->n * (size_t)d;
    if (ref->u8_input)
        assert_memory_equal(got->train_set->x_u8, ref->train_set->x_u8, bytes);
    else
        assert_memory_equal(got->train_set->x_f32, ref->train_set->x_f32, bytes * sizeof(float));
}

/* A data axis (validation, subsets, normalisation) decodes the source
 * files once; another source decodes once more and the first stays; a
 * failed decode is not kept, a bad split keeps the decoded source. */
static void test_data_cache(void **state)
{
    (void)state;
    rx_data_cache cache = {0}, *dc = &cache;
    rx_data_config c = base_config("idx");
    snprintf(c.path, sizeof c.path, "%s", D "idx-dir");
    const struct {
        int validation, train_subset, test_subset;
        rx_norm norm;
    } axis[] = {/* one key changes at a time, then several */
                {4, 0, 0, RX_NORM_NONE}, {4, 8, 0, RX_NORM_NONE}, {4, 8, 3, RX_NORM_NONE},
                {4, 8, 3, RX_NORM_FEATURE}, {2, 8, 3, RX_NORM_FEATURE},
                {0, 0, 0, RX_NORM_GLOBAL}, {4, 0, 0, RX_NORM_NONE}, {4, 0, 0, RX_NORM_NONE}};
    long base = rx_data_decodes(), loads = 0;
    const rx_data *got;
    rx_data ref;
    rx_err e;
    for (size_t i = 0; i < sizeof axis / sizeof axis[0]; i++) {
        c.validation = axis[i].validation;
        c.train_subset = axis[i].train_subset;
        c.test_subset = axis[i].test_subset;
        c.normalize = axis[i].norm;
        assert_int_equal(rx_data_cache_get(dc, &c, &got, &e), RX_OK);
        assert_int_equal(rx_data_decodes(), base + 1 + loads);
        assert_int_equal(rx_data_load(&c, &ref, &e), RX_OK);
        loads++;
        same_data(got, &ref);
        rx_data_free(&ref);
    }
    /* a split the samples cannot give: an error, the source stays */
    c.validation = 1000;
    expect_err(rx_data_cache_get(dc, &c, &got, &e), RX_EFORMAT, &e,
               "the training split of '" D "idx-dir' is empty: its 20 samples give validation "
               "1000, training 0, and the test set has 8");
    c.validation = 4;
    assert_int_equal(rx_data_cache_get(dc, &c, &got, &e), RX_OK);
    assert_int_equal(rx_data_decodes(), base + 1 + loads);
    /* another source (a synthetic set): one decode, whatever its splits;
     * the idx files are still there */
    rx_data_config s = base_config("spirals");
    s.validation = 40;
    assert_int_equal(rx_data_cache_get(dc, &s, &got, &e), RX_OK);
    s.train_subset = 100;
    assert_int_equal(rx_data_cache_get(dc, &s, &got, &e), RX_OK);
    assert_int_equal(rx_data_decodes(), base + 2 + loads);
    assert_int_equal(rx_data_load(&s, &ref, &e), RX_OK);
    loads++;
    same_data(got, &ref);
    rx_data_free(&ref);
    assert_int_equal(rx_data_cache_get(dc, &c, &got, &e), RX_OK);
    assert_int_equal(rx_data_decodes(), base + 2 + loads);
    /* a path that is not there: an error per call, nothing kept */
    rx_data_config bad = c;
    snprintf(bad.path, sizeof bad.path, "%s", D "no-such-dir");
    for (int k = 0; k < 2; k++)
        assert_int_equal(rx_data_cache_get(dc, &bad, &got, &e), RX_ENOTFOUND);
    assert_int_equal(rx_data_decodes(), base + 4 + loads);
    /* five sources: the least recently used goes (the spirals, not the
     * idx files used last) */
    for (int k = 1; k <= 3; k++) {
        rx_data_config b = base_config("blobs");
        b.n_samples = 100 * k;
        assert_int_equal(rx_data_cache_get(dc, &b, &got, &e), RX_OK);
    }
    assert_int_equal(rx_data_decodes(), base + 7 + loads);
    assert_int_equal(rx_data_cache_get(dc, &c, &got, &e), RX_OK);
    assert_int_equal(rx_data_decodes(), base + 7 + loads);
    assert_int_equal(rx_data_cache_get(dc, &s, &got, &e), RX_OK);
    assert_int_equal(rx_data_decodes(), base + 8 + loads);
    rx_data_cache_free(dc);
    rx_data_cache_free(dc); /* twice is harmless */
}

static void test_gather_targets(void **state)
{
    rx_data_config c = base_config("teacher");
    rx_data d;
    rx_err e;
    c.validation = 10;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    float xb[2 * 4], yb[2 * 2];
    int32_t lb[2] = {-7, -7};
    int pos[2] = {5, 2};
    rx_data_gather(&d, &d.train, pos, 2, xb, lb, yb);
    for (int k = 0; k < 2; k++) {
        int r = d.train.idx[pos[k]];
        assert_memory_equal(yb + 2 * k, d.train_set->y + 2 * r, 2 * sizeof(float));
        assert_int_equal(lb[k], -7); /* regression: no labels written */
    }
    rx_data_free(&d);
}

/* The float path's AVX2 conversion against the portable one, with a
 * feature count that leaves a tail (13 = 8 + 5). */
static void test_gather_kernels_agree(void **state)
{
    rx_data_config c = base_config("blobs");
    rx_data d;
    rx_err e;
    c.n_dims = 13;
    c.validation = 10;
    c.normalize = RX_NORM_FEATURE;
    assert_int_equal(rx_data_load(&c, &d, &e), RX_OK);
    enum { B = 32 };
    float xa[B * 13], xp[B * 13];
    int pos[B];
    for (int i = 0; i < B; i++)
        pos[i] = (i * 37) % d.train.n;
    rx_data_gather(&d, &d.train, pos, B, xa, NULL, NULL);
    rx_cpu_avx2_allow(0);
    rx_data_gather(&d, &d.train, pos, B, xp, NULL, NULL);
    rx_cpu_avx2_allow(1);
    assert_memory_equal(xa, xp, sizeof xa);
    rx_data_free(&d);
}

/* ---- Fashion-MNIST ------------------------------------------------- */

static void test_fashion_mnist(void **state)
{
    struct stat st;
    if (stat(RX_FMNIST_DIR, &st) != 0) {
        skip();
        return;
    }
    rx_data_config c = base_config("fashion-mnist");
    rx_data d;
    rx_err e;
    c.validation = 5000;
    c.normalize = RX_NORM_GLOBAL;
    double t0 = rx_now();
    int rc = rx_data_load(&c, &d, &e);
    if (rc != RX_OK)
        print_error("%s\n", e.msg);
    assert_int_equal(rc, RX_OK);
    print_message("fashion-mnist loaded in %.3f s\n", rx_now() - t0);
    assert_int_equal(d.train_set->n, 60000);
    assert_int_equal(d.test_set->n, 10000);
    assert_int_equal(d.train.n, 55000);
    assert_int_equal(d.val.n, 5000);
    assert_int_equal(d.test.n, 10000);
    assert_int_equal(d.train_set->d, 784);
    assert_int_equal(d.train_set->h, 28);
    assert_int_equal(d.train_set->w, 28);
    assert_int_equal(d.train_set->n_classes, 10);
    assert_true(d.u8_input);
    int count[10] = {0};
    for (int i = 0; i < 60000; i++) {
        assert_in_range(d.train_set->label[i], 0, 9);
        count[d.train_set->label[i]]++;
    }
    for (int k = 0; k < 10; k++)
        assert_int_equal(count[k], 6000); /* Fashion-MNIST is balanced */
    /* global normalisation: a batch of the training split is ~N(0,1) */
    enum { B = 1000 };
    float *xb = malloc((size_t)B * 784 * sizeof(float));
    int pos[B];
    for (int i = 0; i < B; i++)
        pos[i] = i * 53;
    rx_data_gather(&d, &d.train, pos, B, xb, NULL, NULL);
    /* the AVX2 conversion gives the portable one's bits */
    float *xp = malloc((size_t)B * 784 * sizeof(float));
    rx_cpu_avx2_allow(0);
    rx_data_gather(&d, &d.train, pos, B, xp, NULL, NULL);
    rx_cpu_avx2_allow(1);
    assert_memory_equal(xb, xp, (size_t)B * 784 * sizeof(float));
    free(xp);
    double m = 0, v = 0;
    for (int i = 0; i < B * 784; i++)
        m += xb[i];
    m /= B * 784;
    for (int i = 0; i < B * 784; i++)
        v += (xb[i] - m) * (xb[i] - m);
    v /= B * 784;
    assert_true(fabs(m) < 0.05 && fabs(v - 1) < 0.05);
    free(xb);
    rx_data_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_raw_and_gz),
        cmocka_unit_test(test_idx_errors),
        cmocka_unit_test(test_csv_good),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_libsvm_good),
        cmocka_unit_test(test_libsvm_errors),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_libsvm_dense_too_large),
        cmocka_unit_test(test_synth_deterministic),
        cmocka_unit_test(test_synth_shapes),
        cmocka_unit_test(test_synth_errors),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_carved_test),
        cmocka_unit_test(test_test_files),
        cmocka_unit_test(test_normalise_feature),
        cmocka_unit_test(test_idx_dataset_u8),
        cmocka_unit_test(test_data_cache),
        cmocka_unit_test(test_gather_kernels_agree),
        cmocka_unit_test(test_gather_targets),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
