import org.bytedeco.javacpp.*;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.*;
import org.bytedeco.pytorch.global.torch;

/** world=1 probe: is the ProcessGroupGloo alive right after construction? prints vptr/refcount words. */
public class PgProbe {
  static String words(Pointer p) { LongPointer l = new LongPointer(p); return String.format("vptr=%x refcounts=%x", l.get(0), l.get(1)); }
  public static void main(String[] a) {
    Loader.load(torch.class);
    Store store = Shim.tcpStore("127.0.0.1", 29510, true, 1);
    System.out.println("store: " + words(store));
    ProcessGroupGloo.Options opts = new ProcessGroupGloo.Options(new Milliseconds(60_000));
    System.out.println("opts: " + words(opts) + " threads=" + opts.threads());
    opts.devices().push_back(ProcessGroupGloo.createDeviceForHostname("127.0.0.1"));
    ProcessGroupGloo pg = a.length > 0 ? new ProcessGroupGloo(store, 0, 1) : new ProcessGroupGloo(store, 0, 1, opts);
    System.out.println("pg: " + words(pg) + " address=" + Long.toHexString(pg.address()));
    System.out.println("store after: " + words(store));
  }
}
