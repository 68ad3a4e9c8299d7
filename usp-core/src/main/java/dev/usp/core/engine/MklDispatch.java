package dev.usp.core.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which code path oneMKL takes for libtorch's float32 matrix products (every {@code Linear},
 * {@code matmul}, attention projection) on a CPU that is not Intel's.
 *
 * <p>libtorch 2.7.1 for Linux links oneMKL 2024 statically. oneMKL picks its kernels by CPU vendor
 * before instruction set: on an AMD CPU it takes a generic path (code path 0) whatever the CPU
 * supports. On this project's AMD EPYC (Zen 4, AVX-512) a 2048^3 SGEMM on one thread then runs at
 * 65-87 GFLOP/s; on the path MKL takes for an Intel CPU with the same instruction sets (code path 7,
 * AVX-512) at 96-105, as fast as OpenBLAS in PyTorch from Debian (scripts/bench.sh's matmul row).
 *
 * <p>MKL decides once per process, in {@code mkl_serv_cpu_detect}, from the cached answer of
 * {@code mkl_serv_intel_cpu_true} (a vendor-string check). With {@value #PROPERTY} (or
 * {@value #ENV}) = {@code features}, the default, this class sets that cached answer to "Intel" before
 * MKL's first detection, so that MKL chooses among its kernels by the instruction sets the CPU
 * reports (cpuid), as it does on Intel CPUs; {@code vendor} leaves MKL as shipped. Either way MKL's
 * choice is made once and never changed afterwards: when MKL has already detected the CPU (something
 * ran a product before the first call here) this class changes nothing and says so, because
 * switching paths mid-run gave a mixed state at a third of the speed. Both paths are float32 products
 * exact to rounding (the numerics self-check and every parity test pass on both); their last bits
 * differ, so a run's numbers depend on the choice and are reproducible under either.
 *
 * <p>The cached answer and MKL's CPU type are {@code static} variables of libtorch_cpu without
 * exported names. They are found from the first instruction of the two exported functions that read
 * them (a RIP-relative load), which is checked byte by byte; any other code refuses with a message
 * naming the function, and MKL stays as shipped. Applies to Linux x86-64 with libtorch
 * {@value NativeShims#TORCH_VERSION} only; on Intel CPUs there is nothing to do.
 */
public final class MklDispatch {

    /** The system property that chooses MKL's dispatch ({@code features} or {@code vendor}). */
    public static final String PROPERTY = "usp.mkl";
    /** The environment variable read when the property is not set. */
    public static final String ENV = "USP_MKL";

    /** What was done, once per process. */
    public enum Outcome {
        /** MKL chooses by instruction set: this class set the vendor answer before MKL's detection. */
        FEATURES,
        /** An Intel CPU: MKL chooses by instruction set anyway. */
        INTEL,
        /** {@code vendor} was asked for: MKL as shipped. */
        VENDOR,
        /** MKL had detected the CPU before this class ran: its choice stands. */
        TOO_LATE,
        /** Not Linux x86-64 with libtorch 2.7.1's MKL, or its code is not the one checked: MKL as shipped. */
        UNAVAILABLE;

        /** The name in logs and benchmark reports, e.g. {@code too-late}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What {@link #apply()} found.
     *
     * @param outcome what was done
     * @param codePath MKL's CPU type after the decision (-1 when unknown or not detected yet)
     * @param detail why, for the log
     */
    public record Report(Outcome outcome, int codePath, String detail) {
        /** One line for start-up logs and benchmark reports. */
        public String summary() {
            return String.format(Locale.ROOT, "MKL code path %d (%s: %s)", codePath, outcome.id(), detail);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MklDispatch.class);
    private static final String INTEL_CPU_TRUE = "mkl_serv_intel_cpu_true";
    private static final String CPU_DETECT = "mkl_serv_cpu_detect";
    // mov eax, [rip + d32] (6 bytes); test eax, eax; js
    private static final int[] INTEL_CPU_TRUE_CODE = {0x8b, 0x05, -1, -1, -1, -1, 0x85, 0xc0, 0x78};
    private static final int INTEL_CPU_TRUE_LOAD = 6;
    // cmp dword [rip + d32], 0 (7 bytes); js
    private static final int[] CPU_DETECT_CODE = {0x83, 0x3d, -1, -1, -1, -1, 0x00, 0x78};
    private static final int CPU_DETECT_LOAD = 7;

    private static final Once<Report> REPORT = new Once<>(() -> {
        Report r = decide();
        LOG.info("{}", r.summary());
        return r;
    });

    private MklDispatch() {
    }

    /**
     * Applies {@value #PROPERTY} unless done already in this process; cheap after the first call.
     * Call it before the first matrix product (the commands, trainers and {@link Numerics} do).
     *
     * @return what was done
     * @throws IllegalArgumentException if {@value #PROPERTY} has an unknown value
     */
    public static Report apply() {
        return REPORT.get();
    }

    private static Report decide() {
        String value = System.getProperty(PROPERTY, System.getenv(ENV));
        String choice = value == null || value.isBlank() ? "features" : value.trim().toLowerCase(Locale.ROOT);
        if (!choice.equals("features") && !choice.equals("vendor")) {
            throw new IllegalArgumentException("MKL dispatch '" + value + "' (from -D" + PROPERTY + " or " + ENV
                    + ") is unknown: use features (default) or vendor");
        }
        NativeLibrary lib;
        Pointer cached;
        Pointer cpuType;
        try {
            NativeShims.requireSupportedLibtorch("the MKL dispatch setting");
            lib = NativeLibrary.getInstance(NativeShims.loadedLibrary("libtorch_cpu.so").toString());
            cached = staticOf(lib, INTEL_CPU_TRUE, INTEL_CPU_TRUE_CODE, INTEL_CPU_TRUE_LOAD);
            cpuType = staticOf(lib, CPU_DETECT, CPU_DETECT_CODE, CPU_DETECT_LOAD);
        } catch (IllegalStateException e) {
            return new Report(Outcome.UNAVAILABLE, -1, e.getMessage());
        }
        int detected = cpuType.getInt(0);
        if (choice.equals("vendor")) {
            return new Report(Outcome.VENDOR, detected, "as shipped, asked by " + PROPERTY + "=vendor");
        }
        String vendor = vendor();
        if ("GenuineIntel".equals(vendor)) {
            return new Report(Outcome.INTEL, detected, "an Intel CPU");
        }
        if (detected >= 0 || cached.getInt(0) >= 0) {
            return new Report(Outcome.TOO_LATE, detected, "MKL had detected the CPU before this process called "
                    + "MklDispatch.apply(); its choice stands (call it, or Numerics.selectKernels(), first)");
        }
        cached.setInt(0, 1);
        return new Report(Outcome.FEATURES, detect(lib), "chosen by instruction set, CPU vendor " + vendor);
    }

    /**
     * The address of the static variable that {@code function}'s first instruction loads RIP-relative,
     * after checking the instruction bytes against {@code code} (-1: the 32-bit displacement at byte 2)
     * and {@code length}, the load's length, from whose end the displacement counts.
     */
    private static Pointer staticOf(NativeLibrary lib, String function, int[] code, int length) {
        Function f;
        try {
            f = lib.getFunction(function);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException(lib.getName() + " has no " + function + " (not the oneMKL of libtorch "
                    + NativeShims.TORCH_VERSION + ")", e);
        }
        for (int i = 0; i < code.length; i++) {
            if (code[i] >= 0 && (f.getByte(i) & 0xff) != code[i]) {
                throw new IllegalStateException(function + " in " + lib.getName() + " does not start with the "
                        + "instructions checked for libtorch " + NativeShims.TORCH_VERSION + " (byte " + i + ")");
            }
        }
        return new Pointer(Pointer.nativeValue(f) + length + f.getInt(2));
    }

    private static int detect(NativeLibrary lib) {
        return lib.getFunction(CPU_DETECT).invokeInt(new Object[0]);
    }

    /** The CPU's vendor string from /proc/cpuinfo ({@code GenuineIntel}, {@code AuthenticAMD}, ...). */
    static String vendor() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII).stream()
                    .filter(line -> line.startsWith("vendor_id"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
