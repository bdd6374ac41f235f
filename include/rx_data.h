/*
 * rx_data.h: datasets.  Loaders fill an rx_dataset that owns its arrays;
 * splits (train/validation/test) are index lists into it, so carving a
 * validation set copies nothing.  Images stay uint8 and are converted to
 * float, normalised, while a batch is gathered.
 */
#ifndef RX_DATA_H
#define RX_DATA_H

#include <stdint.h>
#include "rx_common.h"
#include "rx_config.h"

/* Labels of file datasets must be below this (a sanity bound: a label of
 * 1e9 would otherwise ask for a billion-way softmax). */
#define RX_MAX_CLASSES 65536

typedef struct rx_dataset {
    int n;            /* samples */
    int d;            /* features per sample (= c*h*w for images) */
    int c, h, w;      /* image shape; c=h=w=0 for flat features */
    int n_classes;    /* >0: classification with label[]; 0: regression */
    int n_targets;    /* regression: target width of y[] */
    uint8_t *x_u8;    /* n*d raw pixels, or NULL */
    float *x_f32;     /* n*d features, or NULL (exactly one is set) */
    int32_t *label;   /* n labels in [0, n_classes), or NULL */
    float *y;         /* n*n_targets regression targets, or NULL */
} rx_dataset;

/* A view of a dataset: which samples, in which order. */
typedef struct rx_split {
    const rx_dataset *src;
    int n;
    int *idx;         /* owned by the split */
} rx_split;

/* Everything a run needs.  train/val index into *train_set; test into
 * *test_set, or into *train_set when the test set was carved from it
 * (then test_set is NULL): use each split's src.  shift/scale normalise:
 * x' = (x - shift) * scale, where x = byte/255 for u8 inputs, computed on
 * the training split only. */
typedef struct rx_data {
    rx_dataset *train_set;    /* owned */
    rx_dataset *test_set;     /* owned; NULL when test is carved from train */
    rx_split train, val, test;
    float *shift, *scale;     /* d each, owned */
    int u8_input;             /* inputs are bytes: divide by 255 first */
} rx_data;

/* Loaders.  Each fills *out (caller frees with rx_dataset_free) or
 * returns a status with a message naming the file, the offset or line and
 * what is wrong, e.g. "'x.idx': bad magic 0x00000000 at offset 0 (want
 * 0x00000803 for images)".  On error *out is left empty (all zero).
 * A dataset's arrays come from rx_arena_alloc with sizes given by n, d and
 * n_targets, so those fields must not change while it lives. */

/* IDX (MNIST layout): images of unsigned bytes, magic 0x00000803, shape
 * (n,h,w); labels of unsigned bytes, magic 0x00000801, shape (n).  Each
 * file may be gzipped or raw.  Offsets in messages count bytes of the
 * uncompressed stream.  Fills x_u8 (n*h*w), label (n), c=1, h, w, and
 * n_classes = max label + 1.  Short reads, sizes disagreeing between the
 * header and the file, trailing bytes, corrupt gzip data and differing
 * image and label counts are all errors (RX_EFORMAT; RX_EIO when a file
 * cannot be opened). */
int rx_idx_load(const char *images, const char *labels, rx_dataset *out,
                rx_err *err);
/* As rx_idx_load, but labels must lie in [0, n_classes) and n_classes is
 * set to exactly that (0 = infer as max + 1). */
int rx_idx_load_classes(const char *images, const char *labels,
                        int n_classes, rx_dataset *out, rx_err *err);

/* CSV: comma-separated numeric fields, one sample per line; column
 * label_column (0-based, -1 = last) is the class label, every other column
 * a feature (x_f32).  header: the first line names the columns and is
 * skipped.  Fields may be surrounded by blanks or double quotes; blank
 * lines are skipped; CRLF line ends are accepted.  Labels must be integers
 * in [0, RX_MAX_CLASSES) and n_classes = max label + 1: CSV files are
 * classification sets (regression sets come from the synthetic teacher).
 * Errors name 'file':line:column, e.g. "'a.csv':3:7: bad number 'x1'". */
int rx_csv_load(const char *path, int label_column, int header,
                rx_dataset *out, rx_err *err);

