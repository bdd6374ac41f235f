/* param.c: the generic machinery behind every parameter table. */
#include "rx_param.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIELD(base, p, T) ((T *)((char *)(base) + (p)->off))
#define CFIELD(base, p, T) ((const T *)((const char *)(base) + (p)->off))
#define COUNT(base, p) ((int *)((char *)(base) + (p)->count_off))
#define CCOUNT(base, p) ((const int *)((const char *)(base) + (p)->count_off))

int rx_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

int rx_parse_int(const char *s, long long *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        /* accept integral floats such as 1e3 */
        double d;
        if (rx_parse_double(s, &d) == 0 && d == floor(d) && fabs(d) < 9e15) {
            *out = (long long)d;
            return 0;
        }
        return -1;
    }
    *out = x;
    return 0;
}

int rx_parse_bool(const char *s, int *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0) return *out = 0, 0;
    }
    return -1;
}

void rx_format_double(double x, char *buf, size_t size)
{
    if (isnan(x)) { snprintf(buf, size, "NaN"); return; }
    if (isinf(x)) { snprintf(buf, size, x > 0 ? "Infinity" : "-Infinity"); return; }
    char t[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, x);
        if (strtod(t, NULL) == x)
            break;
    }
    /* %g writes 20 as "2e+01": rewrite moderate exponents in plain
     * notation (JSON either way; plain reads better in keys and
     * messages), keeping exactly the same digits. */
    char *e = strchr(t, 'e');
    int ex = e ? atoi(e + 1) : 0;
    if (!e || ex <= -7 || ex >= 21) {
        snprintf(buf, size, "%s", t);
        return;
    }
    char digits[32], out[64];
    int nd = 0, k = 0;
    for (char *c = t; c < e; c++)
        if (isdigit((unsigned char)*c))
            digits[nd++] = *c;
    if (x < 0)
        out[k++] = '-';
    int point = ex + 1; /* digits before the decimal point */
    if (point <= 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -point; i++) out[k++] = '0';
        for (int i = 0; i < nd; i++) out[k++] = digits[i];
    } else {
        for (int i = 0; i < nd || i < point; i++) {
            if (i == point) out[k++] = '.';
            out[k++] = i < nd ? digits[i] : '0';
        }
    }
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
}

int rx_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static void fmt_bound(double x, char *buf, size_t size)
{
    if (x >= 1e300) snprintf(buf, size, "inf");
    else if (x <= -1e300) snprintf(buf, size, "-inf");
    else rx_format_double(x, buf, size);
}

void rx_param_describe(const rx_param *p, char *buf, size_t size)
{
    char lo[48], hi[48];
    fmt_bound(p->lo, lo, sizeof lo);
    fmt_bound(p->hi, hi, sizeof hi);
    const char *lb = (p->flags & RX_PF_LO_OPEN) ? "(" : "[";
    const char *hb = (p->flags & RX_PF_HI_OPEN) ? ")" : "]";
    switch (p->type) {
    case RX_P_INT:
    case RX_P_U64:
        snprintf(buf, size, "an integer in %s%s, %s%s", lb, lo, hi, hb);
        break;
    case RX_P_DOUBLE:
        snprintf(buf, size, "a number in %s%s, %s%s", lb, lo, hi, hb);
        break;
    case RX_P_FRACTION:
        /* both readings of a bounded range, so "(0, 1]" is not read as
         * percent */
        if (p->hi < 1e300) {
            char plo[48], phi[48];
            rx_format_double(p->lo * 100, plo, sizeof plo);
            rx_format_double(p->hi * 100, phi, sizeof phi);
            snprintf(buf, size, "a fraction in %s%s, %s%s or a percentage in %s%s%%, %s%%%s", lb,
                     lo, hi, hb, lb, plo, phi, hb);
        } else {
            snprintf(buf, size, "a fraction or percentage in %s%s, %s%s", lb, lo, hi, hb);
        }
        break;
    case RX_P_BOOL:
        snprintf(buf, size, "true or false");
        break;
    case RX_P_STR:
        snprintf(buf, size, "a string of at most %d characters", p->max_n - 1);
        break;
    case RX_P_ENUM: {
        size_t k = (size_t)snprintf(buf, size, "one of ");
        for (int i = 0; p->names[i] && k < size; i++)
            k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", p->names[i]);
        break;
    }
    case RX_P_INTLIST:
        snprintf(buf, size, "a list of at most %d integers in %s%s, %s%s%s",
                 p->max_n, lb, lo, hi, hb,
                 (p->flags & RX_PF_INCREASING) ? ", strictly increasing" : "");
        break;
    case RX_P_DBLLIST:
        snprintf(buf, size, "a list of at most %d numbers in %s%s, %s%s%s",
                 p->max_n, lb, lo, hi, hb,
                 (p->flags & RX_PF_INCREASING) ? ", strictly increasing" : "");
        break;
    }
}

