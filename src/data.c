/*
 * data.c: datasets, splits, normalisation and batch gathering.
 *
 * rx_data_load dispatches on the dataset name to a loader (idx.c, csv.c,
 * libsvm.c, synth.c), then carves the splits with a shuffle seeded by
 * data_seed alone, so every run of a sweep sees the same split whatever
 * its run seed.  Splits are index lists: nothing is copied.
 */
#include "rx_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if RX_AVX2_KERNELS
#include <immintrin.h>
#endif

/* Stream tags for rx_seed_mix: one independent stream per use. */
#define TAG_SPLIT 0x53504c4954ULL  /* "SPLIT" */
#define TAG_TEST 0x54455354ULL     /* "TEST" */

/* ---- widening ------------------------------------------------------ */

/* Pads a float dataset with zero features up to d (LIBSVM files that
 * infer their width from their own largest index). */
static int widen(rx_dataset *ds, int d, rx_err *err)
{
    rx_dataset w;
    if (ds->d == d)
        return RX_OK;
    int rc = rx_dataset_alloc(&w, ds->n, d, 0, ds->n_classes, ds->n_targets,
                              err);
    if (rc != RX_OK)
        return rc;
    for (int i = 0; i < ds->n; i++)
        memcpy(w.x_f32 + (size_t)i * d, ds->x_f32 + (size_t)i * ds->d,
               (size_t)ds->d * sizeof(float));
    if (ds->label)
        memcpy(w.label, ds->label, (size_t)ds->n * sizeof(int32_t));
    rx_dataset_free(ds);
    *ds = w;
    return RX_OK;
}

/* ---- loading by name ----------------------------------------------- */

/* Finds dir/base.gz or else dir/base. */
static int find_idx(const char *dir, const char *base, char *out,
                    size_t size, const char *hint, rx_err *err)
{
    struct stat st;
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    if (snprintf(out, size, "%s%s%s.gz", dir, sep, base) >= (int)size)
        return rx_errf(err, RX_EINVAL, "path '%s' is too long", dir);
    if (stat(out, &st) == 0)
        return RX_OK;
    snprintf(out, size, "%s%s%s", dir, sep, base);
    if (stat(out, &st) == 0)
        return RX_OK;
    return rx_errf(err, RX_ENOTFOUND, "cannot find '%s.gz' or '%s'%s", out,
                   out, hint);
}

typedef char idx_paths[4][RX_PATH_MAX + 32];

/* The four IDX files of MNIST's layout in one directory: train images
 * and labels, test images and labels. */
static int find_idx_dir(const char *dir, const char *hint, idx_paths f, rx_err *err)
{
    static const char *names[4] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    for (int i = 0; i < 4; i++) {
        int rc = find_idx(dir, names[i], f[i], sizeof f[i], hint, err);
        if (rc != RX_OK)
            return rc;
    }
    return RX_OK;
}

static int load_idx_dir(const char *dir, int n_classes, const char *hint,
                        rx_data *out, rx_err *err)
{
    idx_paths f;
    int rc = find_idx_dir(dir, hint, f, err);
    if (rc != RX_OK)
        return rc;
    rc = rx_idx_load_classes(f[0], f[1], n_classes, out->train_set, err);
    if (rc == RX_OK)
        rc = rx_idx_load_classes(f[2], f[3], n_classes, out->test_set, err);
    if (rc == RX_OK && out->test_set->d != out->train_set->d)
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s' has images of %dx%d but '%s' has %dx%d", f[2],
                     out->test_set->h, out->test_set->w, f[0],
                     out->train_set->h, out->train_set->w);
    if (rc == RX_OK && n_classes == 0) {
        int k = out->train_set->n_classes > out->test_set->n_classes
                    ? out->train_set->n_classes
                    : out->test_set->n_classes;
        out->train_set->n_classes = out->test_set->n_classes = k;
    }
    return rc;
}

/* Where an IDX dataset's files are, and its classes (0: inferred). */
typedef struct idx_source {
    const char *dir, *hint;
    int n_classes;
} idx_source;

