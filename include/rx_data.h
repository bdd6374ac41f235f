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
 * *test_set.  shift/scale normalise: x' = (x/255 or x - shift) * scale,
 * computed on the training split only. */
typedef struct rx_data {
    rx_dataset *train_set;    /* owned */
    rx_dataset *test_set;     /* owned; may equal NULL when there is none */
    rx_split train, val, test;
    float *shift, *scale;     /* d each, owned */
    int u8_input;             /* inputs are bytes: divide by 255 first */
} rx_data;

/* Loaders.  Each fills *out (caller frees with rx_dataset_free) or
 * returns a status with a message naming the file, the offset or line and
 * what is wrong, e.g. "'x.idx': bad magic 0x00000000 at offset 0 (want
 * 0x00000803 for images)". */
int rx_idx_load(const char *images, const char *labels, rx_dataset *out,
                rx_err *err);
int rx_csv_load(const char *path, int label_column, int header,
                rx_dataset *out, rx_err *err);
int rx_libsvm_load(const char *path, int n_features, rx_dataset *out,
                   rx_err *err);
int rx_synth_load(const rx_data_config *c, int test, rx_dataset *out,
                  rx_err *err);
void rx_dataset_free(rx_dataset *d);

/* Loads the configured dataset, carves validation from train with a
 * shuffle seeded by data_seed (fixed across runs, so all runs of a sweep
 * see the same split), applies subsets and computes normalisation.
 * On success the caller owns *out and frees it with rx_data_free. */
int rx_data_load(const rx_data_config *c, rx_data *out, rx_err *err);
void rx_data_free(rx_data *d);

/* Gathers split positions pos[0..nb) (each in [0, s->n), mapped through
 * s->idx) into xb (nb*d floats, normalised
 * with data's shift/scale), labels into lb (or NULL) and targets into yb
 * (or NULL).  No allocation. */
void rx_data_gather(const rx_data *data, const rx_split *s, const int *pos,
                    int nb, float *xb, int32_t *lb, float *yb);

#endif
