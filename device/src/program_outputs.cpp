#include "rramsim/device/program_outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rramsim/common/provenance.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/device/params_io.hpp"

namespace rramsim::device {

void write_program_h5(const std::filesystem::path& path, const Params& p, const WriteVerifyOptions& o,
                      const WriteVerifyReport& rep) {
  AtomicOutput out(path);
  {
    auto f = h5::File::create(out.tmp_path());
    auto pg = f.create_group("params");
    write_params(pg, p);
    auto g = f.create_group("program");
    g.attr("levels", int64_t{o.levels}).attr("devices", int64_t{o.devices}).attr("seed", static_cast<int64_t>(o.seed));
    g.attr("tolerance_rel", o.tolerance_rel).attr("max_pulses", int64_t{o.max_pulses});
    g.attr("noise", int64_t{o.noise}).attr("pulse_width_s", o.pulse_width_s).attr("set_volt", o.set_volt);
    g.attr("levels_overlap_3sigma", int64_t{rep.levels_overlap_3sigma});
    g.write("quantile_probs", rep.quantile_probs, {"1", {"quantile"}});
    for (size_t k = 0; k < rep.levels.size(); ++k) {
      const auto& L = rep.levels[k];
      auto lg = g.create_group(fmt::format("level_{}", k));
      lg.write("samples_siemens", L.samples_siemens, {"S", {"device"}});
      lg.write("quantiles_siemens", L.quantiles_siemens, {"S", {"quantile"}});
      lg.attr("target_siemens", L.target_siemens).attr("mean_siemens", L.mean_siemens);
      lg.attr("std_siemens", L.std_siemens).attr("success_fraction", L.success_fraction);
      lg.attr("mean_pulses", L.mean_pulses).attr("failures", int64_t{L.failures});
    }
    write_provenance(f, {.rramsim_kind = "device.program", .schema_version = kProgramSchemaVersion});
  }
  out.commit();
}

nlohmann::json program_to_json(const Params& p, const WriteVerifyOptions& o, const WriteVerifyReport& rep) {
  nlohmann::json j;
  j["params"] = p.name;
  j["devices"] = o.devices;
  j["tolerance_rel"] = o.tolerance_rel;
  j["levels_overlap_3sigma"] = rep.levels_overlap_3sigma;
  j["seconds"] = rep.seconds;
  j["quantile_probs"] = rep.quantile_probs;
  for (const auto& L : rep.levels)
    j["levels"].push_back({{"target_siemens", L.target_siemens},
                           {"mean_siemens", L.mean_siemens},
                           {"std_siemens", L.std_siemens},
                           {"quantiles_siemens", L.quantiles_siemens},
                           {"success_fraction", L.success_fraction},
                           {"mean_pulses", L.mean_pulses},
                           {"failures", L.failures}});
  return j;
}

std::string program_to_text(const Params& p, const WriteVerifyOptions& o, const WriteVerifyReport& rep) {
  std::string t = fmt::format("device program: {} levels, {} devices, parameter set {}, tolerance {:.1f} %\n",
                              o.levels, o.devices, p.name, 100 * o.tolerance_rel);
  for (size_t k = 0; k < rep.levels.size(); ++k) {
    const auto& L = rep.levels[k];
    t += fmt::format("  level {}: target {:.4g} S  mean {:.4g} S  std {:.3g} S  success {:.2f} %  pulses {:.1f}\n",
                     k, L.target_siemens, L.mean_siemens, L.std_siemens, 100 * L.success_fraction,
                     L.mean_pulses);
  }
  t += std::string("  levels overlap at +-3 sigma: ") + (rep.levels_overlap_3sigma ? "yes" : "no") + "\n";
  return t;
}

void write_levels_plot(const WriteVerifyReport& rep, const std::filesystem::path& png) {
  // Histograms of the achieved conductance per level, on a log axis.
  double lo = 1e300, hi = 0;
  for (const auto& L : rep.levels)
    for (double g : L.samples_siemens)
      if (g > 0) lo = std::min(lo, g), hi = std::max(hi, g);
  const int bins = 120;
  const double l0 = std::log10(lo), l1 = std::log10(hi) + 1e-9;
  std::string s = "set title 'write-verify: achieved read conductance per level'\nset xlabel 'log10 G (S)'\n"
                  "set ylabel 'devices'\nset style fill solid 0.5\nset grid\n";
  for (size_t k = 0; k < rep.levels.size(); ++k) {
    std::vector<int> h(bins, 0);
    for (double g : rep.levels[k].samples_siemens)
      if (g > 0) ++h[std::min(bins - 1, static_cast<int>((std::log10(g) - l0) / (l1 - l0) * bins))];
    s += fmt::format("$L{} << EOD\n", k);
    for (int b = 0; b < bins; ++b) s += fmt::format("{:.6g} {}\n", l0 + (b + 0.5) * (l1 - l0) / bins, h[b]);
    s += "EOD\n";
  }
  s += fmt::format("set boxwidth {:.6g}\nplot ", (l1 - l0) / bins);
  for (size_t k = 0; k < rep.levels.size(); ++k)
    s += fmt::format("{}$L{} using 1:2 with boxes title 'level {}'", k ? ", " : "", k, k);
  render_png(s + "\n", png);
}

}  // namespace rramsim::device
