// usp-dist's native shim: builds c10d::TCPStore, c10d::ProcessGroupGloo::Options and
// c10d::ProcessGroupGloo inside the libtorch_cpu.so that DJL loaded, starts their collectives and
// releases what it created. It exists because the JavaCPP presets org.bytedeco:pytorch:2.7.1-1.5.12
// have no TCPStore binding and free every intrusive-pointer object they return (Options, the group,
// the Work of a collective) as soon as the JNI call returns.
//
// There are no libtorch 2.7.1 headers on the build machine, so nothing here includes them: the
// functions are looked up by their mangled names with dlsym and called through the Itanium C++ ABI,
// and the few layouts that a caller must know are written out below, each with how it was checked.
// usp_init refuses any libtorch whose at::show_config() does not say TORCH_VERSION=2.7.1, or in which
// one of the symbols is missing; the objects are checked once more when they are created (vtables).
//
// Layouts hard-coded for libtorch 2.7.1 (x86-64, libstdc++ with the C++11 string ABI):
//  1. c10::intrusive_ptr_target: vptr at 0, std::atomic<uint32_t> refcount_ at 8, weakcount_ at 12;
//     vtable slots [0] complete destructor, [1] deleting destructor, [2] release_resources().
//     Checked at run time: each created object's vptr is its class's vtable symbol + 16, slots 0 and
//     1 are the class's exported D1/D0 destructors (TCPStore, ProcessGroupGloo), and the Options'
//     refcount reads 2 after the group took its copy (ours + the group's).
//  2. c10d::TCPStoreOptions (struct below, the member order of 2.7.1's TCPStore.hpp). The exported
//     constructor _ZN4c10d8TCPStoreC2...TCPStoreOptionsE reads (objdump -d of DJL's libtorch_cpu.so):
//     port `movzwl (opts)`, isServer `cmpb 0x2(opts)`, numWorkers `movdqu 0x8(opts)` (16 bytes),
//     timeout `mov 0x20(opts)`, masterListenFd's engaged flag `cmpb 0x30(opts)`, useLibUV
//     `movzbl 0x34(opts)`; waitWorkers (24) and multiTenant (40) lie between by the C++ layout rules.
//     The static_asserts keep this struct on those offsets.
//  3. Object sizes for operator new, which must equal what the deleting destructor hands to sized
//     operator delete: TCPStore 0xd8 and ProcessGroupGloo 0x1c8 (the `mov $size,%esi` of the exported
//     D0 destructors), ProcessGroupGloo::Options 88 (not exported; the presets' compiled sizeof, which
//     usp_sizes() reports so that the Java side compares it with Loader.sizeof at run time, with 456
//     for the group).
//  4. Calling conventions: a by-value std::string or intrusive_ptr parameter is a pointer to a
//     caller-owned temporary that the caller destroys after the call; an intrusive_ptr result is
//     returned through a hidden pointer (sret) as one pointer-sized owning word; a
//     std::chrono::milliseconds parameter is one int64 in a register.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>

#include <dlfcn.h>

