/* rx_test.h: what every cmocka runner includes. */
#ifndef RX_TEST_H
#define RX_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Directory of the test fixtures (tests/data), relative to the repo. */
#ifndef RX_TEST_DATA
#define RX_TEST_DATA "tests/data"
#endif
/* Reads a whole file into a malloc'd, NUL-terminated string (the caller
 * frees it), or NULL. */
#include <stdio.h>
#include <stdlib.h>
static inline char *rx_test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) &&
        fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* |a - b| <= tol, compared in double.  cmocka 1.1's assert_float_equal
 * casts its arguments to float, which hides any difference below float
 * precision (a tolerance of 1e-12 there means "the same float"). */
#include <math.h>
#define assert_double_close(a, b, tol) \
    rx_assert_double_close((a), (b), (tol), #a, __FILE__, __LINE__)
static inline void rx_assert_double_close(double a, double b, double tol, const char *what,
                                          const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%s = %.17g, expected %.17g (tolerance %g)\n", what, a, b, tol);
        _fail(file, line);
    }
}

/* A fresh directory for a runner's files: base/PREFIX-XXXXXX, where base
 * is base_dir, else $TMPDIR, else /tmp; its path is written to dir.
 * Returns 0, or -1 (errno set).  rx_test_rmtree removes it again. */
#include <errno.h>
#include <ftw.h>
#include <unistd.h>
static inline int rx_test_tmpdir(char *dir, size_t size, const char *base_dir,
                                 const char *prefix)
{
    const char *base = base_dir ? base_dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int n = snprintf(dir, size, "%s/%s-XXXXXX", base, prefix);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(dir) ? 0 : -1;
}

static inline int rx_test_rm_one(const char *path, const struct stat *sb, int type,
                                 struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it (files first).  0, or -1. */
static inline int rx_test_rmtree(const char *dir)
{
    return nftw(dir, rx_test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/name, in one of four rotating static buffers (so that a call may
 * take two or three paths at once). */
static inline const char *rx_test_path(const char *dir, const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Debian's Fashion-MNIST; tests that need it skip when it is absent. */
#define RX_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif
