/**
 * NumPy's {@code .npy} and {@code .npz} files, as the ADM evaluator and {@code np.savez} write
 * them: {@link dev.usp.eval.io.NpzFile} reads every dtype numpy writes (either byte order, C or
 * Fortran order, format versions 1-3, stored or deflated entries), {@link dev.usp.eval.io.NpyBatches}
 * streams arrays too large to hold (50,000 images), and {@link dev.usp.eval.io.NpzWriter} writes
 * them bit-compatibly with numpy, with fixed entry dates so that equal arrays give equal files.
 *
 * <p>Hand-written on purpose: the format is a small header (a Python dict literal) before raw data
 * inside a zip, which {@code java.util.zip} already handles, and the Java readers on Maven Central
 * either bring a native linear-algebra stack with them (ND4J's {@code Nd4j.createFromNpyFile}) or
 * do not stream. The reader is fuzzed in the build ({@code NpzFuzzTest}: only a complete read or
 * an error naming the file may come out), and its byte-level compatibility is tested against
 * numpy-written fixtures. Reading an array whole checks its header against its entry's declared
 * size and a deflated entry against the weight readers' inflation limit first.
 */
package dev.usp.eval.io;