namespace {

constexpr const char* kTorchVersion = "2.7.1";

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
static_assert(sizeof(TCPStoreOptions) == 56, "c10d::TCPStoreOptions of 2.7.1 is 56 bytes");
static_assert(offsetof(TCPStoreOptions, isServer) == 2, "TCPStoreOptions::isServer");
static_assert(offsetof(TCPStoreOptions, numWorkers) == 8, "TCPStoreOptions::numWorkers");
static_assert(offsetof(TCPStoreOptions, waitWorkers) == 24, "TCPStoreOptions::waitWorkers");
static_assert(offsetof(TCPStoreOptions, timeout) == 0x20, "TCPStoreOptions::timeout");
static_assert(offsetof(TCPStoreOptions, multiTenant) == 0x28, "TCPStoreOptions::multiTenant");
static_assert(offsetof(TCPStoreOptions, masterListenFd) == 0x2c, "TCPStoreOptions::masterListenFd");
static_assert(offsetof(TCPStoreOptions, useLibUV) == 0x34, "TCPStoreOptions::useLibUV");
static_assert(sizeof(std::string) == 32, "libstdc++'s C++11 std::string");
static_assert(sizeof(std::chrono::milliseconds) == 8, "milliseconds is one int64");

constexpr std::size_t kTcpStoreBytes = 0xd8;
constexpr std::size_t kGroupBytes = 0x1c8;
constexpr std::size_t kOptionsBytes = 88;

typedef std::string (*ShowConfigFn)();
typedef void (*TcpStoreCtor)(void* self, std::string* host, const TCPStoreOptions* opts);
typedef void (*OptionsCtor)(void* self, std::int64_t timeoutMs);
typedef void (*GroupCtor)(void* self, void** store, int rank, int size, void** options);
typedef void (*TensorsCollective)(void** work, void* group, void* tensors, const void* opts);
typedef void (*Barrier)(void** work, void* group, const void* opts);
typedef void (*VirtualFn)(void*);

enum Sym {
  kShowConfig, kTcpStoreCtor, kTcpStoreD1, kTcpStoreD0, kTcpStoreVtable, kOptionsCtor, kOptionsVtable,
  kGroupCtor, kGroupD1, kGroupD0, kGroupVtable, kAllreduce, kBroadcast, kBarrier, kSymCount
};

const char* const kNames[kSymCount] = {
    "_ZN2at11show_configB5cxx11Ev",
    "_ZN4c10d8TCPStoreC1ENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_15TCPStoreOptionsE",
    "_ZN4c10d8TCPStoreD1Ev",
    "_ZN4c10d8TCPStoreD0Ev",
    "_ZTVN4c10d8TCPStoreE",
    "_ZN4c10d16ProcessGroupGloo7OptionsC1ENSt6chrono8durationIlSt5ratioILl1ELl1000EEEE",
    "_ZTVN4c10d16ProcessGroupGloo7OptionsE",
    "_ZN4c10d16ProcessGroupGlooC1ERKN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_"
    "null_typeIS3_EEEEiiNS2_INS0_7OptionsENS5_ISA_EEEE",
    "_ZN4c10d16ProcessGroupGlooD1Ev",
    "_ZN4c10d16ProcessGroupGlooD0Ev",
    "_ZTVN4c10d16ProcessGroupGlooE",
    "_ZN4c10d16ProcessGroupGloo9allreduceERSt6vectorIN2at6TensorESaIS3_EERKNS_16AllreduceOptionsE",
    "_ZN4c10d16ProcessGroupGloo9broadcastERSt6vectorIN2at6TensorESaIS3_EERKNS_16BroadcastOptionsE",
    "_ZN4c10d16ProcessGroupGloo7barrierERKNS_14BarrierOptionsE",
};

void* g_sym[kSymCount] = {};
bool g_ready = false;

void fail(char* err, int errlen, const char* fmt, const char* a, const char* b = "") {
  std::snprintf(err, static_cast<std::size_t>(errlen), fmt, a, b);
}

std::atomic<std::uint32_t>* refcount(void* p) {
  return reinterpret_cast<std::atomic<std::uint32_t>*>(static_cast<char*>(p) + 8);
}

std::atomic<std::uint32_t>* weakcount(void* p) {
  return reinterpret_cast<std::atomic<std::uint32_t>*>(static_cast<char*>(p) + 12);
}

void* vptr(void* p) { return *reinterpret_cast<void**>(p); }

VirtualFn vslot(void* p, int i) { return reinterpret_cast<VirtualFn*>(vptr(p))[i]; }

// What make_intrusive does after `new`: one strong reference, and the weak count one above the
// number of weak references while a strong one exists.
void adopt(void* p) {
  refcount(p)->store(1);
  weakcount(p)->store(1);
}

// c10::intrusive_ptr<T>::reset_() of 2.7.1.
void release(void* p) {
  if (p == nullptr || refcount(p)->fetch_sub(1) != 1) {
    return;
  }
  bool destroy = weakcount(p)->load() == 1;
  if (!destroy) {
    vslot(p, 2)(p);
    destroy = weakcount(p)->fetch_sub(1) == 1;
  }
  if (destroy) {
    vslot(p, 1)(p);
  }
}

// The object at p was built by the constructor of the class whose vtable symbol is `vtable`, and
// (when given) its slots 0 and 1 are that class's complete and deleting destructors.
bool checkObject(void* p, Sym vtable, Sym d1, Sym d0, const char* what, char* err, int errlen) {
  void* expected = static_cast<char*>(g_sym[vtable]) + 16;
  if (vptr(p) != expected) {
    fail(err, errlen, "%s: the object's vtable is not %s + 16: another layout than libtorch 2.7.1's", what,
         kNames[vtable]);
    return false;
  }
  if (d1 != kSymCount && (reinterpret_cast<void*>(vslot(p, 0)) != g_sym[d1]
                          || reinterpret_cast<void*>(vslot(p, 1)) != g_sym[d0])) {
    fail(err, errlen, "%s: vtable slots 0 and 1 are not %s's destructors: another layout than libtorch 2.7.1's",
         what, what);
    return false;
  }
  return true;
}

bool ready(char* err, int errlen) {
  if (!g_ready) {
    fail(err, errlen, "%s%s", "usp_init has not succeeded");
  }
  return g_ready;
}

}  // namespace

