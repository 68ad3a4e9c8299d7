import ai.djl.engine.Engine;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import org.bytedeco.javacpp.*;
import org.bytedeco.pytorch.*;
import org.bytedeco.pytorch.global.torch;
import java.nio.*;
import java.util.*;

/** args: rank world order(djl-first|presets-first) [mib] [iters]. DJL + presets in one JVM, Gloo allreduce, zero-copy / host-copy costs. */
public class Coexist {
  static NDManager mgr;

  static void djlUse(String tag) {
    if (mgr == null) {
      Engine e = Engine.getEngine("PyTorch");
      System.out.println("DJL engine " + e.getEngineName() + " " + e.getVersion());
      mgr = NDManager.newBaseManager();
    }
    try (NDManager m = mgr.newSubManager()) {
      NDArray x = m.arange(0f, 1000f).reshape(10, 100);
      NDArray y = x.matMul(x.transpose()).sum();             // sum over (x x^T)
      NDArray g = m.randomNormal(new Shape(64, 64));
      float s = y.getFloat();
      System.out.printf("[%s] DJL ok: sum(x x^T)=%.6g (expect %.6g), randn mean=%.3f%n", tag, s, expectXXt(), g.mean().getFloat());
    }
  }
  static double expectXXt() { double tot = 0; double[] col = new double[100]; for (int i = 0; i < 10; i++) for (int j = 0; j < 100; j++) col[j] += i * 100 + j; for (double c : col) tot += c * c; return tot; }

  static void presetsUse(String tag) {
    Loader.load(torch.class);
    Tensor z = torch.ones(2, 3).add(torch.full(new long[]{2, 3}, new Scalar(2.5f))).mul(new Scalar(2f));
    System.out.printf("[%s] presets ok: sum=%s (expect 42.0)%n", tag, z.sum().item_float());
  }