static int in_bounds(const rx_param *p, double x)
{
    if (p->flags & RX_PF_LO_OPEN ? !(x > p->lo) : !(x >= p->lo)) return 0;
    if (p->flags & RX_PF_HI_OPEN ? !(x < p->hi) : !(x <= p->hi)) return 0;
    return 1;
}

static int bad(const rx_param *p, const char *val, rx_err *err)
{
    char want[256];
    rx_param_describe(p, want, sizeof want);
    return rx_errf(err, RX_EINVAL, "'%s' must be %s, got '%s'", p->key, want, val);
}

/* Parses one number for p (handles the % suffix of fractions). */
static int parse_num(const rx_param *p, const char *s, double *out)
{
    if (p->type == RX_P_FRACTION || p->type == RX_P_DBLLIST) {
        size_t n = strlen(s);
        if (n > 1 && s[n - 1] == '%') {
            char tmp[64];
            if (n >= sizeof tmp) return -1;
            memcpy(tmp, s, n - 1);
            tmp[n - 1] = '\0';
            double x;
            if (rx_parse_double(tmp, &x)) return -1;
            *out = x / 100.0;
            return 0;
        }
    }
    return rx_parse_double(s, out);
}

int rx_param_set(const rx_param *p, void *base, const char *const *vals,
                 int n, int is_list, rx_err *err)
{
    int list = p->type == RX_P_INTLIST || p->type == RX_P_DBLLIST;
    if (is_list && !list)
        return rx_errf(err, RX_EINVAL, "'%s' takes a single value, not a list", p->key);
    if (!list && n != 1)
        return rx_errf(err, RX_EINVAL, "'%s' takes a single value", p->key);
    if (list) {
        if (n > p->max_n)
            return rx_errf(err, RX_EINVAL, "'%s' takes at most %d values, got %d",
                           p->key, p->max_n, n);
        if (n == 0 && (p->flags & RX_PF_NONEMPTY))
            return rx_errf(err, RX_EINVAL, "'%s' must not be empty", p->key);
        double prev = -INFINITY;
        for (int i = 0; i < n; i++) {
            double x;
            if (p->type == RX_P_INTLIST) {
                long long v;
                if (rx_parse_int(vals[i], &v) || !in_bounds(p, (double)v))
                    return bad(p, vals[i], err);
                x = (double)v;
                ((int *)FIELD(base, p, char))[i] = (int)v;
            } else {
                if (parse_num(p, vals[i], &x) || !in_bounds(p, x))
                    return bad(p, vals[i], err);
                ((double *)FIELD(base, p, char))[i] = x;
            }
            if ((p->flags & RX_PF_INCREASING) && !(x > prev))
                return rx_errf(err, RX_EINVAL, "'%s' must be strictly increasing, got '%s' after a larger or equal value",
                               p->key, vals[i]);
            prev = x;
        }
        *COUNT(base, p) = n;
        return RX_OK;
    }
    const char *s = vals[0];
    switch (p->type) {
    case RX_P_INT: {
        long long v;
        if (rx_parse_int(s, &v) || !in_bounds(p, (double)v)) return bad(p, s, err);
        *FIELD(base, p, int) = (int)v;
        return RX_OK;
    }
    case RX_P_U64: {
        long long v;
        if (rx_parse_int(s, &v) || v < 0 || !in_bounds(p, (double)v)) return bad(p, s, err);
        *FIELD(base, p, uint64_t) = (uint64_t)v;
        return RX_OK;
    }
    case RX_P_DOUBLE:
    case RX_P_FRACTION: {
        double x;
        if (parse_num(p, s, &x) || !in_bounds(p, x)) return bad(p, s, err);
        *FIELD(base, p, double) = x;
        return RX_OK;
    }
    case RX_P_BOOL: {
        int b;
        if (rx_parse_bool(s, &b)) return bad(p, s, err);
        *FIELD(base, p, int) = b;
        return RX_OK;
    }
    case RX_P_STR:
        if (strlen(s) >= (size_t)p->max_n) return bad(p, s, err);
        memcpy(FIELD(base, p, char), s, strlen(s) + 1);
        return RX_OK;
    case RX_P_ENUM:
        for (int i = 0; p->names[i]; i++)
            if (strcmp(p->names[i], s) == 0) {
                *FIELD(base, p, int) = i;
                return RX_OK;
            }
        {
            const char *best = NULL;
            int bd = 3;
            for (int i = 0; p->names[i]; i++) {
                int d = rx_edit_distance(s, p->names[i]);
                if (d < bd) bd = d, best = p->names[i];
            }
            if (best) {
                char want[256];
                rx_param_describe(p, want, sizeof want);
                return rx_errf(err, RX_EINVAL, "'%s' must be %s, got '%s' (did you mean '%s'?)",
                               p->key, want, s, best);
            }
        }
        return bad(p, s, err);
    default:
        return bad(p, s, err);
    }
}