extern "C" {

// Resolves every symbol in the libtorch_cpu.so at `torchCpu`, which must already be loaded (by DJL),
// and checks that it is libtorch 2.7.1. Returns 0, or -1 with the reason in err.
int usp_init(const char* torchCpu, char* err, int errlen) {
  err[0] = 0;
  void* lib = dlopen(torchCpu, RTLD_LAZY | RTLD_NOLOAD);
  if (lib == nullptr) {
    fail(err, errlen, "%s is not loaded in this process: %s", torchCpu, dlerror());
    return -1;
  }
  std::string missing;
  for (int i = 0; i < kSymCount; i++) {
    g_sym[i] = dlsym(lib, kNames[i]);
    if (g_sym[i] == nullptr) {
      missing += missing.empty() ? "" : ", ";
      missing += kNames[i];
    }
  }
  if (!missing.empty()) {
    fail(err, errlen, "%s lacks symbols of libtorch 2.7.1's c10d: %s", torchCpu, missing.c_str());
    return -1;
  }
  std::string config;
  try {
    config = reinterpret_cast<ShowConfigFn>(g_sym[kShowConfig])();
  } catch (const std::exception& e) {
    fail(err, errlen, "at::show_config() failed: %s%s", e.what());
    return -1;
  }
  std::string want = std::string("TORCH_VERSION=") + kTorchVersion + ",";
  if (config.find(want) == std::string::npos) {
    std::size_t at = config.find("TORCH_VERSION=");
    std::string found = at == std::string::npos ? "no TORCH_VERSION" : config.substr(at, config.find(',', at) - at);
    fail(err, errlen, "the shim is built for libtorch 2.7.1 only; this libtorch says %s (%s)", found.c_str(), torchCpu);
    return -1;
  }
  g_ready = true;
  return 0;
}

// The byte sizes the shim allocates for ProcessGroupGloo::Options and ProcessGroupGloo.
void usp_sizes(long long* options, long long* group) {
  *options = static_cast<long long>(kOptionsBytes);
  *group = static_cast<long long>(kGroupBytes);
}

// A c10d::TCPStore (rank 0 its server) holding one strong reference owned by the caller.
void* usp_tcpstore_new(const char* host, int port, int isServer, int numWorkers, long long timeoutMs,
                       char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return nullptr;
  }
  TCPStoreOptions o;
  o.port = static_cast<std::uint16_t>(port);
  o.isServer = isServer != 0;
  o.numWorkers = static_cast<std::size_t>(numWorkers);
  o.waitWorkers = true;
  o.timeout = std::chrono::milliseconds(timeoutMs);
  o.useLibUV = false;  // the classic socket server, the one measured in the spike
  void* mem = ::operator new(kTcpStoreBytes);
  std::memset(mem, 0, kTcpStoreBytes);
  std::string h(host);
  try {
    reinterpret_cast<TcpStoreCtor>(g_sym[kTcpStoreCtor])(mem, &h, &o);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    ::operator delete(mem, kTcpStoreBytes);
    return nullptr;
  } catch (...) {
    fail(err, errlen, "%s%s", "TCPStore: unknown C++ exception");
    ::operator delete(mem, kTcpStoreBytes);
    return nullptr;
  }
  adopt(mem);
  if (!checkObject(mem, kTcpStoreVtable, kTcpStoreD1, kTcpStoreD0, "TCPStore", err, errlen)) {
    return nullptr;  // left unreleased: where its destructor is cannot be trusted
  }
  return mem;
}

