// rramsim evaluate: a network on an accelerator (docs/arch.md), and with --scheme the
// seed's schemes measured bit-accurately and compared with ISAAC and PRIME (docs/schemes.md).
//
// Extending: a scheme option adds its flag in add_evaluate_command() and fills
// EvaluateOptions (per-layer overrides) in build_options(); run_evaluate() stays as is.
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "rramsim/arch/evaluate.hpp"
#include "rramsim/schemes/study.hpp"
#include "rramsim/nn/weights.hpp"
#include "rramsim/workload/onnx.hpp"
#include "rramsim/calibration/tables.hpp"
#include "rramsim/common/atomic_output.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::apps {

namespace {

namespace sc = rramsim::schemes;

struct EvaluateArgs {
  std::string arch;
  std::string network;
  std::string input_shape;  // CxHxW for an ONNX network with dynamic dimensions
  std::string tables;
  std::string adc_model = "isaac-survey";
  int adc_bits = 0;  // 0: the hardware's
  bool json = false;
  std::string output;
  // Schemes (docs/schemes.md).
  std::vector<std::string> schemes;
  std::string weights;          // "" : data/weights/<network>-*.h5 when present
  bool synthetic = false;       // ignore trained weights
  int images = 1000;
  int calibration_images = 200;
  std::string compare_arch = "prime";
  double read_pulse_ns = 100;   // ISAAC's read cycle
  uint64_t seed = 1;
  bool quiet = false;
};

arch::EvaluateOptions build_options(const EvaluateArgs& a, const arch::Hardware& hw, const workload::Network& net) {
  arch::EvaluateOptions opt;
  if (!a.tables.empty()) {
    if (!std::filesystem::exists(a.tables)) throw InputError("--tables: file " + a.tables + " does not exist");
    opt.tables = a.tables;
  }
  opt.adc_model = a.adc_model;
  if (a.adc_bits) opt.adc_bits = a.adc_bits;
  return opt;
}

void emit(const EvaluateArgs& a, const std::string& text) {
  if (a.output.empty()) {
    std::cout << text;
    return;
  }
  AtomicOutput out(a.output);
  {
    std::ofstream f(out.tmp_path());
    f << text;
    if (!f.flush()) throw InputError("cannot write " + a.output);
  }
  out.commit();
}

// ---- schemes -------------------------------------------------------------------------

std::vector<sc::SchemeOptions> resolve_all(const std::vector<std::string>& names) {
  std::vector<sc::SchemeOptions> v;
  for (const std::string& n : names) {
    if (n == "all") {
      for (const char* s : {"baseline", "encoding", "encoding+adc", "full"}) v.push_back(sc::resolve_scheme(s));
    } else {
      v.push_back(sc::resolve_scheme(n));
    }
  }
  return v;
}

std::filesystem::path find_weights(const EvaluateArgs& a, const workload::Network& net) {
  if (a.synthetic) return {};
  if (a.weights.empty() && workload::is_onnx_file(a.network)) {  // weights inside; labelled data if exported here
    std::string file = a.network.substr(0, a.network.find(".onnx") + 5);
    return nn::read_training_record(file).dataset.empty() ? std::filesystem::path{} : std::filesystem::path(file);
  }
  if (!a.weights.empty()) {
    if (!std::filesystem::exists(a.weights)) throw InputError("--weights: file " + a.weights + " does not exist");
    return a.weights;
  }
  auto dir = std::filesystem::path(RRAMSIM_SOURCE_DATA_DIR) / "weights";
  std::error_code ec;
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".h5" && e.path().stem().string().rfind(net.name + "-", 0) == 0)
      found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::filesystem::path{} : found.front();
}

struct Row {
  std::string design, hardware;
  arch::Report report;
  const sc::StudyReport* study = nullptr;
};

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

