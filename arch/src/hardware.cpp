#include "rramsim/arch/hardware.hpp"

#include <fmt/format.h>
#include "rramsim/common/data_path.hpp"

#include <cmath>

#include "rramsim/common/config.hpp"
#include "rramsim/common/error.hpp"

namespace rramsim::arch {

namespace {
// Limits far above any published design, so that sizes derived from them stay exact.
constexpr double kMaxComponentCount = 1e6;
constexpr int64_t kMaxCrossbarsPerChip = int64_t{1} << 30;
// Per instance: 1 kW and 1 m^2 are far beyond any component, and keep chip totals finite.
constexpr double kMaxPowerMw = 1e6;
constexpr double kMaxAreaMm2 = 1e6;
constexpr double kMaxRateHz = 1e15;  // clock, sample and event rates
}  // namespace

namespace {

constexpr std::array<const char*, kEventCount> kEventNames = {
    "crossbar_read", "dac_activation", "sample_hold", "adc_conversion", "shift_add",
    "input_register_access", "output_register_access", "edram_byte", "bus_byte",
    "router_flit_hop", "activation", "pool_op", "tile_add", "tile_register_access",
    "offchip_byte"};

// Events whose rate follows from the datapath rather than from the file.
bool rate_is_derived(Event e) {
  return e == Event::crossbar_read || e == Event::dac_activation || e == Event::sample_hold ||
         e == Event::adc_conversion;
}

double parents_per_chip(const Hardware& hw, Level l) {
  switch (l) {
    case Level::ima: return double(hw.imas_per_tile) * hw.tiles_per_chip;
    case Level::tile: return hw.tiles_per_chip;
    case Level::chip: return 1;
  }
  return 0;
}

Hardware parse(const ConfigDoc& doc, const std::string& origin) {
  Config root = doc.root();
  Hardware hw;
  hw.source = origin;
  hw.name = root.string("name", std::filesystem::path(origin).stem().string());
  hw.description = root.string("description", "");
  hw.technology_nm = static_cast<int>(root.integer("technology_nm", 0, {.min = 1, .max = 1000}));
  hw.clock_hz = root.number("clock_hz", 0, {.min = 0, .max = kMaxRateHz, .min_exclusive = true});
  if (hw.clock_hz <= 0) throw InputError(root.where("clock_hz") + ": clock_hz is required");

  auto need_int = [](const Config& c, const std::string& key, int lo, int hi) {
    if (!c.has(key)) throw InputError(c.where(key) + ": required");
    return static_cast<int>(c.integer(key, 0, {.min = double(lo), .max = double(hi)}));
  };
  auto need_num = [&](const Config& c, const std::string& key, double max) {
    if (!c.has(key)) throw InputError(c.where(key) + ": required");
    return c.number(key, 0, {.min = 0, .max = max, .min_exclusive = true});
  };

  Config xb = root.table("crossbar");
  hw.rows = need_int(xb, "rows", 1, 1 << 16);
  hw.cols = need_int(xb, "cols", 1, 1 << 16);
  hw.bits_per_cell = need_int(xb, "bits_per_cell", 1, 8);
  hw.read_cycle_s = need_num(xb, "read_cycle_ns", 1e12) * 1e-9;
  hw.read_volt = xb.optional_number("read_volt", {.min = 0, .max = 10, .min_exclusive = true});
  hw.unit_columns = static_cast<int>(xb.integer("unit_columns", 0, {.min = 0, .max = 64}));
  hw.weight_polarities = static_cast<int>(xb.integer("weight_polarities", 1, {.min = 1, .max = 2}));

  Config dac = root.table("dac");
  hw.dac_bits = need_int(dac, "bits", 1, 16);
  Config adc = root.table("adc");
  hw.adc_bits = need_int(adc, "bits", 1, 16);
  hw.adc_sample_rate_hz = need_num(adc, "sample_rate_hz", kMaxRateHz);
  hw.adc_ramp = adc.string("kind", "sar", {"sar", "ramp"}) == "ramp";

  Config ops = root.table("operands");
  hw.weight_bits = need_int(ops, "weight_bits", 1, 32);
  hw.input_bits = need_int(ops, "input_bits", 1, 32);

  Config h = root.table("hierarchy");
  hw.imas_per_tile = need_int(h, "imas_per_tile", 1, 1 << 16);
  hw.tiles_per_chip = need_int(h, "tiles_per_chip", 1, 1 << 20);
  hw.max_chips = static_cast<int>(h.integer("max_chips", 1, {.min = 1, .max = 1 << 16}));

  Config noc = root.table("noc");
  hw.flit_bytes = static_cast<int>(noc.integer("flit_bytes", 4, {.min = 1, .max = 1024}));
  hw.average_hops = noc.number("average_hops", 1, {.min = 0, .max = 1e6});

  std::array<int, kEventCount> seen{};
  for (const Config& c : root.tables("component")) {
    Component k;
    k.name = c.string("name", "");
    if (k.name.empty()) throw InputError(c.where("name") + ": every component needs a name");
    if (!c.has("event")) throw InputError(c.where("event") + ": component '" + k.name + "' needs an event");
    k.event = event_from_string(c.string("event", ""), c.where("event"));
    std::string lvl = c.string("level", "", {"ima", "tile", "chip"});
    k.level = lvl == "ima" ? Level::ima : lvl == "tile" ? Level::tile : Level::chip;
    if (lvl.empty()) throw InputError(c.where("level") + ": component '" + k.name + "' needs a level (ima, tile, chip)");
    if (!c.has("count")) throw InputError(c.where("count") + ": required");
    k.count = c.number("count", 0, {.min = 0, .min_exclusive = true});
    if (k.count > kMaxComponentCount)
      throw InputError(c.where("count") + ": component '" + k.name + "': count " + fmt::format("{:g}", k.count) +
                       " exceeds the limit of " + fmt::format("{:g}", kMaxComponentCount) + " per " + lvl);
    k.power_mw = c.number("power_mw", -1, {.min = 0, .max = kMaxPowerMw});
    k.area_mm2 = c.number("area_mm2", -1, {.min = 0, .max = kMaxAreaMm2});
    k.always_on_mw = c.number("always_on_mw", 0, {.min = 0, .max = kMaxPowerMw});
    if (k.always_on_mw > k.power_mw && k.power_mw >= 0)
      throw InputError(c.where("always_on_mw") + ": component '" + k.name + "': always_on_mw exceeds power_mw");
    if (k.power_mw < 0 || k.area_mm2 < 0)
      throw InputError(c.where(k.power_mw < 0 ? "power_mw" : "area_mm2") + ": component '" + k.name +
                       "' needs power_mw and area_mm2 per instance");
    int& n = seen[static_cast<int>(k.event)];
    if (n++) throw InputError(c.where("event") + ": a second component serves '" + to_string(k.event) + "'");
    switch (k.event) {
      case Event::adc_conversion: k.events_per_s = hw.adc_sample_rate_hz; break;
      case Event::crossbar_read:
      case Event::dac_activation:
      case Event::sample_hold: k.events_per_s = 1.0 / hw.read_cycle_s; break;
      default: k.events_per_s = need_num(c, "events_per_s", kMaxRateHz);
    }
    if (rate_is_derived(k.event) && c.has("events_per_s"))
      throw InputError(c.where("events_per_s") + ": the rate of '" + k.name + "' follows from the datapath; remove it");
    if ((k.event == Event::crossbar_read || k.event == Event::adc_conversion) && k.level != Level::ima)
      throw InputError(c.where("level") + ": crossbars and ADCs belong to the IMA level");
    if (k.event == Event::crossbar_read) hw.crossbars_per_ima = static_cast<int>(std::lround(k.count));
    if (k.event == Event::adc_conversion) hw.adcs_per_ima = static_cast<int>(std::lround(k.count));
    hw.components.push_back(k);
  }
  if (hw.crossbars_per_ima < 1)
    throw InputError(origin + ": needs a [[component]] with event = \"crossbar_read\" and count >= 1 per IMA");
  if (hw.adcs_per_ima < 1)
    throw InputError(origin + ": needs a [[component]] with event = \"adc_conversion\" and count >= 1 per IMA");
  if (hw.crossbars_per_chip() > kMaxCrossbarsPerChip)
    throw InputError(origin + ": " + std::to_string(hw.crossbars_per_chip()) +
                     " crossbars per chip (crossbars per IMA x imas_per_tile x tiles_per_chip) exceeds the limit of " +
                     std::to_string(kMaxCrossbarsPerChip));
  if (!std::isfinite(hw.chip_power_w()) || !std::isfinite(hw.chip_area_mm2()))
    throw InputError(origin + ": the chip's total power or area is not a finite number (check power_mw, area_mm2, count)");
  doc.reject_unknown_keys();
  return hw;
}

}  // namespace

const char* to_string(Event e) { return kEventNames[static_cast<int>(e)]; }

Event event_from_string(const std::string& name, const std::string& where) {
  std::string list;
  for (int i = 0; i < kEventCount; ++i) {
    if (name == kEventNames[i]) return static_cast<Event>(i);
    list += (i ? ", " : "") + std::string(kEventNames[i]);
  }
  throw InputError(where + ": unknown event '" + name + "' (expected one of: " + list + ")");
}

const char* to_string(Level l) {
  return l == Level::ima ? "ima" : l == Level::tile ? "tile" : "chip";
}

double Hardware::instances_per_chip(const Component& c) const {
  return c.count * parents_per_chip(*this, c.level);
}

double Hardware::chip_power_w() const {
  double s = 0;
  for (const auto& c : components) s += instances_per_chip(c) * c.power_mw * 1e-3;
  return s;
}

double Hardware::chip_always_on_w() const {
  double s = 0;
  for (const auto& c : components) s += instances_per_chip(c) * c.always_on_mw * 1e-3;
  return s;
}

double Hardware::chip_area_mm2() const {
  double s = 0;
  for (const auto& c : components) s += instances_per_chip(c) * c.area_mm2;
  return s;
}

double Hardware::level_power_mw(Level l, bool include_children) const {
  double s = 0;
  for (const auto& c : components) {
    if (c.level == l) s += c.count * c.power_mw;
    else if (include_children && l == Level::tile && c.level == Level::ima) s += imas_per_tile * c.count * c.power_mw;
    else if (include_children && l == Level::chip) s += instances_per_chip(c) * c.power_mw;
  }
  return s;
}

double Hardware::level_area_mm2(Level l, bool include_children) const {
  double s = 0;
  for (const auto& c : components) {
    if (c.level == l) s += c.count * c.area_mm2;
    else if (include_children && l == Level::tile && c.level == Level::ima) s += imas_per_tile * c.count * c.area_mm2;
    else if (include_children && l == Level::chip) s += instances_per_chip(c) * c.area_mm2;
  }
  return s;
}

const Component* Hardware::find(Event e) const {
  for (const auto& c : components)
    if (c.event == e) return &c;
  return nullptr;
}

Hardware parse_hardware(const std::string& toml_text, const std::string& origin) {
  return parse(ConfigDoc::from_string(toml_text, origin), origin);
}

Hardware load_hardware(const std::string& name_or_file) {
  std::filesystem::path file = name_or_file;
  if (file.extension() != ".toml") {
    file = data_path("hardware", name_or_file);
    if (!std::filesystem::exists(file))
    {
      std::string known;
      for (const auto& n : shipped_names("hardware")) known += (known.empty() ? "" : ", ") + n;
      throw InputError("unknown hardware '" + name_or_file + "' (shipped: " + known + "; or give a .toml file)");
    }
  }
  if (!std::filesystem::exists(file)) throw InputError("hardware file " + file.string() + " does not exist");
  return parse(ConfigDoc::from_file(file), file.string());
}

}  // namespace rramsim::arch
