package dev.usp.app.bench;

/** One benchmarked unit of work (a training step, an encode batch, a sampling step, ...), set up once and repeated. */
interface Workload extends AutoCloseable {

    /** Runs one timed unit. */
    void step();

    /** Items one unit processes (samples, images; 1 by default), for the throughput column. */
    default double itemsPerStep() {
        return 1;
    }

    /** The throughput unit, e.g. {@code samples/s}. */
    String unit();

    /** Analytic FLOPs of one unit (0, the default, when not counted). */
    default double flopsPerStep() {
        return 0;
    }

    /** Frees native memory. */
    @Override
    void close();
}
