#pragma once
// The full parameter set in an HDF5 group: one 1-element dataset per field with a
// "units" attribute, plus the set's name and model choices as attributes.
#include <nlohmann/json.hpp>

#include "rramsim/common/h5.hpp"
#include "rramsim/device/params.hpp"

namespace rramsim::device {

void write_params(h5::Group& g, const Params& p);
// Reads back what write_params wrote; throws InputError naming a missing field.
Params read_params(const h5::Group& g);
nlohmann::json params_json(const Params& p);

}  // namespace rramsim::device
