package dev.usp.models.generation;

import java.util.TreeSet;

/** ADM's {@code space_timesteps}: which steps of the original process a respaced sampler keeps. */
public final class Respacing {

    private Respacing() {
    }

    /**
     * The kept timesteps, sorted ascending.
     *
     * @param numTimesteps steps of the original process (1000 for DiT)
     * @param sectionCounts comma-separated step counts per equal section ({@code "250"},
     *     {@code "10,15,20"}), {@code "ddimN"} for DDIM's fixed integer stride, or empty for all
     * @throws IllegalArgumentException when the request cannot be met
     */
    public static int[] spaceTimesteps(int numTimesteps, String sectionCounts) {
        TreeSet<Integer> steps = new TreeSet<>();
        String spec = sectionCounts == null ? "" : sectionCounts.trim();
        if (spec.isEmpty()) {
            spec = Integer.toString(numTimesteps);
        }
        if (spec.startsWith("ddim")) {
            int desired = Integer.parseInt(spec.substring(4));
            for (int stride = 1; stride < numTimesteps; stride++) {
                if ((numTimesteps + stride - 1) / stride == desired) {
                    for (int s = 0; s < numTimesteps; s += stride) {
                        steps.add(s);
                    }
                    return toArray(steps);
                }
            }
            throw new IllegalArgumentException(
                    "cannot create exactly " + desired + " steps from " + numTimesteps + " with an integer stride");
        }
        String[] parts = spec.split(",");
        int sizePer = numTimesteps / parts.length;
        int extra = numTimesteps % parts.length;
        int start = 0;
        for (int i = 0; i < parts.length; i++) {
            int count = Integer.parseInt(parts[i].trim());
            int size = sizePer + (i < extra ? 1 : 0);
            if (size < count) {
                throw new IllegalArgumentException(
                        "cannot divide section of " + size + " steps into " + count + " (spec '" + sectionCounts + "')");
            }
            double stride = count <= 1 ? 1 : (size - 1) / (double) (count - 1);
            double cur = 0.0;
            for (int k = 0; k < count; k++) {
                steps.add(start + (int) Math.rint(cur));
                cur += stride;
            }
            start += size;
        }
        return toArray(steps);
    }

    private static int[] toArray(TreeSet<Integer> steps) {
        return steps.stream().mapToInt(Integer::intValue).toArray();
    }
}
