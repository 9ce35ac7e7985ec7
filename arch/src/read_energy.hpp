#pragma once
// Crossbar read energy per read of a layer: the hardware table's figure, or the circuit's
// (the calibration tables' supply power of a read, cells plus wire I^2 R, x the read pulse).
#include <memory>
#include <optional>

#include "rramsim/arch/evaluate.hpp"
#include "rramsim/arch/mapping.hpp"
#include "rramsim/calibration/tables.hpp"

namespace rramsim::arch {

struct PricedRead {
  double energy_j = 0;       // dynamic energy of one crossbar read
  double active_rows = 0;    // rows driven (measured or assumed)
  double wire_fraction = 0;  // share dissipated in the wires (circuit model)
};

class ReadEnergyPricer {
 public:
  // Opens the tables (when given), refuses tables that do not fit the hardware, a wire value
  // not on their grid, and the circuit model without read power.
  ReadEnergyPricer(const Hardware& hw, const EvaluateOptions& opt);
  PricedRead layer(const LayerMapping& m, const LayerOverride& o) const;
  const ReadEnergyInfo& info() const { return info_; }

 private:
  const Hardware& hw_;
  std::optional<calibration::Tables> tables_;
  ReadEnergyInfo info_;
  double cols_scale_ = 1;  // hardware columns / tables' columns (power of the whole array)
};

}  // namespace rramsim::arch