static idx_source fashion_source(const rx_data_config *c)
{
    if (c->path[0])
        return (idx_source){c->path, "", 10};
    return (idx_source){"/usr/share/datasets/fashion-mnist",
                        " (install Debian's dataset-fashion-mnist: make deps)", 10};
}

static idx_source mnist_source(const rx_data_config *c)
{
    return (idx_source){c->path[0] ? c->path : "/usr/share/datasets/mnist", "", 10};
}

static idx_source idx_dir_source(const rx_data_config *c)
{
    return (idx_source){c->path, "", 0};
}

static int load_fashion(const rx_data_config *c, rx_data *out, rx_err *err)
{
    idx_source s = fashion_source(c);
    return load_idx_dir(s.dir, s.n_classes, s.hint, out, err);
}

static int load_mnist(const rx_data_config *c, rx_data *out, rx_err *err)
{
    idx_source s = mnist_source(c);
    return load_idx_dir(s.dir, s.n_classes, s.hint, out, err);
}

static int load_idx(const rx_data_config *c, rx_data *out, rx_err *err)
{
    idx_source s = idx_dir_source(c);
    return load_idx_dir(s.dir, s.n_classes, s.hint, out, err);
}

/* Train and test text files: same width, one class count. */
static int match_files(const rx_data_config *c, rx_data *out, int pad,
                       rx_err *err)
{
    rx_dataset *a = out->train_set, *b = out->test_set;
    if (pad) {
        int d = a->d > b->d ? a->d : b->d;
        int rc = widen(a, d, err);
        if (rc == RX_OK)
            rc = widen(b, d, err);
        if (rc != RX_OK)
            return rc;
    }
    if (a->d != b->d)
        return rx_errf(err, RX_EFORMAT,
                       "'%s' has %d features but '%s' has %d", c->test_path,
                       b->d, c->path, a->d);
    int k = a->n_classes > b->n_classes ? a->n_classes : b->n_classes;
    a->n_classes = b->n_classes = k;
    return RX_OK;
}

static int load_csv(const rx_data_config *c, rx_data *out, rx_err *err)
{
    int rc = rx_csv_load(c->path, c->label_column, c->header, out->train_set,
                         err);
    if (rc != RX_OK || !c->test_path[0])
        return rc;
    rc = rx_csv_load(c->test_path, c->label_column, c->header, out->test_set,
                     err);
    return rc != RX_OK ? rc : match_files(c, out, 0, err);
}

static int load_libsvm(const rx_data_config *c, rx_data *out, rx_err *err)
{
    if (c->n_features < 0)
        return rx_errf(err, RX_EINVAL, "data.n_features %d is negative",
                       c->n_features);
    int rc = rx_libsvm_load(c->path, c->n_features, out->train_set, err);
    if (rc != RX_OK || !c->test_path[0])
        return rc;
    rc = rx_libsvm_load(c->test_path, c->n_features, out->test_set, err);
    return rc != RX_OK ? rc : match_files(c, out, c->n_features == 0, err);
}

static int load_synth(const rx_data_config *c, rx_data *out, rx_err *err)
{
    int rc = rx_synth_load(c, 0, out->train_set, err);
    return rc != RX_OK ? rc : rx_synth_load(c, 1, out->test_set, err);
}

/* The dataset table: one row per dataset, joined to rx_dataset_names by
 * the index.  Adding a dataset is a row, its name and its loader. */
enum { DS_FASHION, DS_MNIST, DS_IDX, DS_CSV, DS_LIBSVM, DS_SPIRALS, DS_BLOBS, DS_TEACHER, N_DS };

const char *const rx_dataset_names[N_DS + 1] = {
    [DS_FASHION] = "fashion-mnist", [DS_MNIST] = "mnist", [DS_IDX] = "idx",
    [DS_CSV] = "csv", [DS_LIBSVM] = "libsvm", [DS_SPIRALS] = "spirals",
    [DS_BLOBS] = "blobs", [DS_TEACHER] = "teacher",
};

