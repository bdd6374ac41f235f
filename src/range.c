/* range.c: exact decimal ranges (no binary floating point anywhere). */
#include "rx_range.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC_DIGITS 512  /* 0.5^700 still fits; more is refused, not rounded */

/* value = (neg ? -1 : 1) * d[0..nd) * 10^e, d most significant first,
 * normalised: no leading or trailing zero digits; zero has nd = 0. */
typedef struct dec {
    int neg;
    int nd;
    int e;
    unsigned char d[DEC_DIGITS];
} dec;

static void dec_norm(dec *x)
{
    int lead = 0;
    while (lead < x->nd && x->d[lead] == 0)
        lead++;
    if (lead) {
        memmove(x->d, x->d + lead, (size_t)(x->nd - lead));
        x->nd -= lead;
    }
    while (x->nd > 0 && x->d[x->nd - 1] == 0) {
        x->nd--;
        x->e++;
    }
    if (x->nd == 0)
        x->neg = 0, x->e = 0;
}

/* Parses [+-]digits[.digits][e[+-]digits][%].  Returns 0 or -1. */
static int dec_parse(const char *s, dec *x)
{
    memset(x, 0, sizeof *x);
    if (*s == '+' || *s == '-')
        x->neg = *s++ == '-';
    int seen = 0, frac = 0, dot = 0;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s)) {
            seen = 1;
            if (x->nd == 0 && *s == '0') {
                if (dot)
                    frac++;
                continue;
            }
            if (x->nd == DEC_DIGITS)
                return -1;
            x->d[x->nd++] = (unsigned char)(*s - '0');
            if (dot)
                frac++;
        } else if (*s == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (!seen)
        return -1;
    long ex = 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        int eneg = 0;
        if (*s == '+' || *s == '-')
            eneg = *s++ == '-';
        if (!isdigit((unsigned char)*s))
            return -1;
        for (; isdigit((unsigned char)*s); s++)
            if ((ex = ex * 10 + (*s - '0')) > 100000)
                return -1;
        if (eneg)
            ex = -ex;
    }
    if (*s == '%') {
        ex -= 2;
        s++;
    }
    if (*s)
        return -1;
    x->e = (int)ex - frac;
    dec_norm(x);
    return 0;
}

