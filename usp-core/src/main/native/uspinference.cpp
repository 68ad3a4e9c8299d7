// libtorch's inference mode (torch.inference_mode(), c10::InferenceMode) for the calling thread, part of
// usp-core's kernel shim (dev.usp.core.engine.InferenceMode is its Java side).
//
// c10::InferenceMode is a header-only RAII guard, so there is no function to call: this file does what
// its constructor and destructor do, through functions libc10 exports.
//  - AutogradState, the thread's autograd flags, is one byte in libtorch 2.7.1: grad mode in bit 0,
//    inference mode in bit 1 (c10::InferenceMode::is_enabled reads bit 1 of get_tls_state()'s byte).
//    usp_inference_init checks both bits against libc10's own GradMode::is_enabled and
//    InferenceMode::is_enabled before anything uses them, and refuses a libtorch where they differ.
//  - The thread's dispatch keys: ADInplaceOrView leaves the included set, and the three autograd keys
//    (AutogradFunctionality, AutogradOther, AutogradNestedTensor) join the excluded set, through
//    tls_set_dispatch_key_included/excluded. Their enum values are found by name with
//    c10::toString(DispatchKey), so no number from a header is assumed.
// Forward-mode AD is left as it is (this project does not use it); InferenceMode also turns it off.
#include <cstdint>
#include <cstring>

#include "shim_common.h"

namespace {

using usp_shim::fail;

using StateFn = std::uint8_t* (*)();
using BoolFn = bool (*)();
using SetBoolFn = void (*)(bool);
using KeyNameFn = const char* (*)(std::uint16_t);
using KeyQueryFn = bool (*)(std::uint16_t);
using KeySetFn = void (*)(std::uint16_t, bool);

constexpr std::uint8_t kGradBit = 1;
constexpr std::uint8_t kInferenceBit = 2;
// The highest DispatchKey value searched by name (libtorch 2.7.1 has about 130).
constexpr int kMaxKey = 1024;

struct Symbols {
  StateFn state;
  BoolFn grad_enabled;
  SetBoolFn set_grad_enabled;
  BoolFn inference_enabled;
  KeyNameFn key_name;
  KeyQueryFn is_included;
  KeyQueryFn is_excluded;
  KeySetFn set_included;
  KeySetFn set_excluded;
};

Symbols g;
std::uint16_t g_inplace_or_view;
// AutogradFunctionality, AutogradOther, AutogradNestedTensor.
std::uint16_t g_autograd[3];

template <typename T>
bool bind(void* lib, T* slot, const char* name, char* err, int errlen) {
  *slot = reinterpret_cast<T>(dlsym(lib, name));
  if (*slot == nullptr) {
    fail(err, errlen, "lacks the symbol ", name);
    return false;
  }
  return true;
}

bool find_key(const char* name, std::uint16_t* out, char* err, int errlen) {
  for (int k = 1; k <= kMaxKey; k++) {
    const char* s = g.key_name(static_cast<std::uint16_t>(k));
    if (s != nullptr && std::strcmp(s, name) == 0) {
      *out = static_cast<std::uint16_t>(k);
      return true;
    }
  }
  fail(err, errlen, "has no dispatch key named ", name);
  return false;
}

// The layout check: grad mode and inference mode must sit where libc10's own readers find them.
bool check_layout(char* err, int errlen) {
  std::uint8_t* state = g.state();
  const std::uint8_t saved = *state;
  const bool grad = g.grad_enabled();
  bool ok = ((saved & kGradBit) != 0) == grad && !g.inference_enabled();
  g.set_grad_enabled(!grad);
  ok = ok && ((*state & kGradBit) != 0) == !grad && (*state & ~kGradBit) == (saved & ~kGradBit);
  *state = static_cast<std::uint8_t>(saved | kInferenceBit);
  ok = ok && g.inference_enabled();
  *state = saved;
  ok = ok && !g.inference_enabled() && g.grad_enabled() == grad;
  if (!ok) {
    fail(err, errlen, "keeps its autograd flags in another layout than libtorch 2.7.1's", "");
  }
  return ok;
}

}  // namespace

extern "C" {

// Binds the functions in the already loaded libtorch_cpu at `torchCpu` (libc10's come with it), finds
// the dispatch keys and checks the flags' layout on the calling thread. 0, or -1 with the reason in err.
int usp_inference_init(const char* torchCpu, char* err, int errlen) {
  void* lib = usp_shim::loaded(torchCpu, err, errlen);
  if (lib == nullptr) {
    return -1;
  }
  bool bound = bind(lib, &g.state, "_ZN3c1013AutogradState13get_tls_stateEv", err, errlen) &&
               bind(lib, &g.grad_enabled, "_ZN3c108GradMode10is_enabledEv", err, errlen) &&
               bind(lib, &g.set_grad_enabled, "_ZN3c108GradMode11set_enabledEb", err, errlen) &&
               bind(lib, &g.inference_enabled, "_ZN3c1013InferenceMode10is_enabledEv", err, errlen) &&
               bind(lib, &g.key_name, "_ZN3c108toStringENS_11DispatchKeyE", err, errlen) &&
               bind(lib, &g.is_included, "_ZN3c104impl28tls_is_dispatch_key_includedENS_11DispatchKeyE", err,
                    errlen) &&
               bind(lib, &g.is_excluded, "_ZN3c104impl28tls_is_dispatch_key_excludedENS_11DispatchKeyE", err,
                    errlen) &&
               bind(lib, &g.set_included, "_ZN3c104impl29tls_set_dispatch_key_includedENS_11DispatchKeyEb", err,
                    errlen) &&
               bind(lib, &g.set_excluded, "_ZN3c104impl29tls_set_dispatch_key_excludedENS_11DispatchKeyEb", err,
                    errlen);
  if (!bound || !find_key("ADInplaceOrView", &g_inplace_or_view, err, errlen) ||
      !find_key("AutogradFunctionality", &g_autograd[0], err, errlen) ||
      !find_key("AutogradOther", &g_autograd[1], err, errlen) ||
      !find_key("AutogradNestedTensor", &g_autograd[2], err, errlen) || !check_layout(err, errlen)) {
    return -1;
  }
  return 0;
}

// Enters inference mode on the calling thread. Returns the token that usp_inference_exit needs to put
// back what was there: bits 0-7 the flags byte, bit 8 ADInplaceOrView included, bits 9-11 each
// autograd key excluded.
int usp_inference_enter() {
  std::uint8_t* state = g.state();
  int token = *state | (g.is_included(g_inplace_or_view) ? 1 << 8 : 0);
  for (int i = 0; i < 3; i++) {
    token |= g.is_excluded(g_autograd[i]) ? 1 << (9 + i) : 0;
  }
  g.set_grad_enabled(false);
  *state = static_cast<std::uint8_t>(*state | kInferenceBit);
  g.set_included(g_inplace_or_view, false);
  for (int i = 0; i < 3; i++) {
    g.set_excluded(g_autograd[i], true);
  }
  return token;
}

// Puts back the calling thread's state from before the usp_inference_enter that returned `token`.
void usp_inference_exit(int token) {
  *g.state() = static_cast<std::uint8_t>(token & 0xff);
  g.set_included(g_inplace_or_view, (token >> 8) & 1);
  for (int i = 0; i < 3; i++) {
    g.set_excluded(g_autograd[i], (token >> (9 + i)) & 1);
  }
}

// 1 while the calling thread is in inference mode, as libc10 itself answers.
int usp_inference_enabled() {
  return g.inference_enabled() ? 1 : 0;
}

}  // extern "C"
