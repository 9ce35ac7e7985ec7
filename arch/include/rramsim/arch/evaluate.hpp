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
  // Fraction of the nominal ADC conversions (and their sample-and-hold, shift-and-add and
  // output-register updates) performed; dynamic quantization lowers it per column.
  double subword_fraction = 1.0;
  // Fraction of the nominal crossbar reads (and their DAC activations and input-register
  // reads) issued. One read drives an input plane into every column, so a read is dropped
  // only when every column of the crossbar skips that plane for that row chunk.
  double read_fraction = 1.0;
  // [n]: fraction of the nominal reads issued with n data-column conversions. Gives the
  // layer's time: each read lasts max(read cycle, (n + extra columns) conversions / ADCs per
  // crossbar). Empty: every issued read converts every column.
  std::vector<double> read_conversions;
  // Crossbar read energy relative to the hardware's (an encoding that lowers the density
  // of ones in the cells or inputs lowers it).
  double crossbar_read_energy_scale = 1.0;
  // Extra columns per crossbar (correction columns); absent: the hardware's unit_columns.
  std::optional<int> extra_columns_per_crossbar;
  // Measured input activity, for the circuit read energy (ReadEnergy::circuit): mean rows
  // driven per read, and the read energy of the active cells with ideal wires (V^2 G t per
  // read). Absent: half the rows the layer occupies are driven (binary input planes with a
  // ones density of 1/2, an assumption the report states) and the tables' mean cells.
  std::optional<double> active_rows;
  std::optional<double> read_energy_ideal_j;
};

// Where the crossbar read energy comes from.
enum class ReadEnergy {
  circuit,  // the calibration tables' supply power of a read (cells + wire I^2 R) x read pulse
  table,    // the hardware file's crossbar power / read rate (ISAAC: Table I)
};
std::string to_string(ReadEnergy e);
ReadEnergy parse_read_energy(const std::string& name);  // InputError naming the choices

// "" if the calibration tables fit the hardware (rows, bits per cell, and read voltage when
// the hardware file states one), else what differs, with both values.
std::string tables_mismatch(const Hardware& hw, const std::filesystem::path& tables);

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
  std::optional<int> weight_polarities;  // columns per weight slice; default: the hardware's
  // Power gating: tiles holding no weights draw no always-on power (chip-level parts, e.g.
  // the off-chip links, stay on). Off by default: the whole chip is powered.
  bool power_gating = false;
  // Crossbar read energy; absent: circuit with tables, table without. circuit without
  // tables, or with tables that hold no read power (schema 2), is an InputError.
  std::optional<ReadEnergy> read_energy;
  // Wire resistance of the tables to use (a tabulated value; InputError listing the grid
  // otherwise); absent: the tables' nominal one.
  std::optional<double> wire_ohm;
  // Duration of the read pulse for the circuit read energy; absent: the hardware's read cycle.
  std::optional<double> read_pulse_s;
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
  double subword_fraction = 1.0;   // conversions performed / nominal
  double read_fraction = 1.0;      // crossbar reads issued / nominal
  double time_fraction = 1.0;      // time per position / nominal (reads and their conversions)
  double time_s = 0;               // per inference, with its replication
  EventCounts events{};
  std::map<std::string, double> energy_j;  // by component
  double energy_total_j = 0;
  // Crossbar read (conv/fc): energy per read as priced, the rows driven it assumes and the
  // share of it dissipated in the wires (circuit model; 0 for the table figure).
  double read_energy_j = 0;
  double read_active_rows = 0;
  double read_wire_fraction = 0;
};

// How the crossbar reads were priced.
struct ReadEnergyInfo {
  ReadEnergy model = ReadEnergy::table;
  std::string source;             // tables file and wire, or the hardware file
  std::optional<double> wire_ohm; // tables' wire value used (tables given)
  double read_pulse_s = 0;        // circuit model
  double table_j = 0;             // hardware table figure per read (always shown)
  double mean_j = 0;              // mean priced energy per read over the network's reads
  double wire_fraction = 0;       // share of the circuit read energy in the wires
  std::string active_rows_basis;  // measured per layer, or the stated assumption
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
  ReadEnergyInfo read_energy;      // where the crossbar read energy comes from
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
  // Energy per inference (default accounting): events at their dynamic energy, plus the
  // always-on power of every chip used x the time per inference (1 / throughput).
  double energy_per_inference_j = 0;
  double energy_events_j = 0;      // the dynamic part of the above
  double energy_always_on_j = 0;   // the always-on part
  // Bounds: events only, each at full-activity power / rate, idle parts free (lower); every
  // chip used at its full peak power for the time per inference (upper).
  double energy_event_only_j = 0;
  double energy_chip_power_j = 0;
  bool power_gating = false;
  double powered_tile_fraction = 1;  // of the chips' tiles drawing always-on power
  double interchip_bytes = 0;      // activations crossing chip boundaries per inference
  double link_time_s = 0;          // busiest chip's off-chip traffic / its link bandwidth
  double power_w = 0;              // average while streaming inferences = energy x rate
  double area_mm2 = 0;             // chips used, ADCs at the largest resolution any layer uses
  double energy_efficiency_gops_per_w = 0;             // default accounting
  double energy_efficiency_event_only_gops_per_w = 0;  // bounds
  double energy_efficiency_chip_power_gops_per_w = 0;
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
nlohmann::json read_energy_json(const ReadEnergyInfo& e);  // the report's `read_energy` object
std::string to_text(const Report& r);

}  // namespace rramsim::arch
