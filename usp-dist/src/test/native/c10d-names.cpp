// Declarations shaped like libtorch 2.7.1's c10d headers (only what enters a mangled name: namespaces,
// classes, parameter types), with empty definitions, so that g++ emits the Itanium names that the
// shim (src/main/native/uspshim.cpp) looks up. c10d-symbols.sh compiles it; nothing links it.
// ProcessGroupNCCL declares both constructors seen across PyTorch releases (store by const& and by value).
#include <chrono>
#include <vector>
namespace c10 {
namespace detail { template <class T> struct intrusive_target_default_null_type {}; }
template <class T, class N = detail::intrusive_target_default_null_type<T>> class intrusive_ptr {};
}  // namespace c10
namespace at { class Tensor {}; }
namespace c10d {
struct Store; struct AllreduceOptions; struct BroadcastOptions; struct BarrierOptions; class Work;
class ProcessGroupGloo {
 public:
  struct Options { explicit Options(std::chrono::milliseconds timeout); virtual ~Options(); };
  ProcessGroupGloo(const c10::intrusive_ptr<Store>& store, int rank, int size, c10::intrusive_ptr<Options> options);
  virtual ~ProcessGroupGloo();
  c10::intrusive_ptr<Work> allreduce(std::vector<at::Tensor>& tensors, const AllreduceOptions& opts);
  c10::intrusive_ptr<Work> broadcast(std::vector<at::Tensor>& tensors, const BroadcastOptions& opts);
  c10::intrusive_ptr<Work> barrier(const BarrierOptions& opts);
};
class ProcessGroupNCCL {
 public:
  struct Options { explicit Options(bool is_high_priority_stream); virtual ~Options(); };
  ProcessGroupNCCL(const c10::intrusive_ptr<Store>& store, int rank, int size, c10::intrusive_ptr<Options> options);
  ProcessGroupNCCL(c10::intrusive_ptr<Store> store, int rank, int size, c10::intrusive_ptr<Options> options);
  virtual ~ProcessGroupNCCL();
  c10::intrusive_ptr<Work> allreduce(std::vector<at::Tensor>& tensors, const AllreduceOptions& opts);
  c10::intrusive_ptr<Work> broadcast(std::vector<at::Tensor>& tensors, const BroadcastOptions& opts);
  c10::intrusive_ptr<Work> barrier(const BarrierOptions& opts);
};
ProcessGroupGloo::Options::Options(std::chrono::milliseconds) {}
ProcessGroupGloo::Options::~Options() {}
ProcessGroupGloo::ProcessGroupGloo(const c10::intrusive_ptr<Store>&, int, int, c10::intrusive_ptr<Options>) {}
ProcessGroupGloo::~ProcessGroupGloo() {}
c10::intrusive_ptr<Work> ProcessGroupGloo::allreduce(std::vector<at::Tensor>&, const AllreduceOptions&) { return {}; }
c10::intrusive_ptr<Work> ProcessGroupGloo::broadcast(std::vector<at::Tensor>&, const BroadcastOptions&) { return {}; }
c10::intrusive_ptr<Work> ProcessGroupGloo::barrier(const BarrierOptions&) { return {}; }
ProcessGroupNCCL::Options::Options(bool) {}
ProcessGroupNCCL::Options::~Options() {}
ProcessGroupNCCL::ProcessGroupNCCL(const c10::intrusive_ptr<Store>&, int, int, c10::intrusive_ptr<Options>) {}
ProcessGroupNCCL::ProcessGroupNCCL(c10::intrusive_ptr<Store>, int, int, c10::intrusive_ptr<Options>) {}
ProcessGroupNCCL::~ProcessGroupNCCL() {}
c10::intrusive_ptr<Work> ProcessGroupNCCL::allreduce(std::vector<at::Tensor>&, const AllreduceOptions&) { return {}; }
c10::intrusive_ptr<Work> ProcessGroupNCCL::broadcast(std::vector<at::Tensor>&, const BroadcastOptions&) { return {}; }
c10::intrusive_ptr<Work> ProcessGroupNCCL::barrier(const BarrierOptions&) { return {}; }
}  // namespace c10d
