#pragma once
// HDF5 behind small RAII types (in the spirit of HighFive), on the HDF5 C library.
//
//   auto f = h5::File::create(tmp_path);
//   auto g = f.create_group("device");
//   g.write_axis("level", levels, "1");                      // an axis (HDF5 dimension scale)
//   g.write("gap_m", values, {.units = "m", .axes = {"level"}});
//   g.write("prob", flat, {.units = "1", .axes = {"wire", "psum"}, .dims = {W, P}});
//
// Every failure throws rramsim::InputError naming the file and the object, never prints
// HDF5's error stack. Datasets of more than 4096 elements are chunked and compressed with a
// Fletcher32 checksum; every dataset also gets a `checksum` attribute over its values, and
// readers verify both. Reads check the stored shape, class and size before allocating:
// a file never decides how much memory we take (limits below).
#include <hdf5.h>

#include <Eigen/Core>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rramsim::h5 {

using Dims = std::vector<hsize_t>;

// The most elements a dataset read or an attribute read may allocate (2 GiB of float64 and
// 1 MiB of numbers); a file declaring more is refused before any allocation.
inline constexpr hsize_t kMaxReadElements = hsize_t{1} << 28;
inline constexpr hsize_t kMaxAttrElements = hsize_t{1} << 17;
inline constexpr size_t kMaxAttrStringBytes = size_t{1} << 24;

// What a dataset means: its physical units, one axis name per dimension, and its shape
// (empty: 1-D of the data's length). An axis name that matches an axis written with
// write_axis (same length) is attached to that dimension as an HDF5 dimension scale.
struct DataInfo {
  std::string units;
  std::vector<std::string> axes;
  Dims dims = {};
};

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
  // Every attribute as (name, canonical bytes), for the file's content checksum; skips the
  // HDF5 dimension-scale bookkeeping (object references) and `skip`.
  std::vector<std::pair<std::string, std::string>> attr_digest_items(const std::string& skip = {}) const;

 protected:
  Object(Handle h, std::string path) : h_(std::move(h)), path_(std::move(path)) {}
  Handle h_;
  std::string path_;
};

class Dataset : public Object {
 public:
  Dims dims() const;
  // Numbers (integer or float in the file), checksum verified when the dataset has one.
  std::vector<double> read_doubles() const;
  std::vector<int64_t> read_ints() const;
  // The same, refusing a dataset whose shape is not `expected` (what the reader will index).
  std::vector<double> read_doubles(const Dims& expected) const;
  std::vector<int64_t> read_ints(const Dims& expected) const;
  // Throws InputError unless the shape is `expected`.
  void require_dims(const Dims& expected) const;

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

  // The one way to write a dataset: data, units and axes together.
  Dataset write(const std::string& name, const std::vector<double>& data, const DataInfo& info);
  Dataset write(const std::string& name, const std::vector<int64_t>& data, const DataInfo& info);
  Dataset write(const std::string& name, const std::vector<std::string>& data, const DataInfo& info);
  // A matrix as rows x cols (row-major in the file, as h5py and numpy show it).
  template <class Derived>
  Dataset write(const std::string& name, const Eigen::DenseBase<Derived>& m, DataInfo info);
  // A 1-D axis: the dataset is made an HDF5 dimension scale named `axis`, which later
  // datasets of that axis name and length attach to.
  Dataset write_axis(const std::string& name, const std::vector<double>& data, const std::string& axis,
                     const std::string& units);
  Dataset write_axis(const std::string& name, const std::vector<int64_t>& data, const std::string& axis,
                     const std::string& units);

  // Older form without units and axes (kept for existing callers; prefer the one above).
  // A template only so that a braced {units, axes} argument picks the DataInfo overload.
  template <class D = Dims>
    requires std::same_as<D, Dims>
  Dataset write(const std::string& name, const std::vector<double>& data, const D& dims = {}) {
    return write_raw(name, data, dims);
  }
  template <class D = Dims>
    requires std::same_as<D, Dims>
  Dataset write(const std::string& name, const std::vector<int64_t>& data, const D& dims = {}) {
    return write_raw(name, data, dims);
  }
  Dataset write_strings(const std::string& name, const std::vector<std::string>& data);
  Dataset dataset(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name, const Dims& expected) const;

 protected:
  friend class File;
  using Object::Object;

 private:
  Dataset write_raw(const std::string& name, const std::vector<double>& data, Dims dims);
  Dataset write_raw(const std::string& name, const std::vector<int64_t>& data, Dims dims);
  void describe(Dataset& d, const DataInfo& info, const Dims& dims);
};

template <class Derived>
Dataset Group::write(const std::string& name, const Eigen::DenseBase<Derived>& m, DataInfo info) {
  using Scalar = typename Derived::Scalar;
  using Stored = std::conditional_t<std::is_integral_v<Scalar>, int64_t, double>;
  std::vector<Stored> flat(static_cast<size_t>(m.rows() * m.cols()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) flat[static_cast<size_t>(i * m.cols() + j)] = static_cast<Stored>(m(i, j));
  info.dims = {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())};
  return write(name, flat, info);
}

class File : public Group {
 public:
  static File create(const std::filesystem::path& path);  // truncates
  // Opens an existing file; throws InputError if missing or not an HDF5 file.
  static File open(const std::filesystem::path& path, bool writable = false);
  void flush();
  const std::filesystem::path& file_path() const { return file_; }
  // The content checksum: a hash over every object's attributes and every dataset's shape
  // and `checksum`, stored as the root attribute `content_checksum`. seal() is called last
  // (write_provenance does it); verify_seal() throws InputError if the stored hash differs
  // and returns false if the file has none. verify_all() also reads every dataset.
  void seal();
  bool verify_seal() const;
  void verify_all() const;

 private:
  File(Handle h, std::filesystem::path p);
  std::filesystem::path file_;
};

}  // namespace rramsim::h5
