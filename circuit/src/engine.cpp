// The engine registry: the one place that maps a name to an implementation. Adding an
// engine is its own file plus one line in kEngines.
#include "rramsim/circuit/engine.hpp"

#include "rramsim/circuit/ideal_engine.hpp"
#include "rramsim/circuit/native_engine.hpp"
#include "rramsim/circuit/ngspice_engine.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::circuit {
namespace {

template <class E>
std::unique_ptr<Engine> make() { return std::make_unique<E>(); }

const EngineInfo kEngines[] = {
    {"ideal", "I = G^T v, no wires (the reference for deviations)", &make<IdealEngine>},
    {"native", "Eigen sparse nodal analysis, Newton for nonlinear cells", &make<NativeEngine>},
    {"ngspice", "libngspice .op, the golden reference", &make<NgspiceEngine>},
};

}  // namespace

std::vector<EngineInfo> engine_registry() { return {std::begin(kEngines), std::end(kEngines)}; }

std::vector<std::string> engine_names() {
  std::vector<std::string> names;
  for (const auto& e : kEngines) names.emplace_back(e.name);
  return names;
}

void check_engine_name(std::string_view name) {
  for (const auto& e : kEngines)
    if (e.name == name) return;
  std::string known;
  for (const auto& e : kEngines) known += (known.empty() ? "" : ", ") + std::string(e.name);
  throw InputError("unknown crossbar engine '" + std::string(name) + "' (known: " + known + ")");
}

std::unique_ptr<Engine> make_engine(std::string_view name) {
  check_engine_name(name);
  for (const auto& e : kEngines)
    if (e.name == name) return e.make();
  return nullptr;  // unreachable
}

}  // namespace rramsim::circuit
