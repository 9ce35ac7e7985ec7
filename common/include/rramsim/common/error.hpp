#pragma once
// Error types shared by every layer. The command line turns any rramsim::Error into a
// one-line message and a non-zero exit; nothing else should be thrown across a layer.
#include <stdexcept>
#include <string>

namespace rramsim {

// Base of all errors the tool reports to a user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input: configuration, parameter value, network or hardware file, HDF5 file.
class InputError : public Error {
 public:
  using Error::Error;
};

// A numerical or external-engine failure (SPICE non-convergence, singular system).
class SolverError : public Error {
 public:
  using Error::Error;
};

// Throws InputError(what + ": " + detail) unless `ok`.
inline void require(bool ok, const std::string& what) {
  if (!ok) throw InputError(what);
}

}  // namespace rramsim
