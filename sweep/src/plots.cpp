// gnuplot PNGs of a sweep: each metric against each axis, a heat map of the first two
// axes, and the accuracy-energy Pareto front.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "rramsim/common/plot.hpp"
#include "rramsim/sweep/run.hpp"

namespace rramsim::sweep {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kPlotted = {"accuracy", "adc_error_rate", "ir_ratio", "energy_per_inference_j",
                                           "throughput_inferences_per_s", "gops_per_w", "gops_per_s_mm2",
                                           "subwords_skipped_fraction"};

std::string label(const std::string& name, const std::string& units) { return name + " [" + units + "]"; }

// "<network> on <hardware>, 128x128 array, read 0.1 V" (or "per point" when an axis varies it).
std::string title(const SweepReport& r) {
  double v = r.points.front().read_volt, rows = r.points.front().rows;
  bool same_v = true, same_rows = true;
  for (const auto& p : r.points) {
    same_v = same_v && p.read_volt == v;
    same_rows = same_rows && p.rows == rows;
  }
  std::string array = same_rows ? fmt::format("{:g}-row array", rows) : "array rows per point";
  std::string volt = same_v ? fmt::format("read {:g} V", v) : "read voltage per point";
  return fmt::format("{} on {} ({}), {}, {}", r.network, fs::path(r.hardware).stem().string(), r.scheme, array, volt);
}

const Metric& metric(const std::string& name) {
  for (const Metric& m : metrics())
    if (m.name == name) return m;
  throw std::logic_error("no metric " + name);
}

fs::path metric_vs_axis(const SweepReport& r, const Metric& m, std::size_t a, const fs::path& dir) {
  // One line per combination of the other axes' values.
  std::map<std::vector<double>, std::vector<std::pair<double, double>>> series;
  for (const auto& p : r.points) {
    std::vector<double> others;
    for (std::size_t k = 0; k < p.values.size(); ++k)
      if (k != a) others.push_back(p.values[k]);
    if (std::isfinite(p.*m.member)) series[others].push_back({p.values[a], p.*m.member});
  }
  std::string script = fmt::format("set title '{}' noenhanced\nset xlabel '{}' noenhanced\nset ylabel '{}' noenhanced\nset grid\nset key outside right noenhanced\n",
                                   title(r), label(r.axes[a].name, r.axes[a].units), label(m.name, m.units));
  std::string plot = "plot ";
  int s = 0;
  for (auto& [others, pts] : series) {
    std::sort(pts.begin(), pts.end());
    script += fmt::format("$s{} << EOD\n", s);
    for (auto [x, y] : pts) script += fmt::format("{:.17g} {:.17g}\n", x, y);
    script += "EOD\n";
    std::string name;
    for (std::size_t k = 0, o = 0; k < r.axes.size(); ++k)
      if (k != a) name += fmt::format("{}{}={:g}", name.empty() ? "" : " ", r.axes[k].name, others[o++]);
    plot += fmt::format("{}$s{} with linespoints lw 2 title '{}'", s ? ", " : "", s, name.empty() ? m.name : name);
    ++s;
    if (s >= 12) break;  // a readable legend; the file has every point
  }
  if (s == 0) return {};
  fs::path png = dir / fmt::format("{}-vs-{}.png", m.name, r.axes[a].name);
  render_png(script + plot + "\n", png);
  return png;
}

// The first two axes of a grid (other axes at their first value).
fs::path heat_map(const SweepReport& r, const Metric& m, const fs::path& dir) {
  std::string script = fmt::format(
      "set title '{}' noenhanced\nset xlabel '{}' noenhanced\nset ylabel '{}' noenhanced\nset cblabel '{}' noenhanced\n"
      "set view map\nset palette rgbformulae 33,13,10\n$d << EOD\n",
      title(r), label(r.axes[1].name, r.axes[1].units), label(r.axes[0].name, r.axes[0].units), label(m.name, m.units));
  const std::size_t n0 = r.axes[0].values.size(), n1 = r.axes[1].values.size();
  std::size_t stride = r.points.size() / (n0 * n1);  // later axes vary fastest; take their first value
  for (std::size_t i = 0; i < n0; ++i) {
    for (std::size_t j = 0; j < n1; ++j) {
      const auto& p = r.points[(i * n1 + j) * stride];
      script += fmt::format("{} {} {:.17g}\n", j, i, p.*m.member);
    }
    script += "\n";
  }
  script += "EOD\nset xtics (";
  for (std::size_t j = 0; j < n1; ++j) script += fmt::format("{}'{:g}' {}", j ? ", " : "", r.axes[1].values[j], j);
  script += ")\nset ytics (";
  for (std::size_t i = 0; i < n0; ++i) script += fmt::format("{}'{:g}' {}", i ? ", " : "", r.axes[0].values[i], i);
  script += ")\nplot $d using 1:2:3 with image notitle, $d using 1:2:(sprintf('%.3g',$3)) with labels notitle\n";
  fs::path png = dir / fmt::format("{}-heatmap-{}-{}.png", m.name, r.axes[0].name, r.axes[1].name);
  render_png(script, png);
  return png;
}

fs::path pareto(const SweepReport& r, const fs::path& dir) {
  std::vector<std::pair<double, double>> pts;  // (energy, accuracy)
  for (const auto& p : r.points)
    if (std::isfinite(p.accuracy) && std::isfinite(p.energy_per_inference_j)) pts.push_back({p.energy_per_inference_j, p.accuracy});
  if (pts.empty()) return {};
  std::sort(pts.begin(), pts.end(), [](auto a, auto b) { return a.first < b.first || (a.first == b.first && a.second > b.second); });
  std::vector<std::pair<double, double>> front;
  for (auto q : pts)
    if (front.empty() || q.second > front.back().second) front.push_back(q);
  std::string script = fmt::format(
      "set title '{}' noenhanced\nset xlabel 'energy_per_inference_j [J]' noenhanced\nset ylabel 'accuracy [1]' noenhanced\nset grid\n$all << EOD\n",
      title(r));
  for (auto [e, a] : pts) script += fmt::format("{:.17g} {:.17g}\n", e, a);
  script += "EOD\n$front << EOD\n";
  for (auto [e, a] : front) script += fmt::format("{:.17g} {:.17g}\n", e, a);
  script += "EOD\nplot $all with points pt 7 title 'points', $front with steps lw 2 title 'Pareto front'\n";
  fs::path png = dir / "pareto-accuracy-energy.png";
  render_png(script, png);
  return png;
}

}  // namespace

std::vector<fs::path> write_plots(const SweepReport& r, const fs::path& dir) {
  std::vector<fs::path> out;
  if (r.points.empty()) return out;
  if (!gnuplot_available()) {
    std::fprintf(stderr, "sweep: gnuplot not found, no plots\n");
    return out;
  }
  fs::create_directories(dir);
  auto add = [&](fs::path p) {
    if (!p.empty()) out.push_back(p);
  };
  for (const auto& name : kPlotted)
    for (std::size_t a = 0; a < r.axes.size(); ++a) add(metric_vs_axis(r, metric(name), a, dir));
  if (r.mode == Mode::grid && r.axes.size() >= 2) {
    add(heat_map(r, metric("accuracy"), dir));
    add(heat_map(r, metric("energy_per_inference_j"), dir));
  }
  add(pareto(r, dir));
  return out;
}

}  // namespace rramsim::sweep
