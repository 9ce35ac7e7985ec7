#pragma once
// The compact model as an ngspice subcircuit, Verilog-A style with behavioural sources
// (no Verilog-A compiler is available for this ngspice): the gap, in nm, is the voltage of
// a 1 F capacitor fed by a B-source current equal to dg/dt; with the dynamic thermal model
// the temperature is the voltage of a capacitor Cth fed by the dissipated power. Same
// parameters, same bounded arguments, same F_min step and bound windows as the C++ model.
#include <string>
#include <vector>

#include "rramsim/device/transient.hpp"

namespace rramsim::device {

// ".subckt <name> te be gap tk" ... ".ends": V(gap) is the gap in nm, V(tk) the temperature.
std::vector<std::string> spice_subcircuit(const Params& p, const std::string& name = "rramsim_cell");

// A full netlist: the waveform as a PWL source on node "in", the compliance element between
// node "te" and the cell (none, a resistor, or a 1T1R transistor as a B-source), the cell.
std::vector<std::string> spice_transient_netlist(const Params& p, const Waveform& w, const Compliance& c,
                                                 const TransientOptions& opts, TransientState initial);

// Runs the netlist in-process through NgspiceSession and resamples the traces onto the
// same uniform grid as simulate() (opts.samples points). Noise is not supported (the
// SPICE form is the deterministic model).
TransientResult simulate_ngspice(const Params& p, const Waveform& w, const Compliance& c,
                                 const TransientOptions& opts, TransientState initial = {});

}  // namespace rramsim::device
