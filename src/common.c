/* common.c: errors, RNG, hashing, clock and arenas. */
#include "rx_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

int rx_errf(rx_err *e, int status, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

int rx_errctx(rx_err *e, int status, const char *fmt, ...)
{
    if (e) {
        char prefix[512], old[sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, e->msg, sizeof old);
        size_t k = strlen(prefix);
        if (k > sizeof e->msg - 3)
            k = sizeof e->msg - 3;
        memcpy(e->msg, prefix, k);
        e->msg[k++] = ':';
        e->msg[k++] = ' ';
        size_t m = strlen(old);
        if (m > sizeof e->msg - 1 - k)
            m = sizeof e->msg - 1 - k;
        memcpy(e->msg + k, old, m);
        e->msg[k + m] = '\0';
    }
    return status;
}

const char *rx_status_name(int status)
{
    static const char *names[] = {
        "ok", "out of memory", "i/o error", "bad format", "invalid value",
        "diverged", "interrupted", "timeout", "store error", "conflict",
        "not found", "failed", "missing", "bad dataset"};
    if (status < 0 || status >= (int)(sizeof names / sizeof names[0]))
        return "unknown error";
    return names[status];
}

rx_exit rx_exit_code(int status)
{
    switch (status) {
    case RX_OK: return RX_EXIT_OK;
    case RX_EINVAL: case RX_ENOTFOUND: return RX_EXIT_USAGE;
    case RX_EFORMAT: case RX_EDATA: return RX_EXIT_DATA;
    case RX_EIO: case RX_ESTORE: case RX_ENOMEM: return RX_EXIT_IO;
    case RX_EINTR: return RX_EXIT_INTERRUPTED;
    case RX_ECONFLICT: return RX_EXIT_CONFLICT;
    case RX_EMISSING: return RX_EXIT_MISSING;
    default: return RX_EXIT_FAILED;  /* RX_EFAILED, RX_EDIVERGED, RX_ETIMEOUT */
    }
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rx_rng_seed(rx_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rx_rng_u64(rx_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rx_rng_uniform(rx_rng *r)
{
    return (double)(rx_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t rx_rng_below(rx_rng *r, uint64_t n)
{
    /* Lemire's rejection keeps it unbiased. */
    uint64_t x, lim = -n % n;
    do
        x = rx_rng_u64(r);
    while (x < lim);
    return x % n;
}

double rx_rng_normal(rx_rng *r)
{
    double u1 = rx_rng_uniform(r), u2 = rx_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void rx_rng_shuffle(rx_rng *r, int *idx, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rx_rng_below(r, (uint64_t)i + 1);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

uint64_t rx_seed_mix(uint64_t seed, uint64_t tag)
{
    uint64_t x = seed ^ (tag * 0xd1b54a32d192ed03ULL);
    splitmix64(&x);
    return splitmix64(&x);
}

uint64_t rx_hash64(const void *p, size_t n, uint64_t h)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

double rx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double rx_unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int avx2_allowed = 1;

void rx_cpu_avx2_allow(int allow) { avx2_allowed = allow; }

int rx_cpu_avx2(void)
{
    static int cached = -1;
    if (!avx2_allowed)
        return 0;
    if (cached < 0) {
        int has = 0;
#if RX_AVX2_KERNELS
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") != 0;
#endif
        const char *off = getenv("RX_NO_AVX2");
        cached = has && !(off && *off && strcmp(off, "0") != 0);
    }
    return cached;
}

#define RX_HUGE_MIN (4u << 20)

void *rx_arena_alloc(size_t n)
{
    if (n == 0)
        n = 1;
    if (n >= RX_HUGE_MIN) {
        void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
#ifdef MADV_HUGEPAGE
        madvise(p, n, MADV_HUGEPAGE);
#endif
        return p; /* anonymous mappings are zeroed */
    }
    void *p = NULL;
    size_t rounded = (n + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, rounded) != 0)
        return NULL;
    memset(p, 0, rounded);
    return p;
}

void rx_arena_free(void *p, size_t n)
{
    if (!p)
        return;
    if (n == 0)
        n = 1;
    if (n >= RX_HUGE_MIN)
        munmap(p, n);
    else
        free(p);
}

int rx_keyed_cmp(const void *a, const void *b)
{
    const rx_keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}
