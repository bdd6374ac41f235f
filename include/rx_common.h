/*
 * rx_common.h: status codes, the error buffer and the seeded RNG shared by
 * every module.  Ownership rule for the whole library: a function that
 * fills an rx_err never allocates it; the caller owns it and may pass NULL.
 */
#ifndef RX_COMMON_H
#define RX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define RX_VERSION "0.1.0"
/* Part of every run key: bumped whenever a change moves any metric's bits
 * (2: the fused update and the blocked gradient norm).  Bump it together
 * with tests/data/train/golden.txt (tests/test_golden.c says how). */
#define RX_TRAINER_VERSION 2

/* Status codes, of the library and of the commands.  One table maps them
 * to process exit codes (rx_exit_code), which only main() returns. */
typedef enum rx_status {
    RX_OK = 0,
    RX_ENOMEM,       /* allocation failed */
    RX_EIO,          /* file could not be read or written */
    RX_EFORMAT,      /* a file's content is malformed */
    RX_EINVAL,       /* a configuration value is invalid */
    RX_EDIVERGED,    /* loss became NaN or Inf */
    RX_EINTR,        /* interrupted by a signal */
    RX_ETIMEOUT,     /* a run exceeded its time limit */
    RX_ESTORE,       /* the results store failed */
    RX_ECONFLICT,    /* two results disagree for one key */
    RX_ENOTFOUND,    /* a named thing does not exist */
    RX_EFAILED,      /* runs failed; check: a cell regressed */
    RX_EMISSING,     /* check: runs missing or not comparable */
    RX_EDATA         /* a dataset could not be loaded */
} rx_status;

/* Process exit codes, documented in rexsweep(1). */
typedef enum rx_exit {
    RX_EXIT_OK = 0,          /* success: every run done, no regression */
    RX_EXIT_FAILED = 1,      /* some runs failed or diverged; check: regression */
    RX_EXIT_USAGE = 2,       /* bad usage, bad spec or bad configuration */
    RX_EXIT_MISSING = 3,     /* check: runs missing or not comparable */
    RX_EXIT_IO = 4,          /* the store or a file could not be read/written */
    RX_EXIT_CONFLICT = 5,    /* merge: two different results for one run key */
    RX_EXIT_DATA = 6,        /* a dataset file is missing or malformed */
    RX_EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: in-flight runs marked interrupted */
} rx_exit;

/* The exit code of a status: the one mapping.  main() returns it; check
 * prints it in its summary. */
rx_exit rx_exit_code(int status);

/* An error message buffer.  Messages follow git's rules: lower-case start,
 * no final full stop, the subject quoted, what failed first. */
typedef struct rx_err {
    char msg[1024];
} rx_err;

/* Formats a message into e (if e is not NULL) and returns status, so that
 * callers can write `return rx_errf(err, RX_EIO, "cannot open '%s'", f);`. */
int rx_errf(rx_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing message: "ctx: old message".  Returns status. */
int rx_errctx(rx_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *rx_status_name(int status);

/* A small, fast, seedable generator (xoshiro256**, seeded by splitmix64).
 * Identical sequences on every platform for the same seed. */
typedef struct rx_rng {
    uint64_t s[4];
} rx_rng;

void rx_rng_seed(rx_rng *r, uint64_t seed);
uint64_t rx_rng_u64(rx_rng *r);
/* Uniform in [0,1) with 53 bits. */
double rx_rng_uniform(rx_rng *r);
/* Uniform integer in [0,n). */
uint64_t rx_rng_below(rx_rng *r, uint64_t n);
/* Standard normal (Box-Muller, no cached second value, so the stream
 * position is a pure function of the number of calls). */
double rx_rng_normal(rx_rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void rx_rng_shuffle(rx_rng *r, int *idx, int n);
/* Derives an independent stream: a hash of (seed, tag). */
uint64_t rx_seed_mix(uint64_t seed, uint64_t tag);

/* 64-bit FNV-1a, for content-addressed keys. */
uint64_t rx_hash64(const void *p, size_t n, uint64_t h);
#define RX_HASH_INIT 0xcbf29ce484222325ULL

/* Monotonic wall clock in seconds. */
double rx_now(void);
/* Wall-clock time in seconds since the Unix epoch (for the store's
 * timestamps; rx_now for durations). */
double rx_unix_now(void);

/* Memory-bound element-wise loops (optimizer updates, batch gathering)
 * get an AVX2 clone picked at load time, so machines that have it move
 * twice the floats per instruction without -march in the build.  The
 * clones give identical results: element-wise IEEE operations, and no FMA
 * contraction under -std=c11. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define RX_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RX_VECTOR_CLONES
#endif

/* Hand-written AVX2 kernels (intrinsics in a target("avx2") function,
 * picked at run time with rx_cpu_avx2()) where the vectoriser gives up,
 * e.g. an update fused with a norm's partial sums.  Each kernel has
 * a portable twin and computes bit-identical results: the same IEEE
 * operations in the same order, multiply and add never fused. */
#if defined(__x86_64__) && defined(__GNUC__)
#define RX_AVX2_KERNELS 1
#define RX_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define RX_AVX2_KERNELS 0
#define RX_TARGET_AVX2
#endif
/* 1 when the CPU runs AVX2 and RX_NO_AVX2 is not set in the environment
 * (which forces the portable kernels, for tests and comparisons).  Read
 * once, then cached. */
int rx_cpu_avx2(void);
/* Tests only: 0 forces the portable kernels, 1 returns to detection. */
void rx_cpu_avx2_allow(int allow);

/* Allocates n bytes, zeroed, 64-byte aligned, with MADV_HUGEPAGE when n is
 * large (first touch of fresh pages dominates otherwise).  Free with
 * rx_arena_free.  Returns NULL on failure. */
void *rx_arena_alloc(size_t n);
void rx_arena_free(void *p, size_t n);

/* A 64-bit key and an index: qsort with rx_keyed_cmp (by key, then index)
 * groups equal keys in index order. */
typedef struct rx_keyed {
    uint64_t key;
    int i;
} rx_keyed;
int rx_keyed_cmp(const void *a, const void *b);

#endif
