package dev.usp.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the {@code --device} option ({@code cpu}, {@code gpu}, {@code gpu:1}, {@code gpu:0,1})
 * and checks it against the devices the engine sees.
 */
public final class Devices {

    private Devices() {
    }

    /**
     * The devices named by {@code spec}.
     *
     * @throws IllegalArgumentException for an unknown form, or a GPU the engine does not see
     */
    public static List<Device> parse(String spec) {
        String s = spec == null ? "cpu" : spec.trim().toLowerCase(java.util.Locale.ROOT);
        List<Device> out = new ArrayList<>();
        if (s.equals("cpu")) {
            out.add(Device.cpu());
            return out;
        }
        if (!s.startsWith("gpu")) {
            throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, gpu, gpu:N or gpu:N,M,...");
        }
        int available = Engine.getInstance().getGpuCount();
        if (s.equals("gpu")) {
            requireGpus(spec, 0, available);
            out.add(Device.gpu(0));
            return out;
        }
        if (s.charAt(3) != ':') {
            throw new IllegalArgumentException("unknown device '" + spec + "': use cpu, gpu, gpu:N or gpu:N,M,...");
        }
        for (String part : s.substring(4).split(",")) {
            int id;
            try {
                id = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad GPU index '" + part + "' in device '" + spec + "'");
            }
            requireGpus(spec, id, available);
            out.add(Device.gpu(id));
        }
        return out;
    }

    private static void requireGpus(String spec, int id, int available) {
        if (id < 0 || id >= available) {
            throw new IllegalArgumentException("device '" + spec + "' asks for GPU " + id + " but the engine sees "
                    + available + " GPU(s); see README 'Running on GPUs'");
        }
    }

    /** One line describing the engine, its version, the devices and the thread counts, for start-up logs. */
    public static String describe(List<Device> devices) {
        Engine e = Engine.getInstance();
        return "engine " + e.getEngineName() + " " + e.getVersion()
                + ", devices " + devices
                + ", GPUs visible " + e.getGpuCount()
                + ", JVM processors " + Runtime.getRuntime().availableProcessors()
                + ", OMP_NUM_THREADS " + System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
    }
}
