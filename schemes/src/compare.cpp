#include "rramsim/schemes/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/config.hpp"
#include "rramsim/common/data_path.hpp"
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

// Read and conversion skips of a scheme over the network, weighted by each layer's nominal
// crossbar reads in the architecture model.
nlohmann::json skips_json(const StudyReport& s, const arch::Report& rep) {
  double nominal = 0, issued = 0, zero = 0, window = 0;
  for (const LayerFigures& f : s.layers)
    for (const arch::LayerReport& l : rep.layers) {
      if (l.name != f.name || l.read_fraction <= 0) continue;
      const double n = l.events[int(arch::Event::crossbar_read)] / l.read_fraction;
      nominal += n;
      issued += n * f.read_fraction;
      zero += n * f.zero_plane_fraction;
      window += n * f.window_fraction;
    }
  return {{"zero_plane_fraction", ratio(zero, nominal)},
          {"window_fraction", ratio(window, nominal)},
          {"reads_issued_fraction", ratio(issued, nominal)},
          {"conversions_skipped_fraction", s.subwords_skipped_fraction},
          {"credited", s.scheme.dynamic_quantization ? "reads issued (zero planes and window skips), conversions performed"
                                                     : "none: every read and conversion is performed"}};
}

nlohmann::json energy_json(const arch::Report& r) {
  return {{"energy_per_inference_j", r.energy_per_inference_j},
          {"events_j", r.energy_events_j},
          {"always_on_j", r.energy_always_on_j},
          {"event_only_j", r.energy_event_only_j},
          {"chip_power_j", r.energy_chip_power_j},
          {"energy_efficiency_event_only_gops_per_w", r.energy_efficiency_event_only_gops_per_w},
          {"energy_efficiency_chip_power_gops_per_w", r.energy_efficiency_chip_power_gops_per_w}};
}

