#pragma once
// Read access to a calibration file (the contract between calibration and arch; schema in
// docs/schema.md). Everything a consumer needs comes through here, never by raw paths.
//
//   auto t = Tables::open("tables.h5");          // refuses foreign files and unknown versions
//   AdcCost c = t.adc_cost(8);
//   const ErrorTable& e = t.error_table(8);      // P(code | ideal partial sum)
#include <Eigen/Dense>
#include <filesystem>
#include <memory>
#include <vector>

#include "rramsim/calibration/adc_cost.hpp"
#include "rramsim/calibration/schema.hpp"

namespace rramsim::calibration {

inline constexpr int kSchemaVersion = schema::kVersion;

// ADC transfer under the calibrated nonideality. An ideal ADC of `adc_bits` with a one-unit
// LSB maps partial sum s to code min(s, 2^bits - 1) (clipping); the table says how often
// each code really comes out.
struct ErrorTable {
  int adc_bits = 0;
  int max_psum = 0;     // ideal partial sums 0..max_psum (rows x (2^bits_per_cell - 1) for 1-bit inputs)
  Eigen::MatrixXd prob; // (max_psum + 1) x 2^adc_bits; each row sums to 1
};

// Mean power of one read of the whole array (all columns) at a wire value and active-row
// count, from the circuit solve (schema 3): supply = cell + wire; ideal = V^2 sum G over the
// active rows' cells with ideal wires.
struct ReadPowerPoint {
  double supply_watt = 0, cell_watt = 0, wire_watt = 0, ideal_watt = 0;
};

class Tables {
 public:
  // Opens and validates; InputError naming the problem if the file is missing, not HDF5,
  // not a rramsim calibration file, of an unknown schema version, or incomplete.
  static Tables open(const std::filesystem::path& file);
  ~Tables();
  Tables(Tables&&) noexcept;
  Tables& operator=(Tables&&) noexcept;

  const std::filesystem::path& file() const;
  int rows() const;                   // crossbar rows of the nominal geometry
  int cols() const;
  int bits_per_cell() const;
  double read_volt() const;
  double nominal_wire_ohm() const;
  std::vector<double> wire_ohms() const;   // wire resistances tabulated
  int schema_version() const;
  // Index of a tabulated wire value (wire_ohm < 0: the nominal one); InputError listing the
  // grid if the value is not on it.
  int wire_index(double wire_ohm) const;
  std::vector<int> adc_bits() const;        // ADC resolutions tabulated
  AdcCost adc_cost(int bits) const;         // from the file's ADC stage; InputError if not tabulated
  std::string adc_model() const;            // name of the ADC cost model used
  // Mean read conductance of each cell level (level 0 = HRS side), from write-verify.
  std::vector<double> level_mean_siemens() const;
  // Write-verify targets and success fraction per level.
  std::vector<double> level_target_siemens() const;
  std::vector<double> level_success_fraction() const;
  // Read power (schema 3; false for version-2 files and when none was sampled).
  bool has_read_power() const;
  // At a tabulated wire value (wire_index) and `active_rows` (linear between the tabulated
  // counts; below the smallest, proportional to the count, since no active row draws no
  // power; above the largest, the largest). InputError naming the file if not tabulated.
  ReadPowerPoint read_power(double wire_ohm, double active_rows) const;
  // P(code | ideal partial sum) at `bits`, for a tabulated wire resistance (wire_index: a
  // value off the grid is an InputError; wire_ohm < 0: the nominal one) and the nearest
  // active-row bucket (active_rows <= 0: pooled).
  const ErrorTable& error_table(int bits, double wire_ohm = -1, int active_rows = -1) const;

  struct Impl;  // (public only so that the reader's helpers in tables.cpp can fill it)

 private:
  Tables();
  std::unique_ptr<Impl> impl_;
};

}  // namespace rramsim::calibration
