#pragma once
// The one owner of libngspice's global state (one simulator per loaded library).
//
//   auto& s = NgspiceSession::instance();
//   auto vecs = s.run(netlist_lines, "op");        // or "tran 1u 16m", "dc ..."
//   double v = vecs.at("v(out)")[0];
//
// Calls are serialized by a mutex. An ngspice error (a parse error, a singular matrix,
// non-convergence, ngspice's own "quit") becomes an NgspiceError carrying ngspice's
// message, and the next run() works as if nothing had happened.
#include <map>
#include <string>
#include <vector>

#include "rramsim/common/error.hpp"

namespace rramsim::device {

class NgspiceError : public SolverError {
 public:
  using SolverError::SolverError;
};

class NgspiceSession {
 public:
  static NgspiceSession& instance();
  NgspiceSession(const NgspiceSession&) = delete;
  NgspiceSession& operator=(const NgspiceSession&) = delete;

  // Loads `netlist` (a title line first; ".end" appended if missing), runs `analysis`
  // and returns the requested vectors of the resulting plot (all if `vectors` is empty),
  // keyed by lower-case name. Removes the circuit afterwards. Requested names keep their
  // form ("v(out)", "v1#branch"); with `vectors` empty the keys are ngspice's own vector
  // names, where node voltages appear bare ("out").
  std::map<std::string, std::vector<double>> run(const std::vector<std::string>& netlist,
                                                 const std::string& analysis,
                                                 const std::vector<std::string>& vectors = {});
  std::string version();
  // What ngspice printed during the last run (for diagnostics).
  std::vector<std::string> last_output();

 private:
  NgspiceSession();
  ~NgspiceSession();
  struct Impl;
  Impl* impl_;
};

}  // namespace rramsim::device
