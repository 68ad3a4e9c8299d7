import java.nio.file.*;
import java.util.*;
import java.util.stream.*;

final class Util {
  /** Distinct mapped files of /proc/self/maps that look like libtorch / c10 / gomp / JNI glue. */
  static List<String> torchMaps() {
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .map(l -> l.split("\\s+"))
          .filter(a -> a.length >= 6)
          .map(a -> a[5])
          .filter(p -> p.matches(".*(torch|c10|gomp|djl|gloo|uspshim|openblas).*"))
          .distinct().collect(Collectors.toList());
    } catch (Exception e) { throw new RuntimeException(e); }
  }
  static void printMaps(String tag) {
    System.out.println("[" + tag + "] /proc/self/maps torch-related files:");
    for (String s : torchMaps()) System.out.println("   " + s);
  }
  static String presetsTorchCpu() {
    // the libtorch_cpu.so that the presets' libjnitorch.so is bound to: the only one mapped (or the JavaCPP one)
    List<String> l = torchMaps().stream().filter(p -> p.endsWith("/libtorch_cpu.so")).collect(Collectors.toList());
    if (l.isEmpty()) throw new IllegalStateException("no libtorch_cpu.so mapped");
    return l.stream().filter(p -> p.contains(".javacpp")).findFirst().orElse(l.get(0));
  }
  static double median(double[] a) { double[] b = a.clone(); Arrays.sort(b); return b.length % 2 == 1 ? b[b.length/2] : (b[b.length/2-1]+b[b.length/2])/2; }
}
