#pragma once
// An RRAM crossbar accelerator as data: data/hardware/<name>.toml (isaac, prime) or a file.
//
// The chip is a hierarchy chip > tiles > IMAs (in-situ multiply-accumulate units) > crossbars.
// Every component is listed once with its power and area per instance, its count per parent
// (IMA, tile or chip; fractions mean a component shared by several parents, e.g. a router
// shared by 4 tiles) and the event it serves. Totals are always derived (count x instance),
// never read from the file, so a published total is a check on the data, not an input.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rramsim::arch {

// What a component does once; event counts per inference are counted in these units.
enum class Event {
  crossbar_read,           // one read cycle of one crossbar (all mapped rows driven)
  dac_activation,          // one row driven for one read cycle
  sample_hold,             // one column sampled for one read cycle
  adc_conversion,          // one column sum digitized
  shift_add,               // one partial sum shifted and added (IMA shift-and-add units)
  input_register_access,   // one input bit read from the IMA input register
  output_register_access,  // one partial-sum update in the IMA output register
  edram_byte,              // one byte read from or written to the tile eDRAM buffer
  bus_byte,                // one byte moved over the eDRAM-IMA bus
  router_flit_hop,         // one flit crossing one router
  activation,              // one activation function (sigmoid/ReLU unit) evaluation
  pool_op,                 // one max/avg pooling comparison or addition
  tile_add,                // one addition in the tile shift-and-add unit (merging IMAs, residual adds)
  tile_register_access,    // one value written to or read from the tile output register
  offchip_byte,            // one byte over the off-chip links
};
inline constexpr int kEventCount = 15;
const char* to_string(Event e);
// InputError for an unknown name (lists the valid ones).
Event event_from_string(const std::string& name, const std::string& where);

enum class Level { ima, tile, chip };
const char* to_string(Level l);

struct Component {
  std::string name;
  Event event = Event::crossbar_read;
  Level level = Level::ima;
  double count = 1;          // instances per parent (per IMA, tile or chip)
  double power_mw = 0;       // per instance, at full activity
  // Part of power_mw drawn whenever the chip runs (leakage, refresh, clocking, SerDes):
  // charged as power x time, not per event.
  double always_on_mw = 0;
  double area_mm2 = 0;       // per instance
  // Events per second per instance at full activity. Derived from the datapath for the
  // crossbar, DACs, sample-and-holds and ADCs; given in the file for the others. Energy per
  // event = power / rate.
  double events_per_s = 0;
  // Energy per event: the dynamic part (power - always-on) / rate; with `whole_power`, all of
  // the full-activity power (the event-only accounting, which charges nothing for idle time).
  double energy_per_event_j(bool whole_power = false) const {
    return (whole_power ? power_mw : power_mw - always_on_mw) * 1e-3 / events_per_s;
  }
};

struct Hardware {
  std::string name;
  std::string description;
  std::filesystem::path source;
  int technology_nm = 0;
  double clock_hz = 0;

  // Crossbar datapath.
  int rows = 0;                   // crossbar rows
  int cols = 0;                   // data columns per crossbar
  int bits_per_cell = 0;
  double read_cycle_s = 0;        // one crossbar read (one input slice)
  std::optional<double> read_volt;  // [crossbar] read_volt if the file states it (checked against tables)
  int unit_columns = 0;           // extra columns per crossbar (ISAAC's flip-encoding unit column)
  int weight_polarities = 1;      // 2: positive and negative weights in separate arrays (PRIME)
  int dac_bits = 0;               // input bits applied per read cycle
  int adc_bits = 0;               // resolution the ADC power/area in the file refer to
  double adc_sample_rate_hz = 0;  // conversions per second at adc_bits
  bool adc_ramp = false;          // ramp ADC: a conversion takes up to 2^bits steps (energy, time x 2 per bit)
  int weight_bits = 0;            // default operand widths
  int input_bits = 0;

  // Hierarchy.
  int imas_per_tile = 0;
  int tiles_per_chip = 0;
  int max_chips = 1;              // networks needing more crossbars span up to this many chips
  int crossbars_per_ima = 0;      // derived: count of the crossbar component
  int adcs_per_ima = 0;           // derived: count of the ADC component

  // Data movement.
  int flit_bytes = 4;
  double average_hops = 1;        // router hops per flit between producer and consumer tiles

  std::vector<Component> components;

  // Instances of a component per chip (count x parents).
  double instances_per_chip(const Component& c) const;
  double chip_power_w() const;
  double chip_area_mm2() const;
  // Sum over components at one level, per instance of that level (e.g. one tile's own
  // components, excluding its IMAs when include_children is false).
  double level_power_mw(Level l, bool include_children) const;
  double level_area_mm2(Level l, bool include_children) const;
  int64_t crossbars_per_chip() const { return int64_t{crossbars_per_ima} * imas_per_tile * tiles_per_chip; }
  int weight_slices(int bits) const { return (bits + bits_per_cell - 1) / bits_per_cell; }
  double adcs_per_crossbar() const { return double(adcs_per_ima) / crossbars_per_ima; }
  double chip_always_on_w() const;
  int input_cycles(int bits) const { return (bits + dac_bits - 1) / dac_bits; }
  // The component serving an event; nullptr if the hardware has none (its events cost 0).
  const Component* find(Event e) const;
};

// Loads data/hardware/<name>.toml or a .toml file; InputError naming file, line and key.
Hardware load_hardware(const std::string& name_or_file);
Hardware parse_hardware(const std::string& toml_text, const std::string& origin);

}  // namespace rramsim::arch
