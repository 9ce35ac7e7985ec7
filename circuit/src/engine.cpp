// Engine selection by name (a configuration choice).
#include "rramsim/circuit/engine.hpp"

#include "rramsim/circuit/ideal_engine.hpp"
#include "rramsim/circuit/native_engine.hpp"
#include "rramsim/circuit/ngspice_engine.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::circuit {

std::unique_ptr<Engine> make_engine(std::string_view name) {
  if (name == "ideal") return std::make_unique<IdealEngine>();
  if (name == "native") return std::make_unique<NativeEngine>();
  if (name == "ngspice") return std::make_unique<NgspiceEngine>();
  throw InputError("unknown crossbar engine '" + std::string(name) +
                   "' (known: ideal, native, ngspice)");
}

}  // namespace rramsim::circuit
