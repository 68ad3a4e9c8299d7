import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import org.bytedeco.javacpp.*;
import org.bytedeco.pytorch.*;
import org.bytedeco.pytorch.global.torch;
import java.nio.*;

/** Does NDArray.set(directBuffer) copy or alias? What do the copies cost for 25 MiB? (single process, shared libtorch) */
public class AliasTest {
  public static void main(String[] a) {
    NDManager m = NDManager.newBaseManager();
    Loader.load(torch.class);
    long n = 25L * 1024 * 1024 / 4;
    NDArray g = m.full(new Shape(n), 1f);
    Tensor dst = torch.full(new long[]{n}, new Scalar(5f));
    ByteBuffer back = new BytePointer(dst.data_ptr()).capacity(n * 4).asByteBuffer().order(ByteOrder.nativeOrder());
    g.set(back);
    dst.fill_(new Scalar(9f));
    System.out.println("after set + fill_(9) on the presets tensor, DJL sees " + g.getFloat(0) + " (5 = copied, 9 = aliased)");
    NDArray fresh = m.full(new Shape(n), 3f);   // not aliased with dst
    for (int rep = 0; rep < 3; rep++) {
      long u0 = System.nanoTime();
      Pointer.memcpy(new BytePointer(dst.data_ptr()), new BytePointer(fresh.toByteBuffer(true)), n * 4);
      long u1 = System.nanoTime();
      System.out.printf("memcpy 25 MiB DJL->presets (distinct buffers) %.2f ms%n", (u1 - u0) / 1e6);
    }
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime(); g.set(back); long t1 = System.nanoTime();
      ByteBuffer h = g.toByteBuffer(false); long t2 = System.nanoTime();
      ByteBuffer d = g.toByteBuffer(true); long t3 = System.nanoTime();
      Pointer.memcpy(new BytePointer(dst.data_ptr()), new BytePointer(d), n * 4); long t4 = System.nanoTime();
      System.out.printf("set(direct) %.2f ms | toByteBuffer(false) %.2f ms | toByteBuffer(true) %.3f ms | memcpy %.2f ms%n",
          (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6, (t4-t3)/1e6);
    }
    // zero-copy handle sharing: DJL PtNDArray handle is a torch::Tensor* in the same libtorch -> presets Tensor view
    long handle = ((ai.djl.pytorch.engine.PtNDArray) g).getHandle();
    Tensor same = new Tensor(new Pointer() {{ address = handle; }});
    float before = g.getFloat(0);
    same.mul_(new Scalar(2f));
    System.out.println("presets Tensor over DJL handle: numel=" + same.numel() + ", after mul_(2) DJL sees " + g.getFloat(0) + " (before " + before + ", expect " + 2 * before + ")");
  }
}