/* LIBSVM: "label index:value index:value ..." with 1-based, strictly
 * increasing indices; absent features are 0.  The dense width is
 * n_features, or the largest index in the file when n_features is 0.
 * Labels must be integers; a file whose labels are all -1 or +1 (the
 * binary convention) maps -1 to class 0 and +1 to class 1, otherwise
 * labels must be in [0, RX_MAX_CLASSES).  '#' starts a comment.  Errors
 * name 'file':line:column. */
int rx_libsvm_load(const char *path, int n_features, rx_dataset *out,
                   rx_err *err);

/* Synthetic sets, deterministic from c->data_seed (c->dataset names one):
 *   spirals  two interleaved spirals (1.5 turns, radius in [0,1]), 2-D,
 *            2 classes, Gaussian noise of std c->noise on each coordinate;
 *   blobs    c->n_classes Gaussian blobs in c->n_dims dimensions: centres
 *            N(0,1) per coordinate, points centre + c->noise * N(0,1);
 *   teacher  regression: x ~ N(0,1)^n_dims, y = W2 tanh(W1 x + b1) + b2
 *            + c->noise * N(0,1), a random teacher MLP of width
 *            c->teacher_hidden with n_outputs outputs.
 * test = 0 draws the c->n_samples training samples; test = 1 draws
 * n_samples/4 test samples from an independent stream (same centres and
 * teacher).  Classes are balanced: sample i has class i % n_classes. */
int rx_synth_load(const rx_data_config *c, int test, rx_dataset *out,
                  rx_err *err);

/* Allocates the arrays of an n-sample dataset with d features: x_u8 when
 * u8 is set, else x_f32; label when n_classes > 0, else y (n*n_targets).
 * Arrays are zeroed.  Free with rx_dataset_free. */
int rx_dataset_alloc(rx_dataset *ds, int n, int d, int u8, int n_classes,
                     int n_targets, rx_err *err);
/* Frees the arrays (not ds itself) and zeroes *ds.  Safe on a zeroed or
 * already freed dataset. */
void rx_dataset_free(rx_dataset *d);

/* Loads the configured dataset, carves validation from train with a
 * shuffle seeded by data_seed (fixed across runs, so all runs of a sweep
 * see the same split), applies subsets and computes normalisation.
 * On success the caller owns *out and frees it with rx_data_free.
 *
 * Datasets (c->dataset):
 *   fashion-mnist  IDX files train-images-idx3-ubyte[.gz],
 *                  train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz],
 *                  t10k-labels-idx1-ubyte[.gz] in c->path, by default
 *                  /usr/share/datasets/fashion-mnist (Debian's
 *                  dataset-fashion-mnist); labels in [0, 10)
 *   mnist          the same files, by default in /usr/share/datasets/mnist
 *   idx            the same files in c->path (required); classes inferred
 *   csv, libsvm    c->path is the training file, c->test_path the test
 *                  file; without a test file the test set is carved from
 *                  the training file (test_subset samples, or a fifth when
 *                  test_subset is 0) before validation is carved.
 *                  n_classes is the larger of the two files'.
 *   spirals, blobs, teacher   synthetic (rx_synth_load)
 *
 * Splits: one shuffle seeded by data_seed orders the training file; the
 * carved test set (if any) is its head, validation the next c->validation
 * samples, and the training split the rest, cut to its first train_subset
 * samples when that is nonzero.  The test file gets its own seeded shuffle
 * for test_subset.  Index lists are then sorted (gathering evaluation
 * batches walks memory in order).
 *
 * Normalisation (on the training split only): none (shift 0, scale 1),
 * global (one mean and standard deviation over every training value) or
 * feature (per feature).  A zero deviation gets scale 1. */
int rx_data_load(const rx_data_config *c, rx_data *out, rx_err *err);
/* Frees everything *d owns and zeroes it; safe on a zeroed rx_data. */
void rx_data_free(rx_data *d);

/* Gathers split positions pos[0..nb) (each in [0, s->n), mapped through
 * s->idx) into xb (nb*d floats, normalised
 * with data's shift/scale), labels into lb (or NULL) and targets into yb
 * (or NULL).  No allocation.
 * // xb is (nb,d), lb is (nb), yb is (nb,n_targets) */
void rx_data_gather(const rx_data *data, const rx_split *s, const int *pos,
                    int nb, float *xb, int32_t *lb, float *yb);

#endif
