/*
 * rx_param.h: table-driven parameters (redis-style config tables).
 *
 * A parameter is one row: dotted key, type, where it lives in a base
 * struct, bounds, default (as spec text) and a one-line doc.  The same
 * rows drive YAML parsing, KEY=VALUE flags, validation, canonical JSON for
 * run identity, `--help` listings and the man pages.  Values arrive as
 * strings (YAML scalars are strings), so every front end shares one
 * conversion and one set of error messages.
 */
#ifndef RX_PARAM_H
#define RX_PARAM_H

#include <stddef.h>
#include "rx_common.h"

#define RX_MAX_ITEMS_SPLIT 256

typedef enum rx_ptype {
    RX_P_INT,       /* int */
    RX_P_U64,       /* uint64_t */
    RX_P_DOUBLE,    /* double */
    RX_P_FRACTION,  /* double; accepts "25%" or 0.25 */
    RX_P_BOOL,      /* int 0/1; true/false/yes/no/on/off/1/0 */
    RX_P_STR,       /* char[max_n] */
    RX_P_ENUM,      /* int index into names[] */
    RX_P_INTLIST,   /* int[max_n] with an int count at count_off */
    RX_P_DBLLIST    /* double[max_n] with an int count at count_off */
} rx_ptype;

enum {
    RX_PF_LO_OPEN = 1 << 0,    /* lower bound excluded */
    RX_PF_HI_OPEN = 1 << 1,    /* upper bound excluded */
    RX_PF_INCREASING = 1 << 2, /* list must be strictly increasing */
    RX_PF_NONEMPTY = 1 << 3,   /* list must have at least one element */
    RX_PF_HIDDEN = 1 << 4      /* not listed in help output */
};

typedef struct rx_param {
    const char *key;              /* e.g. "train.batch_size" */
    rx_ptype type;
    size_t off;                   /* offset of the field in the base struct */
    size_t count_off;             /* lists: offset of the int count */
    int max_n;                    /* lists: capacity; strings: buffer size */
    double lo, hi;                /* bounds for numbers and list elements */
    unsigned flags;
    const char *def;              /* default as spec text; NULL = none */
    const char *const *names;     /* enums: NULL-terminated names */
    const char *doc;              /* one line, for help and man pages */
    /* Optional validate hook (redis style): the key's own rules, which may
     * read other fields of base.  Returns RX_OK, or RX_EINVAL with a
     * message; *key arrives as this row's key and may name another. */
    int (*check)(const void *base, const char **key, rx_err *err);
} rx_param;

/* Sets p's field in base from n string values.  is_list says the value
 * was written as a list (a YAML sequence or "[a, b]"); a scalar given to a
 * list key is a one-element list, a list given to a scalar key is an
 * error.  On error returns RX_EINVAL with a message naming the key, the
 * value and what was expected, e.g.
 *   "'train.batch_size' must be an integer in [1, 65536], got 'abc'" */
int rx_param_set(const rx_param *p, void *base, const char *const *vals,
                 int n, int is_list, rx_err *err);

/* Sets from one string; "[a, b, c]" is split into a list. */
int rx_param_set_str(const rx_param *p, void *base, const char *val,
                     rx_err *err);

/* Splits a value written as a list, "[a, b, c]", into trimmed items:
 * buf (size bytes) receives a copy of the text and items[] point into it.
 * Returns the number of items, -1 when val is not written as a list, or
 * -2 when it does not fit in buf or in max items. */
int rx_split_list(const char *val, char *buf, size_t size, const char **items,
                  int max);

/* Applies every row's default to base (rows without a default are left). */
int rx_param_defaults(const rx_param *tab, int n, void *base, rx_err *err);

/* Writes the canonical JSON value of p's field (numbers in the shortest
 * form that round-trips exactly, strings quoted and escaped, enums by
 * name, lists as arrays).  Returns the length written (snprintf rules). */
int rx_param_format(const rx_param *p, const void *base, char *buf,
                    size_t size);

/* Looks a key up in a table; NULL if absent. */
const rx_param *rx_param_find(const rx_param *tab, int n, const char *key);

/* The closest key by edit distance (for "did you mean"), or NULL if none
 * is close enough. */
const char *rx_param_suggest(const rx_param *tab, int n, const char *key);

/* Text of the type and bounds, e.g. "integer in [1, 65536]". */
void rx_param_describe(const rx_param *p, char *buf, size_t size);

/* Strict number parsing: the whole string must be consumed. */
int rx_parse_double(const char *s, double *out);
int rx_parse_int(const char *s, long long *out);
int rx_parse_bool(const char *s, int *out);
/* Shortest decimal text that strtod reads back as exactly x. */
void rx_format_double(double x, char *buf, size_t size);

/* Levenshtein distance, capped at 64. */
int rx_edit_distance(const char *a, const char *b);

#endif
