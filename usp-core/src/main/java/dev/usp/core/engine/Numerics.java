package dev.usp.core.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * Makes the engine's arithmetic trustworthy on the machine it runs on, once per process.
 *
 * <p><b>Convolution kernels.</b> libtorch 2.7.1 computes float32 convolutions with oneDNN's JIT
 * kernels. On some AVX-512 CPUs (seen on an AMD EPYC) the input gradient (backward-data) is wrong
 * when oneDNN pads the channel count to its 16-lane block (1, 3, 8 channels; batch >= 2): off by
 * 100-1200%, and varying from run to run, as it reads memory nobody wrote. 16 channels, the
 * forward pass and the weight gradient are right there. {@link ConvKernels} lists the choices;
 * the default pads channels itself ({@link Convolutions}), {@code -Dusp.conv=native} (or
 * {@code USP_CONV=native}) turns oneDNN off through {@link OneDnn}. {@link #selectKernels()}
 * applies the choice; {@link Convolutions} calls it before every convolution.
 *
 * <p><b>Self-check.</b> {@link #ensure()} also runs {@link NumericsSelfCheck}: convolutions
 * (through {@link Convolutions}, so with the kernels in use), linear, attention and layer norm,
 * forward and backward, float32 against float64; a few milliseconds once the engine is warm. If
 * oneDNN kernels fail it, it switches to the native ones, checks again and warns; if the native
 * kernels fail it too, nothing on this machine can be trusted and it throws. Every command calls
 * it when it resolves its devices, and every trainer before its first step.
 *
 * <p><b>Process settings.</b> The first {@link #selectKernels()} also applies {@link EngineSetup}
 * (oneMKL's code path on non-Intel CPUs, glibc's retention of freed tensor memory), which must come
 * before the process's first product.
 */
public final class Numerics {

    /** The system property that selects the convolution kernels ({@code native} or {@code onednn}). */
    public static final String PROPERTY = "usp.conv";
    /** The environment variable read when the property is not set. */
    public static final String ENV = "USP_CONV";

    /** Which kernels compute float32 convolutions on the CPU. */
    public enum ConvKernels {
        /**
         * oneDNN's JIT kernels, with channel counts padded to oneDNN's block by {@link Convolutions}
         * wherever an input gradient is computed (the default): as fast as oneDNN, without the
         * padded-block backward-data kernels that are wrong on some AVX-512 CPUs.
         */
        ONEDNN_PADDED("onednn-padded"),
        /** libtorch's own im2col + BLAS kernels: right on every CPU, about 2x slower for the VAE. */
        NATIVE("native"),
        /** oneDNN as libtorch uses it by default: wrong input gradients on some AVX-512 CPUs. */
        ONEDNN("onednn");

        private final String id;

        ConvKernels(String id) {
            this.id = id;
        }

        /** The name {@value #PROPERTY} takes. */
        public String id() {
            return id;
        }
    }

    /**
     * What {@link #ensure()} found.
     *
     * @param kernels the convolution kernels in use after the check
     * @param worstCase the output or gradient with the largest error
     * @param worstError its relative error against float64
     * @param millis how long the check took
     * @param fellBack true when oneDNN was asked for, failed, and was replaced by the native kernels
     */
    public record Report(ConvKernels kernels, String worstCase, double worstError, double millis, boolean fellBack) {
        /** One line for start-up logs. */
        public String summary() {
            return String.format(Locale.ROOT, "numerics self-check passed in %.0f ms (conv, linear, attention, "
                    + "layer norm fwd+bwd, float32 vs float64; worst %.1e: %s); convolutions: %s%s", millis,
                    worstError, worstCase, kernels.id(),
                    fellBack ? " (oneDNN failed the check on this CPU)" : "");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Numerics.class);

    private static volatile ConvKernels selected;
    private static volatile Report report;

    private Numerics() {
    }

    /** The kernels asked for by {@value #PROPERTY} / {@value #ENV}; {@code onednn-padded} when neither is set. */
    public static ConvKernels requested() {
        String value = System.getProperty(PROPERTY, System.getenv(ENV));
        if (value == null || value.isBlank()) {
            return ConvKernels.ONEDNN_PADDED;
        }
        for (ConvKernels k : ConvKernels.values()) {
            if (k.id().equalsIgnoreCase(value.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("convolution kernels '" + value + "' (from -D" + PROPERTY + " or "
                + ENV + ") are unknown: use onednn-padded (default), native or onednn");
    }

    /**
     * Applies the requested convolution kernels unless already done; cheap after the first call.
     *
     * @return the kernels in use
     */
    public static ConvKernels selectKernels() {
        ConvKernels k = selected;
        if (k == null) {
            synchronized (Numerics.class) {
                if (selected == null) {
                    EngineSetup.apply();
                    use(requested());
                }
                k = selected;
            }
        }
        return k;
    }

    /**
     * Selects the kernels and runs the self-check, once per process.
     *
     * @return what the check found
     * @throws IllegalStateException when float32 results are wrong even with the native kernels
     */
    public static synchronized Report ensure() {
        if (report != null) {
            return report;
        }
        selectKernels();
        long start = System.nanoTime();
        List<NumericsSelfCheck.Error> errors = NumericsSelfCheck.run();
        boolean fellBack = false;
        if (errors.get(0).failed() && selected != ConvKernels.NATIVE) {
            LOG.warn("{} convolutions fail the numerics self-check on this CPU ({}: relative error {}); "
                    + "switching to libtorch's native convolution kernels", selected.id(), errors.get(0).what(),
                    errors.get(0).relative());
            use(ConvKernels.NATIVE);
            errors = NumericsSelfCheck.run();
            fellBack = true;
        }
        NumericsSelfCheck.Error worst = errors.get(0);
        if (worst.failed()) {
            throw new IllegalStateException(String.format(Locale.ROOT, "numerics self-check failed on this CPU: "
                    + "%s is off by %.3g relative to float64 (tolerance %.0e) with %s convolution kernels; "
                    + "refusing to compute with this engine. Please report the CPU (lscpu) and libtorch version.",
                    worst.what(), worst.relative(), NumericsSelfCheck.TOLERANCE,
                    selected.id()));
        }
        report = new Report(selected, worst.what(), worst.relative(), (System.nanoTime() - start) / 1e6, fellBack);
        LOG.info(report.summary());
        return report;
    }

    /** Switches the kernels now (tests compare them; the self-check falls back with it). */
    static synchronized void use(ConvKernels kernels) {
        OneDnn.setEnabled(kernels != ConvKernels.NATIVE);
        selected = kernels;
    }
}
