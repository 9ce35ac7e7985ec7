#include "rramsim/schemes/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::schemes {

namespace {

std::vector<SchemeOptions> resolve_all(const std::vector<std::string>& names) {
  std::vector<SchemeOptions> v;
  for (const std::string& n : names) {
    if (n == "all") {
      for (const char* s : {"baseline", "encoding", "encoding+adc", "full"}) v.push_back(resolve_scheme(s));
    } else {
      v.push_back(resolve_scheme(n));
    }
  }
  return v;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

nlohmann::json vs(const arch::Report& r, const arch::Report& ref) {
  return {{"throughput", ratio(r.throughput_inferences_per_s, ref.throughput_inferences_per_s)},
          {"energy_efficiency", ratio(r.energy_efficiency_gops_per_w, ref.energy_efficiency_gops_per_w)},
          {"area_efficiency", ratio(r.area_efficiency_gops_per_s_mm2, ref.area_efficiency_gops_per_s_mm2)}};
}

double mean_adc_bits(const StudyReport& s) {
  double bits = 0, conv = 0;
  for (const auto& l : s.layers) {
    bits += l.mean_adc_bits * double(l.computed_subwords);
    conv += double(l.computed_subwords);
  }
  return conv > 0 ? bits / conv : 0.0;
}

std::string pct(std::optional<double> v) { return v ? fmt::format("{:.2f} %", 100 * *v) : "-"; }

// Partial-sum distribution per (input slice, weight slice): median, 99th percentile, max.
nlohmann::json psum_json(const LayerStats& st, const StudyReport& s, int layer_index) {
  nlohmann::json dist = nlohmann::json::array();
  const SubwordStats& ss = st.stats;
  auto plan = s.adc_plans.find(layer_index);
  for (int i = 0; i < ss.input_slices; ++i)
    for (int w = 0; w < ss.weight_slices; ++w) {
      std::vector<double> d = psum_distribution(ss, i, w);
      double cum = 0;
      int p50 = -1, p99 = -1, mx = 0;
      for (int p = 0; p <= ss.max_psum; ++p) {
        cum += d[p];
        if (p50 < 0 && cum >= 0.5) p50 = p;
        if (p99 < 0 && cum >= 0.99) p99 = p;
        if (d[p] > 0) mx = p;
      }
      nlohmann::json e = {{"input_bit", i}, {"weight_slice", w}, {"p50", p50}, {"p99", p99}, {"max", mx}};
      if (plan != s.adc_plans.end()) e["adc_bits"] = plan->second.at(i, w);
      dist.push_back(e);
    }
  return dist;
}

nlohmann::json layer_json(const LayerFigures& f, const LayerStats& st, const StudyReport& s,
                          const arch::EvaluateOptions& eo) {
  nlohmann::json j = {{"name", f.name},
                      {"cell_ones_density", f.cell_ones_density},
                      {"cell_level_mean", f.cell_level_mean},
                      {"input_ones_density", f.input_ones_density},
                      {"mean_active_rows", f.mean_active_rows},
                      {"subwords_nominal", f.nominal_subwords},
                      {"subwords_computed", f.computed_subwords},
                      {"skipped_zero_input", f.skipped_zero_input},
                      {"skipped_zero_weight", f.skipped_zero_weight},
                      {"skipped_dynamic", f.skipped_dynamic},
                      {"clip_rate", f.clip_rate},
                      {"max_psum", f.max_psum_seen},
                      {"adc_bits_worst_case", f.adc_bits_worst_case},
                      {"adc_bits_observed", f.adc_bits_observed},
                      {"adc_bits_mean", f.mean_adc_bits},
                      {"read_energy_per_subword_j", f.read_energy_per_subword_j}};
  const auto& o = eo.per_layer.at(f.name);
  j["override"] = {{"adc_bits", o.adc_bits.value_or(0)},
                   {"subword_fraction", o.subword_fraction},
                   {"crossbar_read_energy_scale", o.crossbar_read_energy_scale},
                   {"extra_columns_per_crossbar", o.extra_columns_per_crossbar.value_or(0)}};
  j["psum_distribution"] = psum_json(st, s, f.layer_index);
  return j;
}

// The scheme's own keys of one comparison row.
void study_json(const StudyReport& s, const arch::EvaluateOptions& eo, nlohmann::json& j) {
  j["scheme"] = s.scheme.name;
  j["scheme_summary"] = s.scheme.summary();
  j["accuracy"] = s.accuracy ? nlohmann::json(*s.accuracy) : nlohmann::json(nullptr);
  j["float_accuracy"] = s.float_accuracy ? nlohmann::json(*s.float_accuracy) : nlohmann::json(nullptr);
  j["images"] = s.images;
  j["subwords_skipped_fraction"] = s.subwords_skipped_fraction;
  j["subwords_executed_fraction"] = ratio(double(s.computed_subwords), double(s.nominal_subwords));
  nlohmann::json bits = nlohmann::json::object();
  for (const auto& [name, o] : eo.per_layer) bits[name] = o.adc_bits.value_or(0);
  j["adc_bits"] = bits;
  j["adc_bits_mean"] = mean_adc_bits(s);
  j["statistics"] = s.statistics;
  j["bit_accurate_seconds"] = s.seconds;
  if (s.adc_epsilon_search) {
    const AdcEpsilonSearch& e = *s.adc_epsilon_search;
    nlohmann::json tried = nlohmann::json::array();
    for (const auto& [eps, acc] : e.tried) tried.push_back({{"epsilon", eps}, {"accuracy", acc}});
    j["adc_epsilon_search"] = {{"delta", e.delta},       {"epsilon_chosen", e.epsilon},
                               {"accuracy", e.accuracy}, {"ideal_adc_accuracy", e.ideal_accuracy},
                               {"images", e.images},     {"tried", tried}};
    j["adc_epsilon_chosen"] = e.epsilon;
  }
  nlohmann::json layers = nlohmann::json::array();
  for (size_t l = 0; l < s.layers.size(); ++l) layers.push_back(layer_json(s.layers[l], s.stats[l], s, eo));
  j["layers"] = layers;
}

nlohmann::json row_json(const Comparison& c, const ComparisonRow& r) {
  const arch::Report& ref = c.rows.front().report;
  nlohmann::json j = {{"design", r.design},
                      {"hardware", r.hardware},
                      {"throughput_inferences_per_s", r.report.throughput_inferences_per_s},
                      {"throughput_gops", r.report.throughput_gops},
                      {"energy_efficiency_gops_per_w", r.report.energy_efficiency_gops_per_w},
                      {"area_efficiency_gops_per_s_mm2", r.report.area_efficiency_gops_per_s_mm2},
                      {"energy_per_inference_j", r.report.energy_per_inference_j},
                      {"area_mm2", r.report.area_mm2},
                      {"vs_isaac", vs(r.report, ref)}};
  if (r.study >= 0) study_json(c.studies[r.study], c.scheme_options[r.study], j);
  return j;
}

std::string scheme_layers_text(const StudyReport& s, const arch::EvaluateOptions& eo) {
  std::string t;
  t += fmt::format("\n{}: {} ({:.1f} s bit-accurate)\n", s.scheme.name, s.scheme.summary(), s.seconds);
  if (s.adc_epsilon_search) {
    const AdcEpsilonSearch& e = *s.adc_epsilon_search;
    t += fmt::format("  ADC clipping budget chosen: {:g} (accuracy {} vs {} with an ideal ADC on {} sizing images; "
                     "delta {:g})\n", e.epsilon, pct(e.accuracy), pct(e.ideal_accuracy), e.images, e.delta);
  }
  t += fmt::format("  {:<10} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>5} {:>5} {:>6} {:>9}\n", "layer",
                   "cells1", "inputs1", "rows", "skip0in", "skip0w", "skipdyn", "clip", "maxps", "bits", "need",
                   "Eread", "subwords");
  for (const auto& f : s.layers) {
    const auto& o = eo.per_layer.at(f.name);
    t += fmt::format("  {:<10} {:>7.3f} {:>7.3f} {:>7.1f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.1e} {:>6} {:>5} {:>5} {:>6.3f} {:>9.3g}\n",
                     f.name, f.cell_ones_density, f.input_ones_density, f.mean_active_rows, f.skipped_zero_input,
                     f.skipped_zero_weight, f.skipped_dynamic, f.clip_rate, f.max_psum_seen, o.adc_bits.value_or(0),
                     f.adc_bits_observed, o.crossbar_read_energy_scale, double(f.computed_subwords));
  }
  return t;
}

}  // namespace

Comparison compare(const CompareOptions& a) {
  arch::Hardware hw = arch::load_hardware(a.arch);
  arch::Hardware isaac = arch::load_hardware("isaac");
  arch::Hardware other = arch::load_hardware(a.compare_arch);
  workload::Network net = workload::load_network(a.network);
  std::vector<SchemeOptions> schemes = resolve_all(a.schemes);
  if (a.images < 0) throw InputError("--images must be >= 0");
  for (const auto& s : schemes)
    if (s.bits_per_cell != hw.bits_per_cell || s.rows != hw.rows)
      throw InputError(fmt::format("scheme '{}' uses {} rows and {} bits per cell, but hardware '{}' has {} and {}",
                                   s.name, s.rows, s.bits_per_cell, hw.name, hw.rows, hw.bits_per_cell));

  // The calibrated nonideality and read conductances, when tables are given.
  std::optional<calibration::Tables> tables;
  std::unique_ptr<CalibratedAdc> adc;
  std::optional<ReadEnergyModel> energy;
  if (!a.tables.empty()) {
    tables = calibration::Tables::open(a.tables);
    adc = calibrated_adc(*tables);
    energy = ReadEnergyModel{tables->level_mean_siemens(), tables->read_volt(), a.read_pulse_ns * 1e-9, a.tables};
  }
  StudyOptions so;
  so.network = a.network;
  so.weights = a.weights;
  so.images = a.images;
  so.calibration_images = a.calibration_images;
  so.adc = adc.get();
  so.read_energy = energy;
  so.seed = a.seed;
  so.progress = a.progress;

  Comparison c;
  c.network = net.name;
  c.hardware = hw.name;
  c.tables = a.tables;
  c.adc_model = a.adc_model;
  // The baseline on the same data is the reference for the read energy per subword.
  std::optional<StudyReport> reference;
  for (const auto& s : schemes) {
    so.scheme = s;
    c.studies.push_back(run_study(so));
    if (!reference && s.name == "baseline") reference = c.studies.back();
  }
  if (!reference) {
    so.scheme = resolve_scheme("baseline");
    so.images = std::min(a.images == 0 ? 200 : a.images, 200);
    reference = run_study(so);
  }

  arch::EvaluateOptions base_opt;
  if (!a.tables.empty()) base_opt.tables = a.tables;
  base_opt.adc_model = a.adc_model;
  base_opt.adc_bits = a.adc_bits;
  c.rows.push_back({"ISAAC", isaac.name, arch::evaluate(isaac, net, base_opt), -1});
  {
    arch::EvaluateOptions o = base_opt;
    o.adc_bits.reset();  // the other design at its own ADC
    c.rows.push_back({other.name == "prime" ? "PRIME" : other.name, other.name, arch::evaluate(other, net, o), -1});
  }
  for (size_t k = 0; k < c.studies.size(); ++k) {
    arch::EvaluateOptions o = evaluate_options(c.studies[k], &*reference);
    o.tables = base_opt.tables;
    o.adc_model = base_opt.adc_model;
    c.scheme_options.push_back(o);
    c.rows.push_back({c.studies[k].scheme.name, hw.name, arch::evaluate(hw, net, o), int(k)});
  }
  return c;
}

nlohmann::json to_json(const Comparison& c) {
  nlohmann::json cmp = nlohmann::json::array();
  for (const ComparisonRow& r : c.rows) cmp.push_back(row_json(c, r));
  nlohmann::json out;
  if (c.studies.size() == 1) {
    // One scheme: its full architecture report, with the scheme's keys on top.
    out = arch::to_json(c.rows.back().report);
    for (const char* key : {"scheme", "accuracy", "float_accuracy", "images", "subwords_skipped_fraction", "adc_bits",
                            "adc_bits_mean", "vs_isaac", "statistics", "layers"})
      out[std::string(key) == "layers" ? "scheme_layers" : key] = cmp.back()[key];
    for (const char* key : {"adc_epsilon_chosen", "adc_epsilon_search"})
      if (cmp.back().contains(key)) out[key] = cmp.back()[key];
  }
  out["network"] = c.network;
  out["nonideality"] = c.tables.empty() ? "ideal ADC (no tables)" : c.tables;
  out["comparison"] = cmp;
  return out;
}

std::string to_text(const Comparison& c) {
  const arch::Report& ref = c.rows.front().report;
  std::string t;
  t += fmt::format("Scheme comparison: {} (schemes on {}; ADC {})\n", c.network, c.hardware,
                   c.tables.empty() ? "ideal quantizer, costs from " + c.adc_model : "calibrated tables " + c.tables);
  t += fmt::format("statistics: {}\n\n", c.studies.front().statistics);
  size_t wd = 8;
  for (const ComparisonRow& r : c.rows) wd = std::max(wd, r.design.size());
  t += fmt::format("{:<{}} {:<8} {:>9} {:>9} {:>8} {:>11} {:>10} {:>10} {:>11} {:>7} {:>7} {:>7}\n", "design", wd,
                   "hardware", "accuracy", "skipped", "ADC bits", "inference/s", "GOPS", "GOPS/W", "GOPS/s/mm2",
                   "x thr", "x E", "x A");
  for (const ComparisonRow& r : c.rows) {
    nlohmann::json v = vs(r.report, ref);
    const StudyReport* s = r.study >= 0 ? &c.studies[r.study] : nullptr;
    std::string acc = s ? pct(s->accuracy) : "-";
    std::string skip = s ? fmt::format("{:.1f} %", 100 * s->subwords_skipped_fraction) : "-";
    std::string bits = s ? fmt::format("{:.2f}", mean_adc_bits(*s)) : "-";
    t += fmt::format("{:<{}} {:<8} {:>9} {:>9} {:>8} {:>11.4g} {:>10.4g} {:>10.4g} {:>11.4g} {:>7.2f} {:>7.2f} {:>7.2f}\n",
                     r.design, wd, r.hardware, acc, skip, bits, r.report.throughput_inferences_per_s,
                     r.report.throughput_gops, r.report.energy_efficiency_gops_per_w,
                     r.report.area_efficiency_gops_per_s_mm2, v["throughput"].get<double>(),
                     v["energy_efficiency"].get<double>(), v["area_efficiency"].get<double>());
  }
  t += "\nx thr, x E, x A: throughput, energy efficiency (GOPS/W) and area efficiency (GOPS/s/mm2) over ISAAC.\n";
  if (c.studies.front().float_accuracy) t += fmt::format("float model accuracy: {}\n", pct(c.studies.front().float_accuracy));
  for (size_t k = 0; k < c.studies.size(); ++k) t += scheme_layers_text(c.studies[k], c.scheme_options[k]);
  t += "\ncells1/inputs1: ones density of stored cell bits / fed input bits; rows: active rows per read;\n"
       "skip*: fraction of subwords skipped (zero input plane, all-zero column, dynamic window); maxps: largest\n"
       "partial sum; bits: ADC bits used (conversion-weighted, rounded up); need: bits to hold maxps; Eread: crossbar\n"
       "read energy per read relative to the baseline.\n";
  return t;
}

}  // namespace rramsim::schemes