/* source: where an IDX dataset's files are, so that its shape is read
 * from their headers (rx_data_shape_of); NULL for the others. */
static const struct {
    rx_dataset_kind kind;
    int (*load)(const rx_data_config *c, rx_data *out, rx_err *err);
    idx_source (*source)(const rx_data_config *c);
} loaders[N_DS] = {
    [DS_FASHION] = {{RX_DS_HAS_TEST, ""}, load_fashion, fashion_source},
    [DS_MNIST] = {{RX_DS_HAS_TEST, ""}, load_mnist, mnist_source},
    [DS_IDX] = {{RX_DS_HAS_TEST | RX_DS_NEEDS_PATH, " (a directory of IDX files)"}, load_idx,
                idx_dir_source},
    [DS_CSV] = {{RX_DS_NEEDS_PATH, ""}, load_csv},
    [DS_LIBSVM] = {{RX_DS_NEEDS_PATH, ""}, load_libsvm},
    [DS_SPIRALS] = {{RX_DS_HAS_TEST | RX_DS_SYNTHETIC, ""}, load_synth},
    [DS_BLOBS] = {{RX_DS_HAS_TEST | RX_DS_SYNTHETIC, ""}, load_synth},
    [DS_TEACHER] = {{RX_DS_HAS_TEST | RX_DS_SYNTHETIC | RX_DS_REGRESSION, ""}, load_synth},
};

/* The row of a dataset name, or -1. */
static int dataset_index(const char *name)
{
    for (int i = 0; i < N_DS; i++)
        if (strcmp(name, rx_dataset_names[i]) == 0)
            return i;
    return -1;
}

const rx_dataset_kind *rx_dataset_kind_of(const char *name)
{
    int i = dataset_index(name);
    return i < 0 ? NULL : &loaders[i].kind;
}

/* ---- splits -------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Makes s a sorted copy of ids[0..n). */
static int make_split(rx_split *s, const rx_dataset *src, const int *ids,
                      int n, rx_err *err)
{
    s->src = src;
    s->n = n;
    s->idx = malloc(((size_t)n + 1) * sizeof(int));
    if (!s->idx)
        return rx_errf(err, RX_ENOMEM, "cannot allocate a split of %d", n);
    memcpy(s->idx, ids, (size_t)n * sizeof(int));
    qsort(s->idx, (size_t)n, sizeof(int), cmp_int);
    return RX_OK;
}

static int *seeded_perm(int n, uint64_t seed, uint64_t tag)
{
    int *p = malloc(((size_t)n + 1) * sizeof(int));
    if (!p)
        return NULL;
    for (int i = 0; i < n; i++)
        p[i] = i;
    rx_rng r;
    rx_rng_seed(&r, rx_seed_mix(seed, tag));
    rx_rng_shuffle(&r, p, n);
    return p;
}

/* The name of the data in messages: its file, or the dataset's name. */
static const char *data_name(const rx_data_config *c)
{
    return c->path[0] ? c->path : c->dataset;
}

int rx_data_split_sizes(const rx_data_config *c, int n, int n_test, rx_split_sizes *z,
                        rx_err *err)
{
    memset(z, 0, sizeof *z);
    if (c->validation < 0 || c->train_subset < 0 || c->test_subset < 0)
        return rx_errf(err, RX_EINVAL,
                       "data.validation, data.train_subset and data.test_subset must not be negative");
    int carved = n_test < 0;
    z->test = c->test_subset > 0 ? c->test_subset : carved ? n / 5 : n_test;
    if (!carved && c->test_subset > n_test)
        return rx_errf(err, RX_EINVAL, "test_subset %d exceeds the %d test samples",
                       c->test_subset, n_test);
    z->validation = c->validation;
    long left = (long)n - (carved ? z->test : 0) - c->validation;
    if (left > 0 && c->train_subset > left)
        return rx_errf(err, RX_EINVAL,
                       "train_subset %d exceeds the %ld training samples left after validation",
                       c->train_subset, left);
    z->train = left <= 0 ? 0 : c->train_subset > 0 ? c->train_subset : (int)left;
    /* A run on an empty split would train on nothing or report NaN
     * metrics as done; validation 0 asks for no validation split. */
    const char *empty = left <= 0 ? "training" : z->test == 0 ? "test" : NULL;
    if (!empty)
        return RX_OK;
    if (carved)
        return rx_errf(err, RX_EFORMAT,
                       "the %s split of '%s' is empty: its %d samples give test %d (%s), "
                       "validation %d, training %ld",
                       empty, data_name(c), n, z->test,
                       c->test_subset > 0 ? "data.test_subset" : "a fifth, with no data.test_path",
                       c->validation, left > 0 ? left : 0);
    return rx_errf(err, RX_EFORMAT,
                   "the %s split of '%s' is empty: its %d samples give validation %d, "
                   "training %ld, and the test set has %d",
                   empty, data_name(c), n, c->validation, left > 0 ? left : 0, n_test);
}

