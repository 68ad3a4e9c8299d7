// Spike shim: constructs c10d::TCPStore / c10d::FileStore inside a *specific* libtorch_cpu.so
// (the one the JavaCPP presets loaded), because pytorch 2.7.1-1.5.12 has no Java binding for them.
// No PyTorch headers: the ctor symbols are looked up with dlsym and called with the Itanium C++ ABI.
#include <string>
#include <optional>
#include <chrono>
#include <new>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <exception>
#include <atomic>
#include <cstddef>
#include <dlfcn.h>

namespace {
// Layout of c10d::TCPStoreOptions in PyTorch 2.7.1 (checked against the ctor's disassembly:
// port@0, isServer@2, numWorkers@8/16, timeout@0x20, masterListenFd flag@0x30, useLibUV@0x34).
struct TCPStoreOptions {
  std::uint16_t port = 29500;
  bool isServer = false;
  std::optional<std::size_t> numWorkers;
  bool waitWorkers = true;
  std::chrono::milliseconds timeout{300000};
  bool multiTenant = false;
  std::optional<int> masterListenFd;
  bool useLibUV = true;
};
static_assert(sizeof(TCPStoreOptions) == 56, "layout");
static_assert(offsetof(TCPStoreOptions, timeout) == 0x20, "layout");
static_assert(offsetof(TCPStoreOptions, useLibUV) == 0x34, "layout");

// Itanium ABI: a by-value std::string parameter is passed as a pointer to a caller-owned temporary.
typedef void (*TcpCtor)(void* self, std::string* host, const TCPStoreOptions* opts);
typedef void (*FileCtor)(void* self, std::string* path, int numWorkers);
const size_t kStoreBytes = 4096;  // >= sizeof(c10d::TCPStore) (~0xd8) and sizeof(FileStore)

void* sym(const char* lib, const char* name, char* err, int errlen) {
  void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);  // must already be loaded: do not load a new copy
  if (!h) { snprintf(err, errlen, "dlopen(NOLOAD) %s: %s", lib, dlerror()); return nullptr; }
  void* f = dlsym(h, name);
  if (!f) snprintf(err, errlen, "dlsym %s: %s", name, dlerror());
  return f;
}
}  // namespace

extern "C" void* usp_tcpstore_new(const char* lib, const char* host, int port, int isServer,
                                  int numWorkers, long long timeoutMs, int useLibUV, char* err, int errlen) {
  err[0] = 0;
  auto ctor = (TcpCtor) sym(lib,
      "_ZN4c10d8TCPStoreC1ENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_15TCPStoreOptionsE", err, errlen);
  if (!ctor) return nullptr;
  TCPStoreOptions o;
  o.port = (std::uint16_t) port;
  o.isServer = isServer != 0;
  if (numWorkers > 0) o.numWorkers = (std::size_t) numWorkers;
  o.waitWorkers = true;
  o.timeout = std::chrono::milliseconds(timeoutMs);
  o.useLibUV = useLibUV != 0;
  void* mem = ::operator new(kStoreBytes);
  std::memset(mem, 0, kStoreBytes);
  std::string h(host);
  try {
    ctor(mem, &h, &o);
  } catch (const std::exception& e) {
    snprintf(err, errlen, "%s", e.what());
    ::operator delete(mem);
    return nullptr;
  }
  return mem;  // refcount 0, as after `new`: JavaCPP's IntrusivePtrAdapter does unsafe_steal_from_new
}

extern "C" void* usp_filestore_new(const char* lib, const char* path, int numWorkers, char* err, int errlen) {
  err[0] = 0;
  auto ctor = (FileCtor) sym(lib,
      "_ZN4c10d9FileStoreC1ENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEi", err, errlen);
  if (!ctor) return nullptr;
  void* mem = ::operator new(kStoreBytes);
  std::memset(mem, 0, kStoreBytes);
  std::string p(path);
  try {
    ctor(mem, &p, numWorkers);
  } catch (const std::exception& e) {
    snprintf(err, errlen, "%s", e.what());
    ::operator delete(mem);
    return nullptr;
  }
  return mem;
}

// ---- Work-around for pytorch 2.7.1-1.5.12: every @IntrusivePtr allocate()/return in libjnitorch.so
// leaves the Java object without an owner, so the C++ object is freed as soon as the JNI call returns
// (Options, ProcessGroupGloo, Work ...). Create those objects here and hold one reference ourselves.
// c10::intrusive_ptr_target in 2.7.1: vptr@0, atomic<uint32_t> refcount_@8, weakcount_@12,
// vtable: [0] complete dtor, [1] deleting dtor, [2] release_resources().
namespace {
std::atomic<uint32_t>* rc(void* p) { return reinterpret_cast<std::atomic<uint32_t>*>((char*) p + 8); }
std::atomic<uint32_t>* wc(void* p) { return reinterpret_cast<std::atomic<uint32_t>*>((char*) p + 12); }
typedef void (*VFn)(void*);
VFn vslot(void* p, int i) { return (*reinterpret_cast<VFn**>(p))[i]; }
void own(void* p) { rc(p)->store(1); wc(p)->store(1); }  // what make_intrusive does after `new`
}

