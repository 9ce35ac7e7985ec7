// Report -> JSON and a readable text report.
#include <fmt/format.h>

#include "rramsim/arch/evaluate.hpp"

namespace rramsim::arch {

namespace {

nlohmann::json events_json(const EventCounts& e) {
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < kEventCount; ++i) j[to_string(static_cast<Event>(i))] = e[i];
  return j;
}

std::string si(double v, const char* unit) {
  const char* prefixes[] = {"p", "n", "u", "m", "", "k", "M", "G", "T"};
  int k = 4;
  double a = std::abs(v);
  while (a >= 1000 && k < 8) { a /= 1000; v /= 1000; ++k; }
  while (a != 0 && a < 1 && k > 0) { a *= 1000; v *= 1000; --k; }
  return fmt::format("{:.4g} {}{}", v, prefixes[k], unit);
}

}  // namespace

nlohmann::json read_energy_json(const ReadEnergyInfo& e) {
  return {{"model", to_string(e.model)},
          {"source", e.source},
          {"wire_ohm", e.wire_ohm ? nlohmann::json(*e.wire_ohm) : nlohmann::json(nullptr)},
          {"read_pulse_s", e.read_pulse_s},
          {"mean_per_read_j", e.mean_j},
          {"table_per_read_j", e.table_j},
          {"wire_fraction", e.wire_fraction},
          {"active_rows_basis", e.active_rows_basis}};
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j;
  j["hardware"] = r.hardware;
  j["network"] = r.network;
  j["adc_source"] = r.adc_source;
  j["read_energy"] = read_energy_json(r.read_energy);
  j["weight_bits"] = r.weight_bits;
  j["input_bits"] = r.input_bits;
  j["chips"] = r.chips;
  j["crossbars_used"] = r.crossbars_used;
  j["crossbars_available"] = r.crossbars_available;
  j["ops_per_inference"] = r.ops_per_inference;
  j["latency_s"] = r.latency_s;
  j["pipeline_stage_s"] = r.pipeline_stage_s;
  j["throughput_inferences_per_s"] = r.throughput_inferences_per_s;
  j["throughput_gops"] = r.throughput_gops;
  j["energy_per_inference_j"] = r.energy_per_inference_j;
  j["power_w"] = r.power_w;
  j["area_mm2"] = r.area_mm2;
  j["energy_efficiency_gops_per_w"] = r.energy_efficiency_gops_per_w;
  j["energy_accounting"] = {
      {"default", "events at their dynamic energy + always-on power x time per inference, every chip used"},
      {"power_gating", r.power_gating},
      {"powered_tile_fraction", r.powered_tile_fraction},
      {"events_j", r.energy_events_j},
      {"always_on_j", r.energy_always_on_j},
      {"event_only_j", r.energy_event_only_j},
      {"chip_power_j", r.energy_chip_power_j},
      {"energy_efficiency_event_only_gops_per_w", r.energy_efficiency_event_only_gops_per_w},
      {"energy_efficiency_chip_power_gops_per_w", r.energy_efficiency_chip_power_gops_per_w}};
  j["interchip_bytes"] = r.interchip_bytes;
  j["link_time_s"] = r.link_time_s;
  j["area_efficiency_gops_per_s_mm2"] = r.area_efficiency_gops_per_s_mm2;
  j["events"] = events_json(r.events);
  j["breakdown"] = {{"energy_j", r.energy_breakdown_j},
                    {"area_mm2", r.area_breakdown_mm2},
                    {"peak_power_w", r.peak_power_breakdown_w}};
  j["peak"] = {{"gops", r.peak.gops},
               {"power_w", r.peak.power_w},
               {"area_mm2", r.peak.area_mm2},
               {"ce_gops_per_s_mm2", r.peak.ce_gops_per_s_mm2},
               {"pe_gops_per_w", r.peak.pe_gops_per_w},
               {"se_mb_per_mm2", r.peak.se_mb_per_mm2}};
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers) {
    nlohmann::json x;
    x["name"] = l.name;
    x["kind"] = to_string(l.kind);
    x["out_shape"] = {l.out_shape.channels, l.out_shape.height, l.out_shape.width};
    x["macs"] = l.macs;
    x["ops"] = l.ops;
    if (l.kind == LayerKind::conv || l.kind == LayerKind::fc) {
      x["mapping"] = {{"row_chunks", l.row_chunks},       {"col_chunks", l.col_chunks},
                      {"weight_slices", l.weight_slices}, {"input_cycles", l.input_cycles},
                      {"extra_columns", l.extra_columns}, {"crossbars_per_copy", l.crossbars_per_copy},
                      {"groups_per_crossbar", l.groups_per_crossbar}, {"utilization", l.utilization},
                      {"replication", l.replication},     {"crossbars", l.crossbars}};
      x["adc"] = {{"bits", l.adc.bits},
                  {"energy_per_conversion_j", l.adc.energy_per_conversion_j},
                  {"power_mw", l.adc.power_mw},
                  {"area_mm2", l.adc.area_mm2},
                  {"sample_rate_hz", l.adc.sample_rate_hz}};
      x["cycle_s"] = l.cycle_s;
      x["subword_fraction"] = l.subword_fraction;
      x["read_fraction"] = l.read_fraction;
      x["time_fraction"] = l.time_fraction;
      x["time_s"] = l.time_s;
      x["read_energy"] = {{"per_read_j", l.read_energy_j},
                          {"active_rows", l.read_active_rows},
                          {"wire_fraction", l.read_wire_fraction}};
      x["throughput_gops"] = l.ops / l.time_s / 1e9;  // while this stage is busy
    }
    x["events"] = events_json(l.events);
    x["energy_j"] = l.energy_total_j;
    if (l.ops > 0 && l.energy_total_j > 0) x["energy_efficiency_gops_per_w"] = l.ops / 1e9 / l.energy_total_j;
    x["energy_breakdown_j"] = l.energy_j;
    layers.push_back(std::move(x));
  }
  j["layers"] = std::move(layers);
  return j;
}

