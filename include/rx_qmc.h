/*
 * rx_qmc.h: quasi-random points for sampled axes (rexsweep.yaml(5),
 * SAMPLED AXES): scrambled Sobol and Halton sequences and the values they
 * give on a uniform or log-uniform interval.
 *
 * Everything is exact and the same on every machine: the points come from
 * integer arithmetic (Sobol: 32-bit direction numbers of Joe and Kuo,
 * new-joe-kuo-6.21201, in Gray-code order as SciPy's; Halton: the
 * radical inverse in the first primes, as an integer fraction), the
 * scrambling from the library's integer generator (rx_rng), the logarithm
 * and exponential of log-uniform values from +, -, *, / alone (no libm),
 * and each value is rounded to a fixed number of significant digits and
 * returned as decimal text, which the spec then reads as if written by
 * hand.  So a sampled value has the same text, hence the same run key,
 * everywhere.
 *
 * No allocation; no ownership.
 */
#ifndef RX_QMC_H
#define RX_QMC_H

#include <stdint.h>
#include "rx_common.h"

#define RX_QMC_MAX_DIMS 16       /* sampled keys in one scope */
#define RX_QMC_MAX_POINTS 10000  /* as a range (RX_RANGE_MAX) */
#define RX_QMC_DIGITS 4          /* significant digits of a value, default */

typedef enum rx_qmc_kind { RX_QMC_SOBOL, RX_QMC_HALTON } rx_qmc_kind;

typedef struct rx_qmc {
    rx_qmc_kind kind;
    uint64_t seed;            /* of the scrambling */
    int scramble;             /* 0: the plain sequence (tests, comparisons) */
    int digits;               /* significant digits of values, 1..15 */
} rx_qmc;

/* Coordinate dim (0-based, < RX_QMC_MAX_DIMS) of the points 0..n-1 of
 * the sequence q into u[0..n), each in [0, 1).  Sobol: multiples of 2^-32
 * (random linear matrix scrambling and a digital shift, per dimension);
 * Halton: k / b^K in base b, the dim-th prime, with K the most digits
 * whose b^K fits 53 bits (a random permutation of the digits per position
 * and dimension).  Plain (unscrambled) point 0 is the origin.  A
 * dimension's points depend only on (kind, seed, scramble, dim). */
void rx_qmc_points(const rx_qmc *q, int dim, int n, double *u);

typedef enum rx_qmc_scale { RX_QMC_UNIFORM, RX_QMC_LOG_UNIFORM } rx_qmc_scale;

/* The value lo + u (hi - lo), or lo (hi / lo)^u on the log scale (lo, hi
 * > 0), rounded to q->digits significant digits, as its shortest decimal
 * text in buf ("0.0123", "0.95").  Returns RX_OK, or RX_EINVAL when buf is
 * too small. */
int rx_qmc_value(const rx_qmc *q, rx_qmc_scale scale, double lo, double hi, double u,
                 char *buf, size_t size);

/* ln x and e^x from basic operations only (exactly the same bits on
 * every IEEE machine), for x finite; rx_qmc_log needs x > 0.  Accurate to
 * a few ulps, which the rounding to digits absorbs. */
double rx_qmc_log(double x);
double rx_qmc_exp(double x);

#endif
