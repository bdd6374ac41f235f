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

/* The dataset table (data.c): every value of data.dataset and what it
 * needs.  rx_dataset_names lists them, NULL-terminated; rx_dataset_kind_of
 * gives a name's row, or NULL for an unknown name. */
enum {
    RX_DS_SYNTHETIC = 1 << 0,  /* generated from data.seed: no files */
    RX_DS_NEEDS_PATH = 1 << 1, /* data.path is required */
    RX_DS_HAS_TEST = 1 << 2,   /* has its own test set (else data.test_path, or carved) */
    RX_DS_REGRESSION = 1 << 3  /* targets, not class labels */
};
typedef struct rx_dataset_kind {
    unsigned flags;            /* RX_DS_* */
    const char *path_hint;     /* what data.path names, for messages ("" or " (...)") */
} rx_dataset_kind;
extern const char *const rx_dataset_names[];
const rx_dataset_kind *rx_dataset_kind_of(const char *name);

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
/* The sizes of the three splits. */
typedef struct rx_split_sizes {
    int train, validation, test;
} rx_split_sizes;

/* Computes the split sizes of a training set of n samples with a test set
 * of n_test samples, or -1 when the test set is carved from the training
 * set (rx_data_load's rules).  An empty training or test split is
 * RX_EFORMAT, naming the split, the data and every size (validation 0
 * asks for no validation split and is fine); a subset larger than what
 * is left is RX_EINVAL. */
int rx_data_split_sizes(const rx_data_config *c, int n, int n_test, rx_split_sizes *z,
                        rx_err *err);

/* What rx_data_load would say about the split sizes, when they follow
 * from the configuration alone (the synthetic sets); RX_OK otherwise.
 * Reads no file: `plan` calls it for every run. */
int rx_data_check_sizes(const rx_data_config *c, rx_err *err);

/* What a run's model sees of its data, for estimating its work before it
 * runs (rx_cost.h). */
typedef struct rx_data_shape {
    int n;              /* samples of the training file */
    int n_test;         /* of the test set; -1 when carved from training */
    int n_train;        /* of the training split (rx_data_split_sizes) */
    int c, h, w;        /* the input (1, 1, d for flat features) */
    int n_out;          /* classes, or regression targets */
    int regression;     /* 1: targets, not class labels */
} rx_data_shape;

/* The shape of c's data, as rx_data_load would make it.  IDX datasets
 * (fashion-mnist, mnist, idx) are read from their headers (and labels,
 * when the classes are inferred); text files and synthetic sets are
 * decoded (rx_data_decodes counts it).  Errors as rx_data_load's. */
int rx_data_shape_of(const rx_data_config *c, rx_data_shape *out, rx_err *err);

/* Frees everything *d owns and zeroes it; safe on a zeroed rx_data. */
void rx_data_free(rx_data *d);

/* A process's decoded datasets, so that a sweep over a data key decodes
 * each source once: the splits (validation, train_subset, test_subset)
 * and the normalisation are recomputed from the cached samples, which are
 * decoded again only for another dataset, path, file option, synthetic
 * parameter or data seed.  It keeps the last RX_DATA_CACHE_SOURCES
 * sources (the least recently used goes) and the last prepared rx_data.
 * Zero-initialise; rx_data_cache_free frees every dataset it holds. */
#define RX_DATA_CACHE_SOURCES 4

typedef struct rx_data_source {
    rx_data_config key;         /* the config, its split keys cleared */
    rx_dataset *train, *test;   /* owned; test NULL when carved */
    unsigned long used;         /* last use, for eviction */
} rx_data_source;

typedef struct rx_data_cache {
    rx_data_source src[RX_DATA_CACHE_SOURCES];
    int n;
    unsigned long clock;
    int have_last;
    rx_data_config last_cfg;    /* the whole data config of last */
    rx_data last;               /* splits over one of src (borrowed sets) */
} rx_data_cache;

/* Sets *out to the data of cfg, exactly as rx_data_load would make it.
 * *out belongs to dc and stays valid until the next call or
 * rx_data_cache_free: never pass it to rx_data_free.  Errors as
 * rx_data_load's (a failed decode is not cached). */
int rx_data_cache_get(rx_data_cache *dc, const rx_data_config *cfg,
                      const rx_data **out, rx_err *err);
/* Frees everything dc holds and zeroes it (it may be used again). */
void rx_data_cache_free(rx_data_cache *dc);

/* How many times this process decoded (or generated) a dataset's
 * sources: rx_data_load, and rx_data_cache_get on a miss.  For tests. */
long rx_data_decodes(void);

/* Gathers split positions pos[0..nb) (each in [0, s->n), mapped through
 * s->idx) into xb (nb*d floats, normalised
 * with data's shift/scale), labels into lb (or NULL) and targets into yb
 * (or NULL).  No allocation.
 * // xb is (nb,d), lb is (nb), yb is (nb,n_targets) */
void rx_data_gather(const rx_data *data, const rx_split *s, const int *pos,
                    int nb, float *xb, int32_t *lb, float *yb);

#endif