int rx_data_check_sizes(const rx_data_config *c, rx_err *err)
{
    rx_split_sizes z;
    const rx_dataset_kind *k = rx_dataset_kind_of(c->dataset);
    if (k && (k->flags & RX_DS_SYNTHETIC))
        return rx_data_split_sizes(c, c->n_samples, c->n_samples / 4, &z, err);
    return RX_OK;
}

static int make_splits(const rx_data_config *c, rx_data *out, rx_err *err)
{
    const rx_dataset *tr = out->train_set;
    int n = tr->n, rc;
    rx_split_sizes z;
    if ((rc = rx_data_split_sizes(c, n, out->test_set ? out->test_set->n : -1, &z, err)))
        return rc;
    int k_test = out->test_set ? 0 : z.test;
    int *perm = seeded_perm(n, c->data_seed, TAG_SPLIT);
    if (!perm)
        return rx_errf(err, RX_ENOMEM, "cannot allocate a split of %d", n);
    rc = make_split(&out->val, tr, perm + k_test, c->validation, err);
    if (rc == RX_OK)
        rc = make_split(&out->train, tr, perm + k_test + c->validation,
                        z.train, err);
    if (rc == RX_OK && !out->test_set)
        rc = make_split(&out->test, tr, perm, k_test, err);
    free(perm);
    if (rc != RX_OK || !out->test_set)
        return rc;

    const rx_dataset *te = out->test_set;
    perm = seeded_perm(te->n, c->data_seed, TAG_TEST);
    if (!perm)
        return rx_errf(err, RX_ENOMEM, "cannot allocate a split of %d",
                       te->n);
    rc = make_split(&out->test, te, perm,
                    c->test_subset > 0 ? c->test_subset : te->n, err);
    free(perm);
    return rc;
}

/* ---- normalisation ------------------------------------------------- */

/* Per-feature mean and variance over the training split.  Bytes sum as
 * exact integers (so a constant feature has variance exactly 0); floats
 * in two passes, with min == max marking constants exactly. */
