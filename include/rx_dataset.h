/*
 * rx_dataset.h: one dataset's arrays (dataset.c) and the format loaders
 * that fill them (idx.c, csv.c, libsvm.c, synth.c).  The loaders depend on
 * dataset.c alone; data.c (rx_data.h) picks one by name and sits above.
 */
#ifndef RX_DATASET_H
#define RX_DATASET_H

#include <stdint.h>
#include "rx_common.h"
#include "rx_config.h"

/* Labels of file datasets must be below this (a sanity bound: a label of
 * 1e9 would otherwise ask for a billion-way softmax). */
#define RX_MAX_CLASSES 65536
/* Features of a file dataset (data.n_features's bound too): a LIBSVM
 * index of 2e8 in a tiny file would otherwise ask for gigabytes. */
#define RX_MAX_FEATURES 10000000

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

/* Opens a data file for reading, which must be a regular file: a
 * directory, a FIFO (whose open would wait for a writer), a device
 * (/dev/zero never ends) or a socket is refused with RX_EIO naming the
 * file and what it is.  On RX_OK the caller owns *fd (blocking, close it)
 * and *size is the file's size in bytes. */
int rx_data_open(const char *path, int *fd, int64_t *size, rx_err *err);

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

/* The shape of an IDX images file from its header alone: *n images of
 * *h x *w.  With labels (else NULL), the labels file is read too and
 * *n_classes set to its largest label + 1 (rx_idx_load's inference).
 * Errors as rx_idx_load's. */
int rx_idx_shape(const char *images, const char *labels, int *n, int *h, int *w,
                 int *n_classes, rx_err *err);

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

#endif
