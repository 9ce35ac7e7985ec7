#include "rramsim/device/spice_model.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "rramsim/common/error.hpp"
#include "rramsim/device/model.hpp"
#include "rramsim/device/ngspice_session.hpp"

namespace rramsim::device {

namespace {

std::string num(double v) { return fmt::format("{:.17g}", v); }
std::string lim(const std::string& x, double a) { return "min(max(" + x + "," + num(-a) + ")," + num(a) + ")"; }

// Expressions in terms of node voltages inside the subcircuit.
struct Expr {
  const Params& p;
  std::string gap() const {  // nm, clamped like the C++ model
    return "min(max(V(gap)," + num(p.gap_min_m * 1e9) + ")," + num(p.gap_max_m * 1e9) + ")";
  }
  std::string current() const {
    return fmt::format("{}*exp({})*sinh({})", num(p.i0_amp), lim(fmt::format("-{}/{}", gap(), num(p.g0_m * 1e9)), p.arg_max),
                       lim(fmt::format("V(te,be)/{}", num(p.v0_volt)), p.arg_max));
  }
  std::string temp() const { return "min(max(V(tk),1)," + num(p.t_max_k) + ")"; }
  std::string velocity_nm_per_s() const {
    std::string kt = "(" + num(kBoltzmannEvPerK) + "*" + temp() + ")";
    std::string g = gap();
    std::string gamma = "max(" + num(p.gamma0) + "-" + num(p.beta) + "*" + g + "*" + g + "*" + g + ",0)";
    std::string field = gamma + "*abs(V(te,be))/" + num(p.tox_m);
    std::string on = "0.5*(1+tanh((" + field + "-" + num(p.fmin_volt_per_m) + ")/" +
                     num(p.fmin_width_rel * p.fmin_volt_per_m) + "))";
    std::string arg = gamma + "*" + num(p.a0_m / p.tox_m) + "*V(te,be)/" + kt;
    std::string v0 = num(p.vel0_m_per_s * 1e9);
    if (p.gap_model == GapModel::single_term)
      return "-" + v0 + "*exp(" + lim("-" + num(p.ea_ev) + "/" + kt, p.arg_max) + ")*sinh(" + lim(arg, p.arg_max) +
             ")*" + on;
    return "-" + v0 + "*(exp(" + lim("-" + num(p.eag_ev) + "/" + kt, p.arg_max) + ")*exp(" + lim(arg, p.arg_max) +
           ")-exp(" + lim("-" + num(p.ear_ev) + "/" + kt, p.arg_max) + ")*exp(" + lim("-(" + arg + ")", p.arg_max) +
           "))*" + on;
  }
  // Smoothstep window of the distance d (nm) to a bound: exactly 0 at the bound.
  std::string window(const std::string& d) const {
    std::string x = "min(max((" + d + ")/" + num(p.window_width_m * 1e9) + ",0),1)";
    return "(" + x + "*" + x + "*(3-2*" + x + "))";
  }
};

std::string pwl(const Waveform& w) {
  std::string s = "PWL(";
  for (size_t i = 0; i < w.time_s.size(); ++i) s += fmt::format("{}{} {}", i ? " " : "", num(w.time_s[i]), num(w.volt[i]));
  return s + ")";
}

std::vector<double> resample(const std::vector<double>& t, const std::vector<double>& y, const std::vector<double>& tq) {
  std::vector<double> out;
  out.reserve(tq.size());
  for (double q : tq) {
    auto it = std::lower_bound(t.begin(), t.end(), q);
    if (it == t.begin()) {
      out.push_back(y.front());
    } else if (it == t.end()) {
      out.push_back(y.back());
    } else {
      size_t i = static_cast<size_t>(it - t.begin());
      double f = (t[i] == t[i - 1]) ? 1.0 : (q - t[i - 1]) / (t[i] - t[i - 1]);
      out.push_back(y[i - 1] + f * (y[i] - y[i - 1]));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> spice_subcircuit(const Params& p, const std::string& name) {
  validate(p);
  Expr e{p};
  std::vector<std::string> l;
  l.push_back("* rramsim gap-based oxide RRAM cell, parameter set " + p.name);
  l.push_back(".subckt " + name + " te be gap tk");
  l.push_back("Bi te be I=" + e.current());
  if (p.thermal == ThermalModel::quasi_static) {
    l.push_back("Bt tk 0 V=min(max(" + num(p.t0_k) + "+abs(V(te,be)*" + e.current() + ")*" + num(p.rth_k_per_w) +
                ",1)," + num(p.t_max_k) + ")");
  } else {
    // Thermal capacitance Cth charged by the dissipated power, discharged through Cth/tau.
    l.push_back("Ct tk 0 " + num(p.cth_j_per_k));
    l.push_back("Bt 0 tk I=abs(V(te,be)*" + e.current() + ")-(V(tk)-" + num(p.t0_k) + ")*" +
                num(p.cth_j_per_k / p.tau_th_s));
    l.push_back("Rtk tk 0 1e18");
  }
  l.push_back("Bv vel 0 V=" + e.velocity_nm_per_s());
  l.push_back("Cg gap 0 1");
  l.push_back("Bg 0 gap I=max(V(vel),0)*" + e.window(num(p.gap_max_m * 1e9) + "-V(gap)") + "+min(V(vel),0)*" +
              e.window("V(gap)-" + num(p.gap_min_m * 1e9)));
  l.push_back("Rgap gap 0 1e18");
  l.push_back(".ends " + name);
  return l;
}

std::vector<std::string> spice_transient_netlist(const Params& p, const Waveform& w, const Compliance& c,
                                                 const TransientOptions& o, TransientState initial) {
  validate(c);
  double duration = w.duration_s();
  require(duration > 0, "ngspice transient: the waveform has no duration");
  double max_step = o.max_step_s > 0 ? o.max_step_s : duration / 2000;
  double g0 = initial.gap_m > 0 ? initial.gap_m : p.gap_init_m;
  double t0 = initial.temp_k > 0 ? initial.temp_k : p.t0_k;
  std::vector<std::string> l = {"* rramsim device transient"};
  auto sub = spice_subcircuit(p);
  l.insert(l.end(), sub.begin(), sub.end());
  l.push_back("Vin in 0 " + pwl(w));
  switch (c.kind) {
    case Compliance::Kind::none:
      l.push_back("Vs in te 0");
      break;
    case Compliance::Kind::resistor:
      l.push_back("Rs in te " + num(c.series_ohm));
      break;
    case Compliance::Kind::transistor: {
      // The cell sits on top of its access transistor (node mid); square law, symmetric.
      double vov = std::max(c.gate_volt - c.threshold_volt, 0.0);
      std::string u = "abs(V(mid))";
      l.push_back("Vs in te 0");
      l.push_back("Bacc mid 0 I=sgn(V(mid))*" + num(c.k_amp_per_volt2) + "*(" + u + "<" + num(vov) + "?" + num(vov) +
                  "*" + u + "-0.5*" + u + "*" + u + ":" + num(0.5 * vov * vov) + ")*(1+" + num(c.lambda_per_volt) +
                  "*" + u + ")");
      break;
    }
  }
  std::string bottom = c.kind == Compliance::Kind::transistor ? "mid" : "0";
  l.push_back("X1 te " + bottom + " gap tk rramsim_cell");
  l.push_back(".ic V(gap)=" + num(g0 * 1e9) + (p.thermal == ThermalModel::dynamic ? " V(tk)=" + num(t0) : ""));
  l.push_back(".options reltol=" + num(std::max(o.rel_tol, 1e-6) * 100) + " method=gear maxord=2 itl4=100");
  l.push_back(".tran " + num(duration / (o.samples - 1)) + " " + num(duration) + " 0 " + num(max_step) + " uic");
  l.push_back(".end");
  return l;
}

TransientResult simulate_ngspice(const Params& p, const Waveform& w, const Compliance& c, const TransientOptions& o,
                                 TransientState initial) {
  require(!o.noise, "ngspice transient: the SPICE form has no noise source (use the native engine)");
  auto netlist = spice_transient_netlist(p, w, c, o, initial);
  netlist.pop_back();  // ".end": run() appends it after the analysis line is taken out
  std::string tran = netlist.back();
  netlist.pop_back();
  auto v = NgspiceSession::instance().run(netlist, tran.substr(1),
                                          {"time", "v(in)", "v(te)", "v(gap)", "v(tk)", "vin#branch",
                                           c.kind == Compliance::Kind::transistor ? "v(mid)" : "v(in)"});
  const auto& t = v.at("time");
  double duration = w.duration_s();
  TransientResult r;
  for (int k = 0; k < o.samples; ++k) r.time_s.push_back(duration * k / (o.samples - 1));
  r.applied_volt = resample(t, v.at("v(in)"), r.time_s);
  auto te = resample(t, v.at("v(te)"), r.time_s);
  auto bot = c.kind == Compliance::Kind::transistor ? resample(t, v.at("v(mid)"), r.time_s)
                                                     : std::vector<double>(r.time_s.size(), 0.0);
  r.device_volt.resize(te.size());
  for (size_t i = 0; i < te.size(); ++i) r.device_volt[i] = te[i] - bot[i];
  r.current_amp = resample(t, v.at("vin#branch"), r.time_s);
  for (auto& i : r.current_amp) i = -i;  // SPICE: branch current flows into the + terminal
  r.gap_m = resample(t, v.at("v(gap)"), r.time_s);
  // The model's gap is the clamped node voltage (the B-sources see it clamped); the node
  // itself may overshoot a bound by the integration error (< 0.002 nm on the default sweep).
  for (auto& g : r.gap_m) g = std::clamp(g * 1e-9, p.gap_min_m, p.gap_max_m);
  r.temp_k = resample(t, v.at("v(tk)"), r.time_s);
  r.steps = static_cast<long>(t.size());
  r.final_state = {r.gap_m.back(), r.temp_k.back()};
  return r;
}

}  // namespace rramsim::device
