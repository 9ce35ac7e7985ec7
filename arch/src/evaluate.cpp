#include "rramsim/arch/evaluate.hpp"

#include <algorithm>
#include <cmath>

#include "read_energy.hpp"
#include "rramsim/arch/mapping.hpp"
#include "rramsim/arch/replication.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::arch {

namespace {

double& at(EventCounts& e, Event ev) { return e[static_cast<int>(ev)]; }

void check_overrides(const Network& net, const EvaluateOptions& opt) {
  for (const auto& [name, o] : opt.per_layer) {
    int i = net.find(name);
    if (i < 0) throw InputError("per-layer setting for '" + name + "': network '" + net.name + "' has no such layer");
    if (!net.layers[i].is_weighted())
      throw InputError("per-layer setting for '" + name + "': it is a " + to_string(net.layers[i].kind) +
                       " layer; only conv and fc layers use crossbars");
    if (!(o.subword_fraction > 0 && o.subword_fraction <= 1))
      throw InputError("layer '" + name + "': subword_fraction must be in (0, 1]");
    if (!(o.read_fraction > 0 && o.read_fraction <= 1))
      throw InputError("layer '" + name + "': read_fraction must be in (0, 1]");
    double issued = 0;
    for (double h : o.read_conversions) {
      if (!(h >= 0)) throw InputError("layer '" + name + "': read_conversions must be >= 0");
      issued += h;
    }
    if (issued > 1 + 1e-9) throw InputError("layer '" + name + "': read_conversions sum above 1");
    if (!(o.crossbar_read_energy_scale >= 0 && std::isfinite(o.crossbar_read_energy_scale)))
      throw InputError("layer '" + name + "': crossbar_read_energy_scale must be >= 0");
    if (o.active_rows && !(*o.active_rows >= 0 && std::isfinite(*o.active_rows)))
      throw InputError("layer '" + name + "': active_rows must be >= 0");
    if (o.read_energy_ideal_j && !(*o.read_energy_ideal_j >= 0 && std::isfinite(*o.read_energy_ideal_j)))
      throw InputError("layer '" + name + "': read_energy_ideal_j must be >= 0");
    if (o.extra_columns_per_crossbar && (*o.extra_columns_per_crossbar < 0 || *o.extra_columns_per_crossbar > 64))
      throw InputError("layer '" + name + "': extra_columns_per_crossbar must be in [0, 64]");
  }
}

// Layers whose output goes straight into a pooling unit in the same tile (no router hop).
std::vector<bool> pooled_in_tile(const Network& net) {
  std::vector<bool> r(net.layers.size(), false);
  for (const auto& l : net.layers)
    if (l.kind == LayerKind::pool && !l.inputs.empty() && l.inputs[0] >= 0) r[l.inputs[0]] = true;
  return r;
}

// Events of the crossbar datapath and the data movement of one conv/fc layer.
// Reads (and their DAC and input-register events) scale by the reads issued; conversions of
// data columns by the conversions performed; an extra (unit) column converts on every read.
void count_weighted(const Layer& l, const LayerMapping& m, const LayerOverride& o, int act_bytes, LayerReport& r) {
  const double cycles = double(l.positions()) * m.input_cycles;  // nominal read cycles of one copy
  const double extra = double(m.groups) * m.row_chunks * m.col_chunks * m.extra_columns;
  const double conversions = cycles * ((double(m.conversions_per_cycle) - extra) * o.subword_fraction +
                                       extra * o.read_fraction);
  EventCounts& e = r.events;
  at(e, Event::crossbar_read) = cycles * o.read_fraction * m.crossbars;
  at(e, Event::dac_activation) = cycles * o.read_fraction * m.dac_activations_per_cycle;
  at(e, Event::input_register_access) = cycles * o.read_fraction * m.dac_activations_per_cycle;
  at(e, Event::adc_conversion) = conversions;
  at(e, Event::sample_hold) = conversions;
  at(e, Event::shift_add) = conversions;
  at(e, Event::output_register_access) = conversions;
  const double outputs = double(l.out_shape.elements());
  // Partial sums of a kernel split over row chunks meet in the tile shift-and-add unit.
  at(e, Event::tile_add) = outputs * double(m.row_chunks - 1);
  at(e, Event::tile_register_access) = outputs;
  at(e, Event::activation) = l.activation != Activation::none ? outputs : 0;
  // Each position's input patch is read from eDRAM and sent over the bus; outputs come back.
  const double patch_bytes = double(l.positions()) * m.groups * m.kernel_rows * act_bytes;
  at(e, Event::edram_byte) = patch_bytes + outputs * act_bytes;
  at(e, Event::bus_byte) = patch_bytes + outputs * act_bytes;
}

void count_digital(const Network& net, const Layer& l, int act_bytes, LayerReport& r) {
  EventCounts& e = r.events;
  const double outputs = double(l.out_shape.elements());
  const double in_bytes = double(l.in_shape.elements()) * l.inputs.size() * act_bytes;
  at(e, Event::edram_byte) = in_bytes + outputs * act_bytes;
  at(e, Event::tile_register_access) = outputs;
  if (l.kind == LayerKind::pool) {
    at(e, Event::pool_op) = outputs * l.kernel_h * l.kernel_w;
  } else if (l.kind == LayerKind::add || l.kind == LayerKind::mul) {  // mul: one tile ALU op per output too
    at(e, Event::tile_add) = outputs * double(l.inputs.size() - 1);
  } else if (l.kind == LayerKind::softmax) {
    at(e, Event::activation) = outputs;  // one exponential per value, counted as an activation-unit event
  }
  // concat, pad, reshape, constant: data movement only (eDRAM bytes above).
  if (l.activation != Activation::none) at(e, Event::activation) += outputs;
}

// Energy of the layer's events: dynamic energy per event (the default accounting) into
// energy_j, and the event-only bound (full-activity power / rate) into `event_only`.
// A crossbar read costs the layer's priced read energy (table or circuit); its always-on
// share (if any) stays the hardware's.
void price(const Hardware& hw, const AdcFigures& adc, LayerReport& r, double& event_only) {
  for (int i = 0; i < kEventCount; ++i) {
    double n = r.events[i];
    if (n == 0) continue;
    const Component* c = hw.find(static_cast<Event>(i));
    if (!c) continue;  // the hardware has no unit for this event: it is free
    const bool is_adc = static_cast<Event>(i) == Event::adc_conversion;
    // ADC figures are full-activity energies per conversion; the always-on share is charged by time.
    double e = is_adc ? adc.energy_per_conversion_j * (c->power_mw > 0 ? 1 - c->always_on_mw / c->power_mw : 1.0)
                      : c->energy_per_event_j();
    double whole = is_adc ? adc.energy_per_conversion_j : c->energy_per_event_j(true);
    if (static_cast<Event>(i) == Event::crossbar_read) {
      whole = r.read_energy_j + (whole - e);
      e = r.read_energy_j;
    }
    r.energy_j[c->name] += n * e;
    r.energy_total_j += n * e;
    event_only += n * whole;
  }
}

// Time of one position of one copy relative to the nominal (every read issued, every column
// converted): each issued read lasts max(read cycle, its conversions / ADCs per crossbar).
double time_fraction(const Hardware& hw, const LayerMapping& m, const LayerOverride& o, const AdcFigures& adc,
                     double nominal_cycle_s) {
  if (o.read_conversions.empty()) return o.read_fraction;
  const double per_conversion_s = 1.0 / (adc.sample_rate_hz * hw.adcs_per_crossbar());
  double t = 0;
  for (size_t n = 0; n < o.read_conversions.size(); ++n)
    t += o.read_conversions[n] * std::max(hw.read_cycle_s, double(n + m.extra_columns) * per_conversion_s);
  return t / nominal_cycle_s;
}

}  // namespace

