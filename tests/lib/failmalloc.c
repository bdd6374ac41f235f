/*
 * failmalloc.c: an LD_PRELOAD library for the out-of-memory tests
 * (tests/cli/test_oom.sh), in the style of jq's and SQLite's fault
 * injection.  Built as $(BUILD)/tests/failmalloc.so by make check; the
 * rexsweep binary itself knows nothing of it and reads no test variable.
 *
 *   RX_FAIL_ALLOC=N   the Nth allocation counted from the start of main()
 *                     (malloc, calloc, realloc, aligned allocations, and
 *                     everything that calls them: strdup, libyaml, SQLite)
 *                     returns NULL with errno ENOMEM, once; later ones
 *                     succeed, as after a transient shortage
 *
 * Allocations before main (the dynamic loader, library constructors such
 * as OpenBLAS's buffers) are not counted: main is wrapped through
 * __libc_start_main, which arms the counter.  When the failure fires, one
 * line "failmalloc: failed allocation N" goes to stderr, so a test knows
 * when N has passed the last allocation.  Under AddressSanitizer this
 * cannot work (ASan must be the first to interpose malloc); the test
 * skips there.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own allocator, under the names it exports for wrappers. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t k, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static int armed;
static long fail_at, count;

/* 1 when this allocation is the one to fail. */
static int should_fail(void)
{
    if (!armed || fail_at <= 0)
        return 0;
    if (++count != fail_at)
        return 0;
    char msg[64];
    int k = snprintf(msg, sizeof msg, "failmalloc: failed allocation %ld\n", count);
    if (write(2, msg, (size_t)k) < 0) {
        /* nothing to do: the test then sees no message and stops */
    }
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t n)
{
    return should_fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    return should_fail() ? NULL : __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
    return should_fail() ? NULL : __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

/* ---- arming at main --------------------------------------------------- */

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int armed_main(int argc, char **argv, char **envp)
{
    const char *s = getenv("RX_FAIL_ALLOC");
    fail_at = s ? atol(s) : 0;
    armed = 1;
    return real_main(argc, argv, envp);
}

typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
                        void (*)(void), void *);

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_fn next = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
    real_main = main;
    return next(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}
