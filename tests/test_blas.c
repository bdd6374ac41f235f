/* test_blas.c: the matrix wrapper against a naive triple loop. */
#include "rx_test.h"
#include "rx_blas.h"
#include "rx_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* C = alpha*op(A)*op(B) + beta*C by the definition, in double. */
static void naive(int ta, int tb, int M, int N, int K, float alpha,
                  const float *A, int lda, const float *B, int ldb,
                  float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) {
                double a = ta ? A[k * lda + i] : A[i * lda + k];
                double b = tb ? B[j * ldb + k] : B[k * ldb + j];
                s += a * b;
            }
            C[i * ldc + j] = (float)(alpha * s + beta * (double)C[i * ldc + j]);
        }
}

static void check(int ta, int tb)
{
    enum { M = 7, N = 5, K = 9, PAD = 3 };
    /* stored shapes: A is (M,K) or (K,M), B is (K,N) or (N,K); every
     * leading dimension is PAD wider than the stored width */
    int lda = (ta ? M : K) + PAD, ldb = (tb ? K : N) + PAD, ldc = N + PAD;
    int rows_a = ta ? K : M, rows_b = tb ? N : K;
    float *A = malloc(sizeof(float) * rows_a * lda);
    float *B = malloc(sizeof(float) * rows_b * ldb);
    float *C = malloc(sizeof(float) * M * ldc), *R = malloc(sizeof(float) * M * ldc);
    assert_true(A && B && C && R);
    rx_rng rng;
    rx_rng_seed(&rng, 100 + (uint64_t)(2 * ta + tb));
    for (int i = 0; i < rows_a * lda; i++)
        A[i] = (float)(rx_rng_uniform(&rng) * 2 - 1);
    for (int i = 0; i < rows_b * ldb; i++)
        B[i] = (float)(rx_rng_uniform(&rng) * 2 - 1);
    for (int i = 0; i < M * ldc; i++)
        C[i] = R[i] = (float)(rx_rng_uniform(&rng) * 2 - 1);
    rx_sgemm(ta, tb, M, N, K, 1.5f, A, lda, B, ldb, 0.5f, C, ldc);
    naive(ta, tb, M, N, K, 1.5f, A, lda, B, ldb, 0.5f, R, ldc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < ldc; j++) {
            if (j < N)
                assert_true(fabsf(C[i * ldc + j] - R[i * ldc + j]) < 1e-5f);
            else /* the padding beyond each row's width is untouched */
                assert_true(C[i * ldc + j] == R[i * ldc + j]);
        }
    /* beta = 0 overwrites: garbage (NaN) in C does not survive */
    for (int i = 0; i < M * ldc; i++)
        C[i] = NAN;
    for (int i = 0; i < M * ldc; i++)
        R[i] = 0.0f;
    rx_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
    naive(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, R, ldc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            assert_true(fabsf(C[i * ldc + j] - R[i * ldc + j]) < 1e-5f);
    free(A);
    free(B);
    free(C);
    free(R);
}

static void test_nn(void **s) { (void)s; check(0, 0); }
static void test_nt(void **s) { (void)s; check(0, 1); }
static void test_tn(void **s) { (void)s; check(1, 0); }
static void test_tt(void **s) { (void)s; check(1, 1); }

static void test_empty(void **state)
{
    (void)state;
    float a[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 4};
    /* M or N zero: nothing happens (and no error from OpenBLAS) */
    rx_sgemm(0, 0, 0, 2, 2, 1.0f, a, 2, a, 2, 0.0f, c, 2);
    rx_sgemm(0, 0, 2, 0, 2, 1.0f, a, 2, a, 0, 0.0f, c, 2);
    assert_true(c[0] == 1 && c[3] == 4);
    /* K zero: C = beta*C */
    rx_sgemm(0, 0, 2, 2, 0, 1.0f, a, 1, a, 2, 2.0f, c, 2);
    assert_true(c[0] == 2 && c[3] == 8);
}

static void test_threads_info(void **state)
{
    (void)state;
    rx_blas_set_threads(1);
    assert_int_equal(rx_blas_get_threads(), 1);
    const char *info = rx_blas_info();
    assert_non_null(info);
    assert_non_null(strstr(info, "core "));
    assert_non_null(strstr(info, "1 threads"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nn),
        cmocka_unit_test(test_nt),
        cmocka_unit_test(test_tn),
        cmocka_unit_test(test_tt),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_threads_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
