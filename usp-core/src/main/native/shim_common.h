// What the two halves of usp-core's kernel shim (uspkernels.cpp, uspinference.cpp) share: writing an
// error for the Java side, and opening the libtorch library that DJL already loaded.
#pragma once

#include <cstddef>
#include <cstdio>

#include <dlfcn.h>

namespace usp_shim {

// Writes what + detail into err (a Java byte[] of errlen bytes), NUL-terminated and cut to fit.
inline void fail(char* err, int errlen, const char* what, const char* detail) {
  if (err != nullptr && errlen > 0) {
    std::snprintf(err, static_cast<std::size_t>(errlen), "%s%s", what, detail);
  }
}

// The library at `path` if this process has loaded it (nothing is loaded here), else nullptr with the
// reason in err.
inline void* loaded(const char* path, char* err, int errlen) {
  void* lib = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
  if (lib == nullptr) {
    fail(err, errlen, "not loaded in this process: ", dlerror());
  }
  return lib;
}

}  // namespace usp_shim
