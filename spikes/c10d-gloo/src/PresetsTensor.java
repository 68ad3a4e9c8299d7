import org.bytedeco.javacpp.*;
import org.bytedeco.pytorch.*;
import static org.bytedeco.pytorch.global.torch.*;

public class PresetsTensor {
  public static void main(String[] a) {
    long t0 = System.nanoTime();
    String lib = Loader.load(org.bytedeco.pytorch.global.torch.class);
    System.out.printf("Loader.load -> %s (%.0f ms)%n", lib, (System.nanoTime()-t0)/1e6);
    Tensor x = ones(2, 3);                       // float32
    Tensor y = full(new long[]{2, 3}, new Scalar(2.5f));
    Tensor z = x.add(y).mul(new Scalar(2f));     // (1+2.5)*2 = 7
    System.out.println("z.sum() = " + z.sum().item_float() + " (expect 42.0), numel=" + z.numel() + " nbytes=" + z.nbytes());
    System.out.println("threads=" + get_num_threads());
    Util.printMaps("presets-only");
  }
}
