import org.bytedeco.javacpp.*;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.*;
import org.bytedeco.pytorch.global.torch;
import static org.bytedeco.pytorch.global.torch.*;

/** args: rank world store(tcp|file) [mib] [iters]. Presets only: TCPStore + ProcessGroupGloo, allreduce/broadcast/barrier. */
public class GlooWorker {
  public static void main(String[] a) throws Exception {
    int rank = Integer.parseInt(a[0]), world = Integer.parseInt(a[1]);
    String storeKind = a.length > 2 ? a[2] : "tcp";
    int mib = a.length > 3 ? Integer.parseInt(a[3]) : 25;
    int iters = a.length > 4 ? Integer.parseInt(a[4]) : 10;
    Loader.load(torch.class);
    ProcessGroupGloo pg = makeGroup(rank, world, storeKind);
    runCollectives(pg, rank, world, mib, iters);
    Util.printMaps("rank" + rank);
  }

  static ProcessGroupGloo makeGroup(int rank, int world, String storeKind) {
    long t0 = System.nanoTime();
    Store store = storeKind.equals("file")
        ? Shim.fileStore("/tmp/spike/filestore", world)
        : Shim.tcpStore("127.0.0.1", 29500, rank == 0, world);
    store.set("hello/" + rank, "from-" + rank);                 // the Store API works from Java
    StringVector keys = new StringVector("hello/0", "hello/1");
    store._wait(keys);
    System.out.println("rank" + rank + " store get hello/" + (1 - rank) + " = " + store.get_to_str("hello/" + (1 - rank)));

    ProcessGroupGloo pg = Shim.glooGroup(store, rank, world, "127.0.0.1");
    System.out.printf("rank%d ProcessGroupGloo up: size=%d rank=%d threads=%d (%.0f ms)%n", rank,
        pg.getSize(), pg.getRank(), pg.getNumThreads(), (System.nanoTime() - t0) / 1e6);
    return pg;
  }

  static void runCollectives(ProcessGroupGloo pg, int rank, int world, int mib, int iters) {
    // allreduce SUM: rank r contributes r+1 everywhere -> sum = world*(world+1)/2
    Tensor t = full(new long[]{4}, new Scalar((float) (rank + 1)));
    AllreduceOptions ar = new AllreduceOptions();
    ar.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
    Shim.collective("allreduce", pg, new TensorVector(t), ar);
    System.out.println("rank" + rank + " allreduce SUM -> " + t.sum().item_float() / 4 + " (expect " + world * (world + 1) / 2.0 + ")");

    // broadcast from root 0
    Tensor b = full(new long[]{3}, new Scalar(rank == 0 ? 7f : -1f));
    BroadcastOptions bo = new BroadcastOptions();
    bo.rootRank(0);
    Shim.collective("broadcast", pg, new TensorVector(b), bo);
    System.out.println("rank" + rank + " broadcast -> " + b.sum().item_float() / 3 + " (expect 7.0)");

    Shim.collective("barrier", pg, null, new BarrierOptions());
    System.out.println("rank" + rank + " barrier ok");

    // timing: allreduce of a mib-MiB float tensor
    long n = mib * 1024L * 1024L / 4;
    Tensor big = ones(n);
    double[] ms = new double[iters];
    Shim.collective("allreduce", pg, new TensorVector(big), ar);               // warm-up
    for (int i = 0; i < iters; i++) {
      Shim.collective("barrier", pg, null, new BarrierOptions());
      long t0 = System.nanoTime();
      Shim.collective("allreduce", pg, new TensorVector(big), ar);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    // after 1+iters allreduces of ones: value = world^(iters+1)
    float v = big.data_ptr_float().get(n - 1);
    System.out.printf("rank%d allreduce %d MiB x%d: median %.1f ms, min %.1f, max %.1f (%.2f GB/s algbw); last=%g expect %g%n",
        rank, mib, iters, Util.median(ms), java.util.Arrays.stream(ms).min().getAsDouble(),
        java.util.Arrays.stream(ms).max().getAsDouble(), mib / 1024.0 / (Util.median(ms) / 1000), v, Math.pow(world, iters + 1));
  }
}