nlohmann::json row_json(const Comparison& c, const ComparisonRow& r) {
  const arch::Report& ref = c.rows.front().report;
  nlohmann::json j = {{"design", r.design}, {"hardware", r.hardware}};
  j["peak"] = {{"pe_gops_per_w", r.report.peak.pe_gops_per_w}, {"ce_gops_per_s_mm2", r.report.peak.ce_gops_per_s_mm2}};
  if (r.published) {
    j["published"] = true;
    j["vs_isaac"] = {{"throughput", r.published_vs_isaac[0]},
                     {"energy_efficiency", r.published_vs_isaac[1]},
                     {"area_efficiency", r.published_vs_isaac[2]}};
    j["note"] = "published ratios (ISAAC, ISCA 2016: benchmark averages and Table IV), not modelled";
    return j;
  }
  j["throughput_inferences_per_s"] = r.report.throughput_inferences_per_s;
  j["throughput_gops"] = r.report.throughput_gops;
  j["throughput"] = {{"inferences_per_s", r.report.throughput_inferences_per_s},
                     {"gops", r.report.throughput_gops},
                     {"basis", "crossbar reads issued, each max(read cycle, its conversions / ADCs per crossbar)"}};
  j["energy_efficiency_gops_per_w"] = r.report.energy_efficiency_gops_per_w;
  j["area_efficiency_gops_per_s_mm2"] = r.report.area_efficiency_gops_per_s_mm2;
  j["energy_per_inference_j"] = r.report.energy_per_inference_j;
  j["energy_bounds"] = energy_json(r.report);
  j["read_energy_model"] = arch::to_string(r.report.read_energy.model);
  j["area_mm2"] = r.report.area_mm2;
  j["chips"] = r.report.chips;
  j["vs_isaac"] = vs(r.report, ref);
  j["vs_iso_accuracy"] = nullptr;
  if (r.iso_point >= 0) {
    const StaticPoint& p = c.static_points[r.iso_point];
    j["vs_iso_accuracy"] = vs(r.report, p.report);
    j["vs_iso_accuracy"]["baseline"] = fmt::format("ISAAC at {}-bit weights and activations", p.bits);
    j["vs_iso_accuracy"]["baseline_bits"] = p.bits;
    j["vs_iso_accuracy"]["baseline_accuracy"] = p.accuracy;
  }
  if (r.accuracy) j["accuracy"] = *r.accuracy;
  if (r.study >= 0) {
    study_json(c.studies[r.study], c.scheme_options[r.study], j);
    j["skips"] = skips_json(c.studies[r.study], r.report);
    j["crossbar_read_energy"] = arch::read_energy_json(r.report.read_energy);
    j["crossbar_read_energy"]["from_levels_j"] = c.read_energy_from_levels_j[r.study];
    j["report"] = arch::to_json(r.report);
  }
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

// A scheme without its own geometry runs on the hardware's arrays.
void adopt_geometry(SchemeOptions& s, const arch::Hardware& hw) {
  if (!s.geometry_explicit) {
    s.rows = hw.rows;
    s.cols = hw.cols;
    s.bits_per_cell = hw.bits_per_cell;
    s.dac_bits = hw.dac_bits;
  }
  if (s.bits_per_cell != hw.bits_per_cell || s.rows != hw.rows)
    throw InputError(fmt::format("scheme '{}' uses {} rows and {} bits per cell, but hardware '{}' has {} and {}",
                                 s.name, s.rows, s.bits_per_cell, hw.name, hw.rows, hw.bits_per_cell));
  s.validate();
}

// Crossbar read energy implied by the programmed levels: V^2 G t over the cells on active
// rows of the converted columns, per issued read. Levels: the calibration tables', else the
// default calibration's targets (data/calibration/default.toml: 2^w levels evenly spaced
// from 5 uS to 166.67 uS) at 0.1 V (fidelity.md).
double read_energy_from_levels(const StudyReport& s, const std::optional<ReadEnergyModel>& model, double pulse_s) {
  std::vector<double> g;
  double volt = 0.1;
  if (model) {
    g = model->level_siemens;
    volt = model->read_volt;
  } else {
    const int levels = s.scheme.max_cell_level() + 1;
    for (int lv = 0; lv < levels; ++lv) g.push_back(5e-6 + (1.6667e-4 - 5e-6) * lv / std::max(1, levels - 1));
  }
  double e = 0, reads = 0;
  for (const LayerStats& l : s.stats) {
    for (size_t lv = 0; lv < l.stats.active_cells_by_level.size() && lv < g.size(); ++lv)
      e += double(l.stats.active_cells_by_level[lv]) * g[lv];
    reads += double(l.stats.reads_issued);
  }
  return reads > 0 ? e * volt * volt * pulse_s / reads : 0.0;
}

// Tables describe one array: its rows, bits per cell and read voltage must be the
// hardware's and every scheme's.
void check_tables_fit(const calibration::Tables& t, const arch::Hardware& hw, const std::vector<SchemeOptions>& schemes) {
  if (std::string m = arch::tables_mismatch(hw, t.file()); !m.empty())
    throw InputError("tables do not fit the hardware: " + m);
  for (const SchemeOptions& s : schemes) {
    if (s.rows != t.rows())
      throw InputError(fmt::format("tables do not fit scheme '{}': array rows differ: tables {} have {}, the scheme {}",
                                   s.name, t.file().string(), t.rows(), s.rows));
    if (s.bits_per_cell != t.bits_per_cell())
      throw InputError(fmt::format("tables do not fit scheme '{}': bits per cell differ: tables {} have {}, the "
                                   "scheme {}", s.name, t.file().string(), t.bits_per_cell(), s.bits_per_cell));
  }
}

// The circuit read energy of a scheme's layers rests on what the datapath measured: the rows
// driven per read and the active cells' ideal read energy (tables' level conductances).
void measured_activity(const StudyReport& s, arch::EvaluateOptions& o) {
  for (const LayerFigures& f : s.layers) {
    auto it = o.per_layer.find(f.name);
    if (it == o.per_layer.end() || f.computed_subwords == 0) continue;
    it->second.active_rows = f.mean_active_rows;
    if (f.read_energy_j > 0 && f.reads_issued > 0) it->second.read_energy_ideal_j = f.read_energy_j / double(f.reads_issued);
  }
}

// The second reference design; when a scheme of the same name exists (data/schemes/prime.toml),
// its datapath runs bit-accurately so the row carries its own accuracy.
ComparisonRow second_design(const CompareOptions& a, const arch::Hardware& other, const workload::Network& net,
                            const arch::EvaluateOptions& base, StudyOptions so, Comparison& c) {
  ComparisonRow r{other.name == "prime" ? "PRIME" : other.name, other.name, {}, -1};
  arch::EvaluateOptions o = base;
  o.adc_bits.reset();  // the other design at its own ADC
  // Calibration tables describe the evaluated design's array (rows, bits per cell); the
  // other design has its own geometry, so its row uses the ideal quantizer and ADC model.
  o.tables.reset();
  o.wire_ohm.reset();
  o.read_energy.reset();
  so.adc = nullptr;
  so.read_energy.reset();
  if (std::filesystem::exists(default_schemes_dir() / (other.name + ".toml"))) {
    so.scheme = resolve_scheme(other.name);
    adopt_geometry(so.scheme, other);
    StudyReport s = run_study(so);
    arch::EvaluateOptions e = evaluate_options(s, nullptr);
    for (auto& [name, lo] : e.per_layer) o.per_layer[name] = lo;
    o.weight_bits = e.weight_bits;
    o.input_bits = e.input_bits;
    o.weight_polarities = e.weight_polarities;
    r.accuracy = s.accuracy;
    c.reference_study_note = fmt::format("{} row: its datapath ('{}' scheme: {}) run bit-accurately; {}", r.design,
                                         so.scheme.name, so.scheme.summary(), s.statistics);
  }
  r.report = arch::evaluate(other, net, o);
  return r;
}

// ISAAC at static precisions, largest first, until one falls below every scheme's accuracy.
std::vector<StaticPoint> static_sweep(const CompareOptions& a, const arch::Hardware& isaac, const workload::Network& net,
                                      StudyOptions so, const arch::EvaluateOptions& base, double lowest,
                                      const std::optional<StudyReport>& isaac16) {
  std::vector<StaticPoint> points;
  for (int bits : a.static_bits) {
    so.scheme = resolve_scheme(fmt::format("baseline,wbits={},abits={}", bits, bits));
    adopt_geometry(so.scheme, isaac);
    // ISAAC-16 is the baseline scheme already measured on the same images.
    const bool reuse = bits == 16 && isaac16 && isaac16->images == so.images;
    const double accuracy = reuse ? isaac16->accuracy.value_or(0) : run_study(so).accuracy.value_or(0);
    arch::EvaluateOptions o = base;
    o.weight_bits = bits;
    o.input_bits = bits;
    points.push_back({bits, accuracy, arch::evaluate(isaac, net, o)});
    if (points.back().accuracy < lowest) break;
  }
  return points;
}

// The smallest static precision within the scheme's accuracy delta: its loss against ISAAC-16
// (the first point) is at most the scheme's; a scheme above ISAAC-16 has delta 0 (-1: none).
int iso_point(const std::vector<StaticPoint>& points, std::optional<double> accuracy) {
  if (!accuracy || points.empty()) return -1;
  const double target = std::min(*accuracy, points.front().accuracy);
  int best = -1;
  for (size_t k = 0; k < points.size(); ++k)
    if (points[k].accuracy >= target - 1e-12 && (best < 0 || points[k].bits < points[best].bits)) best = int(k);
  return best;
}

// DaDianNao's published ratios (data/hardware/published.toml), not modelled.
ComparisonRow dadiannao_row(const arch::Report& isaac) {
  auto doc = ConfigDoc::from_file(data_dir() / "hardware" / "published.toml");
  Config d = doc.root().table("dadiannao");
  ComparisonRow r{"DaDianNao (published)", "published", isaac, -1};
  r.published = true;
  r.published_vs_isaac[0] = 1.0 / d.number("isaac_throughput_ratio", 1);
  r.published_vs_isaac[1] = 1.0 / d.number("isaac_energy_ratio", 1);
  r.published_vs_isaac[2] = 1.0 / d.number("isaac_area_efficiency_ratio", 1);
  r.report.peak.pe_gops_per_w = d.number("peak_pe_gops_per_w", 0);
  r.report.peak.ce_gops_per_s_mm2 = d.number("peak_ce_gops_per_s_mm2", 0);
  return r;
}

}  // namespace

