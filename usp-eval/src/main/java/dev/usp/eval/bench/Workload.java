package dev.usp.eval.bench;

/** One benchmarked unit of work (a training step, an encode batch, a sampling step, ...), set up once and repeated. */
interface Workload extends AutoCloseable {

    /** Runs one timed unit. */
    void step();

    /** Items one unit processes (samples, images, or 1), for the throughput column. */
    double itemsPerStep();

    /** The throughput unit, e.g. {@code samples/s}. */
    String unit();

    /** Analytic FLOPs of one unit (0 when not counted). */
    double flopsPerStep();

    /** Frees native memory. */
    @Override
    void close();
}