PeakFigures peak_figures(const Hardware& hw, int weight_bits, int input_bits) {
  PeakFigures p;
  int slices = hw.weight_slices(weight_bits) * hw.weight_polarities;
  int per_xbar = hw.cols / slices;
  double xbars_per_adc = double(hw.crossbars_per_ima) / hw.adcs_per_ima;
  double cycle = std::max(hw.read_cycle_s, (per_xbar * slices + hw.unit_columns) * xbars_per_adc / hw.adc_sample_rate_hz);
  double macs_per_s = double(hw.crossbars_per_chip()) * hw.rows * per_xbar / (hw.input_cycles(input_bits) * cycle);
  p.gops = 2 * macs_per_s / 1e9;
  p.power_w = hw.chip_power_w();
  p.area_mm2 = hw.chip_area_mm2();
  p.ce_gops_per_s_mm2 = p.gops / p.area_mm2;
  p.pe_gops_per_w = p.gops / p.power_w;
  p.se_mb_per_mm2 = double(hw.crossbars_per_chip()) * hw.rows * hw.cols * hw.bits_per_cell / 8 / 1e6 / p.area_mm2;
  return p;
}

namespace {

struct Staging {
  std::vector<StageDemand> stages;
  std::vector<int> stage_layer;  // network layer index of each stage
  int max_adc_bits = 0;
  double event_only_j = 0;       // event-only bound, summed over layers
  bool assumed_activity = false; // a layer's read energy rests on the assumed input activity
};

// Mean priced energy per read over the network's reads, its wire share, and what the rows
// driven rest on.
void summarize_reads(const Staging& st, Report& rep) {
  double reads = 0, energy = 0, wire = 0;
  for (const auto& l : rep.layers) {
    const double n = l.events[static_cast<int>(Event::crossbar_read)];
    reads += n;
    energy += n * l.read_energy_j;
    wire += n * l.read_energy_j * l.read_wire_fraction;
  }
  rep.read_energy.mean_j = reads > 0 ? energy / reads : 0.0;
  rep.read_energy.wire_fraction = energy > 0 ? wire / energy : 0.0;
  rep.read_energy.active_rows_basis =
      st.assumed_activity ? "assumed: half the rows each layer occupies are driven (input ones density 1/2)"
                          : "measured per layer (bit-accurate datapath)";
}

// Mapping, events and energy of one layer; a conv/fc layer also becomes a pipeline stage.
LayerReport evaluate_layer(const Hardware& hw, const Network& net, size_t i, const EvaluateOptions& opt,
                           const AdcFigureSource& adcs, const ReadEnergyPricer& reads, const Report& rep,
                           const std::vector<bool>& pooled, Staging& st) {
  const Layer& l = net.layers[i];
  const int act_bytes = (rep.input_bits + 7) / 8;
  LayerReport r;
  r.name = l.name;
  r.kind = l.kind;
  r.out_shape = l.out_shape;
  r.macs = l.macs();
  r.ops = 2.0 * double(r.macs);
  LayerOverride o;
  if (auto it = opt.per_layer.find(l.name); it != opt.per_layer.end()) o = it->second;
  if (l.is_weighted()) {
    int bits = o.adc_bits.value_or(opt.adc_bits.value_or(hw.adc_bits));
    r.adc = adcs.at(bits);
    st.max_adc_bits = std::max(st.max_adc_bits, bits);
    LayerMapping m = map_layer(hw, l, rep.weight_bits, rep.input_bits,
                               o.extra_columns_per_crossbar.value_or(hw.unit_columns),
                               opt.weight_polarities.value_or(hw.weight_polarities));
    r.row_chunks = m.row_chunks;
    r.col_chunks = m.col_chunks;
    r.weight_slices = m.weight_slices;
    r.input_cycles = m.input_cycles;
    r.extra_columns = m.extra_columns;
    r.crossbars_per_copy = m.crossbars;
    r.groups_per_crossbar = m.groups_per_crossbar;
    r.utilization = m.utilization;
    r.subword_fraction = o.subword_fraction;
    r.read_fraction = o.read_fraction;
    // A read cycle lasts as long as the crossbar read or its ADC's conversions, whichever is longer.
    r.cycle_s = std::max(hw.read_cycle_s, m.busiest_crossbar_columns / (hw.adcs_per_crossbar() * r.adc.sample_rate_hz));
    r.time_fraction = time_fraction(hw, m, o, r.adc, r.cycle_s);
    const PricedRead pr = reads.layer(m, o);
    r.read_energy_j = pr.energy_j;
    r.read_active_rows = pr.active_rows;
    r.read_wire_fraction = pr.wire_fraction;
    if (!o.active_rows) st.assumed_activity = true;
    count_weighted(l, m, o, act_bytes, r);
    st.stages.push_back({l.positions(), m.input_cycles * r.cycle_s * r.time_fraction, m.crossbars});
    st.stage_layer.push_back(static_cast<int>(i));
  } else {
    count_digital(net, l, act_bytes, r);
  }
  // Outputs travel to the consumer's tile unless pooled in place; the last layer's go off chip.
  const double out_bytes = double(l.out_shape.elements()) * act_bytes;
  if (i + 1 == net.layers.size()) r.events[static_cast<int>(Event::offchip_byte)] += out_bytes;
  else if (!pooled[i])
    r.events[static_cast<int>(Event::router_flit_hop)] = std::ceil(out_bytes / hw.flit_bytes) * hw.average_hops;
  if (i == 0) r.events[static_cast<int>(Event::offchip_byte)] += double(net.input.elements()) * act_bytes;
  return r;
}

// Chips used, replication that balances the pipeline, and each stage's time.
void place(const Hardware& hw, const Network& net, const Staging& st, Report& rep) {
  int64_t base = 0;
  for (const auto& s : st.stages) base += s.crossbars;
  const int64_t per_chip = hw.crossbars_per_chip();
  rep.chips = static_cast<int>(std::max<int64_t>(1, (base + per_chip - 1) / per_chip));
  if (rep.chips > hw.max_chips)
    throw InputError("network '" + net.name + "' needs " + std::to_string(base) + " crossbars (" +
                     std::to_string(rep.chips) + " chips of " + std::to_string(per_chip) + "), more than " +
                     hw.name + "'s max_chips = " + std::to_string(hw.max_chips));
  rep.crossbars_available = per_chip * rep.chips;
  auto copies = balance_replication(st.stages, rep.crossbars_available);
  for (size_t k = 0; k < st.stages.size(); ++k) {
    LayerReport& r = rep.layers[st.stage_layer[k]];
    r.replication = copies[k];
    r.crossbars = copies[k] * r.crossbars_per_copy;
    r.time_s = double((st.stages[k].positions + copies[k] - 1) / copies[k]) * st.stages[k].position_time_s;
    rep.crossbars_used += r.crossbars;
    rep.latency_s += r.time_s;
    rep.pipeline_stage_s = std::max(rep.pipeline_stage_s, r.time_s);
  }
}

// Multi-chip networks: layers fill the chips in order (by crossbars used); a layer's output
// read by a layer on another chip crosses the off-chip links (priced per byte as offchip_byte
// events). The busiest chip's link traffic per inference bounds the pipeline.
void interchip_traffic(const Hardware& hw, const Network& net, Report& rep) {
  const int act_bytes = (rep.input_bits + 7) / 8;
  const double per_chip = double(hw.crossbars_per_chip());
  std::vector<int> chip(net.layers.size(), 0);
  double used = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const LayerReport& r = rep.layers[i];
    if (net.layers[i].is_weighted()) {
      chip[i] = std::min(rep.chips - 1, int((used + 0.5 * double(r.crossbars)) / per_chip));
      used += double(r.crossbars);
    } else {
      const auto& ins = net.layers[i].inputs;  // a constant layer has none
      chip[i] = !ins.empty() && ins[0] >= 0 ? chip[ins[0]] : 0;
    }
  }
  std::vector<double> link_bytes(rep.chips, 0.0);
  link_bytes.front() += double(net.input.elements()) * act_bytes;
  link_bytes[chip.back()] += double(net.layers.back().out_shape.elements()) * act_bytes;
  for (size_t i = 0; i < net.layers.size(); ++i)
    for (int in : net.layers[i].inputs) {
      if (in < 0 || chip[in] == chip[i]) continue;
      const double bytes = double(net.layers[in].out_shape.elements()) * act_bytes;
      rep.interchip_bytes += bytes;
      rep.layers[in].events[static_cast<int>(Event::offchip_byte)] += bytes;
      link_bytes[chip[in]] += bytes;
      link_bytes[chip[i]] += bytes;
    }
  const Component* link = hw.find(Event::offchip_byte);
  if (!link) return;
  const double bandwidth = link->events_per_s * link->count;  // bytes/s per chip
  rep.link_time_s = *std::max_element(link_bytes.begin(), link_bytes.end()) / bandwidth;
  rep.pipeline_stage_s = std::max(rep.pipeline_stage_s, rep.link_time_s);
}