// A ProcessGroupGloo::Options with the given timeout and no device yet, one reference owned by the caller.
void* usp_gloo_options_new(long long timeoutMs, char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return nullptr;
  }
  void* mem = ::operator new(kOptionsBytes);
  std::memset(mem, 0, kOptionsBytes);
  try {
    reinterpret_cast<OptionsCtor>(g_sym[kOptionsCtor])(mem, static_cast<std::int64_t>(timeoutMs));
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    ::operator delete(mem, kOptionsBytes);
    return nullptr;
  }
  adopt(mem);
  if (!checkObject(mem, kOptionsVtable, kSymCount, kSymCount, "ProcessGroupGloo::Options", err, errlen)) {
    return nullptr;  // left unreleased: where its destructor is cannot be trusted
  }
  return mem;
}

// ProcessGroupGloo(store, rank, size, options): connects to every peer through the store. One
// reference owned by the caller; the group holds its own references to the store and the options.
void* usp_gloo_group_new(void* store, int rank, int size, void* options, char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return nullptr;
  }
  void* mem = ::operator new(kGroupBytes);
  std::memset(mem, 0, kGroupBytes);
  void* storeRef = store;             // const intrusive_ptr<Store>&: our reference, borrowed
  refcount(options)->fetch_add(1);    // the by-value intrusive_ptr<Options> temporary's reference
  void* optionsArg = options;
  try {
    reinterpret_cast<GroupCtor>(g_sym[kGroupCtor])(mem, &storeRef, rank, size, &optionsArg);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    release(optionsArg);
    ::operator delete(mem, kGroupBytes);
    return nullptr;
  }
  release(optionsArg);                // the caller destroys the temporary (null if it was moved from)
  adopt(mem);
  // On a failed check the group is left unreleased (with its threads and sockets): where its
  // destructor or its reference count is cannot be trusted, and the process is expected to exit.
  if (!checkObject(mem, kGroupVtable, kGroupD1, kGroupD0, "ProcessGroupGloo", err, errlen)) {
    return nullptr;
  }
  if (refcount(options)->load() != 2) {
    fail(err, errlen, "%s%s", "ProcessGroupGloo::Options: refcount is not 2 after the group took its copy: "
         "another intrusive_ptr layout than libtorch 2.7.1's");
    return nullptr;
  }
  return mem;
}

// Starts allreduce (which = 0) or broadcast (which = 1) of the std::vector<at::Tensor> at `tensors`
// with the presets-built options `opts`; returns the c10d::Work with one reference owned by the caller.
void* usp_gloo_collective(int which, void* group, void* tensors, const void* opts, char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return nullptr;
  }
  void* work = nullptr;
  try {
    reinterpret_cast<TensorsCollective>(g_sym[which == 0 ? kAllreduce : kBroadcast])(&work, group, tensors, opts);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    return nullptr;
  }
  return work;
}

// Starts a barrier with the presets-built BarrierOptions; returns its Work, one reference owned by the caller.
void* usp_gloo_barrier(void* group, const void* opts, char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return nullptr;
  }
  void* work = nullptr;
  try {
    reinterpret_cast<Barrier>(g_sym[kBarrier])(&work, group, opts);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    return nullptr;
  }
  return work;
}

// Drops one strong reference to a c10::intrusive_ptr_target (store, options, group, work), destroying
// it with the last one.
void usp_release(void* p) { release(p); }

// The strong reference count of p (for tests of the shim's bookkeeping).
int usp_refcount(void* p) { return static_cast<int>(refcount(p)->load()); }

}  // extern "C"