  public static void main(String[] a) throws Exception {
    int rank = Integer.parseInt(a[0]), world = Integer.parseInt(a[1]);
    String order = a[2];
    int mib = a.length > 3 ? Integer.parseInt(a[3]) : 25, iters = a.length > 4 ? Integer.parseInt(a[4]) : 10;
    if (order.startsWith("djl-first")) { djlUse("1-djl"); Util.printMaps("after DJL"); presetsUse("2-presets"); }
    else { presetsUse("1-presets"); Util.printMaps("after presets"); djlUse("2-djl"); }
    Util.printMaps("both loaded");

    ProcessGroupGloo pg = GlooWorker.makeGroup(rank, world, "tcp");
    GlooWorker.runCollectives(pg, rank, world, 4, 3);
    djlUse("3-djl-after-gloo");
    presetsUse("3-presets-after-djl");

    // ---- step 4: DJL NDArray <-> presets tensor for a mib-MiB bucket
    long n = mib * 1024L * 1024L / 4;
    AllreduceOptions ar = new AllreduceOptions();
    ar.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
    try (NDManager m = mgr.newSubManager()) {
      NDArray grad = m.full(new Shape(n), rank + 1f);        // stands for a gradient bucket owned by DJL

      // (a) zero copy: DJL direct ByteBuffer over the tensor memory -> presets from_blob -> in-place allreduce
      double[] tz = new double[iters], tzAll = new double[iters];
      for (int i = 0; i < iters; i++) {
        grad.set(fill(n, rank + 1f));
        Shim.collective("barrier", pg, null, new BarrierOptions());
        long t0 = System.nanoTime();
        ByteBuffer bb = grad.toByteBuffer(true);               // PyTorchLibrary.torchDirectByteBuffer: aliases data_ptr
        Tensor view = torch.from_blob(new BytePointer(bb), new long[]{n}, new TensorOptions(torch.ScalarType.Float));
        long t1 = System.nanoTime();
        Shim.collective("allreduce", pg, new TensorVector(view), ar);
        long t2 = System.nanoTime();
        tz[i] = (t1 - t0) / 1e6; tzAll[i] = (t2 - t0) / 1e6;
        if (i == 0) System.out.printf("rank%d zero-copy: direct=%b same address=%b, DJL sees %.1f (expect %.1f)%n", rank, bb.isDirect(),
            new BytePointer(bb).address() == new BytePointer(grad.toByteBuffer(true)).address(), grad.getFloat(n - 1), world * (world + 1) / 2.0);
      }
      System.out.printf("rank%d ZERO-COPY bucket %d MiB: wrap %.3f ms, wrap+allreduce median %.1f ms%n", rank, mib, Util.median(tz), Util.median(tzAll));

      // (b) host copy: NDArray -> heap copy (toByteBuffer(false)) -> presets tensor (copy) -> allreduce -> back via NDArray.set
      double[] c1 = new double[iters], c2 = new double[iters], c3 = new double[iters], call = new double[iters];
      Tensor dst = torch.empty(n);
      FloatPointer dstF = new FloatPointer(dst.data_ptr()); dstF.capacity(n);
      for (int i = 0; i < iters; i++) {
        grad.set(fill(n, rank + 1f));
        Shim.collective("barrier", pg, null, new BarrierOptions());
        long t0 = System.nanoTime();
        ByteBuffer host = grad.toByteBuffer(false);            // copy 1: libtorch -> Java heap byte[]
        FloatBuffer fb = host.asFloatBuffer();
        dstF.position(0).put(toArray(fb, n));                  // copy 2 (+ array copy): heap -> presets tensor
        long t1 = System.nanoTime();
        Shim.collective("allreduce", pg, new TensorVector(dst), ar);
        long t2 = System.nanoTime();
        ByteBuffer back = new BytePointer(dst.data_ptr()).capacity(n * 4).asByteBuffer().order(ByteOrder.nativeOrder());   // direct view of presets memory
        grad.set(back);                                        // copy 3: presets -> DJL tensor (torchSet)
        long t3 = System.nanoTime();
        c1[i] = (t1 - t0) / 1e6; c2[i] = (t2 - t1) / 1e6; c3[i] = (t3 - t2) / 1e6; call[i] = (t3 - t0) / 1e6;
        if (i == 0) System.out.printf("rank%d host-copy result %.1f (expect %.1f)%n", rank, grad.getFloat(n - 1), world * (world + 1) / 2.0);
      }
      System.out.printf("rank%d HOST-COPY bucket %d MiB: in %.1f ms, allreduce %.1f ms, out %.1f ms, total median %.1f ms%n",
          rank, mib, Util.median(c1), Util.median(c2), Util.median(c3), Util.median(call));

      // (c) lean host copy: direct DJL buffer -> memcpy into a presets tensor and back (2 memcpy, no Java heap)
      double[] d1 = new double[iters], dAll = new double[iters];
      for (int i = 0; i < iters; i++) {
        grad.set(fill(n, rank + 1f));
        Shim.collective("barrier", pg, null, new BarrierOptions());
        long t0 = System.nanoTime();
        BytePointer src = new BytePointer(grad.toByteBuffer(true));
        BytePointer dp = new BytePointer(dst.data_ptr());
        Pointer.memcpy(dp, src, n * 4);
        long t1 = System.nanoTime();
        Shim.collective("allreduce", pg, new TensorVector(dst), ar);
        long t2 = System.nanoTime();
        Pointer.memcpy(src, dp, n * 4);
        long t3 = System.nanoTime();
        d1[i] = ((t1 - t0) + (t3 - t2)) / 1e6; dAll[i] = (t3 - t0) / 1e6;
        if (i == 0) System.out.printf("rank%d memcpy result %.1f (expect %.1f)%n", rank, grad.getFloat(n - 1), world * (world + 1) / 2.0);
      }
      System.out.printf("rank%d MEMCPY bucket %d MiB: 2x memcpy %.1f ms, total median %.1f ms%n", rank, mib, Util.median(d1), Util.median(dAll));
    }
    // (d) zero copy via the handle: a DJL PtNDArray handle is a torch::Tensor* -> presets Tensor (only with ONE shared libtorch)
    if (Util.torchMaps().stream().noneMatch(p -> p.contains(".javacpp") && p.endsWith("libtorch_cpu.so"))) {
      try (NDManager m = mgr.newSubManager()) {
        NDArray grad = m.full(new Shape(n), rank + 1f);
        double[] th = new double[iters];
        for (int i = 0; i < iters; i++) {
          grad.set(fill(n, rank + 1f));
          Shim.collective("barrier", pg, null, new BarrierOptions());
          long t0 = System.nanoTime();
          long h = ((ai.djl.pytorch.engine.PtNDArray) grad).getHandle();
          Tensor same = new Tensor(new Pointer() {{ address = h; }});
          Shim.collective("allreduce", pg, new TensorVector(same), ar);
          th[i] = (System.nanoTime() - t0) / 1e6;
          if (i == 0) System.out.printf("rank%d handle-share result %.1f (expect %.1f)%n", rank, grad.getFloat(n - 1), world * (world + 1) / 2.0);
        }
        System.out.printf("rank%d HANDLE-SHARE bucket %d MiB: allreduce median %.1f ms%n", rank, mib, Util.median(th));
      }
    }
    djlUse("4-djl-end");
    Util.printMaps("end");
    System.out.println("rank" + rank + " DONE");
  }
  static float[] fill(long n, float v) { float[] f = new float[(int) n]; Arrays.fill(f, v); return f; }
  static float[] toArray(FloatBuffer fb, long n) { float[] f = new float[(int) n]; fb.get(f); return f; }
}
