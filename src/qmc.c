/* qmc.c: scrambled Sobol and Halton points, exact on every machine.
 *
 * Integers make the points; the only floating-point operations are
 * IEEE's basic ones (correctly rounded, so the same bits everywhere), and
 * every value is rounded to a few significant digits before it becomes
 * text, so the run keys it lands in cannot move between machines. */
#include "rx_qmc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rx_range.h"

/* Joe and Kuo's new-joe-kuo-6.21201, dimensions 2..16 (dimension 1 is
 * the van der Corput sequence): degree s, coefficients a, initial m. */
static const struct {
    int s, a;
    unsigned m[6];
} joe_kuo[RX_QMC_MAX_DIMS - 1] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
};

static const unsigned primes[RX_QMC_MAX_DIMS] = {2,  3,  5,  7,  11, 13, 17, 19,
                                                 23, 29, 31, 37, 41, 43, 47, 53};

/* The scrambling stream of one dimension: independent of the others, so
 * adding a sampled key does not move the points of the first. */
static void dim_rng(const rx_qmc *q, int dim, rx_rng *r)
{
    rx_rng_seed(r, rx_seed_mix(q->seed, ((uint64_t)q->kind << 8) | (uint64_t)dim));
}

/* The 32 direction numbers of dimension dim, bit 31 the most
 * significant binary digit. */
static void directions(int dim, uint32_t v[32])
{
    if (dim == 0) {
        for (int k = 0; k < 32; k++)
            v[k] = 1u << (31 - k);
        return;
    }
    int s = joe_kuo[dim - 1].s, a = joe_kuo[dim - 1].a;
    for (int k = 0; k < s; k++)
        v[k] = joe_kuo[dim - 1].m[k] << (31 - k);
    for (int k = s; k < 32; k++) {
        v[k] = v[k - s] ^ (v[k - s] >> s);
        for (int i = 1; i < s; i++)
            if ((a >> (s - 1 - i)) & 1)
                v[k] ^= v[k - i];
    }
}

static int parity32(uint32_t x)
{
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return (int)(x & 1);
}

/* Sobol in Gray-code order; scrambled: a random lower-triangular binary
 * matrix with a unit diagonal (each digit mixed with the more significant
 * ones, Matousek's linear scrambling) on every direction number, then a
 * random digital shift. */
static void sobol(const rx_qmc *q, int dim, int n, double *u)
{
    uint32_t v[32], shift = 0;
    directions(dim, v);
    if (q->scramble) {
        rx_rng r;
        dim_rng(q, dim, &r);
        uint32_t rows[32];
        for (int b = 0; b < 32; b++) {
            uint32_t above = b == 0 ? 0 : 0xffffffffu << (32 - b);
            rows[b] = (1u << (31 - b)) | ((uint32_t)rx_rng_u64(&r) & above);
        }
        for (int k = 0; k < 32; k++) {
            uint32_t w = 0;
            for (int b = 0; b < 32; b++)
                w |= (uint32_t)parity32(rows[b] & v[k]) << (31 - b);
            v[k] = w;
        }
        shift = (uint32_t)rx_rng_u64(&r);
    }
    for (int i = 0; i < n; i++) {
        uint32_t g = (uint32_t)i ^ ((uint32_t)i >> 1), x = 0;
        for (int k = 0; g; k++, g >>= 1)
            if (g & 1)
                x ^= v[k];
        u[i] = (double)(x ^ shift) * 0x1p-32;
    }
}

/* Halton in base b: the digits of i, least significant first, mirrored
 * behind the point; scrambled: each digit position has its own random
 * permutation of the digits (zeros beyond i's length included, so the
 * scrambled point uses all K positions). */
static void halton(const rx_qmc *q, int dim, int n, double *u)
{
    uint64_t b = primes[dim], bk = 1;
    int K = 0;
    while (bk <= (UINT64_C(1) << 53) / b)
        bk *= b, K++;
    int perm[64][53];
    rx_rng r;
    dim_rng(q, dim, &r);
    for (int j = 0; j < K; j++) {
        for (int d = 0; d < (int)b; d++)
            perm[j][d] = d;
        if (q->scramble)
            rx_rng_shuffle(&r, perm[j], (int)b);
    }
    for (int i = 0; i < n; i++) {
        uint64_t num = 0, x = (uint64_t)i, digit[64];
        for (int j = 0; j < K; j++, x /= b)
            digit[j] = (uint64_t)perm[j][x % b];
        for (int j = 0; j < K; j++)     /* digit j weighs b^-(j+1) */
            num = num * b + digit[j];
        u[i] = (double)num / (double)bk;
    }
}

void rx_qmc_points(const rx_qmc *q, int dim, int n, double *u)
{
    if (q->kind == RX_QMC_HALTON)
        halton(q, dim, n, u);
    else
        sobol(q, dim, n, u);
}

/* ln 2 split (Cody and Waite, as fdlibm): k * LN2_HI is exact for the
 * exponents of doubles, so range reduction loses nothing */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10

double rx_qmc_log(double x)
{
    int e;
    double m = frexp(x, &e);          /* exact: x = m 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752) {
        m *= 2;
        e--;
    }
    /* ln m = 2 atanh(t), |t| < 0.172: 20 terms are far past double */
    double t = (m - 1) / (m + 1), t2 = t * t, term = t, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= t2;
    }
    return e * LN2_HI + (e * LN2_LO + 2 * sum);
}

double rx_qmc_exp(double x)
{
    double k = floor(x / (LN2_HI + LN2_LO) + 0.5);  /* exact operations */
    double r = (x - k * LN2_HI) - k * LN2_LO, term = 1, sum = 1;
    for (int i = 1; i < 24; i++) {
        term *= r / i;
        sum += term;
    }
    return ldexp(sum, (int)k);
}

int rx_qmc_value(const rx_qmc *q, rx_qmc_scale scale, double lo, double hi, double u,
                 char *buf, size_t size)
{
    double v;
    if (scale == RX_QMC_LOG_UNIFORM) {
        double a = rx_qmc_log(lo), b = rx_qmc_log(hi);
        v = rx_qmc_exp(a + u * (b - a));
    } else {
        v = lo + u * (hi - lo);
    }
    int digits = q->digits >= 1 && q->digits <= 15 ? q->digits : RX_QMC_DIGITS;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);  /* correctly rounded */
    return rx_decimal_normalize(tmp, buf, size) ? RX_EINVAL : RX_OK;
}
