// The sweep HDF5 file (rramsim_kind "sweep", schema in docs/sweep.md).
#include <numeric>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/sweep/run.hpp"

namespace rramsim::sweep {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
}  // namespace

void write_sweep_file(const SweepReport& r, const SweepOptions& o, const std::filesystem::path& out) {
  AtomicOutput atomic(out);
  {
    auto f = h5::File::create(atomic.tmp_path());
    // The axes as dimension scales. Grid: one per axis. Zip: a `point` scale, the axis
    // values as coordinates over it.
    std::vector<std::string> dim_names;
    h5::Dims dims;
    const std::size_t n = r.points.size();
    if (r.mode == Mode::grid) {
      for (const auto& a : r.axes) {
        auto d = f.write_axis(a.name, a.values, a.name, a.units);
        d.attr("keys", join(a.keys));
        dim_names.push_back(a.name);
        dims.push_back(a.values.size());
      }
    } else {
      std::vector<int64_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0);
      f.write_axis("point", idx, "point", "1");
      for (const auto& a : r.axes) {
        auto d = f.write(a.name, a.values, {.units = a.units, .axes = {"point"}});
        d.attr("keys", join(a.keys));
      }
      dim_names = {"point"};
      dims = {n};
    }
    for (const Metric& m : metrics()) {
      std::vector<double> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = r.points[i].*m.member;
      f.write(m.name, v, {.units = m.units, .axes = dim_names, .dims = dims});
    }
    std::vector<int64_t> levels(r.max_levels);
    std::iota(levels.begin(), levels.end(), 0);
    f.write_axis("level", levels, "level", "level index (0 = HRS side)");
    std::vector<double> success;
    for (const auto& p : r.points) success.insert(success.end(), p.level_success_fraction.begin(), p.level_success_fraction.end());
    auto ldims = dims;
    ldims.push_back(r.max_levels);
    auto lnames = dim_names;
    lnames.push_back("level");
    f.write("level_success_fraction", success, {.units = "1", .axes = lnames, .dims = ldims});
    f.write("calibration_group", r.point_group, {.units = "index into calibration_tables", .axes = dim_names, .dims = dims});
    f.write("calibration_tables", r.group_tables, {.units = "path", .axes = {}});
    f.attr("cache_dir", r.cache_dir.string());
    f.attr("mode", r.mode == Mode::zip ? "zip" : "grid");
    f.attr("axes", join([&] {
             std::vector<std::string> v;
             for (const auto& a : r.axes) v.push_back(a.name);
             return v;
           }()));
    f.attr("network", r.network);
    f.attr("hardware", r.hardware);
    f.attr("scheme", r.scheme);
    f.attr("images", int64_t(r.images));
    f.attr("base_calibration", o.calibration.string());
    f.attr("base_calibration_toml", o.calibration_text);
    write_provenance(f, {.rramsim_kind = "sweep", .schema_version = kSweepSchemaVersion, .config_text = o.text});
  }
  atomic.commit();
}

}  // namespace rramsim::sweep