extern "C" void usp_own(void* p) { own(p); }
extern "C" unsigned long long usp_refcounts(void* p) { return *reinterpret_cast<unsigned long long*>((char*) p + 8); }

/** intrusive_ptr<T>::reset_() semantics. */
extern "C" void usp_decref(void* p) {
  if (!p) return;
  if (rc(p)->fetch_sub(1) == 1) {
    bool del = wc(p)->load() == 1;
    if (!del) { vslot(p, 2)(p); del = wc(p)->fetch_sub(1) == 1; }
    if (del) vslot(p, 1)(p);
  }
}

extern "C" void* usp_gloo_options_new(const char* lib, long long timeoutMs, char* err, int errlen) {
  err[0] = 0;
  typedef void (*Ctor)(void* self, long long timeoutMs);  // std::chrono::milliseconds: trivially copyable, in a register
  auto ctor = (Ctor) sym(lib, "_ZN4c10d16ProcessGroupGloo7OptionsC1ENSt6chrono8durationIlSt5ratioILl1ELl1000EEEE", err, errlen);
  if (!ctor) return nullptr;
  void* mem = ::operator new(2048);
  std::memset(mem, 0, 2048);
  try { ctor(mem, timeoutMs); } catch (const std::exception& e) { snprintf(err, errlen, "%s", e.what()); return nullptr; }
  own(mem);  // our reference, never released in the spike
  return mem;
}

extern "C" void* usp_gloo_pg_new(const char* lib, void* store, int rank, int size, void* options, char* err, int errlen) {
  err[0] = 0;
  // ProcessGroupGloo(const intrusive_ptr<Store>&, int, int, intrusive_ptr<Options>)
  typedef void (*Ctor)(void* self, void** storeRef, int rank, int size, void** optionsByValue);
  auto ctor = (Ctor) sym(lib, "_ZN4c10d16ProcessGroupGlooC1ERKN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_null_typeIS3_EEEEiiNS2_INS0_7OptionsENS5_ISA_EEEE", err, errlen);
  if (!ctor) return nullptr;
  void* mem = ::operator new(1 << 16);
  std::memset(mem, 0, 1 << 16);
  void* storeSlot = store;
  rc(options)->fetch_add(1);         // the by-value temporary's reference (caller-owned, Itanium ABI)
  void* optSlot = options;
  try { ctor(mem, &storeSlot, rank, size, &optSlot); }
  catch (const std::exception& e) { snprintf(err, errlen, "%s", e.what()); return nullptr; }
  if (optSlot) usp_decref(optSlot);  // destroy the temporary (it was copied, not moved)
  own(mem);
  return mem;
}

/** Calls ProcessGroupGloo::allreduce/broadcast (vector<Tensor>&, const XOptions&) -> Work* with one reference held by the caller. */
extern "C" void* usp_gloo_coll(const char* lib, const char* which, void* pg, void* tensorVector, void* opts, char* err, int errlen) {
  err[0] = 0;
  const char* name = std::strcmp(which, "allreduce") == 0
      ? "_ZN4c10d16ProcessGroupGloo9allreduceERSt6vectorIN2at6TensorESaIS3_EERKNS_16AllreduceOptionsE"
      : std::strcmp(which, "broadcast") == 0
      ? "_ZN4c10d16ProcessGroupGloo9broadcastERSt6vectorIN2at6TensorESaIS3_EERKNS_16BroadcastOptionsE"
      : nullptr;
  void* work = nullptr;
  try {
    if (name) {
      typedef void (*Fn)(void** sret, void* self, void* vec, void* opts);
      auto f = (Fn) sym(lib, name, err, errlen);
      if (!f) return nullptr;
      f(&work, pg, tensorVector, opts);
    } else {  // barrier(const BarrierOptions&)
      typedef void (*Fn)(void** sret, void* self, void* opts);
      auto f = (Fn) sym(lib, "_ZN4c10d16ProcessGroupGloo7barrierERKNS_14BarrierOptionsE", err, errlen);
      if (!f) return nullptr;
      f(&work, pg, opts);
    }
  } catch (const std::exception& e) { snprintf(err, errlen, "%s", e.what()); return nullptr; }
  return work;
}
