/*
 * libsvm.c: the LIBSVM sparse text format, densified.
 *
 * One pass parses into sparse arrays (the width may come from the largest
 * index, known only at the end); then the dense dataset is allocated at
 * its exact size and filled.  Errors name 'file':line:column.
 */
#include "rx_dataset.h"
#include "dataset_text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sparse {
    int32_t *col;      /* 0-based feature of each stored value */
    float *val;
    size_t nnz, cap;
    size_t *row_end;   /* nnz after each row */
    long *label;
    int *label_line, *label_col;
    size_t rows, rcap;
} sparse;

static int grow(void **p, size_t need, size_t elem)
{
    void *q = realloc(*p, need * elem);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int push_value(sparse *sp, int32_t col, float v)
{
    if (sp->nnz == sp->cap) {
        size_t c = sp->cap ? 2 * sp->cap : 4096;
        if (grow((void **)&sp->col, c, sizeof *sp->col) ||
            grow((void **)&sp->val, c, sizeof *sp->val))
            return -1;
        sp->cap = c;
    }
    sp->col[sp->nnz] = col;
    sp->val[sp->nnz++] = v;
    return 0;
}

static int push_row(sparse *sp, long label, int line, int col)
{
    if (sp->rows == sp->rcap) {
        size_t c = sp->rcap ? 2 * sp->rcap : 1024;
        if (grow((void **)&sp->row_end, c, sizeof *sp->row_end) ||
            grow((void **)&sp->label, c, sizeof *sp->label) ||
            grow((void **)&sp->label_line, c, sizeof *sp->label_line) ||
            grow((void **)&sp->label_col, c, sizeof *sp->label_col))
            return -1;
        sp->rcap = c;
    }
    sp->label[sp->rows] = label;
    sp->label_line[sp->rows] = line;
    sp->label_col[sp->rows] = col;
    sp->row_end[sp->rows++] = sp->nnz;
    return 0;
}

static void sparse_free(sparse *sp)
{
    free(sp->col);
    free(sp->val);
    free(sp->row_end);
    free(sp->label);
    free(sp->label_line);
    free(sp->label_col);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Parses a 1-based index [s, e) of decimal digits; 0 if malformed. */
static long parse_index(const char *s, const char *e)
{
    long v = 0;
    if (s == e)
        return 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9' || v > (long)INT32_MAX)
            return 0;
        v = 10 * v + (*s - '0');
    }
    return v > (long)INT32_MAX ? 0 : v;
}

#define TOKW(s, e) ((e) - (s) > 40 ? 40 : (int)((e) - (s))), (s)

static int parse(const char *path, const char *buf, size_t len,
                 int n_features, sparse *sp, long *max_index, rx_err *err)
{
    const char *p = rx_text_skip_bom(buf, len), *end = buf + len;
    int line = 0;
    *max_index = 0;
    while (p < end) {
        const char *ls = p, *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        p = nl ? nl + 1 : end;
        line++;
        const char *hash = memchr(ls, '#', (size_t)(le - ls));
        if (hash)
            le = hash;
        const char *q = ls;
        while (q < le && is_space(*q))
            q++;
        if (q == le)
            continue;   /* blank or comment */

        /* the label */
        const char *ts = q;
        while (q < le && !is_space(*q))
            q++;
        long lab;
        int tok = rx_text_label(ts, q, &lab);
        if (tok == RX_TOK_RANGE)
            return rx_errf(err, RX_EFORMAT,
                           "'%s':%d:%d: label '%.*s' out of range (want |label| < %d)",
                           path, line, (int)(ts - ls) + 1, TOKW(ts, q),
                           RX_MAX_CLASSES);
        if (tok != RX_TOK_OK)
            return rx_errf(err, RX_EFORMAT,
                           "'%s':%d:%d: bad label '%.*s' (want an integer)",
                           path, line, (int)(ts - ls) + 1, TOKW(ts, q));
        if (push_row(sp, lab, line, (int)(ts - ls) + 1))
            return rx_errf(err, RX_ENOMEM, "'%s': out of memory", path);

        /* index:value pairs */
        long prev = 0;
        for (;;) {
            while (q < le && is_space(*q))
                q++;
            if (q == le)
                break;
            ts = q;
            while (q < le && !is_space(*q))
                q++;
            const char *colon = memchr(ts, ':', (size_t)(q - ts));
            int col = (int)(ts - ls) + 1;
            if (!colon)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: expected index:value, got '%.*s'",
                               path, line, col, TOKW(ts, q));
            long ix = parse_index(ts, colon);
            if (ix < 1)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: bad index '%.*s' (want an integer from 1)",
                               path, line, col, TOKW(ts, colon));
            if (ix <= prev)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: index %ld is not above the previous index %ld",
                               path, line, col, ix, prev);
            if (n_features > 0 && ix > n_features)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: index %ld exceeds n_features %d",
                               path, line, col, ix, n_features);
            /* the dense width comes from the largest index: bound it
             * before anything that size is allocated */
            if (ix > RX_MAX_FEATURES)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: index %ld exceeds the limit of %d features",
                               path, line, col, ix, RX_MAX_FEATURES);
            double v;
            tok = rx_text_number(colon + 1, q, &v);
            if (tok != RX_TOK_OK)
                return rx_errf(err, RX_EFORMAT,
                               "'%s':%d:%d: %s '%.*s' for index %ld", path, line,
                               (int)(colon + 1 - ls) + 1, rx_text_problem(tok),
                               TOKW(colon + 1, q), ix);
            prev = ix;
            if (ix > *max_index)
                *max_index = ix;
            /* zeros stay implicit; the dense array starts zeroed */
            if (v != 0 && push_value(sp, (int32_t)(ix - 1), (float)v))
                return rx_errf(err, RX_ENOMEM, "'%s': out of memory", path);
        }
        sp->row_end[sp->rows - 1] = sp->nnz;
    }
    return RX_OK;
}