int rx_split_list(const char *val, char *buf, size_t size, const char **items, int max)
{
    size_t n = strlen(val);
    if (n < 2 || val[0] != '[' || val[n - 1] != ']')
        return -1;
    if (n - 2 >= size)
        return -2;
    memcpy(buf, val + 1, n - 2);
    buf[n - 2] = '\0';
    int k = 0;
    char *s = buf;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        char *e = strchr(s, ',');
        if (e)
            *e = '\0';
        char *t = s + strlen(s);
        while (t > s && isspace((unsigned char)t[-1]))
            *--t = '\0';
        if (k == max)
            return -2;
        items[k++] = s;
        if (!e)
            break;
        s = e + 1;
    }
    return k;
}

int rx_param_set_str(const rx_param *p, void *base, const char *val, rx_err *err)
{
    char buf[4096];
    const char *items[RX_MAX_ITEMS_SPLIT];
    int k = rx_split_list(val, buf, sizeof buf, items, RX_MAX_ITEMS_SPLIT);
    if (k == -2)
        return rx_errf(err, RX_EINVAL, "'%s': too many values or value too long", p->key);
    if (k >= 0)
        return rx_param_set(p, base, items, k, 1, err);
    return rx_param_set(p, base, &val, 1, 0, err);
}

int rx_param_defaults(const rx_param *tab, int n, void *base, rx_err *err)
{
    for (int i = 0; i < n; i++) {
        if (!tab[i].def)
            continue;
        int rc = rx_param_set_str(&tab[i], base, tab[i].def, err);
        if (rc)
            return rc;
    }
    return RX_OK;
}

static int json_str(const char *s, char *buf, size_t size)
{
    size_t k = 0;
#define PUT(c) do { if (k + 1 < size) buf[k] = (c); k++; } while (0)
    PUT('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { PUT('\\'); PUT((char)c); }
        else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            for (char *e = esc; *e; e++) PUT(*e);
        } else PUT((char)c);
    }
    PUT('"');
#undef PUT
    if (size) buf[k < size ? k : size - 1] = '\0';
    return (int)k;
}

int rx_param_format(const rx_param *p, const void *base, char *buf, size_t size)
{
    char num[64];
    switch (p->type) {
    case RX_P_INT:
    case RX_P_BOOL:
        if (p->type == RX_P_BOOL)
            return snprintf(buf, size, "%s", *CFIELD(base, p, int) ? "true" : "false");
        return snprintf(buf, size, "%d", *CFIELD(base, p, int));
    case RX_P_U64:
        return snprintf(buf, size, "%llu", (unsigned long long)*CFIELD(base, p, uint64_t));
    case RX_P_DOUBLE:
    case RX_P_FRACTION:
        rx_format_double(*CFIELD(base, p, double), num, sizeof num);
        return snprintf(buf, size, "%s", num);
    case RX_P_STR:
        return json_str(CFIELD(base, p, char), buf, size);
    case RX_P_ENUM:
        return json_str(p->names[*CFIELD(base, p, int)], buf, size);
    case RX_P_INTLIST:
    case RX_P_DBLLIST: {
        size_t k = 0;
        int cnt = *CCOUNT(base, p);
        k += (size_t)snprintf(buf, size, "[");
        for (int i = 0; i < cnt; i++) {
            if (p->type == RX_P_INTLIST)
                snprintf(num, sizeof num, "%d", CFIELD(base, p, int)[i]);
            else
                rx_format_double(CFIELD(base, p, double)[i], num, sizeof num);
            k += (size_t)snprintf(k < size ? buf + k : NULL, k < size ? size - k : 0,
                                  "%s%s", i ? "," : "", num);
        }
        k += (size_t)snprintf(k < size ? buf + k : NULL, k < size ? size - k : 0, "]");
        return (int)k;
    }
    }
    return 0;
}

const rx_param *rx_param_find(const rx_param *tab, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(tab[i].key, key) == 0)
            return &tab[i];
    return NULL;
}

const char *rx_param_suggest(const rx_param *tab, int n, const char *key)
{
    const char *best = NULL;
    int bd = (int)strlen(key) / 3 + 2;
    if (bd > 4) bd = 4;
    for (int i = 0; i < n; i++) {
        int d = rx_edit_distance(key, tab[i].key);
        /* also compare the last component, so "batchsize" finds
         * "train.batch_size" */
        const char *dot = strrchr(tab[i].key, '.');
        if (dot) {
            int d2 = rx_edit_distance(key, dot + 1);
            if (d2 < d) d = d2;
        }
        if (d < bd) bd = d, best = tab[i].key;
    }
    return best;
}
