// usp-core's kernel shim: calls a few fused ATen operators of the libtorch that DJL loaded, which DJL
// 0.36's JNI does not expose: gelu(approximate="tanh"), silu, group_norm, scaled_dot_product_attention,
// _fused_adamw_, _foreach_zero_ and linalg_eigvalsh. Each is one libtorch kernel forward and, where it has one, one backward, as in PyTorch,
// where this project composed them from several DJL ops (dev.usp.core.engine.Kernels says which
// call sites use them and how they were measured).
//
// No libtorch header is needed to build it (there are none on the build machine): every operator is
// called through its dispatcher entry point at::_ops::NAME::call, looked up by its Itanium-ABI name
// with dlsym. Those names spell out the operator's C++ signature, so a libtorch whose schema differs
// lacks the name and usp_kernels_init refuses it, naming the symbol. Going through the dispatcher
// means autograd records the call exactly as when PyTorch's Python calls the same operator.
//
// What a caller must know of libtorch's types, for x86-64 Linux with libstdc++:
//  - at::Tensor is one word, an owning pointer to its TensorImpl, with a non-trivial destructor: a
//    `const Tensor&` parameter is a pointer to such a word, and a Tensor result comes back through a
//    hidden pointer (sret) to a word the caller owns. DJL's array handle is a heap-allocated
//    torch::Tensor*, so it is passed as is, and a result is moved into a fresh heap word that DJL's
//    PtNDArray then owns (DJL frees it with `delete`, which matches the ::operator new used here).
//  - c10::ArrayRef<Tensor> is {const Tensor*, size_t}, trivially copyable; a list is built from the
//    handles' words, borrowed (no reference taken or dropped).
//  - std::optional<Tensor> is the word followed by the engaged flag; only empty ones are passed.
//  - std::string_view is the standard library's own, so its layout is right by construction.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string_view>
#include <vector>

#include <dlfcn.h>

#include "shim_common.h"

namespace {

using usp_shim::fail;

// One at::Tensor as a parameter: a borrowed word.
struct Tensor {
  void* impl;
};

// One at::Tensor as a result. The user-provided destructor makes it non-trivial, so the ABI returns
// it through a hidden pointer, as libtorch does; the destructor does nothing because every result is
// handed on (take()).
struct Result {
  void* impl = nullptr;
  Result() = default;
  Result(const Result&) = delete;
  ~Result() {}
};

struct TensorList {
  const Tensor* data;
  std::size_t length;
};

struct OptionalTensor {
  void* impl;
  bool engaged;
};

using GeluFn = Result (*)(const Tensor&, std::string_view);
using SiluFn = Result (*)(const Tensor&);
using GroupNormFn = Result (*)(const Tensor&, std::int64_t, const OptionalTensor&, const OptionalTensor&, double, bool);
using FusedAdamwFn = void (*)(TensorList, TensorList, TensorList, TensorList, TensorList, TensorList, double, double,
                              double, double, double, bool, bool, const OptionalTensor&, const OptionalTensor&);
using SdpaFn = Result (*)(const Tensor&, const Tensor&, const Tensor&, const OptionalTensor&, double, bool,
                          std::optional<double>, bool);
using EigvalshFn = Result (*)(const Tensor&, std::string_view);
using ForeachZeroFn = void (*)(TensorList);
using GradModeGetFn = bool (*)();
using GradModeSetFn = void (*)(bool);

enum Symbol { kGelu, kSilu, kGroupNorm, kSdpa, kFusedAdamw, kForeachZero, kEigvalsh, kGradModeGet, kGradModeSet, kSymbolCount };

const char* const kNames[kSymbolCount] = {
    "_ZN2at4_ops4gelu4callERKNS_6TensorESt17basic_string_viewIcSt11char_traitsIcEE",
    "_ZN2at4_ops4silu4callERKNS_6TensorE",
    "_ZN2at4_ops10group_norm4callERKNS_6TensorElRKSt8optionalIS2_ES8_db",
    "_ZN2at4_ops28scaled_dot_product_attention4callERKNS_6TensorES4_S4_RKSt8optionalIS2_EdbS5_IdEb",
    "_ZN2at4_ops13_fused_adamw_4callEN3c108ArrayRefINS_6TensorEEES5_S5_S5_S5_S5_dddddbbRKSt8optionalIS4_ES9_",
    "_ZN2at4_ops14_foreach_zero_4callEN3c108ArrayRefINS_6TensorEEE",
    "_ZN2at4_ops15linalg_eigvalsh4callERKNS_6TensorESt17basic_string_viewIcSt11char_traitsIcEE",
    "_ZN3c108GradMode10is_enabledEv",
    "_ZN3c108GradMode11set_enabledEb",
};

void* g_sym[kSymbolCount];

// A result moved into a heap word for DJL (nullptr stays nullptr).
void* take(Result& r) {
  void** word = static_cast<void**>(::operator new(sizeof(void*)));
  *word = r.impl;
  r.impl = nullptr;
  return word;
}

const Tensor& tensor(void* handle) {
  return *static_cast<const Tensor*>(handle);
}

// Grad mode off for the scope, as torch.no_grad() around an optimiser step.
class NoGrad {
 public:
  NoGrad() : was_(reinterpret_cast<GradModeGetFn>(g_sym[kGradModeGet])()) {
    reinterpret_cast<GradModeSetFn>(g_sym[kGradModeSet])(false);
  }
  ~NoGrad() { reinterpret_cast<GradModeSetFn>(g_sym[kGradModeSet])(was_); }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool was_;
};

}  // namespace

