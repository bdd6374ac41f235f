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

/* Debian's Fashion-MNIST; tests that need it skip when it is absent. */
#define RX_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif
