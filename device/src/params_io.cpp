#include "rramsim/device/params_io.hpp"

#include "rramsim/common/error.hpp"

namespace rramsim::device {

void write_params(h5::Group& g, const Params& p) {
  g.attr("name", p.name);
  g.attr("gap_model", p.gap_model == GapModel::two_term ? "two_term" : "single_term");
  g.attr("thermal", p.thermal == ThermalModel::dynamic ? "dynamic" : "quasi_static");
  for (const auto& f : param_fields()) g.write(f.name, std::vector<double>{p.*f.member}, {1}).attr("units", f.units);
}

Params read_params(const h5::Group& g) {
  Params p;
  p.name = g.attr_string("name");
  p.gap_model = g.attr_string("gap_model") == "two_term" ? GapModel::two_term : GapModel::single_term;
  p.thermal = g.attr_string("thermal") == "dynamic" ? ThermalModel::dynamic : ThermalModel::quasi_static;
  for (const auto& f : param_fields()) {
    if (!g.has(f.name)) throw InputError(g.path() + ": device parameter " + f.name + " is missing");
    auto v = g.dataset(f.name).read_doubles();
    if (v.size() != 1) throw InputError(g.path() + ": device parameter " + f.name + " is not a scalar");
    p.*f.member = v[0];
  }
  validate(p);
  return p;
}

nlohmann::json params_json(const Params& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["gap_model"] = p.gap_model == GapModel::two_term ? "two_term" : "single_term";
  j["thermal"] = p.thermal == ThermalModel::dynamic ? "dynamic" : "quasi_static";
  for (const auto& f : param_fields()) j[f.name] = p.*f.member;
  return j;
}

}  // namespace rramsim::device
