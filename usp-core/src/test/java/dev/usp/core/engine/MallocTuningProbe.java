package dev.usp.core.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/**
 * Run by {@link MallocTuningTest} in a fresh JVM: applies {@link MallocTuning}, fills
 * {@value #TENSORS} tensors of {@value #MIB} MiB, and prints how many bytes glibc holds in
 * mappings of their own ({@code mallinfo2().hblkhd}) while they are alive.
 */
public final class MallocTuningProbe {

    static final int TENSORS = 3;
    static final int MIB = 40;

    private MallocTuningProbe() {
    }

    /** glibc's {@code struct mallinfo2} (glibc 2.33+). */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    public static final class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    /** libc, for {@code mallinfo2}. */
    public interface LibC extends com.sun.jna.Library {
        /** The allocator's statistics. */
        MallInfo2 mallinfo2();
    }

    /** Prints "applied=... mmapped=BYTES". */
    public static void main(String[] args) {
        String applied = MallocTuning.apply();
        LibC libc = Native.load("c", LibC.class);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < TENSORS; i++) {
                m.ones(new Shape((long) MIB << 18), DataType.FLOAT32);   // owned by m, alive until it closes
            }
            System.out.println("applied=" + applied + " mmapped=" + libc.mallinfo2().hblkhd);
        }
    }
}
