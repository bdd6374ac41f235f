/*
 * synth.c: synthetic datasets that need no files.
 *
 * Everything derives from data_seed through independent streams: one for
 * the generator's fixed parts (blob centres, the teacher's weights), one
 * for the training draw and one for the test draw, so train and test are
 * separate samples of the same distribution.
 */
#include "rx_dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAG_FIXED 0x4649584544ULL  /* "FIXED" */
#define TAG_TRAIN 0x545241494eULL  /* "TRAIN" */
#define TAG_TEST 0x54455354ULL     /* "TEST" */

/* Two spirals, 1.5 turns each, the second rotated by pi.  The radius is
 * sqrt(uniform) so points are spread evenly over the disc rather than
 * crowding the centre, where the arms meet. */
static void spirals(rx_dataset *ds, rx_rng *r, double noise)
{
    for (int i = 0; i < ds->n; i++) {
        int c = i % 2;
        double t = sqrt(rx_rng_uniform(r));
        double a = 3.0 * M_PI * t + c * M_PI;
        double x0 = t * cos(a) + noise * rx_rng_normal(r);
        double x1 = t * sin(a) + noise * rx_rng_normal(r);
        ds->x_f32[2 * i] = (float)x0;
        ds->x_f32[2 * i + 1] = (float)x1;
        ds->label[i] = c;
    }
}

// centre is (K,D); x is (N,D)
static void blobs(rx_dataset *ds, rx_rng *r, const double *centre,
                  double noise)
{
    int d = ds->d, k = ds->n_classes;
    for (int i = 0; i < ds->n; i++) {
        int c = i % k;
        for (int j = 0; j < d; j++)
            ds->x_f32[(size_t)i * d + j] =
                (float)(centre[c * d + j] + noise * rx_rng_normal(r));
        ds->label[i] = c;
    }
}

/* The teacher: W1 is (H,D), b1 is (H), W2 is (O,H), b2 is (O), packed in
 * that order in w. */
static size_t teacher_size(int dim, int h, int o)
{
    return (size_t)h * dim + h + (size_t)o * h + o;
}

static void teacher_init(double *w, int dim, int h, int o, rx_rng *r)
{
    double *w1 = w, *b1 = w1 + (size_t)h * dim, *w2 = b1 + h, *b2 = w2 + (size_t)o * h;
    for (size_t i = 0; i < (size_t)h * dim; i++)
        w1[i] = rx_rng_normal(r) / sqrt(dim);
    for (int i = 0; i < h; i++)
        b1[i] = 0.5 * rx_rng_normal(r);
    for (size_t i = 0; i < (size_t)o * h; i++)
        w2[i] = rx_rng_normal(r) / sqrt(h);
    for (int i = 0; i < o; i++)
        b2[i] = 0.1 * rx_rng_normal(r);
}

// x is (N,D); y is (N,O) = tanh(x W1^T + b1) W2^T + b2 + noise
static int teacher(rx_dataset *ds, rx_rng *r, const double *w, int h,
                   double noise)
{
    int dim = ds->d, o = ds->n_targets;
    const double *w1 = w, *b1 = w1 + (size_t)h * dim, *w2 = b1 + h,
                 *b2 = w2 + (size_t)o * h;
    double *a = malloc((size_t)h * sizeof(double));
    if (!a)
        return -1;
    for (int i = 0; i < ds->n; i++) {
        float *x = ds->x_f32 + (size_t)i * dim;
        for (int j = 0; j < dim; j++)
            x[j] = (float)rx_rng_normal(r);
        for (int u = 0; u < h; u++) {
            double s = b1[u];
            for (int j = 0; j < dim; j++)
                s += w1[(size_t)u * dim + j] * x[j];
            a[u] = tanh(s);
        }
        for (int k = 0; k < o; k++) {
            double s = b2[k];
            for (int u = 0; u < h; u++)
                s += w2[(size_t)k * h + u] * a[u];
            ds->y[(size_t)i * o + k] = (float)(s + noise * rx_rng_normal(r));
        }
    }
    free(a);
    return 0;
}

static int positive(const char *key, int v, rx_err *err)
{
    if (v < 1)
        return rx_errf(err, RX_EINVAL, "data.%s must be at least 1, got %d",
                       key, v);
    return RX_OK;
}

int rx_synth_load(const rx_data_config *c, int test, rx_dataset *out,
                  rx_err *err)
{
    int rc, kind;
    memset(out, 0, sizeof *out);
    if (strcmp(c->dataset, "spirals") == 0)
        kind = 0;
    else if (strcmp(c->dataset, "blobs") == 0)
        kind = 1;
    else if (strcmp(c->dataset, "teacher") == 0)
        kind = 2;
    else
        return rx_errf(err, RX_EINVAL,
                       "'%s' is not a synthetic dataset (want spirals, blobs or teacher)",
                       c->dataset);
    if ((rc = positive("n_samples", c->n_samples, err)) != RX_OK)
        return rc;
    if (!(c->noise >= 0) || !isfinite(c->noise))
        return rx_errf(err, RX_EINVAL, "data.noise must be finite and >= 0");
    if (kind == 1 && c->n_classes < 2)
        return rx_errf(err, RX_EINVAL,
                       "data.n_classes must be at least 2 for blobs, got %d",
                       c->n_classes);
    if (kind >= 1 && (rc = positive("n_dims", c->n_dims, err)) != RX_OK)
        return rc;
    if (kind == 2 && ((rc = positive("n_outputs", c->n_outputs, err)) != RX_OK ||
                      (rc = positive("teacher_hidden", c->teacher_hidden, err)) != RX_OK))
        return rc;

    int n = test ? c->n_samples / 4 : c->n_samples;
    if (kind == 0)
        rc = rx_dataset_alloc(out, n, 2, 0, 2, 0, err);
    else if (kind == 1)
        rc = rx_dataset_alloc(out, n, c->n_dims, 0, c->n_classes, 0, err);
    else
        rc = rx_dataset_alloc(out, n, c->n_dims, 0, 0, c->n_outputs, err);
    if (rc != RX_OK)
        return rc;

    rx_rng fixed, draw;
    rx_rng_seed(&fixed, rx_seed_mix(c->data_seed, TAG_FIXED));
    rx_rng_seed(&draw, rx_seed_mix(c->data_seed, test ? TAG_TEST : TAG_TRAIN));
    if (kind == 0) {
        spirals(out, &draw, c->noise);
        return RX_OK;
    }
    size_t nw = kind == 1 ? (size_t)c->n_classes * c->n_dims
                          : teacher_size(c->n_dims, c->teacher_hidden,
                                         c->n_outputs);
    double *w = malloc(nw * sizeof(double));
    if (!w) {
        rx_dataset_free(out);
        return rx_errf(err, RX_ENOMEM, "cannot allocate the %s generator",
                       c->dataset);
    }
    if (kind == 1) {
        for (size_t i = 0; i < nw; i++)
            w[i] = rx_rng_normal(&fixed);
        blobs(out, &draw, w, c->noise);
    } else {
        teacher_init(w, c->n_dims, c->teacher_hidden, c->n_outputs, &fixed);
        if (teacher(out, &draw, w, c->teacher_hidden, c->noise) != 0)
            rc = rx_errf(err, RX_ENOMEM, "cannot allocate the teacher");
    }
    free(w);
    if (rc != RX_OK)
        rx_dataset_free(out);
    return rc;
}