static int feature_moments(const rx_split *s, double *mean, double *var)
{
    const rx_dataset *ds = s->src;
    int d = ds->d, n = s->n;
    if (ds->x_u8) {
        uint64_t *sum = calloc(2 * (size_t)d, sizeof(uint64_t));
        if (!sum)
            return -1;
        uint64_t *sq = sum + d;
        for (int i = 0; i < n; i++) {
            const uint8_t *b = ds->x_u8 + (size_t)s->idx[i] * d;
            for (int j = 0; j < d; j++) {
                sum[j] += b[j];
                sq[j] += (uint32_t)b[j] * b[j];
            }
        }
        for (int j = 0; j < d; j++) {
            double num = (double)((unsigned __int128)n * sq[j] -
                                  (unsigned __int128)sum[j] * sum[j]);
            mean[j] = (double)sum[j] / n / 255.0;
            var[j] = num / ((double)n * n) / (255.0 * 255.0);
        }
        free(sum);
        return 0;
    }
    float *lo = malloc(2 * (size_t)d * sizeof(float));
    if (!lo)
        return -1;
    float *hi = lo + d;
    for (int j = 0; j < d; j++) {
        mean[j] = var[j] = 0;
        lo[j] = hi[j] = ds->x_f32[(size_t)s->idx[0] * d + j];
    }
    for (int i = 0; i < n; i++) {
        const float *x = ds->x_f32 + (size_t)s->idx[i] * d;
        for (int j = 0; j < d; j++) {
            mean[j] += x[j];
            lo[j] = x[j] < lo[j] ? x[j] : lo[j];
            hi[j] = x[j] > hi[j] ? x[j] : hi[j];
        }
    }
    for (int j = 0; j < d; j++)
        mean[j] /= n;
    for (int i = 0; i < n; i++) {
        const float *x = ds->x_f32 + (size_t)s->idx[i] * d;
        for (int j = 0; j < d; j++) {
            double t = x[j] - mean[j];
            var[j] += t * t;
        }
    }
    for (int j = 0; j < d; j++) {
        var[j] /= n;
        if (lo[j] == hi[j])
            mean[j] = lo[j], var[j] = 0;
    }
    free(lo);
    return 0;
}

static int normalise(const rx_data_config *c, rx_data *out, rx_err *err)
{
    int d = out->train_set->d;
    out->shift = malloc((size_t)d * sizeof(float));
    out->scale = malloc((size_t)d * sizeof(float));
    double *mean = malloc(2 * (size_t)d * sizeof(double));
    if (!out->shift || !out->scale || !mean) {
        free(mean);
        return rx_errf(err, RX_ENOMEM, "cannot allocate normalisation");
    }
    double *var = mean + d;
    for (int j = 0; j < d; j++)
        mean[j] = 0, var[j] = 1;
    if (c->normalize != RX_NORM_NONE &&
        feature_moments(&out->train, mean, var) != 0) {
        free(mean);
        return rx_errf(err, RX_ENOMEM, "cannot allocate normalisation");
    }
    if (c->normalize == RX_NORM_GLOBAL) {
        /* pooled: the mean of means, and the law of total variance */
        double m = 0, v = 0;
        for (int j = 0; j < d; j++)
            m += mean[j];
        m /= d;
        for (int j = 0; j < d; j++)
            v += var[j] + (mean[j] - m) * (mean[j] - m);
        v /= d;
        for (int j = 0; j < d; j++)
            mean[j] = m, var[j] = v;
    }
    for (int j = 0; j < d; j++) {
        out->shift[j] = (float)mean[j];
        out->scale[j] = var[j] > 0 ? (float)(1.0 / sqrt(var[j])) : 1.0f;
    }
    free(mean);
    return RX_OK;
}

/* ---- the public entry points --------------------------------------- */

/* Decodes the source files of c (or generates a synthetic set) into
 * *train and *test (NULL when the test set is carved from train); the
 * caller frees both with rx_dataset_free and free. */
static long n_decodes;

static int load_sources(const rx_data_config *c, rx_dataset **train, rx_dataset **test,
                        rx_err *err)
{
    *train = *test = NULL;
    int li = -1;
    li = dataset_index(c->dataset);
    if (li < 0) {
        char names[256];
        size_t k = 0;
        for (int i = 0; i < N_DS && k < sizeof names; i++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s",
                                  i == 0 ? "" : i == N_DS - 1 ? " or " : ", ",
                                  rx_dataset_names[i]);
        return rx_errf(err, RX_EINVAL, "unknown dataset '%s' (want %s)", c->dataset, names);
    }
    if ((loaders[li].kind.flags & RX_DS_NEEDS_PATH) && !c->path[0])
        return rx_errf(err, RX_EINVAL, "dataset '%s' needs data.path%s", c->dataset,
                       loaders[li].kind.path_hint);
    rx_data tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.train_set = calloc(1, sizeof(rx_dataset));
    tmp.test_set = calloc(1, sizeof(rx_dataset));
    if (!tmp.train_set || !tmp.test_set) {
        rx_data_free(&tmp);
        return rx_errf(err, RX_ENOMEM, "cannot allocate datasets");
    }
    n_decodes++;
    int rc = loaders[li].load(c, &tmp, err);
    if (rc != RX_OK) {
        rx_data_free(&tmp);
        return rc;
    }
    if (!(loaders[li].kind.flags & RX_DS_HAS_TEST) && !c->test_path[0]) {
        free(tmp.test_set);
        tmp.test_set = NULL;
    }
    *train = tmp.train_set;
    *test = tmp.test_set;
    return RX_OK;
}

