// A stand-in for a CUDA libtorch's libtorch_cuda.so, for FakeNcclTest: it exports the names of the
// shim's NCCL table (ProcessGroupNCCL with the store-by-value constructor, its Options, allreduce,
// broadcast, barrier) with c10's object layout (vptr, refcount at 8, weakcount at 12, D1/D0/
// release_resources in vtable slots 0..2, Backend::Options::timeout at 16 with 2.7.1's default of
// 600000 ms), so that the shim's NCCL bookkeeping runs on a machine without a GPU. It does no
// communication; its counters say what was built and destroyed.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
int fake_options_alive = 0;
int fake_groups_alive = 0;
int fake_works_alive = 0;
int fake_collectives = 0;
long long fake_group_bytes = 0;
}

namespace c10 {
struct Target {
  virtual ~Target();
  virtual void release_resources();
  std::atomic<std::uint32_t> refcount_{0};
  std::atomic<std::uint32_t> weakcount_{0};
};
Target::~Target() {}
void Target::release_resources() {}

namespace detail { template <class T> struct intrusive_target_default_null_type {}; }

// c10::intrusive_ptr's ownership rules, on Target's counts.
template <class T, class N = detail::intrusive_target_default_null_type<T>>
class intrusive_ptr {
 public:
  intrusive_ptr() = default;
  static intrusive_ptr make(T* p) {
    p->refcount_ = 1;
    p->weakcount_ = 1;
    intrusive_ptr r;
    r.p_ = p;
    return r;
  }
  intrusive_ptr(const intrusive_ptr& o) : p_(o.p_) {
    if (p_ != nullptr) p_->refcount_++;
  }
  intrusive_ptr(intrusive_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ~intrusive_ptr() {
    if (p_ == nullptr || --p_->refcount_ != 0) return;
    bool last = p_->weakcount_ == 1;
    if (!last) {
      p_->release_resources();
      last = --p_->weakcount_ == 0;
    }
    if (last) delete p_;
  }
  T* p_ = nullptr;
};
}  // namespace c10

namespace at { class Tensor {}; }

namespace c10d {
struct Store : c10::Target {};
struct AllreduceOptions; struct BroadcastOptions; struct BarrierOptions;
struct Work : c10::Target {
  Work() { fake_works_alive++; }
  ~Work() override { fake_works_alive--; }
};

class ProcessGroupNCCL : public c10::Target {
 public:
  struct Options : c10::Target {
    explicit Options(bool is_high_priority_stream);
    ~Options() override;
    std::chrono::milliseconds timeout{600000};
    std::string backend{"nccl"};
    bool is_high_priority_stream;
    std::vector<std::uint64_t> global_ranks_in_group;
    std::string group_name;
  };
  ProcessGroupNCCL(c10::intrusive_ptr<Store> store, int rank, int size, c10::intrusive_ptr<Options> options);
  ~ProcessGroupNCCL() override;
  c10::intrusive_ptr<Work> allreduce(std::vector<at::Tensor>& tensors, const AllreduceOptions& opts);
  c10::intrusive_ptr<Work> broadcast(std::vector<at::Tensor>& tensors, const BroadcastOptions& opts);
  c10::intrusive_ptr<Work> barrier(const BarrierOptions& opts);

  c10::intrusive_ptr<Store> store_;
  c10::intrusive_ptr<Options> options_;
  int rank_;
  int size_;
  char state_[200];
};

ProcessGroupNCCL::Options::Options(bool high) : is_high_priority_stream(high) { fake_options_alive++; }
ProcessGroupNCCL::Options::~Options() { fake_options_alive--; }

ProcessGroupNCCL::ProcessGroupNCCL(c10::intrusive_ptr<Store> store, int rank, int size,
                                   c10::intrusive_ptr<Options> options)
    : store_(std::move(store)), options_(std::move(options)), rank_(rank), size_(size), state_{} {
  if (rank < 0 || rank >= size) {
    throw std::runtime_error("fake ProcessGroupNCCL: rank " + std::to_string(rank) + " of " + std::to_string(size));
  }
  fake_group_bytes = static_cast<long long>(sizeof(ProcessGroupNCCL));
  fake_groups_alive++;
}
ProcessGroupNCCL::~ProcessGroupNCCL() { fake_groups_alive--; }

c10::intrusive_ptr<Work> ProcessGroupNCCL::allreduce(std::vector<at::Tensor>&, const AllreduceOptions&) {
  fake_collectives++;
  return c10::intrusive_ptr<Work>::make(new Work());
}
c10::intrusive_ptr<Work> ProcessGroupNCCL::broadcast(std::vector<at::Tensor>&, const BroadcastOptions&) {
  fake_collectives++;
  return c10::intrusive_ptr<Work>::make(new Work());
}
c10::intrusive_ptr<Work> ProcessGroupNCCL::barrier(const BarrierOptions&) {
  fake_collectives++;
  return c10::intrusive_ptr<Work>::make(new Work());
}
}  // namespace c10d
