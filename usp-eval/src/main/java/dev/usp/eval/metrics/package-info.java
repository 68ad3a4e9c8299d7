/**
 * Generative-model metrics as the ADM evaluator computes them: FD/FID and sFID
 * ({@link dev.usp.eval.metrics.FidStatistics}, {@link dev.usp.eval.metrics.FrechetDistance}),
 * Inception Score ({@link dev.usp.eval.metrics.InceptionScore}) and improved precision/recall
 * ({@link dev.usp.eval.metrics.PrecisionRecall}), in double precision on float32 features, each
 * checked against numpy/scipy fixtures ({@code MetricsParityTest}).
 *
 * <p>Dense linear algebra is EJML's (pure Java, through {@link dev.usp.eval.metrics.Linalg}):
 * matrix products in its cache-blocked block format, and symmetric eigenvalues (Householder
 * tridiagonalisation, implicit QR). Pure Java gives the same bits on every CPU and brings no
 * second native BLAS or OpenMP runtime beside libtorch's; ND4J's OpenBLAS, used before, returned
 * wrong LAPACK results on AVX-512 CPUs and weighed ~100 MB. The price is speed: EJML's kernels
 * reach a few GFLOP/s on one core, several times below an optimised BLAS (see bench/ANALYSIS.md,
 * row fd-10k).
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
 *   <li>the symmetric products {@code x^T x} and {@code A^T s2 A}
 *       ({@code Linalg.multPlusTransALower}): EJML's block kernels on the blocks on and below the
 *       diagonal only, half the work of its general product;</li>
 *   <li>means, Inception Score and the k-th nearest distance ({@code Select},
 *       as {@code np.partition}): loops too simple to need a library.</li>
 * </ul>
 */
package dev.usp.eval.metrics;