Comparison compare(const CompareOptions& a) {
  arch::Hardware hw = arch::load_hardware(a.arch);
  arch::Hardware isaac = arch::load_hardware("isaac");
  arch::Hardware other = arch::load_hardware(a.compare_arch);
  workload::Network net = workload::load_network(a.network);
  std::vector<SchemeOptions> schemes = resolve_all(a.schemes);
  if (a.images < 0) throw InputError("--images must be >= 0");
  for (auto& s : schemes) adopt_geometry(s, hw);

  // The calibrated nonideality and read conductances, when tables are given.
  std::optional<calibration::Tables> tables;
  std::unique_ptr<CalibratedAdc> adc;
  std::optional<ReadEnergyModel> energy;
  if (!a.tables.empty()) {
    tables = calibration::Tables::open(a.tables);
    check_tables_fit(*tables, hw, schemes);
    (void)tables->wire_index(a.wire_ohm.value_or(-1));  // a value off the grid: InputError listing it
    adc = calibrated_adc(*tables, a.wire_ohm.value_or(-1));
    energy = ReadEnergyModel{tables->level_mean_siemens(), tables->read_volt(), a.read_pulse_ns * 1e-9, a.tables};
  }
  StudyOptions so;
  so.network = a.network;
  so.weights = a.weights;
  so.dataset = a.data;
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
    c.read_energy_from_levels_j.push_back(read_energy_from_levels(c.studies.back(), energy, a.read_pulse_ns * 1e-9));
    if (!reference && s.name == "baseline" && s.rows == 128) reference = c.studies.back();
  }
  if (!reference) {
    so.scheme = resolve_scheme("baseline");
    adopt_geometry(so.scheme, hw);
    so.images = std::min(a.images == 0 ? 200 : a.images, 200);
    reference = run_study(so);
    so.images = a.images;
  }
  if (const arch::Component* x = hw.find(arch::Event::crossbar_read)) c.read_energy_table_j = x->energy_per_event_j(true);

  arch::EvaluateOptions base_opt;
  if (!a.tables.empty()) base_opt.tables = a.tables;
  base_opt.adc_model = a.adc_model;
  base_opt.adc_bits = a.adc_bits;
  base_opt.power_gating = a.power_gating;
  base_opt.wire_ohm = a.wire_ohm;
  base_opt.read_energy = a.read_energy;
  base_opt.read_pulse_s = a.read_pulse_ns * 1e-9;
  // ISAAC (the reference) uses the tables only where they fit its array, like the second design.
  arch::EvaluateOptions isaac_opt = base_opt;
  if (!a.tables.empty() && !arch::tables_mismatch(isaac, a.tables).empty()) {
    isaac_opt.tables.reset();
    isaac_opt.wire_ohm.reset();
    isaac_opt.read_energy.reset();
  }
  c.rows.push_back({"ISAAC", isaac.name, arch::evaluate(isaac, net, isaac_opt), -1});
  c.rows.push_back(second_design(a, other, net, base_opt, so, c));
  c.rows.push_back(dadiannao_row(c.rows.front().report));
  double lowest = 1;
  for (size_t k = 0; k < c.studies.size(); ++k) {
    arch::EvaluateOptions o = evaluate_options(c.studies[k], &*reference);
    o.tables = base_opt.tables;
    o.adc_model = base_opt.adc_model;
    o.power_gating = a.power_gating;
    o.wire_ohm = base_opt.wire_ohm;
    o.read_energy = base_opt.read_energy;
    o.read_pulse_s = base_opt.read_pulse_s;
    measured_activity(c.studies[k], o);
    c.scheme_options.push_back(o);
    c.rows.push_back({c.studies[k].scheme.name, hw.name, arch::evaluate(hw, net, o), int(k)});
    if (c.studies[k].accuracy) lowest = std::min(lowest, *c.studies[k].accuracy);
  }
  if (!a.weights.empty() && !a.static_bits.empty()) {
    std::optional<StudyReport> isaac16;
    for (const StudyReport& r : c.studies)
      if (r.scheme.name == "baseline" && r.scheme.rows == isaac.rows && r.scheme.bits_per_cell == isaac.bits_per_cell)
        isaac16 = r;
    c.static_points = static_sweep(a, isaac, net, so, isaac_opt, lowest, isaac16);
    for (ComparisonRow& r : c.rows)
      r.iso_point = iso_point(c.static_points, r.study >= 0 ? c.studies[r.study].accuracy : r.accuracy);
  }
  return c;
}

