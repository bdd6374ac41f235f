/*
 * rx_data.h: a run's data.  A loader (rx_dataset.h) fills an rx_dataset
 * that owns its arrays; splits (train/validation/test) are index lists
 * into it, so carving a validation set copies nothing.  Images stay uint8
 * and are converted to float, normalised, while a batch is gathered.
 */
#ifndef RX_DATA_H
#define RX_DATA_H

#include <stdint.h>
#include "rx_common.h"
#include "rx_config.h"
#include "rx_dataset.h"

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

/* One loaded dataset, kept while consecutive runs share its config.
 * Zero-initialise; rx_data_cache_free frees the data it holds. */
typedef struct rx_data_cache {
    int loaded;
    rx_data_config cfg;
    rx_data data;
} rx_data_cache;

/* The data of cfg in *out (owned by dc, valid until the next call or the
 * free): the cached set when cfg is the same, else freshly loaded (the
 * previous one freed). */
int rx_data_cache_get(rx_data_cache *dc, const rx_data_config *cfg, const rx_data **out,
                      rx_err *err);
void rx_data_cache_free(rx_data_cache *dc);

/* Gathers split positions pos[0..nb) (each in [0, s->n), mapped through
 * s->idx) into xb (nb*d floats, normalised
 * with data's shift/scale), labels into lb (or NULL) and targets into yb
 * (or NULL).  No allocation.
 * // xb is (nb,d), lb is (nb), yb is (nb,n_targets) */
void rx_data_gather(const rx_data *data, const rx_split *s, const int *pos,
                    int nb, float *xb, int32_t *lb, float *yb);

#endif