/* Splits and normalisation of c over out's datasets. */
static int prepare(const rx_data_config *c, rx_data *out, rx_err *err)
{
    int rc = make_splits(c, out, err);
    if (rc == RX_OK)
        rc = normalise(c, out, err);
    if (rc == RX_OK)
        out->u8_input = out->train_set->x_u8 != NULL;
    return rc;
}

int rx_data_load(const rx_data_config *c, rx_data *out, rx_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = load_sources(c, &out->train_set, &out->test_set, err);
    if (rc == RX_OK)
        rc = prepare(c, out, err);
    if (rc != RX_OK)
        rx_data_free(out);
    return rc;
}

/* The shape of an IDX dataset from its files' headers (and, when its
 * classes are inferred, its labels). */
static int idx_shape(idx_source s, rx_data_shape *z, rx_err *err)
{
    idx_paths f;
    int h, w, ht, wt, kt = 0, rc = find_idx_dir(s.dir, s.hint, f, err);
    if (rc == RX_OK)
        rc = rx_idx_shape(f[0], s.n_classes ? NULL : f[1], &z->n, &h, &w, &z->n_out, err);
    if (rc == RX_OK)
        rc = rx_idx_shape(f[2], s.n_classes ? NULL : f[3], &z->n_test, &ht, &wt, &kt, err);
    if (rc != RX_OK)
        return rc;
    if (ht * wt != h * w)
        return rx_errf(err, RX_EFORMAT, "'%s' has images of %dx%d but '%s' has %dx%d", f[2],
                       ht, wt, f[0], h, w);
    z->c = 1;
    z->h = h;
    z->w = w;
    z->n_out = s.n_classes ? s.n_classes : z->n_out > kt ? z->n_out : kt;
    return RX_OK;
}

int rx_data_shape_of(const rx_data_config *c, rx_data_shape *z, rx_err *err)
{
    memset(z, 0, sizeof *z);
    int li = dataset_index(c->dataset), rc;
    if (li >= 0 && (loaders[li].kind.flags & RX_DS_NEEDS_PATH) && !c->path[0])
        return rx_errf(err, RX_EINVAL, "dataset '%s' needs data.path%s", c->dataset,
                       loaders[li].kind.path_hint);
    if (li >= 0 && loaders[li].source) {
        rc = idx_shape(loaders[li].source(c), z, err);
    } else {
        /* text files and synthetic sets have no header: decode them */
        rx_dataset *tr, *te;
        if ((rc = load_sources(c, &tr, &te, err)))
            return rc;
        z->n = tr->n;
        z->n_test = te ? te->n : -1;
        z->c = tr->c ? tr->c : 1;
        z->h = tr->h ? tr->h : 1;
        z->w = tr->w ? tr->w : tr->d;
        z->n_out = tr->n_classes ? tr->n_classes : tr->n_targets;
        z->regression = tr->n_classes == 0;
        rx_dataset_free(tr);
        rx_dataset_free(te);
        free(tr);
        free(te);
    }
    if (rc == RX_OK) {
        rx_split_sizes sz;
        rc = rx_data_split_sizes(c, z->n, z->n_test, &sz, err);
        z->n_train = sz.train;
    }
    return rc;
}

long rx_data_decodes(void)
{
    return n_decodes;
}

/* ---- the cache of decoded sources ---------------------------------- */

/* c with what the splits and the normalisation read cleared: the rest
 * (dataset, paths, file options, synthetic parameters, data seed) says
 * which samples are decoded.  String tails are cleared so that equal
 * strings compare equal bytewise. */
