// usp-dist's native shim: builds c10d::TCPStore, a backend's Options and its process group
// (ProcessGroupGloo in DJL's libtorch_cpu.so, or ProcessGroupNCCL in a CUDA build's libtorch_cuda.so)
// inside the libtorch that DJL loaded, starts their collectives and releases what it created. It
// exists because the JavaCPP presets org.bytedeco:pytorch:2.7.1-1.5.12 have no TCPStore binding and
// free every intrusive-pointer object they return (Options, the group, the Work of a collective) as
// soon as the JNI call returns.
//
// There are no libtorch 2.7.1 headers on the build machine, so nothing here includes them: the
// functions are looked up by their mangled names with dlsym and called through the Itanium C++ ABI,
// and the few layouts that a caller must know are written out below, each with how it was checked.
// usp_init refuses any libtorch whose at::show_config() does not say TORCH_VERSION=2.7.1, or in which
// one of the symbols is missing; the objects are checked once more when they are created (vtables).
//
// The mangled names are what g++ makes of declarations shaped like 2.7.1's headers
// (src/test/native/c10d-names.cpp; src/test/native/c10d-symbols.sh compares them with a libtorch's
// exports). For Gloo every name is exported by DJL's libtorch_cpu.so 2.7.1. For NCCL none could be
// checked: the only CUDA libtorch 2.7.1 on Maven Central, the presets' linux-x86_64-gpu jar, is built
// without NCCL (no ProcessGroupNCCL symbol, no NCCL code), and DJL's cu128 build is not reachable here.
// ProcessGroupNCCL's constructor took its store as `const intrusive_ptr<Store>&` in some releases and by
// value in others; both pass a pointer to the caller's intrusive_ptr, so the shim takes whichever the
// library exports and treats the argument as a by-value temporary (an extra reference it releases).
// FakeNcclTest runs the NCCL half on a stand-in library (src/test/native/fake-nccl.cpp) with c10's
// object layout and the by-value constructor.
//
// Layouts hard-coded for libtorch 2.7.1 (x86-64, libstdc++ with the C++11 string ABI):
//  1. c10::intrusive_ptr_target: vptr at 0, std::atomic<uint32_t> refcount_ at 8, weakcount_ at 12;
//     vtable slots [0] complete destructor, [1] deleting destructor, [2] release_resources().
//     Checked at run time: each created object's vptr is its class's vtable symbol + 16, slots 0 and
//     1 are the class's exported D1/D0 destructors (TCPStore and the groups), and the Options'
//     refcount reads 2 after the group took its copy (ours + the group's).
//  2. c10d::TCPStoreOptions (struct below, the member order of 2.7.1's TCPStore.hpp). The exported
//     constructor _ZN4c10d8TCPStoreC2...TCPStoreOptionsE reads (objdump -d of DJL's libtorch_cpu.so):
//     port `movzwl (opts)`, isServer `cmpb 0x2(opts)`, numWorkers `movdqu 0x8(opts)` (16 bytes),
//     timeout `mov 0x20(opts)`, masterListenFd's engaged flag `cmpb 0x30(opts)`, useLibUV
//     `movzbl 0x34(opts)`; waitWorkers (24) and multiTenant (40) lie between by the C++ layout rules.
//     The static_asserts keep this struct on those offsets.
//  3. Object sizes. TCPStore and the groups are allocated with exactly the size their deleting
//     destructor hands to sized operator delete. In DJL's libtorch_cpu.so both exported D0s read
//     `push; mov %rdi,REG; call D1; mov REG,%rdi; mov $SIZE,%esi; pop; jmp operator delete(void*,
//     unsigned long)`, SIZE 0xd8 (TCPStore) and 0x1c8 (ProcessGroupGloo); usp_init reads SIZE out of
//     those bytes at run time and refuses if it is not the hard-coded one, and takes ProcessGroupNCCL's
//     size the same way from its D0 (refusing a D0 of any other shape). An Options has no exported D0
//     (its destructor is implicit and inlined), so it is built in a 1 KiB arena the shim owns: the
//     arena is filled with a pattern first, and the bytes the constructor changed give its extent,
//     which must lie inside the arena (Gloo's must be 88, the presets' compiled sizeof, which
//     usp_sizes() reports so that the Java side compares it with Loader.sizeof). The shim destroys an
//     Options itself (complete destructor, then the arena) when its own reference is the last; the
//     group always drops its reference first.
//  4. c10d::Backend::Options::timeout (std::chrono::milliseconds) at offset 16: the Gloo Options
//     constructor stores its argument there (`mov %rbp,0x10(%rbx)`), checked on every Gloo Options;
//     an NCCL Options must read 2.7.1's default, 600000 ms, there before the shim writes the timeout.
//  5. Calling conventions: a by-value std::string or intrusive_ptr parameter is a pointer to a
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
constexpr std::size_t kGlooGroupBytes = 0x1c8;
constexpr std::size_t kGlooOptionsBytes = 88;
constexpr std::size_t kOptionsArena = 1024;
constexpr std::size_t kTimeoutOffset = 16;
constexpr std::int64_t kNcclDefaultTimeoutMs = 600000;

