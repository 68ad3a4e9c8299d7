import com.sun.jna.*;

/** JNA view of shim/libuspshim.so (constructs c10d::TCPStore / FileStore in the presets' libtorch_cpu.so). */
public interface Shim extends Library {
  Shim INSTANCE = Native.load("/tmp/spike/shim/libuspshim.so", Shim.class);
  Pointer usp_tcpstore_new(String lib, String host, int port, int isServer, int numWorkers, long timeoutMs, int useLibUV, byte[] err, int errlen);
  Pointer usp_filestore_new(String lib, String path, int numWorkers, byte[] err, int errlen);
  void usp_own(Pointer p);
  void usp_decref(Pointer p);
  long usp_refcounts(Pointer p);
  Pointer usp_gloo_options_new(String lib, long timeoutMs, byte[] err, int errlen);
  Pointer usp_gloo_pg_new(String lib, Pointer store, int rank, int size, Pointer options, byte[] err, int errlen);
  Pointer usp_gloo_coll(String lib, String which, Pointer pg, Pointer tensorVector, Pointer opts, byte[] err, int errlen);

  static Pointer jna(org.bytedeco.javacpp.Pointer p) { return new Pointer(p.address()); }
  static <T> T check(T r, byte[] err, String what) {
    if (r == null) throw new IllegalStateException(what + ": " + Native.toString(err));
    return r;
  }
  /** ProcessGroupGloo built in the shim (JavaCPP 1.5.12's own allocate() frees it at once). */
  static org.bytedeco.pytorch.ProcessGroupGloo glooGroup(org.bytedeco.pytorch.Store store, int rank, int size, String host) {
    byte[] err = new byte[1024];
    String lib = Util.presetsTorchCpu();
    Pointer o = check(INSTANCE.usp_gloo_options_new(lib, 60_000, err, err.length), err, "Options");
    org.bytedeco.pytorch.ProcessGroupGloo.Options opts =
        new org.bytedeco.pytorch.ProcessGroupGloo.Options(raw(Pointer.nativeValue(o)));
    opts.devices().push_back(org.bytedeco.pytorch.ProcessGroupGloo.createDeviceForHostname(host));
    Pointer pg = check(INSTANCE.usp_gloo_pg_new(lib, jna(store), rank, size, o, err, err.length), err, "ProcessGroupGloo");
    return new org.bytedeco.pytorch.ProcessGroupGloo(raw(Pointer.nativeValue(pg)));
  }
  /** Runs allreduce / broadcast / barrier through the shim, waits on the Work from Java, releases it. */
  static void collective(String which, org.bytedeco.pytorch.ProcessGroupGloo pg,
                         org.bytedeco.pytorch.TensorVector tensors, org.bytedeco.javacpp.Pointer opts) {
    byte[] err = new byte[1024];
    Pointer w = check(INSTANCE.usp_gloo_coll(Util.presetsTorchCpu(), which, jna(pg),
        tensors == null ? null : jna(tensors), jna(opts), err, err.length), err, which);
    try {
      new org.bytedeco.pytorch.Work(raw(Pointer.nativeValue(w)))._wait();
    } finally {
      INSTANCE.usp_decref(w);
    }
  }
  static org.bytedeco.javacpp.Pointer raw(long addr) { return new org.bytedeco.javacpp.Pointer() {{ address = addr; }}; }

  static org.bytedeco.pytorch.Store tcpStore(String host, int port, boolean master, int world) {
    byte[] err = new byte[1024];
    Pointer p = INSTANCE.usp_tcpstore_new(Util.presetsTorchCpu(), host, port, master ? 1 : 0, world, 60_000, 0, err, err.length);
    if (p == null) throw new IllegalStateException("TCPStore: " + Native.toString(err));
    INSTANCE.usp_own(p);  // our reference: the store is passed by const& from now on
    return wrap(Pointer.nativeValue(p));
  }
  static org.bytedeco.pytorch.Store fileStore(String path, int world) {
    byte[] err = new byte[1024];
    Pointer p = INSTANCE.usp_filestore_new(Util.presetsTorchCpu(), path, world, err, err.length);
    if (p == null) throw new IllegalStateException("FileStore: " + Native.toString(err));
    INSTANCE.usp_own(p);
    return wrap(Pointer.nativeValue(p));
  }
  /** A JavaCPP Store around a raw c10d::Store* (owner null -> the IntrusivePtrAdapter takes ownership on first use). */
  static org.bytedeco.pytorch.Store wrap(long addr) {
    return new org.bytedeco.pytorch.Store(new org.bytedeco.javacpp.Pointer() {{ address = addr; }});
  }
}
