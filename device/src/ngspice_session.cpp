#include "rramsim/device/ngspice_session.hpp"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>
#include <ngspice/sharedspice.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace rramsim::device {

namespace {

// libngspice is loaded with dlopen rather than linked: after a controlled exit (ngspice's
// "quit" or a fatal error) the manual's remedy is to unload and reload the library, which
// gives a fresh simulator for the next job.
struct Api {
  void* handle = nullptr;
  decltype(&ngSpice_Init) init = nullptr;
  decltype(&ngSpice_Circ) circ = nullptr;
  decltype(&ngSpice_Command) command = nullptr;
  decltype(&ngGet_Vec_Info) vec_info = nullptr;
  decltype(&ngSpice_CurPlot) cur_plot = nullptr;
  decltype(&ngSpice_AllVecs) all_vecs = nullptr;
};

template <class F>
void bind(void* h, F& f, const char* name) {
  f = reinterpret_cast<F>(dlsym(h, name));
  if (!f) throw SolverError(std::string("libngspice lacks ") + name);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_error_line(const std::string& line) {
  std::string l = lower(line);
  if (l.rfind("stderr ", 0) != 0) return false;  // errors always arrive on stderr
  if (l.find("warning") != std::string::npos) return false;
  return l.find("error") != std::string::npos || l.find("aborted") != std::string::npos ||
         l.find("too small") != std::string::npos || l.find("singular") != std::string::npos ||
         l.find("convergence") != std::string::npos || l.find("fatal") != std::string::npos ||
         l.find("unknown") != std::string::npos || l.find("not found") != std::string::npos;
}

}  // namespace

struct NgspiceSession::Impl {
  std::mutex mu;
  Api api;
  std::vector<std::string> output;
  bool exited = false;
  int exit_status = 0;

  static int on_print(char* s, int, void* user) {
    static_cast<Impl*>(user)->output.emplace_back(s ? s : "");
    return 0;
  }
  static int on_status(char*, int, void*) { return 0; }
  static int on_exit(int status, NG_BOOL, NG_BOOL, int, void* user) {
    auto* im = static_cast<Impl*>(user);
    im->exited = true;
    im->exit_status = status;
    return 0;
  }

  // After ngspice's "quit" (or a fatal error) its globals point to freed memory: the
  // simulator is only usable again from a fresh copy of the library. dlclose + dlopen gives
  // one only if nobody else holds the library (not so when a program links libngspice, as
  // happens under -fsanitize, where the linker's --as-needed is off: then the same torn-down
  // copy is re-initialized, a use-after-free that glibc's malloc hides and ASan's turns into
  // a SEGV in ngSpice_Init). So the spent copy stays mapped (its memory reachable, no leak)
  // and a private copy of the .so file is loaded: the manual's recipe for parallel simulators.
  bool private_copy = false;
  std::string library_file;     // the libngspice file first loaded
  std::vector<void*> retired;   // spent copies, never unloaded

  // nullptr if no copy can be made or loaded (e.g. a noexec temporary folder).
  void* open_private_copy() {
    std::error_code ec;
    std::string tmpl = (std::filesystem::temp_directory_path(ec) / "rramsim-libngspice-XXXXXX").string();
    int fd = ec ? -1 : mkstemp(tmpl.data());
    if (fd < 0) return nullptr;
    ::close(fd);
    std::filesystem::copy_file(library_file, tmpl, std::filesystem::copy_options::overwrite_existing, ec);
    void* h = ec ? nullptr : dlopen(tmpl.c_str(), RTLD_NOW | RTLD_LOCAL);
    std::filesystem::remove(tmpl, ec);  // the mapping stays valid
    return h;
  }