nlohmann::json to_json(const Comparison& c) {
  nlohmann::json cmp = nlohmann::json::array();
  for (const ComparisonRow& r : c.rows) cmp.push_back(row_json(c, r));
  nlohmann::json out;
  out["network"] = c.network;
  out["nonideality"] = c.tables.empty() ? "ideal ADC (no tables)" : c.tables;
  out["comparison"] = cmp;
  nlohmann::json points = nlohmann::json::array();
  for (const StaticPoint& p : c.static_points)
    points.push_back({{"bits", p.bits},
                      {"accuracy", p.accuracy},
                      {"throughput_inferences_per_s", p.report.throughput_inferences_per_s},
                      {"energy_efficiency_gops_per_w", p.report.energy_efficiency_gops_per_w},
                      {"area_efficiency_gops_per_s_mm2", p.report.area_efficiency_gops_per_s_mm2}});
  out["iso_accuracy_candidates"] = points;
  if (!c.reference_study_note.empty()) out["reference_study"] = c.reference_study_note;
  return out;
}

std::string to_text(const Comparison& c) {
  const arch::Report& ref = c.rows.front().report;
  std::string t;
  t += fmt::format("Scheme comparison: {} (schemes on {}; ADC {})\n", c.network, c.hardware,
                   c.tables.empty() ? "ideal quantizer, costs from " + c.adc_model : "calibrated tables " + c.tables);
  t += fmt::format("statistics: {}\n", c.studies.front().statistics);
  if (!c.reference_study_note.empty()) t += c.reference_study_note + "\n";
  t += "accounting: throughput from the crossbar reads issued; energy = events + always-on power x time for every "
       "chip used\n\n";
  size_t wd = 8;
  for (const ComparisonRow& r : c.rows) wd = std::max(wd, r.design.size());
  t += fmt::format("{:<{}} {:<9} {:>8} {:>6} {:>6} {:>5} {:>10} {:>9} {:>8} {:>9} {:>7} | {:>5} {:>5} {:>5} | {:>4} "
                   "{:>5} {:>5} {:>5}\n",
                   "design", wd, "hardware", "accuracy", "skip0", "skipW", "ADC", "inference/s", "GOPS", "GOPS/W",
                   "GOPS/s/mm2", "peakPE", "thr", "E", "A", "iso", "thr", "E", "A");
  for (const ComparisonRow& r : c.rows) {
    const StudyReport* s = r.study >= 0 ? &c.studies[r.study] : nullptr;
    std::string acc = s ? pct(s->accuracy) : pct(r.accuracy);
    if (r.published) {
      t += fmt::format("{:<{}} {:<9} {:>8} {:>6} {:>6} {:>5} {:>10} {:>9} {:>8} {:>9} {:>7.4g} | {:>5.2f} {:>5.2f} "
                       "{:>5.2f} | {:>4} {:>5} {:>5} {:>5}\n",
                       r.design, wd, "published", "-", "-", "-", "-", "-", "-", "-", "-", r.report.peak.pe_gops_per_w,
                       r.published_vs_isaac[0], r.published_vs_isaac[1], r.published_vs_isaac[2], "-", "-", "-", "-");
      continue;
    }
    nlohmann::json v = vs(r.report, ref);
    std::string skip0 = "-", skipw = "-";
    if (s) {
      nlohmann::json k = skips_json(*s, r.report);
      skip0 = fmt::format("{:.1f}%", 100 * k["zero_plane_fraction"].get<double>());
      skipw = fmt::format("{:.1f}%", 100 * k["window_fraction"].get<double>());
    }
    std::string bits = s ? fmt::format("{:.2f}", mean_adc_bits(*s)) : "-";
    std::string iso = "-", ti = "-", ei = "-", ai = "-";
    if (r.iso_point >= 0) {
      const StaticPoint& p = c.static_points[r.iso_point];
      nlohmann::json w = vs(r.report, p.report);
      iso = fmt::format("{}b", p.bits);
      ti = fmt::format("{:.2f}", w["throughput"].get<double>());
      ei = fmt::format("{:.2f}", w["energy_efficiency"].get<double>());
      ai = fmt::format("{:.2f}", w["area_efficiency"].get<double>());
    }
    t += fmt::format("{:<{}} {:<9} {:>8} {:>6} {:>6} {:>5} {:>10.4g} {:>9.4g} {:>8.4g} {:>9.4g} {:>7.4g} | {:>5.2f} "
                     "{:>5.2f} {:>5.2f} | {:>4} {:>5} {:>5} {:>5}\n",
                     r.design, wd, r.hardware, acc, skip0, skipw, bits, r.report.throughput_inferences_per_s,
                     r.report.throughput_gops, r.report.energy_efficiency_gops_per_w,
                     r.report.area_efficiency_gops_per_s_mm2, r.report.peak.pe_gops_per_w,
                     v["throughput"].get<double>(), v["energy_efficiency"].get<double>(),
                     v["area_efficiency"].get<double>(), iso, ti, ei, ai);
  }
  t += "\nx thr, E, A: throughput, energy efficiency (GOPS/W) and area efficiency (GOPS/s/mm2): first over ISAAC-16,\n"
       "then over ISAAC at the smallest static precision (iso) at least as accurate (trained networks). skip0 /\n"
       "skipW: crossbar reads skipped as all-zero input planes (any design could) / below the dynamic window.\n";
  if (!c.static_points.empty()) {
    t += "ISAAC at static precision (bit-accurate):";
    for (const StaticPoint& p : c.static_points) t += fmt::format(" {}b {}", p.bits, pct(p.accuracy));
    t += "\n";
  }
  const arch::Report& first = c.rows[3 < c.rows.size() ? 3 : 0].report;
  t += fmt::format("energy bounds of {}: events only {:.4g} GOPS/W, chip power x time {:.4g} GOPS/W (default {:.4g})\n",
                   c.rows[3 < c.rows.size() ? 3 : 0].design, first.energy_efficiency_event_only_gops_per_w,
                   first.energy_efficiency_chip_power_gops_per_w, first.energy_efficiency_gops_per_w);
  const arch::ReadEnergyInfo& re = first.read_energy;
  t += fmt::format("crossbar read energy of {} ({}): {:.3g} pJ per read ({:.1f} % in the wires), {}; hardware table "
                   "{:.3g} pJ; rows driven: {}\n",
                   c.rows[3 < c.rows.size() ? 3 : 0].design, arch::to_string(re.model), re.mean_j * 1e12,
                   100 * re.wire_fraction, re.source, re.table_j * 1e12, re.active_rows_basis);
  if (c.studies.front().float_accuracy) t += fmt::format("float model accuracy: {}\n", pct(c.studies.front().float_accuracy));
  for (size_t k = 0; k < c.studies.size(); ++k) t += scheme_layers_text(c.studies[k], c.scheme_options[k]);
  t += "\ncells1/inputs1: ones density of stored cell bits / fed input bits; rows: active rows per read;\n"
       "skip*: fraction of subwords skipped (zero input plane, all-zero column, dynamic window); maxps: largest\n"
       "partial sum; bits: ADC bits used (conversion-weighted, rounded up); need: bits to hold maxps; Eread: crossbar\n"
       "read energy per read relative to the baseline.\n";
  return t;
}

}  // namespace rramsim::schemes