typedef std::string (*ShowConfigFn)();
typedef void (*TcpStoreCtor)(void* self, std::string* host, const TCPStoreOptions* opts);
typedef void (*GlooOptionsCtor)(void* self, std::int64_t timeoutMs);
typedef void (*NcclOptionsCtor)(void* self, bool highPriorityStream);
typedef void (*GroupCtor)(void* self, void** store, int rank, int size, void** options);
typedef void (*TensorsCollective)(void** work, void* group, void* tensors, const void* opts);
typedef void (*Barrier)(void** work, void* group, const void* opts);
typedef void (*VirtualFn)(void*);

// The symbols every backend needs, in the order of each backend's name table.
enum Role { kOptionsCtor, kOptionsVtable, kGroupCtor, kGroupD1, kGroupD0, kGroupVtable, kAllreduce, kBroadcast,
            kBarrier, kRoleCount };

const char* const kRoleNames[kRoleCount] = {"options-ctor", "options-vtable", "group-ctor", "group-D1", "group-D0",
                                            "group-vtable", "allreduce", "broadcast", "barrier"};

enum Common { kShowConfig, kTcpStoreCtor, kTcpStoreD1, kTcpStoreD0, kTcpStoreVtable, kCommonCount };

const char* const kCommonNames[kCommonCount] = {
    "_ZN2at11show_configB5cxx11Ev",
    "_ZN4c10d8TCPStoreC1ENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERKNS_15TCPStoreOptionsE",
    "_ZN4c10d8TCPStoreD1Ev",
    "_ZN4c10d8TCPStoreD0Ev",
    "_ZTVN4c10d8TCPStoreE",
};

enum BackendId { kGloo = 0, kNccl = 1, kBackendCount };

// One backend's names; group-ctor may have an alternative (NCCL's store by value).
struct Names {
  const char* what;
  const char* names[kRoleCount];
  const char* groupCtorAlt;
};

const Names kBackendNames[kBackendCount] = {
    {"ProcessGroupGloo",
     {"_ZN4c10d16ProcessGroupGloo7OptionsC1ENSt6chrono8durationIlSt5ratioILl1ELl1000EEEE",
      "_ZTVN4c10d16ProcessGroupGloo7OptionsE",
      "_ZN4c10d16ProcessGroupGlooC1ERKN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_"
      "null_typeIS3_EEEEiiNS2_INS0_7OptionsENS5_ISA_EEEE",
      "_ZN4c10d16ProcessGroupGlooD1Ev",
      "_ZN4c10d16ProcessGroupGlooD0Ev",
      "_ZTVN4c10d16ProcessGroupGlooE",
      "_ZN4c10d16ProcessGroupGloo9allreduceERSt6vectorIN2at6TensorESaIS3_EERKNS_16AllreduceOptionsE",
      "_ZN4c10d16ProcessGroupGloo9broadcastERSt6vectorIN2at6TensorESaIS3_EERKNS_16BroadcastOptionsE",
      "_ZN4c10d16ProcessGroupGloo7barrierERKNS_14BarrierOptionsE"},
     nullptr},
    {"ProcessGroupNCCL",
     {"_ZN4c10d16ProcessGroupNCCL7OptionsC1Eb",
      "_ZTVN4c10d16ProcessGroupNCCL7OptionsE",
      "_ZN4c10d16ProcessGroupNCCLC1ERKN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_"
      "null_typeIS3_EEEEiiNS2_INS0_7OptionsENS5_ISA_EEEE",
      "_ZN4c10d16ProcessGroupNCCLD1Ev",
      "_ZN4c10d16ProcessGroupNCCLD0Ev",
      "_ZTVN4c10d16ProcessGroupNCCLE",
      "_ZN4c10d16ProcessGroupNCCL9allreduceERSt6vectorIN2at6TensorESaIS3_EERKNS_16AllreduceOptionsE",
      "_ZN4c10d16ProcessGroupNCCL9broadcastERSt6vectorIN2at6TensorESaIS3_EERKNS_16BroadcastOptionsE",
      "_ZN4c10d16ProcessGroupNCCL7barrierERKNS_14BarrierOptionsE"},
     "_ZN4c10d16ProcessGroupNCCLC1EN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_"
     "null_typeIS3_EEEEiiNS2_INS0_7OptionsENS5_IS8_EEEE"},
};