  void load() {
    if (private_copy) api.handle = open_private_copy();
    if (!api.handle) {  // first load, or no private copy possible: the manual's plain reload
      for (void* spent : retired) dlclose(spent);
      retired.clear();
      const char* names[] = {"libngspice.so.0", "libngspice.so"};
      for (const char* n : names)
        if ((api.handle = dlopen(n, RTLD_NOW | RTLD_LOCAL))) break;
      if (!api.handle) throw SolverError(std::string("cannot load libngspice: ") + dlerror());
      link_map* lm = nullptr;
      if (library_file.empty() && dlinfo(api.handle, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name)
        library_file = lm->l_name;
    }
    bind(api.handle, api.init, "ngSpice_Init");
    bind(api.handle, api.circ, "ngSpice_Circ");
    bind(api.handle, api.command, "ngSpice_Command");
    bind(api.handle, api.vec_info, "ngGet_Vec_Info");
    bind(api.handle, api.cur_plot, "ngSpice_CurPlot");
    bind(api.handle, api.all_vecs, "ngSpice_AllVecs");
    exited = false;
    api.init(&on_print, &on_status, &on_exit, nullptr, nullptr, nullptr, this);
    output.clear();
  }

  void unload() {
    if (api.handle && library_file.empty()) dlclose(api.handle);  // no file to copy: the plain reload
    if (api.handle && !library_file.empty()) retired.push_back(api.handle);
    api = Api{};
    private_copy = !library_file.empty();
  }

  // Runs one command; returns false if ngspice reported a failure.
  bool command(const std::string& cmd) {
    std::vector<char> buf(cmd.begin(), cmd.end());
    buf.push_back('\0');
    int rc = api.command(buf.data());
    return rc == 0 && !exited;
  }

  std::vector<std::string> errors(size_t from) const {
    // From the first error line on, every stderr line (ngspice continues a message there).
    std::vector<std::string> e;
    for (size_t i = from; i < output.size(); ++i) {
      const auto& l = output[i];
      if (is_error_line(l) || (!e.empty() && l.rfind("stderr ", 0) == 0)) {
        auto text = l.substr(7);
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
        if (!text.empty()) e.push_back(text);
      }
    }
    return e;
  }

  [[noreturn]] void fail(const std::string& stage, size_t from) {
    auto e = errors(from);
    std::string msg = "ngspice " + stage + " failed";
    if (exited) msg += " (ngspice exited with status " + std::to_string(exit_status) + ")";
    if (!e.empty()) {
      msg += ": ";
      for (size_t i = 0; i < e.size() && i < 4; ++i) msg += (i ? "; " : "") + e[i];
    }
    // Leave a clean simulator for the next job.
    if (exited) {
      unload();
    } else {
      command("destroy all");
      command("remcirc");
    }
    throw NgspiceError(msg);
  }
};

NgspiceSession& NgspiceSession::instance() {
  static NgspiceSession s;
  return s;
}

NgspiceSession::NgspiceSession() : impl_(new Impl) {}
NgspiceSession::~NgspiceSession() {
  // Deliberately no dlclose at exit: ngspice's own atexit handlers may still run.
  delete impl_;
}

std::map<std::string, std::vector<double>> NgspiceSession::run(const std::vector<std::string>& netlist,
                                                               const std::string& analysis,
                                                               const std::vector<std::string>& vectors) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl& im = *impl_;
  if (!im.api.handle) im.load();
  im.output.clear();
  if (netlist.empty()) throw NgspiceError("ngspice: empty netlist");

  std::vector<std::string> lines = netlist;
  if (lower(lines.back()) != ".end") lines.push_back(".end");
  std::vector<char*> ptrs;
  for (auto& l : lines) ptrs.push_back(l.data());
  ptrs.push_back(nullptr);
  int rc = im.api.circ(ptrs.data());
  if (rc != 0 || im.exited || !im.errors(0).empty()) im.fail("netlist parsing", 0);

  size_t mark = im.output.size();
  if (!im.command(analysis) || !im.errors(mark).empty()) im.fail("analysis '" + analysis + "'", mark);

  std::string plot = im.api.cur_plot ? im.api.cur_plot() : "";
  if (plot.empty() || plot == "const") im.fail("analysis '" + analysis + "' (no result plot)", mark);

  std::vector<std::string> names;
  if (vectors.empty()) {
    char** all = im.api.all_vecs(plot.data());
    for (int i = 0; all && all[i]; ++i) names.emplace_back(all[i]);
  } else {
    names = vectors;
  }
  std::map<std::string, std::vector<double>> out;
  for (const auto& n : names) {
    std::string full = plot + "." + n;
    // ngGet_Vec_Info returns a static struct: copy the data before the next call.
    pvector_info info = im.api.vec_info(full.data());
    if (!info) {
      im.command("destroy all");
      im.command("remcirc");
      throw NgspiceError("ngspice: no vector '" + n + "' in plot " + plot);
    }
    std::vector<double> v(info->v_length);
    for (int i = 0; i < info->v_length; ++i)
      v[i] = info->v_realdata ? info->v_realdata[i] : info->v_compdata[i].cx_real;
    out[lower(n)] = std::move(v);
  }
  im.command("destroy all");
  im.command("remcirc");
  return out;
}

std::string NgspiceSession::version() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->api.handle) impl_->load();
  size_t mark = impl_->output.size();
  impl_->command("version -s");
  std::string v;
  for (size_t i = mark; i < impl_->output.size(); ++i) {
    auto& l = impl_->output[i];
    if (l.find("ngspice") != std::string::npos) {
      v = l.rfind("stdout ", 0) == 0 ? l.substr(7) : l;
      break;
    }
  }
  return v.empty() ? "ngspice (version unknown)" : v;
}

std::vector<std::string> NgspiceSession::last_output() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->output;
}

}  // namespace rramsim::device
