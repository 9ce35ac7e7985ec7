#include "read_energy.hpp"

#include <fmt/format.h>

#include "rramsim/common/error.hpp"

namespace rramsim::arch {

std::string to_string(ReadEnergy e) { return e == ReadEnergy::circuit ? "circuit" : "table"; }

ReadEnergy parse_read_energy(const std::string& name) {
  if (name == "circuit") return ReadEnergy::circuit;
  if (name == "table") return ReadEnergy::table;
  throw InputError("read energy model '" + name + "': expected circuit or table");
}

namespace {

std::string mismatch(const Hardware& hw, const calibration::Tables& t) {
  const std::string f = t.file().string();
  if (t.rows() != hw.rows)
    return fmt::format("array rows differ: tables {} have {} rows, hardware '{}' has {}", f, t.rows(), hw.name, hw.rows);
  if (t.bits_per_cell() != hw.bits_per_cell)
    return fmt::format("bits per cell differ: tables {} have {}, hardware '{}' has {}", f, t.bits_per_cell(), hw.name,
                       hw.bits_per_cell);
  if (hw.read_volt && std::abs(*hw.read_volt - t.read_volt()) > 1e-9 * std::max(1.0, *hw.read_volt))
    return fmt::format("read voltage differs: tables {} read at {:g} V, hardware '{}' at {:g} V", f, t.read_volt(),
                       hw.name, *hw.read_volt);
  return "";
}

}  // namespace

std::string tables_mismatch(const Hardware& hw, const std::filesystem::path& tables) {
  return mismatch(hw, calibration::Tables::open(tables));
}

ReadEnergyPricer::ReadEnergyPricer(const Hardware& hw, const EvaluateOptions& opt) : hw_(hw) {
  const Component* xbar = hw.find(Event::crossbar_read);
  info_.table_j = xbar ? xbar->energy_per_event_j() : 0.0;
  info_.model = opt.read_energy.value_or(opt.tables ? ReadEnergy::circuit : ReadEnergy::table);
  info_.read_pulse_s = opt.read_pulse_s.value_or(hw.read_cycle_s);
  if (!(info_.read_pulse_s > 0)) throw InputError("read pulse must be > 0 s");
  if (opt.wire_ohm && !opt.tables) throw InputError("a wire value (--wire-ohm) needs calibration tables (--tables)");
  if (opt.tables) {
    tables_.emplace(calibration::Tables::open(*opt.tables));
    if (std::string m = mismatch(hw, *tables_); !m.empty()) throw InputError("tables do not fit the hardware: " + m);
    info_.wire_ohm = tables_->wire_ohms()[tables_->wire_index(opt.wire_ohm.value_or(-1))];
    cols_scale_ = double(hw.cols) / tables_->cols();
  }
  if (info_.model == ReadEnergy::table) {
    info_.source = fmt::format("hardware table '{}': crossbar power / read rate, {:.4g} pJ per read", hw.name,
                               info_.table_j * 1e12);
    return;
  }
  if (!tables_) throw InputError("the circuit read energy needs calibration tables (--tables), or --read-energy table");
  (void)tables_->read_power(*info_.wire_ohm, hw.rows);  // InputError now if the file holds no read power
  info_.source = fmt::format("circuit: supply power of a read (cells + wire I^2 R) from {} at {:g} ohm per wire "
                             "segment, x {:g} ns read pulse",
                             tables_->file().string(), *info_.wire_ohm, info_.read_pulse_s * 1e9);
  if (cols_scale_ != 1)
    info_.source += fmt::format(" (tables' {} columns scaled to the hardware's {})", tables_->cols(), hw.cols);
}

PricedRead ReadEnergyPricer::layer(const LayerMapping& m, const LayerOverride& o) const {
  PricedRead p;
  const double rows_used = m.crossbars > 0 ? double(m.dac_activations_per_cycle) / double(m.crossbars) : 0.0;
  p.active_rows = o.active_rows.value_or(0.5 * rows_used);
  if (info_.model == ReadEnergy::table) {
    p.energy_j = info_.table_j * o.crossbar_read_energy_scale;
    return p;
  }
  const calibration::ReadPowerPoint w = tables_->read_power(*info_.wire_ohm, p.active_rows);
  if (o.read_energy_ideal_j && w.ideal_watt > 0) {
    // The measured cells' ideal energy, carried to the wire value by the tables' ratio.
    p.energy_j = *o.read_energy_ideal_j * w.supply_watt / w.ideal_watt;
  } else {
    p.energy_j = w.supply_watt * cols_scale_ * info_.read_pulse_s * o.crossbar_read_energy_scale;
  }
  p.wire_fraction = w.supply_watt > 0 ? w.wire_watt / w.supply_watt : 0.0;
  return p;
}

}  // namespace rramsim::arch
