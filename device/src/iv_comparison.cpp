#include "rramsim/device/iv_comparison.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"
#include "rramsim/common/h5.hpp"
#include "rramsim/common/plot.hpp"
#include "rramsim/device/ngspice_session.hpp"
#include "rramsim/common/provenance.hpp"
#include "rramsim/device/params_io.hpp"

namespace rramsim::device {
namespace {

void write_trace(h5::Group g, const IvRun& r) {
  const auto& t = r.trace;
  g.write("time_s", t.time_s, {"s", {"sample"}});
  g.write("applied_volt", t.applied_volt, {"V", {"sample"}});
  g.write("device_volt", t.device_volt, {"V", {"sample"}});
  g.write("current_amp", t.current_amp, {"A", {"sample"}});
  g.write("gap_m", t.gap_m, {"m", {"sample"}});
  g.write("temp_k", t.temp_k, {"K", {"sample"}});
  g.attr("set_volt", r.summary.set_volt).attr("reset_volt", r.summary.reset_volt);
  g.attr("lrs_ohm", r.summary.lrs_ohm).attr("hrs_ohm", r.summary.hrs_ohm);
  g.attr("read_volt", r.summary.read_volt).attr("final_gap_m", r.summary.final_gap_m);
  g.attr("seconds", r.seconds);
}

nlohmann::json summary_json(const IvRun& r) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"set_volt", num(r.summary.set_volt)},   {"reset_volt", num(r.summary.reset_volt)},
          {"lrs_ohm", num(r.summary.lrs_ohm)},     {"hrs_ohm", num(r.summary.hrs_ohm)},
          {"read_volt", r.summary.read_volt},      {"final_gap_m", r.summary.final_gap_m},
          {"seconds", r.seconds}};
}

double rel_dev(double a, double b, double scale) { return std::abs(a - b) / scale; }

}  // namespace

IvComparison characterize_iv(const Params& p, const IvOptions& o, const std::string& engines,
                             double compliance_ohm) {
  if (engines != "native" && engines != "ngspice" && engines != "both")
    throw InputError("device iv: engine must be native, ngspice or both, got '" + engines + "'");
  IvComparison c{.params = p, .options = o, .compliance_ohm = compliance_ohm, .engines = engines};
  std::vector<Engine> list;
  if (engines != "ngspice") list.push_back(Engine::native);
  if (engines != "native") list.push_back(Engine::ngspice);
  for (Engine e : list) {
    IvRun r;
    r.engine = e == Engine::native ? "native" : "ngspice";
    auto t0 = std::chrono::steady_clock::now();
    r.trace = run_iv(p, o, e);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.summary = summarize_iv(p, o, r.trace);
    c.runs.push_back(std::move(r));
  }
  if (c.runs.size() == 2) c.engine_max_rel_dev = current_max_rel_dev(c.runs[0].trace, c.runs[1].trace);
  return c;
}

void IvComparison::write_h5(const std::filesystem::path& path) const {
  AtomicOutput out(path);
  {
    auto f = h5::File::create(out.tmp_path());
    auto pg = f.create_group("params");
    write_params(pg, params);
    auto sw = f.create_group("sweep");
    sw.attr("vmax_volt", options.vmax_volt).attr("vmin_volt", options.vmin_volt).attr("period_s", options.period_s);
    sw.attr("compliance_ohm", compliance_ohm).attr("start_gap_m", params.gap_max_m);
    sw.attr("engine", engines);
    if (runs.size() == 2) sw.attr("engine_max_rel_dev", engine_max_rel_dev);
    for (const auto& r : runs) write_trace(sw.create_group(r.engine), r);
    if (engines != "native") sw.attr("ngspice_version", NgspiceSession::instance().version());
    write_provenance(f, {.rramsim_kind = "device.iv", .schema_version = kIvSchemaVersion});
  }
  out.commit();
}

nlohmann::json IvComparison::to_json() const {
  nlohmann::json j = summary_json(runs.front());
  j["engine"] = engines;
  j["params"] = params.name;
  if (runs.size() == 2) {
    const auto &a = runs[0].summary, &b = runs[1].summary;
    j["engine_max_rel_dev"] = engine_max_rel_dev;
    j["seconds"] = nlohmann::json::object();
    for (const auto& r : runs) {
      j["seconds"][r.engine] = r.seconds;
      j["engines"][r.engine] = summary_json(r);
    }
    j["set_volt_rel_dev"] = rel_dev(a.set_volt, b.set_volt, std::abs(a.set_volt));
    j["reset_volt_rel_dev"] = rel_dev(a.reset_volt, b.reset_volt, std::abs(a.reset_volt));
    j["final_gap_rel_dev"] = rel_dev(a.final_gap_m, b.final_gap_m, a.final_gap_m);
  }
  return j;
}

std::string IvComparison::to_text() const {
  std::string t = fmt::format("device iv: parameter set {}, sweep 0 -> +{} -> 0 -> -{} -> 0 V over {} s{}\n",
                              params.name, options.vmax_volt, options.vmin_volt, options.period_s,
                              compliance_ohm > 0 ? fmt::format(", series {} ohm", compliance_ohm) : "");
  for (const auto& r : runs)
    t += fmt::format("  {:8s} set {:.4f} V  reset {:.4f} V  LRS {:.1f} ohm  HRS {:.1f} ohm (at {} V)  [{:.3f} s]\n",
                     r.engine, r.summary.set_volt, r.summary.reset_volt, r.summary.lrs_ohm,
                     r.summary.hrs_ohm, r.summary.read_volt, r.seconds);
  if (runs.size() == 2)
    t += fmt::format("  largest current deviation between engines: {:.3g}\n", engine_max_rel_dev);
  return t;
}

void IvComparison::write_plot(const std::filesystem::path& png) const {
  std::string s = "set title 'I-V sweep'\nset xlabel 'applied voltage (V)'\nset ylabel '|I| (A)'\n"
                  "set logscale y\nset grid\nset key top left\n";
  for (const auto& r : runs) {
    s += "$" + r.engine + " << EOD\n";
    for (size_t i = 0; i < r.trace.time_s.size(); ++i)
      s += fmt::format("{:.6g} {:.6g}\n", r.trace.applied_volt[i],
                       std::max(std::abs(r.trace.current_amp[i]), 1e-12));
    s += "EOD\n";
  }
  s += "plot ";
  for (size_t k = 0; k < runs.size(); ++k)
    s += (k ? ", " : "") + std::string("$") + runs[k].engine + " using 1:2 with lines lw " +
         (k ? "1 dt 2" : "2") + " title '" + runs[k].engine + "'";
  render_png(s + "\n", png.string());
}

}  // namespace rramsim::device
