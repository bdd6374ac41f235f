/*
 * dataset_text.h: helpers the text loaders (csv.c, libsvm.c) share, defined
 * in dataset.c.  Private to the data module; not part of the public API.
 */
#ifndef RX_DATASET_TEXT_H
#define RX_DATASET_TEXT_H

#include <stddef.h>
#include "rx_common.h"

/* Reads the whole file into a NUL-terminated malloc'd buffer (*buf, which
 * the caller frees) of *len bytes, the NUL not counted. */
int rx_text_read(const char *path, char **buf, size_t *len, rx_err *err);

/* Outcomes of parsing one token. */
enum {
    RX_TOK_OK = 0,
    RX_TOK_EMPTY,     /* nothing between the delimiters */
    RX_TOK_BAD,       /* not a number */
    RX_TOK_INF,       /* NaN or infinite */
    RX_TOK_HUGE,      /* finite, but beyond the float range */
    RX_TOK_FRACTION,  /* a label that is not an integer */
    RX_TOK_RANGE      /* a label outside (-RX_MAX_CLASSES, RX_MAX_CLASSES) */
};

/* Parses the token [s, e) as a finite number that fits a float; the whole
 * token must be used.  The byte at e must not continue a number (a
 * delimiter or NUL). */
int rx_text_number(const char *s, const char *e, double *out);

/* What went wrong with a number, for messages: "bad number" etc. */
const char *rx_text_problem(int tok);

/* Skips a UTF-8 byte order mark at the start of a file. */
const char *rx_text_skip_bom(const char *buf, size_t len);

/* Parses [s, e) as a class label: an integer-valued number whose magnitude
 * is below RX_MAX_CLASSES ("3", "3.0", "+1" and "-1" are fine). */
int rx_text_label(const char *s, const char *e, long *out);

#endif