// Area and peak power of the chips used (ADCs sized for the largest resolution used), the
// always-on energy and the two bounds.
void account(const Hardware& hw, const EvaluateOptions& opt, const AdcFigureSource& adcs, const Staging& st,
             Report& rep) {
  const AdcFigures chip_adc = adcs.at(st.max_adc_bits ? st.max_adc_bits : hw.adc_bits);
  const double time_per_inference_s = rep.pipeline_stage_s;
  const double tiles = double(hw.tiles_per_chip) * rep.chips;
  const double crossbars_per_tile = double(hw.crossbars_per_ima) * hw.imas_per_tile;
  rep.power_gating = opt.power_gating;
  rep.powered_tile_fraction = opt.power_gating ? std::min(1.0, std::ceil(rep.crossbars_used / crossbars_per_tile) / tiles)
                                               : 1.0;
  double chip_power_w = 0;
  for (const auto& c : hw.components) {
    double n = hw.instances_per_chip(c) * rep.chips;
    bool adc = c.event == Event::adc_conversion;
    rep.area_breakdown_mm2[c.name] = n * (adc ? chip_adc.area_mm2 : c.area_mm2);
    rep.peak_power_breakdown_w[c.name] = n * (adc ? chip_adc.power_mw : c.power_mw) * 1e-3;
    rep.area_mm2 += rep.area_breakdown_mm2[c.name];
    chip_power_w += rep.peak_power_breakdown_w[c.name];
    const double powered = c.level == Level::chip ? 1.0 : rep.powered_tile_fraction;
    const double always_on_j = n * powered * c.always_on_mw * 1e-3 * time_per_inference_s;
    if (always_on_j > 0) {
      rep.energy_breakdown_j[c.name] += always_on_j;
      rep.energy_always_on_j += always_on_j;
    }
  }
  rep.energy_per_inference_j = rep.energy_events_j + rep.energy_always_on_j;
  rep.energy_event_only_j = st.event_only_j;
  rep.energy_chip_power_j = chip_power_w * time_per_inference_s;
}

}  // namespace

