#pragma once
// Helpers for tests that run the rramsim command line as a user would.
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace rramsim::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `rramsim <args>` through the shell; `args` is inserted as is (quote it yourself).
inline CommandResult run_rramsim(const std::string& args) {
  static int counter = 0;
  std::filesystem::path errf = std::filesystem::path(RRAMSIM_TEST_TMP) /
                               ("stderr-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::string cmd = std::string(RRAMSIM_EXE) + " " + args + " 2>" + errf.string();
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (FILE* e = fopen(errf.c_str(), "r")) {
    while ((n = fread(buf.data(), 1, buf.size(), e)) > 0) r.err.append(buf.data(), n);
    fclose(e);
  }
  std::filesystem::remove(errf);
  return r;
}

// Runs any shell command; returns its exit code and stdout.
inline CommandResult run_shell(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// A fresh directory for one test case, under the build tree.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::path(RRAMSIM_TEST_TMP) / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace rramsim::test