extern "C" {

// Resolves every operator in the already loaded libtorch_cpu at `torchCpu`; 0, or -1 with the
// missing symbols in err.
int usp_kernels_init(const char* torchCpu, char* err, int errlen) {
  void* lib = usp_shim::loaded(torchCpu, err, errlen);
  if (lib == nullptr) {
    return -1;
  }
  for (int i = 0; i < kSymbolCount; i++) {
    g_sym[i] = dlsym(lib, kNames[i]);
    if (g_sym[i] == nullptr) {
      fail(err, errlen, "lacks the symbol ", kNames[i]);
      return -1;
    }
  }
  return 0;
}

// gelu(x, approximate = "tanh" if tanh else "none"); a new handle, or nullptr with the error in err.
void* usp_gelu(void* x, int tanh, char* err, int errlen) {
  try {
    Result r = reinterpret_cast<GeluFn>(g_sym[kGelu])(tensor(x), tanh ? "tanh" : "none");
    return take(r);
  } catch (const std::exception& e) {
    fail(err, errlen, "gelu: ", e.what());
    return nullptr;
  }
}

// silu(x) = x * sigmoid(x).
void* usp_silu(void* x, char* err, int errlen) {
  try {
    Result r = reinterpret_cast<SiluFn>(g_sym[kSilu])(tensor(x));
    return take(r);
  } catch (const std::exception& e) {
    fail(err, errlen, "silu: ", e.what());
    return nullptr;
  }
}

// group_norm(x, groups, weight, bias, eps) with an affine weight and bias (C).
void* usp_group_norm(void* x, std::int64_t groups, void* weight, void* bias, double eps, char* err, int errlen) {
  try {
    OptionalTensor w{tensor(weight).impl, true};
    OptionalTensor b{tensor(bias).impl, true};
    Result r = reinterpret_cast<GroupNormFn>(g_sym[kGroupNorm])(tensor(x), groups, w, b, eps, false);
    return take(r);
  } catch (const std::exception& e) {
    fail(err, errlen, "group_norm: ", e.what());
    return nullptr;
  }
}

// scaled_dot_product_attention(q, k, v, scale=scale): no mask, no dropout, not causal; (B, H, N, d).
void* usp_sdpa(void* q, void* k, void* v, double scale, char* err, int errlen) {
  try {
    OptionalTensor none{nullptr, false};
    Result r = reinterpret_cast<SdpaFn>(g_sym[kSdpa])(tensor(q), tensor(k), tensor(v), none, 0.0, false,
                                                      std::optional<double>(scale), false);
    return take(r);
  } catch (const std::exception& e) {
    fail(err, errlen, "scaled_dot_product_attention: ", e.what());
    return nullptr;
  }
}

// torch._fused_adamw_ over n parameters, without amsgrad, maximize or grad scaling, under no_grad; each
// `steps` entry is a float32 scalar holding the step being taken (1 for the first). 0, or -1.
int usp_fused_adamw(void** params, void** grads, void** expAvgs, void** expAvgSqs, void** steps, std::int64_t n,
                    double lr, double beta1, double beta2, double weightDecay, double eps, char* err, int errlen) {
  try {
    std::size_t count = static_cast<std::size_t>(n);
    std::vector<Tensor> words(5 * count);
    void** lists[5] = {params, grads, expAvgs, expAvgSqs, steps};
    for (std::size_t l = 0; l < 5; l++) {
      for (std::size_t i = 0; i < count; i++) {
        words[l * count + i] = tensor(lists[l][i]);
      }
    }
    auto list = [&](std::size_t l) { return TensorList{words.data() + l * count, count}; };
    OptionalTensor none{nullptr, false};
    NoGrad guard;
    reinterpret_cast<FusedAdamwFn>(g_sym[kFusedAdamw])(list(0), list(1), list(2), list(3), TensorList{nullptr, 0},
                                                       list(4), lr, beta1, beta2, weightDecay, eps, false, false, none,
                                                       none);
    return 0;
  } catch (const std::exception& e) {
    fail(err, errlen, "_fused_adamw_: ", e.what());
    return -1;
  }
}

// _foreach_zero_ over n tensors (gradients), under no_grad. 0, or -1.
int usp_foreach_zero(void** tensors, std::int64_t n, char* err, int errlen) {
  try {
    std::vector<Tensor> words(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < words.size(); i++) {
      words[i] = tensor(tensors[i]);
    }
    NoGrad guard;
    reinterpret_cast<ForeachZeroFn>(g_sym[kForeachZero])(TensorList{words.data(), words.size()});
    return 0;
  } catch (const std::exception& e) {
    fail(err, errlen, "_foreach_zero_: ", e.what());
    return -1;
  }
}

// linalg_eigvalsh(a, "L"): the eigenvalues of a symmetric matrix, ascending; a new handle or nullptr.
void* usp_linalg_eigvalsh(void* a, char* err, int errlen) {
  try {
    Result r = reinterpret_cast<EigvalshFn>(g_sym[kEigvalsh])(tensor(a), "L");
    return take(r);
  } catch (const std::exception& e) {
    fail(err, errlen, "linalg_eigvalsh: ", e.what());
    return nullptr;
  }
}

}  // extern "C"