static void source_key(const rx_data_config *c, rx_data_config *k)
{
    memcpy(k, c, sizeof *k);
    k->validation = 0;
    k->train_subset = 0;
    k->test_subset = 0;
    k->normalize = (rx_norm)0;
    size_t n = strnlen(k->dataset, sizeof k->dataset);
    memset(k->dataset + n, 0, sizeof k->dataset - n);
    n = strnlen(k->path, sizeof k->path);
    memset(k->path + n, 0, sizeof k->path - n);
    n = strnlen(k->test_path, sizeof k->test_path);
    memset(k->test_path + n, 0, sizeof k->test_path - n);
}

/* Frees the splits of a data that borrows its sets. */
static void free_view(rx_data *d)
{
    d->train_set = d->test_set = NULL;
    rx_data_free(d);
}

static void free_source(rx_data_source *e)
{
    rx_dataset_free(e->train);
    rx_dataset_free(e->test);
    free(e->train);
    free(e->test);
    memset(e, 0, sizeof *e);
}

void rx_data_cache_free(rx_data_cache *dc)
{
    if (dc->have_last)
        free_view(&dc->last);
    for (int i = 0; i < dc->n; i++)
        free_source(&dc->src[i]);
    memset(dc, 0, sizeof *dc);
}

int rx_data_cache_get(rx_data_cache *dc, const rx_data_config *c, const rx_data **out,
                      rx_err *err)
{
    *out = NULL;
    rx_data_config want, k;
    memcpy(&want, c, sizeof want);
    source_key(c, &k);
    if (dc->have_last) {
        rx_data_config lk;
        source_key(&dc->last_cfg, &lk);
        if (memcmp(&lk, &k, sizeof k) == 0 && dc->last_cfg.validation == c->validation &&
            dc->last_cfg.train_subset == c->train_subset &&
            dc->last_cfg.test_subset == c->test_subset &&
            dc->last_cfg.normalize == c->normalize) {
            *out = &dc->last;
            return RX_OK;
        }
        free_view(&dc->last);
        dc->have_last = 0;
    }
    rx_data_source *e = NULL;
    for (int i = 0; i < dc->n && !e; i++)
        if (memcmp(&dc->src[i].key, &k, sizeof k) == 0)
            e = &dc->src[i];
    if (!e) {
        rx_dataset *train, *test;
        int rc = load_sources(c, &train, &test, err);
        if (rc != RX_OK)
            return rc;
        if (dc->n < RX_DATA_CACHE_SOURCES) {
            e = &dc->src[dc->n++];
        } else {
            e = &dc->src[0];    /* the least recently used goes */
            for (int i = 1; i < dc->n; i++)
                if (dc->src[i].used < e->used)
                    e = &dc->src[i];
            free_source(e);
        }
        e->key = k;
        e->train = train;
        e->test = test;
    }
    e->used = ++dc->clock;
    memset(&dc->last, 0, sizeof dc->last);
    dc->last.train_set = e->train;
    dc->last.test_set = e->test;
    int rc = prepare(&want, &dc->last, err);
    if (rc != RX_OK) {
        free_view(&dc->last);
        return rc;
    }
    dc->last_cfg = want;
    dc->have_last = 1;
    *out = &dc->last;
    return RX_OK;
}

void rx_data_free(rx_data *d)
{
    if (!d)
        return;
    rx_dataset_free(d->train_set);
    rx_dataset_free(d->test_set);
    free(d->train_set);
    free(d->test_set);
    free(d->train.idx);
    free(d->val.idx);
    free(d->test.idx);
    free(d->shift);
    free(d->scale);
    memset(d, 0, sizeof *d);
}

/* How many samples ahead the gather asks for rows: a row is a random
 * place in an array larger than the cache, and converting one row takes
 * less time than fetching one from memory. */
#define RX_GATHER_AHEAD 8