/* Maps labels to classes: {-1, +1} files to {0, 1}, else as they are,
 * which must then be >= 0.  Returns the class count, or -1 with the row
 * of the first negative label in *bad. */
static int classes(sparse *sp, size_t *bad)
{
    int pm1 = 1;
    size_t neg = sp->rows;
    long max = 0;
    for (size_t i = 0; i < sp->rows; i++) {
        long l = sp->label[i];
        if (l != -1 && l != 1)
            pm1 = 0;
        if (l < 0 && neg == sp->rows)
            neg = i;
        max = l > max ? l : max;
    }
    if (neg == sp->rows)
        return (int)max + 1;
    if (!pm1) {
        *bad = neg;
        return -1;
    }
    for (size_t i = 0; i < sp->rows; i++)
        sp->label[i] = sp->label[i] > 0;
    return 2;
}

int rx_libsvm_load(const char *path, int n_features, rx_dataset *out,
                   rx_err *err)
{
    char *buf;
    size_t len, bad = 0;
    sparse sp = {0};
    long max_index;
    int rc;

    memset(out, 0, sizeof *out);
    if (n_features < 0)
        return rx_errf(err, RX_EINVAL, "libsvm n_features %d is negative",
                       n_features);
    if ((rc = rx_text_read(path, &buf, &len, err)) != RX_OK)
        return rc;
    rc = parse(path, buf, len, n_features, &sp, &max_index, err);
    free(buf);
    if (rc != RX_OK)
        goto done;
    if (sp.rows == 0) {
        rc = rx_errf(err, RX_EFORMAT, "'%s': empty file", path);
        goto done;
    }
    if (sp.rows > INT32_MAX - 1) {
        rc = rx_errf(err, RX_EFORMAT, "'%s': too many samples", path);
        goto done;
    }
    int d = n_features > 0 ? n_features : (int)max_index;
    if (d == 0) {
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s': no features (every sample is empty; set data.n_features)",
                     path);
        goto done;
    }
    int k = classes(&sp, &bad);
    if (k < 0) {
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s':%d:%d: negative label %ld (only files labelled -1/+1 may use them)",
                     path, sp.label_line[bad], sp.label_col[bad], sp.label[bad]);
        goto done;
    }
    /* a sparse file can describe a dense array far larger than itself */
    double bytes = (double)sp.rows * d * sizeof(float);
    double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (mem > 0 && bytes > mem) {
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s': %zu samples of %d features need %.3g GB as a dense array, more than the %.3g GB of memory here",
                     path, sp.rows, d, bytes / 1e9, mem / 1e9);
        goto done;
    }
    if ((rc = rx_dataset_alloc(out, (int)sp.rows, d, 0, k, 0, err)) != RX_OK)
        goto done;
    size_t z = 0;
    for (size_t i = 0; i < sp.rows; i++) {
        float *x = out->x_f32 + i * (size_t)d;
        for (; z < sp.row_end[i]; z++)
            x[sp.col[z]] = sp.val[z];
        out->label[i] = (int32_t)sp.label[i];
    }
done:
    sparse_free(&sp);
    if (rc != RX_OK)
        rx_dataset_free(out);
    return rc;
}
