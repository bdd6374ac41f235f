/*
 * rx_table.h: a table of strings rendered four ways (aligned text for
 * terminals, markdown, CSV, HTML), plus JSON and HTML escaping.  The
 * report and check writers build their tables once and render them in
 * whichever format was asked.
 *
 * Ownership: the table owns its cell strings; rx_table_free frees them.
 * Allocation failures are sticky: a failed rx_table_set marks the table
 * and rx_table_write then returns RX_ENOMEM, so builders need not check
 * every call.
 */
#ifndef RX_TABLE_H
#define RX_TABLE_H

#include <stdio.h>
#include "rx_common.h"

typedef enum rx_table_format {
    RX_TABLE_TEXT, RX_TABLE_MARKDOWN, RX_TABLE_CSV, RX_TABLE_HTML
} rx_table_format;

typedef struct rx_table {
    int ncol, nrow, cap;    /* nrow excludes the header */
    char **cell;            /* (cap + 1) * ncol; row 0 is the header */
    unsigned char *right;   /* per column: 1 = right-aligned */
    int oom;                /* an allocation failed */
} rx_table;

/* Starts a table of ncol columns with the given header (ncol strings).
 * Columns are left-aligned until rx_table_align says otherwise. */
int rx_table_init(rx_table *t, int ncol, const char *const *header);

/* Right-aligns column col (numbers). */
void rx_table_align(rx_table *t, int col, int right);

/* Appends an empty row and returns its index (0-based), or -1 when out
 * of memory (sticky). */
int rx_table_row(rx_table *t);

/* Sets cell (row, col) to the formatted text (printf rules). */
void rx_table_set(rx_table *t, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void rx_table_free(rx_table *t);

/* Renders t to f.  Returns RX_OK, RX_ENOMEM (an earlier set failed) or
 * RX_EIO. */
int rx_table_write(FILE *f, const rx_table *t, rx_table_format fmt);

/* Display width of UTF-8 text in code points (for aligned columns). */
int rx_text_width(const char *s);

/* The shortest decimal text that reads back as exactly x, without an
 * exponent for ordinary magnitudes ("10", not "1e+01"); "NaN", "Infinity"
 * and "-Infinity" otherwise. */
void rx_fmt_num(double x, char *buf, size_t size);

/* Writes s as one CSV field (quoted when it holds a comma, a quote or a
 * line break; RFC 4180). */
void rx_csv_field(FILE *f, const char *s);

/* Writes s as a JSON string literal (quoted, escaped). */
void rx_json_string(FILE *f, const char *s);
/* Writes x as a JSON number in the shortest exact form; NaN and the
 * infinities (not JSON) as null. */
void rx_json_number(FILE *f, double x);
/* JSON object members: "key":value, then a comma when comma is set.
 * A NULL string is null; a non-finite number is null. */
void rx_json_key(FILE *f, const char *key);
void rx_json_kv_str(FILE *f, const char *key, const char *v, int comma);
void rx_json_kv_num(FILE *f, const char *key, double v, int comma);
void rx_json_kv_int(FILE *f, const char *key, long long v, int comma);
void rx_json_kv_bool(FILE *f, const char *key, int v, int comma);
/* JSON arrays: n strings stored stride bytes apart from first (fixed-width
 * name arrays), or n numbers. */
void rx_json_str_array(FILE *f, const char *first, size_t stride, int n);
void rx_json_num_array(FILE *f, const double *x, int n);

/* Writes s with &, <, >, " and ' escaped for HTML text and attributes. */
void rx_html_text(FILE *f, const char *s);

#endif
