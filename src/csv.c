/*
 * csv.c: numeric CSV with one integer label column.
 *
 * Two passes over the file held in memory: the first counts the data rows
 * (so the dataset is allocated once, at its exact size), the second parses
 * straight into it.  Errors name 'file':line:column.
 */
#include "rx_dataset.h"
#include "dataset_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct csv_line {
    const char *s, *e;  /* the line without its end (\n or \r\n) */
    int no;             /* 1-based line number */
} csv_line;

/* Next line from *p; 0 at the end of the buffer. */
static int next_line(const char **p, const char *end, csv_line *ln)
{
    if (*p >= end)
        return 0;
    const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (e > s && e[-1] == '\r')
        e--;
    ln->s = s;
    ln->e = e;
    ln->no++;
    return 1;
}

static int is_blank(const char *s, const char *e)
{
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* One field of a line: [fs, fe) is its content, blanks and quotes
 * stripped. */
typedef struct csv_field {
    const char *fs, *fe;
} csv_field;

/* Splits [s, e) into at most max fields (counting every field); returns
 * the field count, or -1 with *bad at the offending byte and *why set. */
static int split(const char *s, const char *e, csv_field *f, int max,
                 const char **bad, const char **why)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        const char *fs = p, *fe;
        if (p < e && *p == '"') {
            fs = ++p;
            while (p < e && *p != '"')
                p++;
            if (p == e) {
                *bad = fs - 1;
                *why = "unterminated quote";
                return -1;
            }
            fe = p++;
            while (p < e && (*p == ' ' || *p == '\t'))
                p++;
            if (p < e && *p != ',') {
                *bad = p;
                *why = "unexpected character after a quoted field";
                return -1;
            }
        } else {
            while (p < e && *p != ',')
                p++;
            fe = p;
            while (fe > fs && (fe[-1] == ' ' || fe[-1] == '\t'))
                fe--;
        }
        if (n < max) {
            f[n].fs = fs;
            f[n].fe = fe;
        }
        n++;
        if (p == e)
            return n;
        p++; /* the comma */
    }
}

int rx_csv_load(const char *path, int label_column, int header,
                rx_dataset *out, rx_err *err)
{
    char *buf;
    size_t len;
    csv_field *f = NULL;
    csv_line ln = {0};
    const char *p, *end, *bad, *why;
    int rc, nf = 0, n = 0, lc;

    memset(out, 0, sizeof *out);
    if (label_column < -1)
        return rx_errf(err, RX_EINVAL, "csv label column %d is negative",
                       label_column);
    if ((rc = rx_text_read(path, &buf, &len, err)) != RX_OK)
        return rc;
    end = buf + len;
    const char *start = rx_text_skip_bom(buf, len);

    /* pass 1: the field count (from the first line), the data rows */
    int first = 0;
    for (p = start; next_line(&p, end, &ln);) {
        if (is_blank(ln.s, ln.e))
            continue;
        if (!first) {
            first = ln.no;
            nf = split(ln.s, ln.e, NULL, 0, &bad, &why);
            if (nf < 0) {
                rc = rx_errf(err, RX_EFORMAT, "'%s':%d:%d: %s", path, ln.no,
                             (int)(bad - ln.s) + 1, why);
                goto done;
            }
            if (header)
                continue;
        }
        n++;
    }
    if (!first) {
        rc = rx_errf(err, RX_EFORMAT, "'%s': empty file", path);
        goto done;
    }
    if (n == 0) {
        rc = rx_errf(err, RX_EFORMAT, "'%s': no data rows after the header",
                     path);
        goto done;
    }
    lc = label_column < 0 ? nf - 1 : label_column;
    if (lc >= nf) {
        rc = rx_errf(err, RX_EINVAL,
                     "'%s': label column %d out of range (line %d has %d fields)",
                     path, label_column, first, nf);
        goto done;
    }
    if (nf < 2) {
        rc = rx_errf(err, RX_EFORMAT,
                     "'%s': no feature columns (line %d has 1 field)", path,
                     first);
        goto done;
    }
    if (!(f = malloc((size_t)nf * sizeof *f))) {
        rc = rx_errf(err, RX_ENOMEM, "'%s': out of memory", path);
        goto done;
    }
    if ((rc = rx_dataset_alloc(out, n, nf - 1, 0, 1, 0, err)) != RX_OK)
        goto done;

    /* pass 2: parse */
    long max = 0;
    int row = 0;
    ln.no = 0;
    for (p = start; next_line(&p, end, &ln);) {
        if (is_blank(ln.s, ln.e) || (header && ln.no == first))
            continue;
        int k = split(ln.s, ln.e, f, nf, &bad, &why);
        if (k < 0) {
            rc = rx_errf(err, RX_EFORMAT, "'%s':%d:%d: %s", path, ln.no,
                         (int)(bad - ln.s) + 1, why);
            goto done;
        }
        if (k != nf) {
            rc = rx_errf(err, RX_EFORMAT, "'%s':%d: expected %d fields, found %d",
                         path, ln.no, nf, k);
            goto done;
        }
        float *x = out->x_f32 + (size_t)row * (nf - 1);
        for (int j = 0; j < nf; j++) {
            const char *fs = f[j].fs, *fe = f[j].fe;
            int col = (int)(fs - ln.s) + 1, tok;
            int w = fe - fs > 40 ? 40 : (int)(fe - fs);
            double v;
            long lab;
            if (j == lc) {
                tok = rx_text_label(fs, fe, &lab);
                if (tok == RX_TOK_OK && lab < 0)
                    tok = RX_TOK_RANGE;
                if (tok == RX_TOK_FRACTION || tok == RX_TOK_RANGE) {
                    rc = rx_errf(err, RX_EFORMAT,
                                 "'%s':%d:%d: label '%.*s' is not a class index (an integer in [0, %d))",
                                 path, ln.no, col, w, fs, RX_MAX_CLASSES);
                    goto done;
                }
            } else {
                tok = rx_text_number(fs, fe, &v);
            }
            if (tok == RX_TOK_EMPTY) {
                rc = rx_errf(err, RX_EFORMAT, "'%s':%d:%d: empty field %d",
                             path, ln.no, col, j + 1);
                goto done;
            }
            if (tok != RX_TOK_OK) {
                rc = rx_errf(err, RX_EFORMAT, "'%s':%d:%d: %s '%.*s'%s", path,
                             ln.no, col, rx_text_problem(tok), w, fs,
                             ln.no == 1 && !header
                                 ? " (is line 1 a header? set data.header)"
                                 : "");
                goto done;
            }
            if (j == lc) {
                out->label[row] = (int32_t)lab;
                max = lab > max ? lab : max;
            } else {
                *x++ = (float)v;
            }
        }
        row++;
    }
    out->n_classes = (int)max + 1;
done:
    free(f);
    free(buf);
    if (rc != RX_OK)
        rx_dataset_free(out);
    return rc;
}