Report evaluate(const Hardware& hw, const Network& net, const EvaluateOptions& opt) {
  check_overrides(net, opt);
  Report rep;
  rep.hardware = hw.name;
  rep.network = net.name;
  rep.weight_bits = opt.weight_bits.value_or(hw.weight_bits);
  rep.input_bits = opt.input_bits.value_or(hw.input_bits);
  if (rep.weight_bits < 1 || rep.weight_bits > 32 || rep.input_bits < 1 || rep.input_bits > 32)
    throw InputError("weight and input bits must be in [1, 32]");
  ReadEnergyPricer reads(hw, opt);  // refuses tables that do not fit the hardware first
  rep.read_energy = reads.info();
  AdcFigureSource adcs(hw, opt.tables, opt.adc_model);
  rep.adc_source = adcs.description();
  const auto pooled = pooled_in_tile(net);
  Staging st;
  for (size_t i = 0; i < net.layers.size(); ++i)
    rep.layers.push_back(evaluate_layer(hw, net, i, opt, adcs, reads, rep, pooled, st));
  place(hw, net, st, rep);
  interchip_traffic(hw, net, rep);
  for (auto& r : rep.layers) {
    price(hw, r.adc.bits ? r.adc : adcs.at(hw.adc_bits), r, st.event_only_j);
    for (int i = 0; i < kEventCount; ++i) rep.events[i] += r.events[i];
    for (const auto& [k, v] : r.energy_j) rep.energy_breakdown_j[k] += v;
    rep.energy_events_j += r.energy_total_j;
    rep.ops_per_inference += r.ops;
  }
  account(hw, opt, adcs, st, rep);
  summarize_reads(st, rep);
  rep.throughput_inferences_per_s = 1.0 / rep.pipeline_stage_s;
  rep.throughput_gops = rep.ops_per_inference * rep.throughput_inferences_per_s / 1e9;
  rep.power_w = rep.energy_per_inference_j * rep.throughput_inferences_per_s;
  const double gop = rep.ops_per_inference / 1e9;
  rep.energy_efficiency_gops_per_w = gop / rep.energy_per_inference_j;
  rep.energy_efficiency_event_only_gops_per_w = gop / rep.energy_event_only_j;
  rep.energy_efficiency_chip_power_gops_per_w = gop / rep.energy_chip_power_j;
  rep.area_efficiency_gops_per_s_mm2 = rep.throughput_gops / rep.area_mm2;
  rep.peak = peak_figures(hw, hw.weight_bits, hw.input_bits);
  return rep;
}

}  // namespace rramsim::arch