std::string to_text(const Report& r) {
  std::string s;
  auto line = [&](const std::string& t) { s += t + "\n"; };
  line(fmt::format("network {} on {}: {}-bit weights, {}-bit inputs, {} chip(s), {} of {} crossbars used",
                   r.network, r.hardware, r.weight_bits, r.input_bits, r.chips, r.crossbars_used,
                   r.crossbars_available));
  line("ADC figures: " + r.adc_source);
  line(fmt::format("crossbar read energy ({}): {}; mean {} per read ({:.1f} % in the wires; hardware table {}); "
                   "rows driven: {}",
                   to_string(r.read_energy.model), r.read_energy.source, si(r.read_energy.mean_j, "J"),
                   100 * r.read_energy.wire_fraction, si(r.read_energy.table_j, "J"), r.read_energy.active_rows_basis));
  line("");
  line(fmt::format("{:<14} {:<5} {:>14} {:>10} {:>5} {:>5} {:>6} {:>8} {:>4} {:>11} {:>11}", "layer", "kind",
                   "output", "MMACs", "rowc", "colc", "xb/cp", "copies", "adc", "time", "energy"));
  for (const auto& l : r.layers) {
    std::string shape = fmt::format("{}x{}x{}", l.out_shape.channels, l.out_shape.height, l.out_shape.width);
    if (l.kind == LayerKind::conv || l.kind == LayerKind::fc)
      line(fmt::format("{:<14} {:<5} {:>14} {:>10.2f} {:>5} {:>5} {:>6} {:>8} {:>4} {:>11} {:>11}", l.name,
                       to_string(l.kind), shape, l.macs / 1e6, l.row_chunks, l.col_chunks, l.crossbars_per_copy,
                       l.replication, l.adc.bits, si(l.time_s, "s"), si(l.energy_total_j, "J")));
    else
      line(fmt::format("{:<14} {:<5} {:>14} {:>10} {:>5} {:>5} {:>6} {:>8} {:>4} {:>11} {:>11}", l.name,
                       to_string(l.kind), shape, "-", "-", "-", "-", "-", "-", "-", si(l.energy_total_j, "J")));
  }
  line("");
  line(fmt::format("ops per inference        {}", si(r.ops_per_inference, "op")));
  line(fmt::format("latency                  {}", si(r.latency_s, "s")));
  line(fmt::format("throughput               {:.4g} inferences/s, {:.4g} GOPS", r.throughput_inferences_per_s,
                   r.throughput_gops));
  line(fmt::format("energy per inference     {} ({} events + {} always-on{}); bounds: events only {}, "
                   "chip power x time {}", si(r.energy_per_inference_j, "J"), si(r.energy_events_j, "J"),
                   si(r.energy_always_on_j, "J"), r.power_gating ? ", unused tiles gated" : "",
                   si(r.energy_event_only_j, "J"), si(r.energy_chip_power_j, "J")));
  if (r.interchip_bytes > 0)
    line(fmt::format("inter-chip traffic       {} per inference, link time {}", si(r.interchip_bytes, "B"),
                     si(r.link_time_s, "s")));
  line(fmt::format("average power            {}", si(r.power_w, "W")));
  line(fmt::format("area                     {:.4g} mm^2", r.area_mm2));
  line(fmt::format("energy efficiency        {:.4g} GOPS/W (bounds: events only {:.4g}, chip power x time {:.4g})",
                   r.energy_efficiency_gops_per_w, r.energy_efficiency_event_only_gops_per_w,
                   r.energy_efficiency_chip_power_gops_per_w));
  line(fmt::format("area efficiency          {:.4g} GOPS/s/mm^2", r.area_efficiency_gops_per_s_mm2));
  line(fmt::format("peak (one chip, {}): {:.4g} GOPS, {:.4g} W, {:.4g} mm^2, CE {:.4g} GOPS/s/mm^2, PE {:.4g} GOPS/W, SE {:.3g} MB/mm^2",
                   r.hardware, r.peak.gops, r.peak.power_w, r.peak.area_mm2, r.peak.ce_gops_per_s_mm2,
                   r.peak.pe_gops_per_w, r.peak.se_mb_per_mm2));
  line("");
  line("events per inference:");
  for (int i = 0; i < kEventCount; ++i)
    if (r.events[i] > 0) line(fmt::format("  {:<24} {:>14.6g}", to_string(static_cast<Event>(i)), r.events[i]));
  line("");
  line(fmt::format("{:<22} {:>12} {:>7} {:>12} {:>7} {:>12}", "component", "energy/inf", "share", "area mm^2",
                   "share", "peak power"));
  for (const auto& [name, a] : r.area_breakdown_mm2) {
    double e = r.energy_breakdown_j.count(name) ? r.energy_breakdown_j.at(name) : 0.0;
    line(fmt::format("{:<22} {:>12} {:>6.1f}% {:>12.4g} {:>6.1f}% {:>12}", name, si(e, "J"),
                     100 * e / r.energy_per_inference_j, a, 100 * a / r.area_mm2,
                     si(r.peak_power_breakdown_w.at(name), "W")));
  }
  return s;
}

}  // namespace rramsim::arch