static void prefetch_row(const rx_dataset *ds, const rx_split *s, const int *pos, int i)
{
    const char *row = ds->x_u8 ? (const char *)(ds->x_u8 + (size_t)s->idx[pos[i]] * ds->d)
                               : (const char *)(ds->x_f32 + (size_t)s->idx[pos[i]] * ds->d);
    size_t bytes = (size_t)ds->d * (ds->x_u8 ? 1 : sizeof(float));
    for (size_t k = 0; k < bytes; k += 64)
        __builtin_prefetch(row + k);
    __builtin_prefetch(row + bytes - 1);
}

/* One row of uint8 pixels to normalised floats: (x/255 - shift) * scale,
 * the portable kernel and its bit-identical AVX2 twin. */
static void convert_u8(const uint8_t *restrict b, const float *restrict sh,
                       const float *restrict sc, float *restrict o, int d)
{
    for (int j = 0; j < d; j++)
        o[j] = ((float)b[j] * (1.0f / 255.0f) - sh[j]) * sc[j];
}

static void convert_f32(const float *restrict x, const float *restrict sh,
                        const float *restrict sc, float *restrict o, int d)
{
    for (int j = 0; j < d; j++)
        o[j] = (x[j] - sh[j]) * sc[j];
}

#if RX_AVX2_KERNELS
RX_TARGET_AVX2
static void convert_u8_avx2(const uint8_t *restrict b, const float *restrict sh,
                            const float *restrict sc, float *restrict o, int d)
{
    const __m256 inv = _mm256_set1_ps(1.0f / 255.0f);
    int j = 0;
    for (; j + 8 <= d; j += 8) {
        __m128i u = _mm_loadl_epi64((const __m128i *)(b + j));
        __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(u));
        __m256 v = _mm256_sub_ps(_mm256_mul_ps(x, inv), _mm256_loadu_ps(sh + j));
        _mm256_storeu_ps(o + j, _mm256_mul_ps(v, _mm256_loadu_ps(sc + j)));
    }
    convert_u8(b + j, sh + j, sc + j, o + j, d - j); /* the tail */
}

RX_TARGET_AVX2
static void convert_f32_avx2(const float *restrict x, const float *restrict sh,
                             const float *restrict sc, float *restrict o, int d)
{
    int j = 0;
    for (; j + 8 <= d; j += 8) {
        __m256 v = _mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(sh + j));
        _mm256_storeu_ps(o + j, _mm256_mul_ps(v, _mm256_loadu_ps(sc + j)));
    }
    convert_f32(x + j, sh + j, sc + j, o + j, d - j); /* the tail */
}
#endif

void rx_data_gather(const rx_data *data, const rx_split *s, const int *pos,
                    int nb, float *restrict xb, int32_t *lb, float *yb)
{
    const rx_dataset *ds = s->src;
    const int d = ds->d;
    const float *restrict sh = data->shift, *restrict sc = data->scale;
    void (*cu8)(const uint8_t *, const float *, const float *, float *, int) = convert_u8;
    void (*cf32)(const float *, const float *, const float *, float *, int) = convert_f32;
#if RX_AVX2_KERNELS
    if (rx_cpu_avx2()) {
        cu8 = convert_u8_avx2;
        cf32 = convert_f32_avx2;
    }
#endif
    for (int i = 0; i < nb && i < RX_GATHER_AHEAD; i++)
        prefetch_row(ds, s, pos, i);
    for (int i = 0; i < nb; i++) {
        size_t r = (size_t)s->idx[pos[i]];
        float *restrict o = xb + (size_t)i * d;
        if (i + RX_GATHER_AHEAD < nb)
            prefetch_row(ds, s, pos, i + RX_GATHER_AHEAD);
        if (ds->x_u8)
            cu8(ds->x_u8 + r * d, sh, sc, o, d);
        else
            cf32(ds->x_f32 + r * d, sh, sc, o, d);
        if (lb && ds->label)
            lb[i] = ds->label[r];
        if (yb && ds->y)
            memcpy(yb + (size_t)i * ds->n_targets, ds->y + r * ds->n_targets,
                   (size_t)ds->n_targets * sizeof(float));
    }
}