// A backend once resolved: its symbols and the group's size read from its D0.
struct Resolved {
  void* sym[kRoleCount] = {};
  std::size_t groupBytes = 0;
  bool ready = false;
};

void* g_common[kCommonCount] = {};
bool g_ready = false;
Resolved g_backend[kBackendCount];

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

std::int64_t* timeoutField(void* options) {
  return reinterpret_cast<std::int64_t*>(static_cast<char*>(options) + kTimeoutOffset);
}

// What make_intrusive does after `new`: one strong reference, and the weak count one above the
// number of weak references while a strong one exists.
void adopt(void* p) {
  refcount(p)->store(1);
  weakcount(p)->store(1);
}

// c10::intrusive_ptr<T>::reset_() of 2.7.1; `destroy` runs the destructor and frees the memory.
template <typename Destroy>
void releaseWith(void* p, Destroy destroy) {
  if (p == nullptr || refcount(p)->fetch_sub(1) != 1) {
    return;
  }
  bool last = weakcount(p)->load() == 1;
  if (!last) {
    vslot(p, 2)(p);
    last = weakcount(p)->fetch_sub(1) == 1;
  }
  if (last) {
    destroy(p);
  }
}

void release(void* p) {
  releaseWith(p, [](void* q) { vslot(q, 1)(q); });  // the deleting destructor
}

// The SIZE of a deleting destructor shaped `[endbr64] push %rbp|%rbx; mov %rdi,%rbp|%rbx; call D1;
// mov %rbp|%rbx,%rdi; mov $SIZE,%esi; pop; jmp` (GCC's D0 of a class with an out-of-line destructor),
// or 0 for any other shape.
std::size_t deletingSize(const void* d0) {
  const unsigned char* c = static_cast<const unsigned char*>(d0);
  if (c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) {
    c += 4;
  }
  bool rbp = c[0] == 0x55 && c[1] == 0x48 && c[2] == 0x89 && c[3] == 0xfd;
  bool rbx = c[0] == 0x53 && c[1] == 0x48 && c[2] == 0x89 && c[3] == 0xfb;
  if (!(rbp || rbx) || c[4] != 0xe8) {
    return 0;
  }
  const unsigned char* t = c + 9;  // after the call
  unsigned char back = rbp ? 0xef : 0xdf;
  unsigned char pop = rbp ? 0x5d : 0x5b;
  if (t[0] != 0x48 || t[1] != 0x89 || t[2] != back || t[3] != 0xbe || t[8] != pop || t[9] != 0xe9) {
    return 0;
  }
  std::uint32_t size;
  std::memcpy(&size, t + 4, sizeof size);
  return size;
}

