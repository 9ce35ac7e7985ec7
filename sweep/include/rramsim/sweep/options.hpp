#pragma once
// A sweep as data: what `rramsim sweep SWEEP.toml` reads (schema in docs/sweep.md).
//
//   SweepOptions o = load_sweep_options("data/sweeps/wire-adc-lenet5.toml");
//
// Every key, type and range is checked; unknown keys and bad axis values are InputErrors
// naming file, line and key. Paths in the file are resolved relative to its folder.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim::sweep {

// What an axis key changes.
enum class KeyKind {
  calibration,  // a key of the calibration config (device.*, crossbar.*, adc.*, seed): new tables
  wire,         // crossbar.nominal_wire_ohm on the base wire grid: a row of the same tables
  scheme,       // adc_bits, window_bits, weight_bits, activation_bits, dac_bits
  hardware,     // hardware.<table>.<key>: a key of the hardware description
};

struct Axis {
  std::string name;               // dataset name in the output, label in plots
  std::vector<std::string> keys;  // set together to the axis value (e.g. rows of tables and hardware)
  std::vector<KeyKind> kinds;     // one per key
  std::vector<double> values;
  std::string units;              // from the first key's name (ohm, V, bits, rows, 1)
  std::string where;              // "file:line: axis[i]" for messages
};

enum class Mode { grid, zip };

struct SweepOptions {
  std::filesystem::path file;           // the sweep file
  std::string text;                     // its text (provenance, resume check)
  std::filesystem::path calibration;    // base calibration config
  std::string calibration_text;
  std::string hardware = "isaac";       // name in data/hardware or a .toml path
  std::string network = "lenet5";
  std::filesystem::path weights;        // trained weights; empty: synthetic statistics
  std::string data;                     // labelled data; empty: the weights'
  std::string scheme = "baseline";      // a scheme name, file or comma list (docs/schemes.md)
  int images = 200;
  int calibration_images = 100;
  uint64_t seed = 1;                    // every point uses it (common random numbers)
  Mode mode = Mode::grid;
  std::vector<Axis> axes;
};

SweepOptions load_sweep_options(const std::filesystem::path& file);

// Units of an axis key, from its name (…_ohm: ohm, …_volt: V, …bits…: bits, rows: rows).
std::string key_units(const std::string& key);

}  // namespace rramsim::sweep