/* Compares magnitudes: <0, 0, >0. */
static int dec_cmpabs(const dec *a, const dec *b)
{
    if (a->nd == 0 || b->nd == 0)
        return (a->nd != 0) - (b->nd != 0);
    int ma = a->nd + a->e, mb = b->nd + b->e; /* position of the point */
    if (ma != mb)
        return ma < mb ? -1 : 1;
    for (int i = 0; i < a->nd || i < b->nd; i++) {
        int da = i < a->nd ? a->d[i] : 0, db = i < b->nd ? b->d[i] : 0;
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

static int dec_cmp(const dec *a, const dec *b)
{
    int sa = a->nd ? (a->neg ? -1 : 1) : 0, sb = b->nd ? (b->neg ? -1 : 1) : 0;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    int c = dec_cmpabs(a, b);
    return sa < 0 ? -c : c;
}

/* Digit i (0 = units) of |x| as an integer scaled by 10^-emin. */
static int digit_at(const dec *x, int pos)
{
    /* x->d[k] has weight 10^(x->e + x->nd - 1 - k) */
    int k = x->e + x->nd - 1 - pos;
    return (k >= 0 && k < x->nd) ? x->d[k] : 0;
}

/* r = a + b.  Returns -1 when the result needs more than DEC_DIGITS. */
static int dec_add(const dec *a, const dec *b, dec *r)
{
    if (a->nd == 0) return *r = *b, 0;
    if (b->nd == 0) return *r = *a, 0;
    int lo = a->e < b->e ? a->e : b->e;
    int ha = a->e + a->nd, hb = b->e + b->nd;
    int hi = (ha > hb ? ha : hb) + 1;
    if (hi - lo > DEC_DIGITS)
        return -1;
    const dec *big = a, *small = b;
    int sub = a->neg != b->neg;
    if (sub && dec_cmpabs(a, b) < 0)
        big = b, small = a;
    dec t;
    memset(&t, 0, sizeof t);
    t.neg = big->neg;
    t.nd = hi - lo;
    t.e = lo;
    int carry = 0;
    for (int p = lo; p < hi; p++) {
        int v = digit_at(big, p) + (sub ? -digit_at(small, p) : digit_at(small, p)) + carry;
        carry = 0;
        if (v < 0) v += 10, carry = -1;
        if (v > 9) v -= 10, carry = 1;
        t.d[hi - 1 - p] = (unsigned char)v;
    }
    dec_norm(&t);
    *r = t;
    return 0;
}

/* r = a * b (schoolbook).  Returns -1 when too many digits. */
static int dec_mul(const dec *a, const dec *b, dec *r)
{
    if (a->nd == 0 || b->nd == 0) {
        memset(r, 0, sizeof *r);
        return 0;
    }
    if (a->nd + b->nd > DEC_DIGITS)
        return -1;
    int acc[2 * DEC_DIGITS] = {0};
    int n = a->nd + b->nd;
    for (int i = a->nd - 1; i >= 0; i--)
        for (int j = b->nd - 1; j >= 0; j--)
            acc[i + j + 1] += a->d[i] * b->d[j];
    for (int k = n - 1; k > 0; k--) {
        acc[k - 1] += acc[k] / 10;
        acc[k] %= 10;
    }
    dec t;
    memset(&t, 0, sizeof t);
    t.neg = a->neg != b->neg;
    t.nd = n;
    t.e = a->e + b->e;
    for (int k = 0; k < n; k++)
        t.d[k] = (unsigned char)acc[k];
    dec_norm(&t);
    *r = t;
    return 0;
}

/* Shortest exact text: plain notation for moderate exponents (like
 * JavaScript's Number#toString), else d.ddde[+-]X. */
static int dec_text(const dec *x, char *buf, size_t size)
{
    char s[DEC_DIGITS + 64];
    size_t k = 0;
    if (x->nd == 0)
        return snprintf(buf, size, "0");
    if (x->neg)
        s[k++] = '-';
    int point = x->nd + x->e; /* digits before the decimal point */
    if (x->e >= 0 && point <= 21) {
        for (int i = 0; i < x->nd; i++) s[k++] = (char)('0' + x->d[i]);
        for (int i = 0; i < x->e; i++) s[k++] = '0';
    } else if (x->e < 0 && point > 0) {
        for (int i = 0; i < x->nd; i++) {
            if (i == point) s[k++] = '.';
            s[k++] = (char)('0' + x->d[i]);
        }
    } else if (point <= 0 && point > -6) {
        s[k++] = '0';
        s[k++] = '.';
        for (int i = 0; i < -point; i++) s[k++] = '0';
        for (int i = 0; i < x->nd; i++) s[k++] = (char)('0' + x->d[i]);
    } else {
        s[k++] = (char)('0' + x->d[0]);
        if (x->nd > 1) {
            s[k++] = '.';
            for (int i = 1; i < x->nd; i++) s[k++] = (char)('0' + x->d[i]);
        }
        k += (size_t)snprintf(s + k, sizeof s - k, "e%+d", point - 1);
    }
    s[k] = '\0';
    return snprintf(buf, size, "%s", s);
}

int rx_decimal_normalize(const char *s, char *buf, size_t size)
{
    dec x;
    if (dec_parse(s, &x))
        return RX_EINVAL;
    dec_text(&x, buf, size);
    return RX_OK;
}

/* A growable list of texts, packed into one block at the end. */
typedef struct texts {
    char **v;
    int n, cap;
} texts;

static int texts_add(texts *t, const dec *x)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        char **v = realloc(t->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v, t->cap = cap;
    }
    char buf[DEC_DIGITS + 64];
    dec_text(x, buf, sizeof buf);
    if (!(t->v[t->n] = strdup(buf)))
        return -1;
    t->n++;
    return 0;
}

static void texts_free(texts *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
}

static int texts_pack(texts *t, char ***out, int *n)
{
    size_t bytes = (size_t)t->n * sizeof(char *);
    for (int i = 0; i < t->n; i++)
        bytes += strlen(t->v[i]) + 1;
    char **block = malloc(bytes ? bytes : 1);
    if (!block)
        return -1;
    char *s = (char *)(block + t->n);
    for (int i = 0; i < t->n; i++) {
        size_t l = strlen(t->v[i]) + 1;
        memcpy(s, t->v[i], l);
        block[i] = s;
        s += l;
    }
    *out = block;
    *n = t->n;
    return 0;
}

static void reverse(texts *t)
{
    for (int i = 0, j = t->n - 1; i < j; i++, j--) {
        char *s = t->v[i];
        t->v[i] = t->v[j];
        t->v[j] = s;
    }
}

#define TOO_LONG "a value of the range needs more than %d digits"

/* Appends v, within the limit of values per range. */
static int emit(texts *t, const dec *v, rx_err *err)
{
    if (t->n == RX_RANGE_MAX)
        return rx_errf(err, RX_EINVAL, "the range has more than %d values", RX_RANGE_MAX);
    if (texts_add(t, v))
        return rx_errf(err, RX_ENOMEM, "out of memory");
    return RX_OK;
}

static int expand_step(const dec *from, const dec *to, const dec *step, texts *t, rx_err *err)
{
    if (step->nd == 0)
        return rx_errf(err, RX_EINVAL, "'step' must be nonzero");
    int dir = dec_cmp(to, from);
    if (dir != 0 && (dir > 0) != !step->neg)
        return rx_errf(err, RX_EINVAL, "'step' is %s, but 'to' is %s 'from'",
                       step->neg ? "negative" : "positive", step->neg ? "above" : "below");
    dec v = *from;
    int rc;
    while (step->neg ? dec_cmp(&v, to) >= 0 : dec_cmp(&v, to) <= 0) {
        if ((rc = emit(t, &v, err)))
            return rc;
        if (dec_add(&v, step, &v))
            return rx_errf(err, RX_EINVAL, TOO_LONG, DEC_DIGITS);
    }
    return RX_OK;
}

static int expand_factor(const dec *from, const dec *to, const dec *f, texts *t, rx_err *err)
{
    static const dec one = {0, 1, 0, {1}};
    if (from->neg || from->nd == 0 || to->neg || to->nd == 0)
        return rx_errf(err, RX_EINVAL, "'from' and 'to' of a range with 'factor' must be > 0");
    if (f->neg || f->nd == 0 || dec_cmp(f, &one) == 0)
        return rx_errf(err, RX_EINVAL, "'factor' must be > 0 and not 1");
    int up = dec_cmp(f, &one) > 0, dir = dec_cmp(to, from);
    if (dir != 0 && (dir > 0) != up)
        return rx_errf(err, RX_EINVAL, "'factor' is %s 1, but 'to' is %s 'from'",
                       up ? "above" : "below", up ? "below" : "above");
    dec v = *from;
    int rc;
    while (up ? dec_cmp(&v, to) <= 0 : dec_cmp(&v, to) >= 0) {
        if ((rc = emit(t, &v, err)))
            return rc;
        if (dec_mul(&v, f, &v))
            return rx_errf(err, RX_EINVAL, TOO_LONG, DEC_DIGITS);
    }
    return RX_OK;
}

static int expand_mantissas(const dec *from, const dec *to, const dec *m, int nm, texts *t,
                            rx_err *err)
{
    static const dec one = {0, 1, 0, {1}}, ten = {0, 1, 1, {1}};
    if (from->neg || from->nd == 0 || to->neg || to->nd == 0)
        return rx_errf(err, RX_EINVAL, "'from' and 'to' of a range with 'mantissas' must be > 0");
    if (nm == 0)
        return rx_errf(err, RX_EINVAL, "'mantissas' must not be empty");
    for (int i = 0; i < nm; i++) {
        if (dec_cmp(&m[i], &one) < 0 || dec_cmp(&m[i], &ten) >= 0)
            return rx_errf(err, RX_EINVAL, "'mantissas' must be in [1, 10)");
        if (i && dec_cmp(&m[i], &m[i - 1]) <= 0)
            return rx_errf(err, RX_EINVAL, "'mantissas' must be strictly increasing");
    }
    int down = dec_cmp(from, to) > 0;
    const dec *lo = down ? to : from, *hi = down ? from : to;
    /* start one decade below lo's leading digit, so nothing is missed */
    for (int k = lo->nd + lo->e - 2;; k++) {
        for (int i = 0; i < nm; i++) {
            dec v = m[i];
            v.e += k;
            if (dec_cmp(&v, hi) > 0) {
                if (down)
                    reverse(t);
                return RX_OK;
            }
            int rc;
            if (dec_cmp(&v, lo) >= 0 && (rc = emit(t, &v, err)))
                return rc;
        }
    }
}

int rx_range_expand(rx_range_kind kind, const char *from, const char *to,
                    const char *const *by, int n_by, char ***out, int *n, rx_err *err)
{
    /* decs are large (half a KiB); keep them off the stack in bulk */
    dec *d = malloc((size_t)(2 + (n_by > 0 ? n_by : 1)) * sizeof *d);
    if (!d)
        return rx_errf(err, RX_ENOMEM, "out of memory");
    texts t = {0};
    int rc = RX_OK;
    if (dec_parse(from, &d[0])) {
        rc = rx_errf(err, RX_EINVAL, "'from' must be a decimal number, got '%s'", from);
        goto done;
    }
    if (dec_parse(to, &d[1])) {
        rc = rx_errf(err, RX_EINVAL, "'to' must be a decimal number, got '%s'", to);
        goto done;
    }
    static const char *const what[] = {"step", "factor", "mantissas"};
    for (int i = 0; i < n_by; i++)
        if (dec_parse(by[i], &d[2 + i])) {
            rc = rx_errf(err, RX_EINVAL, "'%s' must be a decimal number, got '%s'", what[kind],
                         by[i]);
            goto done;
        }
    if (kind != RX_RANGE_MANTISSAS && n_by != 1) {
        rc = rx_errf(err, RX_EINVAL, "'%s' takes a single number", what[kind]);
        goto done;
    }
    if (kind == RX_RANGE_STEP)
        rc = expand_step(&d[0], &d[1], &d[2], &t, err);
    else if (kind == RX_RANGE_FACTOR)
        rc = expand_factor(&d[0], &d[1], &d[2], &t, err);
    else
        rc = expand_mantissas(&d[0], &d[1], &d[2], n_by, &t, err);
    if (rc == RX_OK && texts_pack(&t, out, n))
        rc = rx_errf(err, RX_ENOMEM, "out of memory");
done:
    texts_free(&t);
    free(d);
    return rc;
}