// The object at p was built by the constructor of the class whose vtable symbol is at `vtable`, and
// (when given) its slots 0 and 1 are that class's complete and deleting destructors.
bool checkObject(void* p, void* vtable, const char* vtableName, void* d1, void* d0, const char* what, char* err,
                 int errlen) {
  if (vptr(p) != static_cast<char*>(vtable) + 16) {
    fail(err, errlen, "%s: the object's vtable is not %s + 16: another layout than libtorch 2.7.1's", what,
         vtableName);
    return false;
  }
  if (d1 != nullptr && (reinterpret_cast<void*>(vslot(p, 0)) != d1 || reinterpret_cast<void*>(vslot(p, 1)) != d0)) {
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

bool readyBackend(int backend, char* err, int errlen) {
  if (!ready(err, errlen)) {
    return false;
  }
  if (backend < 0 || backend >= kBackendCount || !g_backend[backend].ready) {
    fail(err, errlen, "%s%s", "usp_init_backend has not succeeded for this backend");
    return false;
  }
  return true;
}

// Resolves `count` names in lib into out; appends the missing ones to `missing`.
void resolve(void* lib, const char* const* names, int count, void** out, std::string* missing) {
  for (int i = 0; i < count; i++) {
    out[i] = dlsym(lib, names[i]);
    if (out[i] == nullptr) {
      *missing += missing->empty() ? "" : ", ";
      *missing += names[i];
    }
  }
}

// The byte count after the last byte of [mem, mem + n) that differs from `fill`.
std::size_t extent(const unsigned char* mem, std::size_t n, unsigned char fill) {
  while (n > 0 && mem[n - 1] == fill) {
    n--;
  }
  return n;
}

// Builds a backend's Options in a fresh arena (see 3.); returns it with one reference, or null.
void* buildOptions(int backend, std::int64_t timeoutMs, char* err, int errlen) {
  const Resolved& b = g_backend[backend];
  const char* what = backend == kGloo ? "ProcessGroupGloo::Options" : "ProcessGroupNCCL::Options";
  std::size_t reach = 0;
  void* mem = nullptr;
  for (unsigned char fill : {0xa5, 0x5a}) {  // two patterns: a field that happens to equal one differs from the other
    if (mem != nullptr) {  // the first build, checked, destroyed by its complete destructor
      vslot(mem, 0)(mem);
      ::operator delete(mem, kOptionsArena);
      mem = nullptr;
    }
    mem = ::operator new(kOptionsArena);
    std::memset(mem, fill, kOptionsArena);
    try {
      if (backend == kGloo) {
        reinterpret_cast<GlooOptionsCtor>(b.sym[kOptionsCtor])(mem, timeoutMs);
      } else {
        reinterpret_cast<NcclOptionsCtor>(b.sym[kOptionsCtor])(mem, false);
      }
    } catch (const std::exception& e) {
      fail(err, errlen, "%s: %s", what, e.what());
      ::operator delete(mem, kOptionsArena);
      return nullptr;
    }
    std::size_t n = extent(static_cast<unsigned char*>(mem), kOptionsArena, fill);
    reach = n > reach ? n : reach;
    if (!checkObject(mem, b.sym[kOptionsVtable], kBackendNames[backend].names[kOptionsVtable], nullptr, nullptr,
                     what, err, errlen)) {
      return nullptr;  // left unreleased: where its destructor is cannot be trusted
    }
  }
  adopt(mem);
  std::size_t bytes = (reach + 7) / 8 * 8;
  char size[32];
  std::snprintf(size, sizeof size, "%zu", bytes);
  if (bytes + 256 > kOptionsArena || (backend == kGloo && bytes != kGlooOptionsBytes)) {
    fail(err, errlen, "%s: its constructor wrote %s bytes, not what the shim's layout of libtorch 2.7.1 allows", what,
         size);
    return nullptr;
  }
  std::int64_t expected = backend == kGloo ? timeoutMs : kNcclDefaultTimeoutMs;
  if (*timeoutField(mem) != expected) {
    fail(err, errlen, "%s: Backend::Options::timeout is not at offset 16: another layout than libtorch 2.7.1's%s",
         what);
    return nullptr;
  }
  *timeoutField(mem) = timeoutMs;
  return mem;
}

}  // namespace

extern "C" {

// Resolves TCPStore's and Gloo's symbols in the libtorch_cpu.so at `torchCpu`, which must already be
// loaded (by DJL), and checks that it is libtorch 2.7.1. Returns 0, or -1 with the reason in err.
int usp_init(const char* torchCpu, char* err, int errlen) {
  err[0] = 0;
  void* lib = dlopen(torchCpu, RTLD_LAZY | RTLD_NOLOAD);
  if (lib == nullptr) {
    fail(err, errlen, "%s is not loaded in this process: %s", torchCpu, dlerror());
    return -1;
  }
  std::string missing;
  resolve(lib, kCommonNames, kCommonCount, g_common, &missing);
  resolve(lib, kBackendNames[kGloo].names, kRoleCount, g_backend[kGloo].sym, &missing);
  if (!missing.empty()) {
    fail(err, errlen, "%s lacks symbols of libtorch 2.7.1's c10d: %s", torchCpu, missing.c_str());
    return -1;
  }
  std::string config;
  try {
    config = reinterpret_cast<ShowConfigFn>(g_common[kShowConfig])();
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
  if (deletingSize(g_common[kTcpStoreD0]) != kTcpStoreBytes
      || deletingSize(g_backend[kGloo].sym[kGroupD0]) != kGlooGroupBytes) {
    fail(err, errlen, "%s: the deleting destructors of TCPStore and ProcessGroupGloo do not free 0xd8 and 0x1c8 "
         "bytes: another layout than libtorch 2.7.1's%s", torchCpu);
    return -1;
  }
  g_backend[kGloo].groupBytes = kGlooGroupBytes;
  g_backend[kGloo].ready = true;
  g_ready = true;
  return 0;
}

// Resolves a backend beyond Gloo (1: NCCL) in `library` (libtorch_cuda.so), already loaded, after
// usp_init: its symbols, and its group's size from the group's deleting destructor. 0, or -1 and err.
int usp_init_backend(int backend, const char* library, char* err, int errlen) {
  err[0] = 0;
  if (!ready(err, errlen)) {
    return -1;
  }
  if (backend != kNccl) {
    fail(err, errlen, "%s%s", "usp_init_backend takes backend 1 (NCCL); Gloo is resolved by usp_init");
    return -1;
  }
  void* lib = dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
  if (lib == nullptr) {
    fail(err, errlen, "%s is not loaded in this process: %s", library, dlerror());
    return -1;
  }
  const Names& names = kBackendNames[backend];
  Resolved& b = g_backend[backend];
  std::string missing;
  resolve(lib, names.names, kRoleCount, b.sym, &missing);
  if (b.sym[kGroupCtor] == nullptr && (b.sym[kGroupCtor] = dlsym(lib, names.groupCtorAlt)) != nullptr) {
    missing.clear();  // the by-value constructor stands in for the const& one: resolve the rest again
    b.sym[kGroupCtor] = nullptr;
    const char* rest[kRoleCount];
    for (int i = 0; i < kRoleCount; i++) {
      rest[i] = i == kGroupCtor ? names.groupCtorAlt : names.names[i];
    }
    resolve(lib, rest, kRoleCount, b.sym, &missing);
  } else if (b.sym[kGroupCtor] == nullptr) {
    missing += std::string(" (nor ") + names.groupCtorAlt + ")";
  }
  if (!missing.empty()) {
    std::string text = std::string(library) + " lacks symbols of libtorch 2.7.1's " + names.what + ": " + missing;
    fail(err, errlen, "%s%s", text.c_str());
    return -1;
  }
  b.groupBytes = deletingSize(b.sym[kGroupD0]);
  if (b.groupBytes == 0 || b.groupBytes > (1u << 20)) {
    fail(err, errlen, "%s: cannot read the size of %s from its deleting destructor (another shape than GCC's "
         "D0 of an out-of-line destructor)", library, names.what);
    return -1;
  }
  b.ready = true;
  return 0;
}

// The name the shim looks up for `role` (0..8: options-ctor, options-vtable, group-ctor, group-D1,
// group-D0, group-vtable, allreduce, broadcast, barrier; 9: the alternative group-ctor, or "") of a
// backend (0 Gloo, 1 NCCL); null for any other pair.
const char* usp_symbol(int backend, int role) {
  if (backend < 0 || backend >= kBackendCount || role < 0 || role > kRoleCount) {
    return nullptr;
  }
  if (role == kRoleCount) {
    const char* alt = kBackendNames[backend].groupCtorAlt;
    return alt == nullptr ? "" : alt;
  }
  return kBackendNames[backend].names[role];
}

// The role names of usp_symbol, for the fixture comparison.
const char* usp_role(int role) { return role >= 0 && role < kRoleCount ? kRoleNames[role] : nullptr; }

// The byte sizes the shim allocates for ProcessGroupGloo::Options (its measured extent must equal it)
// and ProcessGroupGloo.
void usp_sizes(long long* options, long long* group) {
  *options = static_cast<long long>(kGlooOptionsBytes);
  *group = static_cast<long long>(kGlooGroupBytes);
}

// The size a resolved backend's group is allocated with (read from its D0), or 0.
long long usp_group_bytes(int backend) {
  return backend >= 0 && backend < kBackendCount ? static_cast<long long>(g_backend[backend].groupBytes) : 0;
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
    reinterpret_cast<TcpStoreCtor>(g_common[kTcpStoreCtor])(mem, &h, &o);
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
  if (!checkObject(mem, g_common[kTcpStoreVtable], kCommonNames[kTcpStoreVtable], g_common[kTcpStoreD1],
                   g_common[kTcpStoreD0], "TCPStore", err, errlen)) {
    return nullptr;  // left unreleased: where its destructor is cannot be trusted
  }
  return mem;
}

// A backend's Options with the given timeout (Gloo: no device yet), one reference owned by the caller;
// release it with usp_options_release.
void* usp_options_new(int backend, long long timeoutMs, char* err, int errlen) {
  err[0] = 0;
  if (!readyBackend(backend, err, errlen)) {
    return nullptr;
  }
  return buildOptions(backend, static_cast<std::int64_t>(timeoutMs), err, errlen);
}

// The backend's group(store, rank, size, options): Gloo connects to every peer through the store, NCCL
// creates its communicator with the first collective. One reference owned by the caller; the group
// holds its own references to the store and the options.
void* usp_group_new(int backend, void* store, int rank, int size, void* options, char* err, int errlen) {
  err[0] = 0;
  if (!readyBackend(backend, err, errlen)) {
    return nullptr;
  }
  const Resolved& b = g_backend[backend];
  const char* what = kBackendNames[backend].what;
  void* mem = ::operator new(b.groupBytes);
  std::memset(mem, 0, b.groupBytes);
  refcount(store)->fetch_add(1);      // the store argument as a by-value temporary (also right for const&)
  void* storeArg = store;
  refcount(options)->fetch_add(1);    // the by-value intrusive_ptr<Options> temporary's reference
  void* optionsArg = options;
  try {
    reinterpret_cast<GroupCtor>(b.sym[kGroupCtor])(mem, &storeArg, rank, size, &optionsArg);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    release(optionsArg);
    release(storeArg);
    ::operator delete(mem, b.groupBytes);
    return nullptr;
  }
  release(optionsArg);                // the caller destroys the temporaries (null if moved from)
  release(storeArg);
  adopt(mem);
  // On a failed check the group is left unreleased (with its threads and sockets): where its
  // destructor or its reference count is cannot be trusted, and the process is expected to exit.
  if (!checkObject(mem, b.sym[kGroupVtable], kBackendNames[backend].names[kGroupVtable], b.sym[kGroupD1],
                   b.sym[kGroupD0], what, err, errlen)) {
    return nullptr;
  }
  if (refcount(options)->load() != 2) {
    fail(err, errlen, "%s::Options: refcount is not 2 after the group took its copy: another intrusive_ptr layout "
         "than libtorch 2.7.1's", what);
    return nullptr;
  }
  return mem;
}

// Starts allreduce (which = 0) or broadcast (which = 1) of the std::vector<at::Tensor> at `tensors`
// with the presets-built options `opts`; returns the c10d::Work with one reference owned by the caller.
void* usp_collective(int backend, int which, void* group, void* tensors, const void* opts, char* err, int errlen) {
  err[0] = 0;
  if (!readyBackend(backend, err, errlen)) {
    return nullptr;
  }
  void* work = nullptr;
  try {
    reinterpret_cast<TensorsCollective>(g_backend[backend].sym[which == 0 ? kAllreduce : kBroadcast])(
        &work, group, tensors, opts);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    return nullptr;
  }
  return work;
}

// Starts a barrier with the presets-built BarrierOptions; returns its Work, one reference owned by the caller.
void* usp_barrier(int backend, void* group, const void* opts, char* err, int errlen) {
  err[0] = 0;
  if (!readyBackend(backend, err, errlen)) {
    return nullptr;
  }
  void* work = nullptr;
  try {
    reinterpret_cast<Barrier>(g_backend[backend].sym[kBarrier])(&work, group, opts);
  } catch (const std::exception& e) {
    fail(err, errlen, "%s%s", e.what());
    return nullptr;
  }
  return work;
}

// Drops the caller's reference to an Options from usp_options_new; with the last one, runs its
// complete destructor and frees the arena. (Another holder's last release would free it through
// the class's D0 with the class's size, which libstdc++'s sized delete passes to free() unread.)
void usp_options_release(void* options) {
  releaseWith(options, [](void* q) {
    vslot(q, 0)(q);
    ::operator delete(q, kOptionsArena);
  });
}

// Drops one strong reference to a c10::intrusive_ptr_target (store, group, work), destroying it with
// the last one.
void usp_release(void* p) { release(p); }

// The strong reference count of p (for tests of the shim's bookkeeping).
int usp_refcount(void* p) { return static_cast<int>(refcount(p)->load()); }

}  // extern "C"