nlohmann::json vs(const arch::Report& r, const arch::Report& ref) {
  return {{"throughput", ratio(r.throughput_inferences_per_s, ref.throughput_inferences_per_s)},
          {"energy_efficiency", ratio(r.energy_efficiency_gops_per_w, ref.energy_efficiency_gops_per_w)},
          {"area_efficiency", ratio(r.area_efficiency_gops_per_s_mm2, ref.area_efficiency_gops_per_s_mm2)}};
}

double mean_adc_bits(const sc::StudyReport& s) {
  double bits = 0, conv = 0;
  for (const auto& l : s.layers) {
    bits += l.mean_adc_bits * double(l.computed_subwords);
    conv += double(l.computed_subwords);
  }
  return conv > 0 ? bits / conv : 0.0;
}

nlohmann::json layer_json(const sc::LayerFigures& f, const sc::LayerStats& st, const sc::StudyReport& s,
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
  // Partial-sum distribution per (input slice, weight slice): median, 99th percentile, max.
  nlohmann::json dist = nlohmann::json::array();
  const sc::SubwordStats& ss = st.stats;
  auto plan = s.adc_plans.find(f.layer_index);
  for (int i = 0; i < ss.input_slices; ++i)
    for (int w = 0; w < ss.weight_slices; ++w) {
      std::vector<double> d = sc::psum_distribution(ss, i, w);
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
  j["psum_distribution"] = dist;
  return j;
}

std::string pct(std::optional<double> v) { return v ? fmt::format("{:.2f} %", 100 * *v) : "-"; }

void run_schemes(const EvaluateArgs& a) {
  arch::Hardware hw = arch::load_hardware(a.arch);
  arch::Hardware isaac = arch::load_hardware("isaac");
  arch::Hardware other = arch::load_hardware(a.compare_arch);
  workload::Network net = workload::load_network(a.network);
  std::vector<sc::SchemeOptions> schemes = resolve_all(a.schemes);
  if (a.images < 0) throw InputError("--images must be >= 0");
  for (const auto& s : schemes)
    if (s.bits_per_cell != hw.bits_per_cell || s.rows != hw.rows)
      throw InputError(fmt::format("scheme '{}' uses {} rows and {} bits per cell, but hardware '{}' has {} and {}",
                                   s.name, s.rows, s.bits_per_cell, hw.name, hw.rows, hw.bits_per_cell));

  // The calibrated nonideality and read conductances, when tables are given.
  std::optional<calibration::Tables> tables;
  std::unique_ptr<sc::CalibratedAdc> adc;
  std::optional<sc::ReadEnergyModel> energy;
  if (!a.tables.empty()) {
    tables = calibration::Tables::open(a.tables);
    adc = sc::calibrated_adc(*tables);
    energy = sc::ReadEnergyModel{tables->level_mean_siemens(), tables->read_volt(), a.read_pulse_ns * 1e-9,
                                 a.tables};
  }
  sc::StudyOptions so;
  so.network = a.network;
  so.weights = find_weights(a, net);
  so.images = a.images;
  so.calibration_images = a.calibration_images;
  so.adc = adc.get();
  so.read_energy = energy;
  so.seed = a.seed;
  so.quiet = a.quiet;

  // The baseline on the same data is the reference for the read energy per subword.
  std::vector<sc::StudyReport> studies;
  std::optional<sc::StudyReport> reference;
  for (const auto& s : schemes) {
    so.scheme = s;
    studies.push_back(sc::run_study(so));
    if (!reference && s.name == "baseline") reference = studies.back();
  }
  if (!reference) {
    so.scheme = sc::resolve_scheme("baseline");
    so.images = std::min(a.images == 0 ? 200 : a.images, 200);
    reference = sc::run_study(so);
  }

  arch::EvaluateOptions base_opt = build_options(a, hw, net);
  std::vector<Row> rows;
  rows.push_back({"ISAAC", isaac.name, arch::evaluate(isaac, net, base_opt), nullptr});
  {
    arch::EvaluateOptions o = base_opt;
    o.adc_bits.reset();  // the other design at its own ADC
    rows.push_back({other.name == "prime" ? "PRIME" : other.name, other.name, arch::evaluate(other, net, o), nullptr});
  }
  std::vector<arch::EvaluateOptions> scheme_opts;
  for (const auto& st : studies) {
    arch::EvaluateOptions o = sc::evaluate_options(st, &*reference);
    o.tables = base_opt.tables;
    o.adc_model = base_opt.adc_model;
    scheme_opts.push_back(o);
    rows.push_back({st.scheme.name, hw.name, arch::evaluate(hw, net, o), &st});
  }
  const arch::Report& ref = rows.front().report;

  if (a.json) {
    auto row_json = [&](const Row& r, size_t k) {
      nlohmann::json j = {{"design", r.design},
                          {"hardware", r.hardware},
                          {"throughput_inferences_per_s", r.report.throughput_inferences_per_s},
                          {"throughput_gops", r.report.throughput_gops},
                          {"energy_efficiency_gops_per_w", r.report.energy_efficiency_gops_per_w},
                          {"area_efficiency_gops_per_s_mm2", r.report.area_efficiency_gops_per_s_mm2},
                          {"energy_per_inference_j", r.report.energy_per_inference_j},
                          {"area_mm2", r.report.area_mm2},
                          {"vs_isaac", vs(r.report, ref)}};
      if (r.study) {
        const sc::StudyReport& s = *r.study;
        j["scheme"] = s.scheme.name;
        j["scheme_summary"] = s.scheme.summary();
        j["accuracy"] = s.accuracy ? nlohmann::json(*s.accuracy) : nlohmann::json(nullptr);
        j["float_accuracy"] = s.float_accuracy ? nlohmann::json(*s.float_accuracy) : nlohmann::json(nullptr);
        j["images"] = s.images;
        j["subwords_skipped_fraction"] = s.subwords_skipped_fraction;
        j["subwords_executed_fraction"] = ratio(double(s.computed_subwords), double(s.nominal_subwords));
        nlohmann::json bits = nlohmann::json::object();
        for (const auto& [name, o] : scheme_opts[k].per_layer) bits[name] = o.adc_bits.value_or(0);
        j["adc_bits"] = bits;
        j["adc_bits_mean"] = mean_adc_bits(s);
        j["statistics"] = s.statistics;
        j["bit_accurate_seconds"] = s.seconds;
        if (s.adc_epsilon_search) {
          const sc::AdcEpsilonSearch& e = *s.adc_epsilon_search;
          nlohmann::json tried = nlohmann::json::array();
          for (const auto& [eps, acc] : e.tried) tried.push_back({{"epsilon", eps}, {"accuracy", acc}});
          j["adc_epsilon_search"] = {{"delta", e.delta},           {"epsilon_chosen", e.epsilon},
                                     {"accuracy", e.accuracy},     {"ideal_adc_accuracy", e.ideal_accuracy},
                                     {"images", e.images},         {"tried", tried}};
          j["adc_epsilon_chosen"] = e.epsilon;
        }
        nlohmann::json layers = nlohmann::json::array();
        for (size_t l = 0; l < s.layers.size(); ++l) layers.push_back(layer_json(s.layers[l], s.stats[l], s, scheme_opts[k]));
        j["layers"] = layers;
      }
      return j;
    };
    nlohmann::json cmp = nlohmann::json::array();
    for (size_t k = 0; k < rows.size(); ++k) cmp.push_back(row_json(rows[k], k < 2 ? 0 : k - 2));
    nlohmann::json out;
    if (studies.size() == 1) {
      // One scheme: its full architecture report, with the scheme's keys on top.
      out = arch::to_json(rows.back().report);
      for (const char* key : {"scheme", "accuracy", "float_accuracy", "images", "subwords_skipped_fraction",
                              "adc_bits", "adc_bits_mean", "vs_isaac", "statistics", "layers"})
        out[std::string(key) == "layers" ? "scheme_layers" : key] = cmp.back()[key];
      for (const char* key : {"adc_epsilon_chosen", "adc_epsilon_search"})
        if (cmp.back().contains(key)) out[key] = cmp.back()[key];
    }
    out["network"] = net.name;
    out["nonideality"] = a.tables.empty() ? "ideal ADC (no tables)" : a.tables;
    out["comparison"] = cmp;
    emit(a, out.dump(2) + "\n");
    return;
  }

  std::string t;
  t += fmt::format("Scheme comparison: {} (schemes on {}; ADC {})\n", net.name, hw.name,
                   a.tables.empty() ? "ideal quantizer, costs from " + a.adc_model : "calibrated tables " + a.tables);
  t += fmt::format("statistics: {}\n\n", studies.front().statistics);
  size_t wd = 8;
  for (const Row& r : rows) wd = std::max(wd, r.design.size());
  t += fmt::format("{:<{}} {:<8} {:>9} {:>9} {:>8} {:>11} {:>10} {:>10} {:>11} {:>7} {:>7} {:>7}\n", "design", wd,
                   "hardware", "accuracy", "skipped", "ADC bits", "inference/s", "GOPS", "GOPS/W", "GOPS/s/mm2",
                   "x thr", "x E", "x A");
  for (const Row& r : rows) {
    nlohmann::json v = vs(r.report, ref);
    std::string acc = r.study ? pct(r.study->accuracy) : "-";
    std::string skip = r.study ? fmt::format("{:.1f} %", 100 * r.study->subwords_skipped_fraction) : "-";
    std::string bits = r.study ? fmt::format("{:.2f}", mean_adc_bits(*r.study)) : "-";
    t += fmt::format("{:<{}} {:<8} {:>9} {:>9} {:>8} {:>11.4g} {:>10.4g} {:>10.4g} {:>11.4g} {:>7.2f} {:>7.2f} {:>7.2f}\n",
                     r.design, wd, r.hardware, acc, skip, bits, r.report.throughput_inferences_per_s,
                     r.report.throughput_gops, r.report.energy_efficiency_gops_per_w,
                     r.report.area_efficiency_gops_per_s_mm2, v["throughput"].get<double>(),
                     v["energy_efficiency"].get<double>(), v["area_efficiency"].get<double>());
  }
  t += "\nx thr, x E, x A: throughput, energy efficiency (GOPS/W) and area efficiency (GOPS/s/mm2) over ISAAC.\n";
  if (studies.front().float_accuracy) t += fmt::format("float model accuracy: {}\n", pct(studies.front().float_accuracy));
  for (size_t k = 0; k < studies.size(); ++k) {
    const sc::StudyReport& s = studies[k];
    t += fmt::format("\n{}: {} ({:.1f} s bit-accurate)\n", s.scheme.name, s.scheme.summary(), s.seconds);
    if (s.adc_epsilon_search) {
      const sc::AdcEpsilonSearch& e = *s.adc_epsilon_search;
      t += fmt::format("  ADC clipping budget chosen: {:g} (accuracy {} vs {} with an ideal ADC on {} sizing images; "
                       "delta {:g})\n", e.epsilon, pct(e.accuracy), pct(e.ideal_accuracy), e.images, e.delta);
    }
    t += fmt::format("  {:<10} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>5} {:>5} {:>6} {:>9}\n", "layer",
                     "cells1", "inputs1", "rows", "skip0in", "skip0w", "skipdyn", "clip", "maxps", "bits", "need",
                     "Eread", "subwords");
    for (const auto& f : s.layers) {
      const auto& o = scheme_opts[k].per_layer.at(f.name);
      t += fmt::format("  {:<10} {:>7.3f} {:>7.3f} {:>7.1f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.1e} {:>6} {:>5} {:>5} {:>6.3f} {:>9.3g}\n",
                       f.name, f.cell_ones_density, f.input_ones_density, f.mean_active_rows, f.skipped_zero_input,
                       f.skipped_zero_weight, f.skipped_dynamic, f.clip_rate, f.max_psum_seen, o.adc_bits.value_or(0),
                       f.adc_bits_observed, o.crossbar_read_energy_scale, double(f.computed_subwords));
    }
  }
  t += "\ncells1/inputs1: ones density of stored cell bits / fed input bits; rows: active rows per read;\n"
       "skip*: fraction of subwords skipped (zero input plane, all-zero column, dynamic window); maxps: largest\n"
       "partial sum; bits: ADC bits used (conversion-weighted, rounded up); need: bits to hold maxps; Eread: crossbar\n"
       "read energy per read relative to the baseline.\n";
  emit(a, t);
}

void run_evaluate(const EvaluateArgs& a) {
  if (!a.schemes.empty()) return run_schemes(a);
  arch::Hardware hw = arch::load_hardware(a.arch);
  workload::Network net = workload::load_network(a.network);
  arch::Report r = arch::evaluate(hw, net, build_options(a, hw, net));
  emit(a, a.json ? arch::to_json(r).dump(2) + "\n" : arch::to_text(r));
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a CNN on an RRAM accelerator: mapping, events, energy, "
                                                 "throughput, area, peak figures; with --scheme, the seed's schemes");
  cmd->add_option("--arch", args->arch, "Hardware: isaac, prime, or a .toml file")->required();
  cmd->add_option("--network", args->network,
                  "Network: lenet5, alexnet, vgg16, resnet18, resnet50, or a .toml or .onnx file")->required();
  cmd->add_option("--input-shape", args->input_shape, "CxHxW of an .onnx network with dynamic dimensions");
  cmd->add_option("--tables", args->tables,
                  "Calibration tables (.h5): ADC energy, area and rate, and with --scheme the ADC nonideality");
  cmd->add_option("--adc-model", args->adc_model,
                  "ADC cost model without --tables: isaac-survey, isaac-walden, or a .toml file")->capture_default_str();
  cmd->add_option("--adc-bits", args->adc_bits, "ADC resolution of every layer (default: the hardware's)")
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--json", args->json, "Print one JSON object instead of the readable report");
  cmd->add_option("-o,--output", args->output, "Write the report to this file instead of stdout");
  cmd->add_option("--scheme", args->schemes,
                  "Scheme (repeatable): baseline, encoding, encoding+adc, full, all, a .toml file, or a comma list "
                  "of components (docs/schemes.md); compares with ISAAC and PRIME");
  cmd->add_option("--weights", args->weights, "Trained weights (.h5); default data/weights/<network>-*.h5 if present");
  cmd->add_flag("--synthetic", args->synthetic, "Synthetic layer statistics even if trained weights exist");
  cmd->add_option("--images", args->images, "Test images for the bit-accurate accuracy (0: the whole test set)")
      ->capture_default_str();
  cmd->add_option("--calibration-images", args->calibration_images,
                  "Training images for activation ranges and ADC sizing")->capture_default_str()->check(CLI::Range(1, 60000));
  cmd->add_option("--compare-arch", args->compare_arch, "Second reference design")->capture_default_str();
  cmd->add_option("--read-pulse-ns", args->read_pulse_ns, "Crossbar read pulse for the read energy (ns)")
      ->capture_default_str()->check(CLI::Range(0.001, 1e6));
  cmd->add_option("--seed", args->seed, "Seed of the calibrated ADC draws")->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display");
  cmd->callback([args] {
    if (!args->input_shape.empty()) args->network += ":" + args->input_shape;  // "FILE.onnx:CxHxW"
    run_evaluate(*args);
  });
}

}  // namespace rramsim::apps
