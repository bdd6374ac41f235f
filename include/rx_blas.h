/*
 * rx_blas.h: the one wrapper over OpenBLAS.  Every matrix product in
 * rexsweep goes through rx_sgemm; only blas.c includes <cblas.h>.
 */
#ifndef RX_BLAS_H
#define RX_BLAS_H

/* C = alpha * op(A) * op(B) + beta * C, row-major.
 * op(A) is (M,K), op(B) is (K,N), C is (M,N); ta/tb nonzero transpose.
 * lda/ldb/ldc are the row strides of A, B, C as stored (A stored (K,M)
 * when ta).  beta == 0 overwrites C without reading it (NaNs in C are not
 * propagated), so callers use it instead of zeroing.  M or N <= 0 does
 * nothing; K == 0 scales C by beta. */
void rx_sgemm(int ta, int tb, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);

/* Sets OpenBLAS's thread count (1 gives bit-identical results; n <= 0
 * means 1).  Process-wide. */
void rx_blas_set_threads(int n);
int rx_blas_get_threads(void);
/* OpenBLAS's description of its build, kernel and thread count (for
 * benchmarks).  Points to a static buffer overwritten by the next call. */
const char *rx_blas_info(void);
/* For provenance: OpenBLAS's build string (openblas_get_config, e.g.
 * "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64") and
 * the kernel it chose for this CPU (openblas_get_corename).  Static
 * strings owned by OpenBLAS; "" when it does not say. */
const char *rx_blas_config(void);
const char *rx_blas_corename(void);

#endif
