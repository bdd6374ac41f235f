/* table.c: tables of strings in text, markdown, CSV and HTML; escaping. */
#include "rx_table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rx_param.h"
#include <stdio.h>

int rx_table_init(rx_table *t, int ncol, const char *const *header)
{
    memset(t, 0, sizeof *t);
    t->ncol = ncol;
    t->cap = 16;
    t->cell = calloc((size_t)(t->cap + 1) * (size_t)ncol, sizeof *t->cell);
    t->right = calloc((size_t)ncol, 1);
    if (!t->cell || !t->right) {
        t->oom = 1;
        return RX_ENOMEM;
    }
    for (int c = 0; c < ncol; c++) {
        t->cell[c] = strdup(header[c]);
        t->oom |= t->cell[c] == NULL;
    }
    return t->oom ? RX_ENOMEM : RX_OK;
}

void rx_table_align(rx_table *t, int col, int right)
{
    if (t->right && col >= 0 && col < t->ncol)
        t->right[col] = (unsigned char)right;
}

int rx_table_row(rx_table *t)
{
    if (t->oom)
        return -1;
    if (t->nrow == t->cap) {
        int cap = t->cap * 2;
        char **cell = realloc(t->cell, (size_t)(cap + 1) * (size_t)t->ncol * sizeof *cell);
        if (!cell) {
            t->oom = 1;
            return -1;
        }
        memset(cell + (size_t)(t->cap + 1) * t->ncol, 0,
               (size_t)(cap - t->cap) * (size_t)t->ncol * sizeof *cell);
        t->cell = cell;
        t->cap = cap;
    }
    return t->nrow++;
}

void rx_table_set(rx_table *t, int row, int col, const char *fmt, ...)
{
    if (t->oom || row < 0 || row >= t->nrow || col < 0 || col >= t->ncol)
        return;
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->oom = 1;
        return;
    }
    char **slot = &t->cell[(size_t)(row + 1) * t->ncol + col];
    free(*slot);
    *slot = s;
}

void rx_table_free(rx_table *t)
{
    if (t->cell)
        for (size_t i = 0; i < (size_t)(t->cap + 1) * t->ncol; i++)
            free(t->cell[i]);
    free(t->cell);
    free(t->right);
    memset(t, 0, sizeof *t);
}

int rx_text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;   /* count lead bytes */
    return w;
}

static const char *at(const rx_table *t, int row, int col)
{
    const char *s = t->cell[(size_t)row * t->ncol + col];
    return s ? s : "";
}

static void pad(FILE *f, int n)
{
    for (; n > 0; n--)
        fputc(' ', f);
}

static void write_text(FILE *f, const rx_table *t)
{
    int w[64] = {0};
    int nc = t->ncol < 64 ? t->ncol : 64;
    for (int r = 0; r <= t->nrow; r++)
        for (int c = 0; c < nc; c++) {
            int x = rx_text_width(at(t, r, c));
            if (x > w[c])
                w[c] = x;
        }
    for (int r = 0; r <= t->nrow; r++) {
        for (int c = 0; c < nc; c++) {
            const char *s = at(t, r, c);
            int gap = w[c] - rx_text_width(s);
            if (c)
                fputs("  ", f);
            if (t->right[c])
                pad(f, gap);
            fputs(s, f);
            if (!t->right[c] && c < nc - 1)
                pad(f, gap);
        }
        fputc('\n', f);
        if (r == 0) {
            for (int c = 0; c < nc; c++) {
                if (c)
                    fputs("  ", f);
                for (int i = 0; i < w[c]; i++)
                    fputc('-', f);
            }
            fputc('\n', f);
        }
    }
}

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void write_markdown(FILE *f, const rx_table *t)
{
    for (int r = 0; r <= t->nrow; r++) {
        fputc('|', f);
        for (int c = 0; c < t->ncol; c++) {
            fputc(' ', f);
            md_cell(f, at(t, r, c));
            fputs(" |", f);
        }
        fputc('\n', f);
        if (r == 0) {
            fputc('|', f);
            for (int c = 0; c < t->ncol; c++)
                fputs(t->right[c] ? "---:|" : "---|", f);
            fputc('\n', f);
        }
    }
}

void rx_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_csv(FILE *f, const rx_table *t)
{
    for (int r = 0; r <= t->nrow; r++) {
        for (int c = 0; c < t->ncol; c++) {
            if (c)
                fputc(',', f);
            rx_csv_field(f, at(t, r, c));
        }
        fputc('\n', f);
    }
}

static void write_html(FILE *f, const rx_table *t)
{
    fputs("<table>\n<thead><tr>", f);
    for (int c = 0; c < t->ncol; c++) {
        fputs(t->right[c] ? "<th class=\"num\">" : "<th>", f);
        rx_html_text(f, at(t, 0, c));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (int r = 1; r <= t->nrow; r++) {
        fputs("<tr>", f);
        for (int c = 0; c < t->ncol; c++) {
            fputs(t->right[c] ? "<td class=\"num\">" : "<td>", f);
            rx_html_text(f, at(t, r, c));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

int rx_table_write(FILE *f, const rx_table *t, rx_table_format fmt)
{
    if (t->oom)
        return RX_ENOMEM;
    switch (fmt) {
    case RX_TABLE_MARKDOWN: write_markdown(f, t); break;
    case RX_TABLE_CSV: write_csv(f, t); break;
    case RX_TABLE_HTML: write_html(f, t); break;
    default: write_text(f, t); break;
    }
    return ferror(f) ? RX_EIO : RX_OK;
}

void rx_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void rx_fmt_num(double x, char *buf, size_t size)
{
    if (!isfinite(x)) {
        rx_format_double(x, buf, size);
        return;
    }
    double ax = fabs(x);
    /* %g is plain from 1e-4 up to its precision's power of ten: prefer a
     * plain form there; below 1e-4 it only ever writes an exponent */
    int plain_ok = ax == 0 || (ax >= 1e-4 && ax < 1e15);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x && (!plain_ok || !strchr(buf, 'e')))
            return;
    }
    snprintf(buf, size, "%.17g", x);
}

void rx_json_number(FILE *f, double x)
{
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    rx_fmt_num(x, buf, sizeof buf);
    fputs(buf, f);
}

void rx_json_key(FILE *f, const char *key)
{
    rx_json_string(f, key);
    fputc(':', f);
}

void rx_json_kv_str(FILE *f, const char *key, const char *v, int comma)
{
    rx_json_key(f, key);
    if (v)
        rx_json_string(f, v);
    else
        fputs("null", f);
    if (comma)
        fputc(',', f);
}

void rx_json_kv_num(FILE *f, const char *key, double v, int comma)
{
    rx_json_key(f, key);
    rx_json_number(f, v);
    if (comma)
        fputc(',', f);
}

void rx_json_kv_int(FILE *f, const char *key, long long v, int comma)
{
    rx_json_key(f, key);
    fprintf(f, "%lld%s", v, comma ? "," : "");
}

void rx_json_kv_bool(FILE *f, const char *key, int v, int comma)
{
    rx_json_key(f, key);
    fprintf(f, "%s%s", v ? "true" : "false", comma ? "," : "");
}

void rx_json_str_array(FILE *f, const char *first, size_t stride, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        rx_json_string(f, first + (size_t)i * stride);
    }
    fputc(']', f);
}

void rx_json_num_array(FILE *f, const double *x, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        rx_json_number(f, x[i]);
    }
    fputc(']', f);
}

void rx_html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}
