#pragma once
// HDF5 behind small RAII types (in the spirit of HighFive), on the HDF5 C library.
//
//   auto f = h5::File::create(tmp_path);
//   auto g = f.create_group("device");
//   g.write("gap_m", values, {n}).attr("units", "m");
//   g.attr("schema_version", int64_t{1});
//
// Every failure throws rramsim::InputError naming the file and the object, never prints
// HDF5's error stack. Datasets of more than 4096 elements are chunked and compressed.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim::h5 {

using Dims = std::vector<hsize_t>;

// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*closer)(hid_t)) : id_(id), close_(closer) {}
  Handle(Handle&& o) noexcept { *this = std::move(o); }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  hid_t id() const { return id_; }
  void reset();

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

// Attribute access shared by groups and datasets.
class Object {
 public:
  Object& attr(const std::string& name, const std::string& value);
  Object& attr(const std::string& name, const char* value) { return attr(name, std::string(value)); }
  Object& attr(const std::string& name, double value);
  Object& attr(const std::string& name, int64_t value);
  Object& attr(const std::string& name, const std::vector<double>& value);
  bool has_attr(const std::string& name) const;
  std::string attr_string(const std::string& name) const;
  double attr_double(const std::string& name) const;
  int64_t attr_int(const std::string& name) const;
  std::vector<double> attr_doubles(const std::string& name) const;
  std::vector<std::string> attr_names() const;
  hid_t id() const { return h_.id(); }
  const std::string& path() const { return path_; }  // "file.h5:/group/name" for messages

 protected:
  Object(Handle h, std::string path) : h_(std::move(h)), path_(std::move(path)) {}
  Handle h_;
  std::string path_;
};

class Dataset : public Object {
 public:
  Dims dims() const;
  std::vector<double> read_doubles() const;
  std::vector<int64_t> read_ints() const;

 private:
  friend class Group;
  using Object::Object;
};

class Group : public Object {
 public:
  Group create_group(const std::string& name);
  Group group(const std::string& name) const;  // open; throws if absent
  bool has(const std::string& name) const;     // a direct child (group or dataset)
  bool has_group(const std::string& name) const;
  std::vector<std::string> children() const;
  void remove(const std::string& name);  // unlink a child if present

  Dataset write(const std::string& name, const std::vector<double>& data, Dims dims = {});
  Dataset write(const std::string& name, const std::vector<int64_t>& data, Dims dims = {});
  Dataset write_strings(const std::string& name, const std::vector<std::string>& data);
  Dataset dataset(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;

 protected:
  friend class File;
  using Object::Object;
};

class File : public Group {
 public:
  static File create(const std::filesystem::path& path);  // truncates
  // Opens an existing file; throws InputError if missing or not an HDF5 file.
  static File open(const std::filesystem::path& path, bool writable = false);
  void flush();
  const std::filesystem::path& file_path() const { return file_; }

 private:
  File(Handle h, std::filesystem::path p);
  std::filesystem::path file_;
};

}  // namespace rramsim::h5
