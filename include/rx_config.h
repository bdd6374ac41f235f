/*
 * rx_config.h: the complete configuration of one training run.
 *
 * One rx_config describes one run exactly; the key table (rx_keys.h) maps
 * every field to a dotted spec key with its type, bounds and default, so
 * parsing, validation, canonical JSON (run identity) and the man page all
 * come from one place.  Plain data: no pointers, so configs copy with '='
 * and hash by content via their canonical form (never by raw bytes).
 */
#ifndef RX_CONFIG_H
#define RX_CONFIG_H

#include <stdint.h>

#define RX_NAME_MAX 64
#define RX_PATH_MAX 1024
#define RX_MAX_HIDDEN 16
#define RX_MAX_CONV 8
#define RX_MAX_LIST 64          /* milestones, sampling points */
#define RX_SCHED_NPARAM 8       /* numeric profile parameters per schedule */

/* ---- data ---------------------------------------------------------- */
typedef enum rx_norm { RX_NORM_NONE, RX_NORM_GLOBAL, RX_NORM_FEATURE } rx_norm;

typedef struct rx_data_config {
    char dataset[RX_NAME_MAX]; /* fashion-mnist, mnist, idx, csv, libsvm,
                                  spirals, blobs, teacher */
    char path[RX_PATH_MAX];    /* directory (idx) or file (csv, libsvm);
                                  "" = the dataset's default */
    char test_path[RX_PATH_MAX]; /* csv/libsvm test file; "" = none */
    int label_column;          /* csv: 0-based label column, -1 = last */
    int header;                /* csv: first row is a header */
    int n_features;            /* libsvm: 0 = infer from the file */
    int validation;            /* samples carved from train for validation */
    int train_subset;          /* 0 = all; else first-N after a seeded shuffle */
    int test_subset;           /* 0 = all */
    rx_norm normalize;
    /* synthetic sets */
    int n_samples;             /* train size; test is n_samples/4 */
    int n_classes;             /* blobs */
    int n_dims;                /* blobs, teacher inputs */
    int n_outputs;             /* teacher outputs */
    int teacher_hidden;        /* teacher width */
    double noise;
    uint64_t data_seed;        /* synthetic generation; fixed across runs */
} rx_data_config;

/* ---- model --------------------------------------------------------- */
typedef enum rx_act { RX_ACT_RELU, RX_ACT_TANH, RX_ACT_GELU, RX_ACT_SIGMOID } rx_act;
typedef enum rx_model_type { RX_MODEL_LINEAR, RX_MODEL_MLP, RX_MODEL_CNN, RX_MODEL_VAE } rx_model_type;
typedef enum rx_init { RX_INIT_AUTO, RX_INIT_HE, RX_INIT_XAVIER } rx_init;
typedef enum rx_loss { RX_LOSS_AUTO, RX_LOSS_XENT, RX_LOSS_MSE, RX_LOSS_VAE } rx_loss;

typedef struct rx_conv_config {
    int channels;  /* output channels */
    int kernel;
    int stride;
    int padding;
    int pool;      /* max-pool window (and stride) after it; 0/1 = none */
} rx_conv_config;

typedef struct rx_model_config {
    rx_model_type type;
    int hidden[RX_MAX_HIDDEN];     /* mlp / cnn head / vae encoder widths */
    int n_hidden;
    rx_act activation;
    double dropout;                /* after each hidden activation */
    rx_init init;
    rx_loss loss;
    rx_conv_config conv[RX_MAX_CONV];
    int n_conv;
    int latent;                    /* vae latent size */
} rx_model_config;

/* ---- optimizer ----------------------------------------------------- */
/* Indexes the optimizer table of optim.c (names: rx_optim_names). */
typedef enum rx_optim_kind {
    RX_OPTIM_SGD,
    RX_OPTIM_ADAM,
    RX_OPTIM_ADAMW,
    RX_OPTIM_LION,
    RX_OPTIM_COUNT
} rx_optim_kind;

typedef struct rx_optim_config {
    rx_optim_kind kind;
    double lr;            /* the initial (peak) learning rate, lr0 */
    double momentum;      /* sgd: 0 = plain SGD */
    int nesterov;
    double dampening;
    double beta1, beta2, eps;
    double weight_decay;  /* sgd/adam: L2 added to the gradient;
                             adamw: decoupled */
    double clip_norm;     /* 0 = off; else clip by global L2 norm */
} rx_optim_config;

/* ---- schedule ------------------------------------------------------ */
typedef enum rx_sampling {
    RX_SAMPLE_ITERATION,  /* re-read the profile every step */
    RX_SAMPLE_EPOCH,      /* at every epoch boundary */
    RX_SAMPLE_PERCENT,    /* every sample_value % of the run */
    RX_SAMPLE_EVERY,      /* every sample_value iterations */
    RX_SAMPLE_AT          /* at the fractions sample_at[] */
} rx_sampling;

typedef struct rx_sched_config {
    int profile;                        /* index in the profile table */
    double param[RX_SCHED_NPARAM];      /* numeric profile parameters, by slot */
    int iparam[4];                      /* bool/enum profile parameters, by slot */
    double milestones[RX_MAX_LIST];     /* step: fractions of the run */
    int n_milestones;
    rx_sampling sampling;
    double sample_value;
    double sample_at[RX_MAX_LIST];
    int n_sample_at;
    double warmup;                      /* <1: fraction of T; >=1: steps; 0 = none */
    double warmup_start;                /* warm-up starts at this factor */
    int warmup_counts;                  /* 1: warm-up is inside the budget */
} rx_sched_config;

/* ---- training ------------------------------------------------------ */
typedef struct rx_train_config {
    int batch_size;
    double full_epochs;   /* the 100% budget */
    double budget;        /* fraction of full_epochs, (0, 1] (or more) */
    uint64_t seed;
    int log_every;        /* also record step metrics every N steps; 0 = off */
    int eval_test;        /* evaluate the test set every epoch */
    int blas_threads;     /* 0 = 1 (deterministic) */
    double max_seconds;   /* 0 = no limit */
    double checkpoint_every;  /* seconds between checkpoints; 0 = none */
} rx_train_config;

typedef struct rx_config {
    rx_data_config data;
    rx_model_config model;
    rx_optim_config optim;
    rx_sched_config sched;
    rx_train_config train;
} rx_config;

/* Fills c with every key's default (from the key table). */
void rx_config_defaults(rx_config *c);

#endif
