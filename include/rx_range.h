/*
 * rx_range.h: inclusive ranges of sweep values, computed exactly.
 *
 * Values are computed in decimal arithmetic on the numbers as written
 * ("0.1" is one tenth, not the double nearest to it), and each value is
 * returned as its shortest exact decimal text, so {from: 0.1, to: 0.3,
 * step: 0.1} gives "0.1", "0.2", "0.3" and never 0.30000000000000004.
 * Each text then becomes a double once, when it is set, exactly as if it
 * had been written by hand.  Numbers may carry a '%' suffix (25% = 0.25).
 */
#ifndef RX_RANGE_H
#define RX_RANGE_H

#include "rx_common.h"

#define RX_RANGE_MAX 10000     /* values in one range */

typedef enum rx_range_kind {
    RX_RANGE_STEP,       /* from, from+step, ... up to to (step may be < 0) */
    RX_RANGE_FACTOR,     /* from, from*factor, ... up to to (factor > 0, != 1) */
    RX_RANGE_MANTISSAS   /* every m*10^k in [from, to] for the mantissas m
                            in [1, 10): {1, 3} gives 0.01, 0.03, 0.1, 0.3 */
} rx_range_kind;

/* Expands a range.  by[0] is the step or the factor; for mantissas by[0..
 * n_by) are the mantissas, strictly increasing.  When from > to the values
 * come out in decreasing order.  On success *out is one malloc'd block
 * holding *n pointers and their strings (the caller frees *out alone).
 * Errors say which part is wrong, e.g. "'step' must be nonzero" or
 * "the range has more than 10000 values". */
int rx_range_expand(rx_range_kind kind, const char *from, const char *to,
                    const char *const *by, int n_by, char ***out, int *n,
                    rx_err *err);

/* Writes the shortest exact decimal text of the decimal number s (as
 * written, '%' allowed): "0.50" -> "0.5", "25%" -> "0.25", "1e3" ->
 * "1000".  Returns RX_OK or RX_EINVAL when s is not a decimal number. */
int rx_decimal_normalize(const char *s, char *buf, size_t size);

#endif
