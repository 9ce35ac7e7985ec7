#include "rramsim/calibration/device_stage.hpp"

#include "rramsim/calibration/schema.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/device/write_verify.hpp"

namespace rramsim::calibration {

DeviceLevels run_device_stage(const DeviceStageOptions& opts, uint64_t seed, int threads,
                              std::function<void()> on_device_done) {
  device::WriteVerifyOptions wv;
  wv.levels = opts.levels();
  wv.devices = opts.devices;
  wv.seed = seed;
  wv.tolerance_rel = opts.tolerance_rel;
  wv.max_pulses = opts.max_pulses;
  wv.threads = threads;
  wv.min_target_siemens = opts.min_target_siemens;
  wv.max_target_siemens = opts.max_target_siemens;
  wv.noise = opts.variation;
  wv.on_device_done = std::move(on_device_done);
  device::WriteVerifyReport r = device::write_verify(opts.params, wv);
  if (static_cast<int>(r.levels.size()) != wv.levels)
    throw SolverError("write-verify returned " + std::to_string(r.levels.size()) + " levels, expected " +
                      std::to_string(wv.levels));
  DeviceLevels d;
  d.read_volt = opts.params.read_volt;
  d.quantile_probs = r.quantile_probs;
  d.overlap_3sigma = r.levels_overlap_3sigma;
  for (const auto& l : r.levels) {
    d.target_siemens.push_back(l.target_siemens);
    d.success_fraction.push_back(l.success_fraction);
    d.mean_pulses.push_back(l.mean_pulses);
    if (opts.ideal_levels) {
      // Every cell exactly at its target: the no-variation reference case.
      d.mean_siemens.push_back(l.target_siemens);
      d.std_siemens.push_back(0);
      d.quantiles_siemens.emplace_back(r.quantile_probs.size(), l.target_siemens);
      d.samples_siemens.emplace_back(l.samples_siemens.size(), l.target_siemens);
    } else {
      d.mean_siemens.push_back(l.mean_siemens);
      d.std_siemens.push_back(l.std_siemens);
      d.quantiles_siemens.push_back(l.quantiles_siemens);
      d.samples_siemens.push_back(l.samples_siemens);
    }
    if (d.samples_siemens.back().empty()) throw SolverError("write-verify returned no samples for a level");
  }
  if (opts.ideal_levels) d.overlap_3sigma = false;
  return d;
}

namespace {
std::vector<double> flatten(const std::vector<std::vector<double>>& m) {
  std::vector<double> out;
  for (const auto& r : m) out.insert(out.end(), r.begin(), r.end());
  return out;
}
std::vector<std::vector<double>> unflatten(const std::vector<double>& v, size_t rows) {
  std::vector<std::vector<double>> out(rows);
  size_t n = rows ? v.size() / rows : 0;
  for (size_t i = 0; i < rows; ++i) out[i].assign(v.begin() + i * n, v.begin() + (i + 1) * n);
  return out;
}
}  // namespace

void write_device_levels(h5::Group& g, const DeviceLevels& d) {
  hsize_t L = d.mean_siemens.size();
  g.attr("levels", static_cast<int64_t>(L));
  g.attr("read_volt", d.read_volt);
  g.attr("levels_overlap_3sigma", static_cast<int64_t>(d.overlap_3sigma));
  g.write("level_target_siemens", d.target_siemens, {"S", {"level"}});
  g.write(schema::kLevelMeanSiemens, d.mean_siemens, {"S", {"level"}});
  g.write(schema::kLevelStdSiemens, d.std_siemens, {"S", {"level"}});
  g.write("level_success_fraction", d.success_fraction, {"1", {"level"}});
  g.write("level_mean_pulses", d.mean_pulses, {"pulses", {"level"}});
  g.write_axis("quantile_probs", d.quantile_probs, "quantile", "1");
  g.write("level_quantiles_siemens", flatten(d.quantiles_siemens), {"S", {"level", "quantile"}, {L, d.quantile_probs.size()}});
  g.write("level_samples_siemens", flatten(d.samples_siemens), {"S", {"level", "device"}, {L, d.samples_siemens[0].size()}});
}

DeviceLevels read_device_levels(const h5::Group& g) {
  DeviceLevels d;
  d.read_volt = g.attr_double("read_volt");
  d.overlap_3sigma = g.attr_int("levels_overlap_3sigma") != 0;
  int64_t levels = g.attr_int("levels");
  if (levels < 2 || levels > (1 << schema::kMaxBitsPerCell))
    throw InputError(g.path() + ": levels = " + std::to_string(levels) + " is out of range");
  const hsize_t L = static_cast<hsize_t>(levels);
  d.target_siemens = g.dataset("level_target_siemens").read_doubles({L});
  d.mean_siemens = g.dataset(schema::kLevelMeanSiemens).read_doubles({L});
  d.std_siemens = g.dataset(schema::kLevelStdSiemens).read_doubles({L});
  d.success_fraction = g.dataset("level_success_fraction").read_doubles({L});
  d.mean_pulses = g.dataset("level_mean_pulses").read_doubles({L});
  auto qp = g.dataset("quantile_probs");
  if (qp.dims().size() != 1) throw InputError(qp.path() + ": expected 1 axis");
  d.quantile_probs = qp.read_doubles();
  auto samples = g.dataset("level_samples_siemens");
  auto sdims = samples.dims();
  if (sdims.size() != 2 || sdims[0] != L || sdims[1] == 0)
    throw InputError(samples.path() + ": expected " + std::to_string(L) + " x devices");
  d.quantiles_siemens = unflatten(g.dataset("level_quantiles_siemens").read_doubles({L, d.quantile_probs.size()}), L);
  d.samples_siemens = unflatten(samples.read_doubles(sdims), L);
  return d;
}

}  // namespace rramsim::calibration
