#pragma once
// Checks of the paths a command is given, done before any work starts.
//
//   check_input_file(cfg, "configuration file");          // a readable regular file
//   check_output_path(out, {cfg, params_file});           // not an input, folder writable
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim {

// InputError naming `what` and `path` unless `path` is an existing, readable regular file
// (after symlinks): a directory, FIFO, socket or device is refused without opening it (a
// FIFO would block).
void check_input_file(const std::filesystem::path& path, const std::string& what);

// InputError unless `out` can be written: its folder exists and is writable, `out` is not
// a directory or a special file, and `out` is none of `inputs` (compared after resolving
// `.`, `..` and symlinks, and by inode when both exist).
void check_output_path(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs);

}  // namespace rramsim
