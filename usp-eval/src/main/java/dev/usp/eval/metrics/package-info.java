/**
 * Generative-model metrics as the ADM evaluator computes them: FD/FID and sFID
 * ({@link dev.usp.eval.metrics.FidStatistics}, {@link dev.usp.eval.metrics.FrechetDistance}),
 * Inception Score ({@link dev.usp.eval.metrics.InceptionScore}) and improved precision/recall
 * ({@link dev.usp.eval.metrics.PrecisionRecall}), in double precision on float32 features, each
 * checked against numpy/scipy fixtures ({@code MetricsParityTest}).
 *
 * <p>Dense linear algebra goes through {@link dev.usp.eval.metrics.Linalg}. The Frechet
 * distance's large products (the covariance's {@code x^T x} over all features, {@code A^T s2 A})
 * are float64 matrix products in libtorch on the CPU, through DJL: its BLAS ran them several times
 * faster than EJML (bench/ANALYSIS.md, row fd-10k), at the price of bits that may differ between
 * CPUs in the last places (~1e-14 relative on FD). The rest is EJML (pure Java): symmetric
 * eigenvalues (Householder tridiagonalisation, implicit QR), which DJL does not expose, and the
 * products of precision/recall and kNN in its cache-blocked block format. ND4J's OpenBLAS, used
 * before, returned wrong LAPACK results on AVX-512 CPUs and weighed ~100 MB; libtorch's BLAS is
 * the one the networks already run on, not a second native runtime.
 *
 * <p>Hand-written, and why:
 * <ul>
 *   <li>the trace of the matrix square root: scipy's {@code sqrtm} works on the non-symmetric
 *       {@code s1 s2} through a complex Schur form, which EJML does not offer; the trace is instead
 *       the sum of square roots of the eigenvalues of the symmetric {@code A^T s2 A} with
 *       {@code s1 = A A^T} ({@link dev.usp.eval.metrics.FrechetDistance}), which is exact for
 *       singular covariances too;</li>
 *   <li>{@code PivotedCholesky}: EJML has no rank-revealing Cholesky (its
 *       Cholesky fails on a singular matrix), and covariances of fewer vectors than dimensions, or
 *       with a constant feature, are singular;</li>
 *   <li>Inception Score and the k-th nearest distance ({@code Select},
 *       as {@code np.partition}): loops too simple to need a library.</li>
 * </ul>
 */
package dev.usp.eval.metrics;
