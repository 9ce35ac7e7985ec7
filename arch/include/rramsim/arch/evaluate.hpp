#pragma once
// Evaluate a network on an accelerator: mapping, event counts, energy, latency,
// throughput, area and ISAAC's peak figures.
//
// This is the API the schemes layer (arch/schemes/) drives: an encoding, ADC-resolution
// optimization or dynamic quantization scheme measures its effect on each layer and expresses
// it as a LayerOverride; evaluate() turns those into system figures. Nothing here knows about
// a particular scheme.
//
//   Hardware hw = load_hardware("isaac");
//   Network net = load_network("vgg16");
//   EvaluateOptions opt;
//   opt.per_layer["conv1_1"].adc_bits = 6;
//   Report r = evaluate(hw, net, opt);
//   std::cout << to_text(r);   // or to_json(r).dump(2)
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rramsim/arch/adc_figures.hpp"
#include "rramsim/arch/hardware.hpp"
#include "rramsim/workload/network.hpp"

namespace rramsim::arch {

using workload::Layer;
using workload::LayerKind;
using workload::Network;
using workload::Shape;
using workload::Activation;
using workload::PoolMode;

// A scheme's effect on one conv/fc layer, relative to the plain hardware.
struct LayerOverride {
  std::optional<int> adc_bits;   // ADC resolution used by this layer (energy, area, rate)
  // Fraction of subword computations (crossbar read + ADC conversion + shift-and-add)
  // actually executed; dynamic quantization lowers it. Skipped subwords also free their
  // read cycle (ideal scheduling), so the layer's time scales by it too.
  double subword_fraction = 1.0;
  // Crossbar read energy relative to the hardware's (an encoding that lowers the density
  // of ones in the cells or inputs lowers it).
  double crossbar_read_energy_scale = 1.0;
  // Extra columns per crossbar (correction columns); absent: the hardware's unit_columns.
  std::optional<int> extra_columns_per_crossbar;
};

struct EvaluateOptions {
  std::map<std::string, LayerOverride> per_layer;  // by layer name; unknown names are an InputError
  // Calibration tables (HDF5): ADC energy, area and rate per resolution come from the file.
  std::optional<std::filesystem::path> tables;
  // Without tables: ADC cost versus resolution from this model (calibration/adc_cost.hpp),
  // scaled to the hardware file's ADC power and area at its own resolution.
  std::string adc_model = "isaac-survey";
  std::optional<int> adc_bits;      // all layers (a per-layer value wins)
  std::optional<int> weight_bits;   // default: the hardware's
  std::optional<int> input_bits;
};

using EventCounts = std::array<double, kEventCount>;

struct LayerReport {
  std::string name;
  LayerKind kind = LayerKind::conv;
  Shape out_shape;
  int64_t macs = 0;
  double ops = 0;                  // 2 x MACs (+ pooling/add ops are not counted as ops)
  // Mapping (conv/fc only).
  int64_t row_chunks = 0;          // ceil(kernel rows / crossbar rows)
  int64_t col_chunks = 0;          // ceil(out channels per group / outputs per crossbar)
  int weight_slices = 0;
  int input_cycles = 0;
  int extra_columns = 0;
  int64_t crossbars_per_copy = 0;  // groups x row_chunks x col_chunks (small groups packed)
  int groups_per_crossbar = 1;     // groups sharing one crossbar (depthwise: block-diagonal)
  double utilization = 0;          // programmed data cells / cells of the crossbars used
  int64_t replication = 0;
  int64_t crossbars = 0;           // crossbars_per_copy x replication
  double cycle_s = 0;              // one read cycle (crossbar read or ADC, whichever is slower)
  AdcFigures adc;
  double subword_fraction = 1.0;
  double time_s = 0;               // per inference, with its replication
  EventCounts events{};
  std::map<std::string, double> energy_j;  // by component
  double energy_total_j = 0;
};

struct PeakFigures {
  double gops = 0;                 // all crossbars busy, 16-bit (hardware default) operands
  double power_w = 0;
  double area_mm2 = 0;
  double ce_gops_per_s_mm2 = 0;    // computational efficiency (ISAAC Table IV)
  double pe_gops_per_w = 0;        // power efficiency
  double se_mb_per_mm2 = 0;        // storage efficiency (weights of weight_bits)
};

struct Report {
  std::string hardware;
  std::string network;
  std::string adc_source;          // where the ADC figures come from
  int weight_bits = 0;
  int input_bits = 0;
  int chips = 1;
  int64_t crossbars_used = 0;
  int64_t crossbars_available = 0;
  std::vector<LayerReport> layers;
  EventCounts events{};
  double ops_per_inference = 0;
  double latency_s = 0;            // one inference through every layer in turn
  double pipeline_stage_s = 0;     // slowest layer: one inference leaves every stage_s
  double throughput_inferences_per_s = 0;
  double throughput_gops = 0;
  double energy_per_inference_j = 0;
  double power_w = 0;              // average while streaming inferences = energy x rate
  double area_mm2 = 0;             // chips used, ADCs at the largest resolution any layer uses
  double energy_efficiency_gops_per_w = 0;
  double area_efficiency_gops_per_s_mm2 = 0;
  std::map<std::string, double> energy_breakdown_j;   // per inference, by component
  std::map<std::string, double> area_breakdown_mm2;   // chips used, by component
  std::map<std::string, double> peak_power_breakdown_w;
  PeakFigures peak;                // of the hardware as specified (Table I/IV style)

  // Energy per inference of one component (0 if it has none).
  double breakdown_energy(const std::string& component) const {
    auto it = energy_breakdown_j.find(component);
    return it == energy_breakdown_j.end() ? 0.0 : it->second;
  }
  double total(Event e) const { return events[static_cast<int>(e)]; }
};

Report evaluate(const Hardware& hw, const Network& net, const EvaluateOptions& options = {});

// Peak figures of the hardware alone (no network).
PeakFigures peak_figures(const Hardware& hw, int weight_bits, int input_bits);

nlohmann::json to_json(const Report& r);
std::string to_text(const Report& r);

}  // namespace rramsim::arch
