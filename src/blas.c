/*
 * blas.c: the one wrapper over OpenBLAS.  The only file that includes
 * <cblas.h> (which also drags in <complex.h> and its macro I).
 */
#include "rx_blas.h"

#include <stdio.h>
#include <cblas.h>

/* Row-major C = alpha*op(A)*op(B) + beta*C.  Empty products return early:
 * OpenBLAS rejects lda < 1 even when nothing would be read, and with
 * K == 0 the product is just C *= beta, which cblas handles. */
void rx_sgemm(int ta, int tb, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A,
                lda > 0 ? lda : 1, B, ldb > 0 ? ldb : 1, beta, C, ldc);
}

void rx_blas_set_threads(int n)
{
    openblas_set_num_threads(n > 0 ? n : 1);
}

int rx_blas_get_threads(void)
{
    return openblas_get_num_threads();
}

const char *rx_blas_info(void)
{
    static char buf[256];
    const char *cfg = openblas_get_config();
    const char *core = openblas_get_corename();
    snprintf(buf, sizeof buf, "%s (core %s, %d threads)",
             cfg ? cfg : "OpenBLAS", core ? core : "unknown",
             openblas_get_num_threads());
    return buf;
}

const char *rx_blas_config(void)
{
    const char *s = openblas_get_config();
    return s ? s : "";
}

const char *rx_blas_corename(void)
{
    const char *s = openblas_get_corename();
    return s ? s : "";
}
