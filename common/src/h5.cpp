#include "rramsim/common/h5.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>

#include "rramsim/common/error.hpp"
#include "rramsim/common/paths.hpp"

namespace rramsim::h5 {

namespace {

// HDF5 prints its error stack to stderr by default; our exceptions say what went wrong.
void silence_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw InputError("HDF5: " + what);
  return id;
}

void check_err(herr_t e, const std::string& what) {
  if (e < 0) throw InputError("HDF5: " + what);
}

hsize_t count(const Dims& d) {
  return std::accumulate(d.begin(), d.end(), hsize_t{1}, std::multiplies<>());
}

Handle make_space(const Dims& dims) {
  return Handle(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                      "cannot create dataspace"),
                H5Sclose);
}

// Strings are written fixed-length (NUL-padded UTF-8): they then live in the checksummed
// object headers, not in HDF5's global heap, whose corruption HDF5 1.10 does not detect
// (it crashes reading a damaged variable-length string). Readers accept both kinds.
Handle fixed_string_type(size_t bytes) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, std::max<size_t>(bytes, 1));
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
}

Handle string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
}

// "f.h5:/" + "a" -> "f.h5:/a"; "f.h5:/a" + "b" -> "f.h5:/a/b".
std::string child_path(const std::string& parent, const std::string& name) {
  return parent + (parent.back() == '/' ? "" : "/") + name;
}

std::string dims_text(const Dims& d) {
  std::string s;
  for (hsize_t n : d) s += (s.empty() ? "" : " x ") + std::to_string(n);
  return s.empty() ? "scalar" : s;
}

// FNV-1a, 64 bit: a cheap checksum to catch corruption (not an adversary).
struct Fnv {
  uint64_t h = 0xcbf29ce484222325ULL;
  void add(const void* p, size_t n) {
    auto b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ULL;
  }
  void add(const std::string& s) { add(s.data(), s.size() + 1); }  // with the NUL: "ab","c" != "a","bc"
  std::string text() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "fnv1a64:%016" PRIx64, h);
    return buf;
  }
};

template <class T>
std::string checksum_of(const std::vector<T>& v) {
  Fnv f;
  f.add(v.data(), v.size() * sizeof(T));
  return f.text();
}
std::string checksum_of(const std::vector<std::string>& v) {
  Fnv f;
  for (const auto& s : v) f.add(s);
  return f.text();
}

Dims dataset_dims(hid_t ds) {
  Handle sp(H5Dget_space(ds), H5Sclose);
  int nd = H5Sget_simple_extent_ndims(sp.id());
  Dims d(std::max(nd, 0));
  if (nd > 0) H5Sget_simple_extent_dims(sp.id(), d.data(), nullptr);
  return d;
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = -1;
}

// ---- attributes ---------------------------------------------------------------------

namespace {
void write_attr(hid_t obj, const std::string& name, hid_t type, const Dims& dims, const void* buf,
                const std::string& where) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle sp = dims.empty() ? Handle(H5Screate(H5S_SCALAR), H5Sclose) : make_space(dims);
  Handle a(check(H5Acreate2(obj, name.c_str(), type, sp.id(), H5P_DEFAULT, H5P_DEFAULT),
                 "cannot create attribute '" + name + "' on " + where),
           H5Aclose);
  check_err(H5Awrite(a.id(), type, buf), "cannot write attribute '" + name + "' on " + where);
}

Handle open_attr(hid_t obj, const std::string& name, const std::string& where) {
  if (H5Aexists(obj, name.c_str()) <= 0)
    throw InputError("HDF5: " + where + " has no attribute '" + name + "'");
  return Handle(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT),
                      "cannot open attribute '" + name + "' on " + where),
                H5Aclose);
}
}  // namespace

Object& Object::attr(const std::string& name, const std::string& value) {
  Handle t = fixed_string_type(value.size());
  std::string buf = value.empty() ? std::string(1, '\0') : value;
  write_attr(id(), name, t.id(), {}, buf.data(), path_);
  return *this;
}

Object& Object::attr(const std::string& name, double value) {
  write_attr(id(), name, H5T_NATIVE_DOUBLE, {}, &value, path_);
  return *this;
}

Object& Object::attr(const std::string& name, int64_t value) {
  write_attr(id(), name, H5T_NATIVE_INT64, {}, &value, path_);
  return *this;
}

Object& Object::attr(const std::string& name, const std::vector<double>& value) {
  write_attr(id(), name, H5T_NATIVE_DOUBLE, {value.size()}, value.data(), path_);
  return *this;
}

bool Object::has_attr(const std::string& name) const { return H5Aexists(id(), name.c_str()) > 0; }

namespace {

// Class and element count of an attribute, checked before anything is read into memory.
struct AttrShape {
  H5T_class_t cls;
  hsize_t n;
  int rank;
  size_t type_size;
  bool vlen_string;
};

AttrShape attr_shape(hid_t a) {
  Handle ft(H5Aget_type(a), H5Tclose);
  Handle sp(H5Aget_space(a), H5Sclose);
  AttrShape s{};
  s.cls = H5Tget_class(ft.id());
  hssize_t n = H5Sget_simple_extent_npoints(sp.id());
  s.n = n < 0 ? 0 : static_cast<hsize_t>(n);
  s.rank = H5Sget_simple_extent_ndims(sp.id());
  s.type_size = H5Tget_size(ft.id());
  s.vlen_string = s.cls == H5T_STRING && H5Tis_variable_str(ft.id()) > 0;
  return s;
}

std::string attr_where(const std::string& name, const std::string& where) {
  return "attribute '" + name + "' of " + where;
}

// A single number: scalar or one element, integer or float class.
AttrShape require_one_number(hid_t a, const std::string& name, const std::string& where) {
  AttrShape s = attr_shape(a);
  if (s.cls != H5T_INTEGER && s.cls != H5T_FLOAT)
    throw InputError("HDF5: " + attr_where(name, where) + " is not a number");
  if (s.n != 1)
    throw InputError("HDF5: " + attr_where(name, where) + " holds " + std::to_string(s.n) + " values, expected one");
  return s;
}

// Strings of one attribute (a scalar or a 1-D array), variable- or fixed-length, bounded.
std::vector<std::string> read_attr_strings(hid_t a, const std::string& name, const std::string& where) {
  AttrShape s = attr_shape(a);
  if (s.cls != H5T_STRING) throw InputError("HDF5: " + attr_where(name, where) + " is not a string");
  if (s.n > kMaxAttrElements)
    throw InputError("HDF5: " + attr_where(name, where) + " declares " + std::to_string(s.n) + " strings");
  std::vector<std::string> out;
  if (s.vlen_string) {
    Handle t = string_type();
    std::vector<char*> p(s.n, nullptr);
    check_err(H5Aread(a, t.id(), p.data()), "cannot read " + attr_where(name, where));
    for (char* c : p) {
      out.emplace_back(c ? c : "");
      H5free_memory(c);
    }
    return out;
  }
  if (s.type_size == 0 || s.type_size * s.n > kMaxAttrStringBytes)
    throw InputError("HDF5: " + attr_where(name, where) + " declares " + std::to_string(s.type_size * s.n) + " bytes");
  Handle ft(H5Aget_type(a), H5Tclose);
  std::string buf(s.type_size * s.n, '\0');
  check_err(H5Aread(a, ft.id(), buf.data()), "cannot read " + attr_where(name, where));
  for (hsize_t i = 0; i < s.n; ++i) {
    std::string one = buf.substr(i * s.type_size, s.type_size);
    one.erase(std::find(one.begin(), one.end(), '\0'), one.end());
    out.push_back(one);
  }
  return out;
}

std::vector<double> read_attr_numbers(hid_t a, const std::string& name, const std::string& where) {
  AttrShape s = attr_shape(a);
  if (s.cls != H5T_INTEGER && s.cls != H5T_FLOAT)
    throw InputError("HDF5: " + attr_where(name, where) + " is not numeric");
  if (s.rank > 1 || s.n > kMaxAttrElements)
    throw InputError("HDF5: " + attr_where(name, where) + " is not a list of at most " +
                     std::to_string(kMaxAttrElements) + " numbers");
  std::vector<double> v(s.n);
  check_err(H5Aread(a, H5T_NATIVE_DOUBLE, v.data()), "cannot read " + attr_where(name, where));
  return v;
}

}  // namespace

std::string Object::attr_string(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  auto v = read_attr_strings(a.id(), name, path_);
  if (v.size() != 1)
    throw InputError("HDF5: " + attr_where(name, path_) + " holds " + std::to_string(v.size()) + " strings, expected one");
  return v[0];
}

double Object::attr_double(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  require_one_number(a.id(), name, path_);
  double v = 0;
  check_err(H5Aread(a.id(), H5T_NATIVE_DOUBLE, &v), "cannot read " + attr_where(name, path_));
  return v;
}

int64_t Object::attr_int(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  AttrShape s = require_one_number(a.id(), name, path_);
  if (s.cls == H5T_FLOAT) {  // accepted only if it holds an integer
    double d = 0;
    check_err(H5Aread(a.id(), H5T_NATIVE_DOUBLE, &d), "cannot read " + attr_where(name, path_));
    if (!(std::abs(d) < 9.2e18) || d != std::floor(d))
      throw InputError("HDF5: " + attr_where(name, path_) + " is not an integer");
    return static_cast<int64_t>(d);
  }
  int64_t v = 0;
  check_err(H5Aread(a.id(), H5T_NATIVE_INT64, &v), "cannot read " + attr_where(name, path_) + " as a 64-bit integer");
  return v;
}

std::vector<double> Object::attr_doubles(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  return read_attr_numbers(a.id(), name, path_);
}

std::vector<std::pair<std::string, std::string>> Object::attr_digest_items(const std::string& skip) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto names = attr_names();
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (n == skip || n == "DIMENSION_LIST" || n == "REFERENCE_LIST") continue;  // object references
    Handle a = open_attr(id(), n, path_);
    AttrShape s = attr_shape(a.id());
    std::string bytes = std::to_string(s.cls) + ":" + std::to_string(s.n) + ":";
    if (s.cls == H5T_STRING) {
      for (const auto& v : read_attr_strings(a.id(), n, path_)) bytes += v + '\0';
    } else if (s.cls == H5T_INTEGER && s.n <= kMaxAttrElements) {
      std::vector<int64_t> v(s.n);
      check_err(H5Aread(a.id(), H5T_NATIVE_INT64, v.data()), "cannot read " + attr_where(n, path_));
      bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t));
    } else if (s.cls == H5T_FLOAT) {
      auto v = read_attr_numbers(a.id(), n, path_);
      bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    out.emplace_back(n, bytes);
  }
  return out;
}

std::vector<std::string> Object::attr_names() const {
  std::vector<std::string> out;
  H5O_info_t info;
  if (H5Oget_info2(id(), &info, H5O_INFO_NUM_ATTRS) < 0) return out;
  if (info.num_attrs > kMaxAttrElements)
    throw InputError("HDF5: " + path_ + " declares " + std::to_string(info.num_attrs) + " attributes (corrupt?)");
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    char buf[1024];
    ssize_t n = H5Aget_name_by_idx(id(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    if (n < 0) n = H5Aget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    if (n >= 0 && static_cast<size_t>(n) < sizeof buf) out.emplace_back(buf);
  }
  return out;
}

// ---- datasets -----------------------------------------------------------------------

Dims Dataset::dims() const { return dataset_dims(id()); }

namespace {

// The stored class and element count, checked before allocating.
H5T_class_t number_class(const Dataset& d, hsize_t n) {
  if (n > kMaxReadElements)
    throw InputError("HDF5: " + d.path() + " declares " + std::to_string(n) + " elements, more than the " +
                     std::to_string(kMaxReadElements) + " a reader accepts");
  Handle ft(H5Dget_type(d.id()), H5Tclose);
  H5T_class_t c = H5Tget_class(ft.id());
  if (c != H5T_INTEGER && c != H5T_FLOAT) throw InputError("HDF5: " + d.path() + " does not hold numbers");
  return c;
}

void verify_checksum(const Dataset& d, const std::string& actual) {
  if (!d.has_attr("checksum")) return;
  if (d.attr_string("checksum") != actual)
    throw InputError("HDF5: " + d.path() + ": checksum mismatch, the data are corrupt");
}

// Reads as T (int64 or double) the way the data are stored, verifies the checksum on that,
// then converts: the checksum is over the values as written.
template <class Out>
std::vector<Out> read_numbers(const Dataset& d, const Dims& dims) {
  hsize_t n = count(dims);
  H5T_class_t c = number_class(d, n);
  auto read = [&](auto tag, hid_t mem) {
    std::vector<decltype(tag)> v(n);
    if (n) check_err(H5Dread(d.id(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "cannot read " + d.path() + " (corrupt?)");
    verify_checksum(d, checksum_of(v));
    return v;
  };
  if (c == H5T_INTEGER) {
    auto v = read(int64_t{}, H5T_NATIVE_INT64);
    if constexpr (std::is_same_v<Out, int64_t>) return v;
    else return std::vector<Out>(v.begin(), v.end());
  }
  auto v = read(double{}, H5T_NATIVE_DOUBLE);
  if constexpr (std::is_same_v<Out, double>) {
    return v;
  } else {
    std::vector<Out> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      if (!(std::abs(v[i]) < 9.2e18)) throw InputError("HDF5: " + d.path() + " holds a value that is not an integer");
      out[i] = static_cast<Out>(v[i]);
    }
    return out;
  }
}

}  // namespace

void Dataset::require_dims(const Dims& expected) const {
  Dims d = dims();
  if (d != expected) {
    std::string axes = has_attr("axes") ? " (" + attr_string("axes") + ")" : "";
    throw InputError("HDF5: " + path_ + " has shape " + dims_text(d) + ", expected " + dims_text(expected) + axes);
  }
}

std::vector<double> Dataset::read_doubles() const { return read_numbers<double>(*this, dims()); }
std::vector<int64_t> Dataset::read_ints() const { return read_numbers<int64_t>(*this, dims()); }

std::vector<double> Dataset::read_doubles(const Dims& expected) const {
  require_dims(expected);
  return read_numbers<double>(*this, expected);
}

std::vector<int64_t> Dataset::read_ints(const Dims& expected) const {
  require_dims(expected);
  return read_numbers<int64_t>(*this, expected);
}

// ---- groups -------------------------------------------------------------------------

Group Group::create_group(const std::string& name) {
  remove(name);
  hid_t g = check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "cannot create group '" + name + "' in " + path_);
  return Group(Handle(g, H5Gclose), child_path(path_, name));
}

Group Group::group(const std::string& name) const {
  if (!has_group(name)) throw InputError("HDF5: " + path_ + " has no group '" + name + "'");
  hid_t g = check(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "cannot open group '" + name + "'");
  return Group(Handle(g, H5Gclose), child_path(path_, name));
}

bool Group::has(const std::string& name) const {
  return H5Lexists(id(), name.c_str(), H5P_DEFAULT) > 0;
}

bool Group::has_group(const std::string& name) const {
  if (!has(name)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name2(id(), name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> out;
  H5G_info_t info;
  if (H5Gget_info(id(), &info) < 0) return out;
  if (info.nlinks > kMaxAttrElements)
    throw InputError("HDF5: " + path_ + " declares " + std::to_string(info.nlinks) + " members (corrupt?)");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t n = H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) continue;
    if (n > 65536) throw InputError("HDF5: " + path_ + " has a link name of " + std::to_string(n) + " bytes (corrupt?)");
    std::string s(static_cast<size_t>(n) + 1, '\0');
    H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(), H5P_DEFAULT);
    s.resize(static_cast<size_t>(n));
    out.push_back(s);
  }
  return out;
}

void Group::remove(const std::string& name) {
  if (has(name)) check_err(H5Ldelete(id(), name.c_str(), H5P_DEFAULT), "cannot remove '" + name + "'");
}

namespace {
Handle create_dataset(hid_t parent, const std::string& name, hid_t type, const Dims& dims,
                      const std::string& where) {
  Handle sp = make_space(dims);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (count(dims) > 4096 && !dims.empty()) {
    // Chunk along the first axis (rows of about 64 KiB), compress with deflate.
    Dims chunk = dims;
    hsize_t row = count(dims) / dims[0];
    chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], 8192 / std::max<hsize_t>(row, 1)));
    for (size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::min<hsize_t>(chunk[i], 8192);
    H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(dcpl.id());
    H5Pset_deflate(dcpl.id(), 4);
    H5Pset_fletcher32(dcpl.id());  // HDF5 then refuses a corrupt chunk on every read, in any tool
  }
  return Handle(check(H5Dcreate2(parent, name.c_str(), type, sp.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                      "cannot create dataset '" + name + "' in " + where),
                H5Dclose);
}
}  // namespace

namespace {

template <class T>
Handle write_numbers(hid_t parent, const std::string& name, const std::vector<T>& data, Dims& dims,
                     const std::string& where) {
  if (dims.empty()) dims = {data.size()};
  if (count(dims) != data.size()) throw Error("HDF5: dims do not match data size for '" + name + "'");
  const hid_t type = std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
  Handle d = create_dataset(parent, name, type, dims, where);
  check_err(H5Dwrite(d.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "cannot write dataset '" + name + "'");
  return d;
}

std::string join_axes(const std::vector<std::string>& axes) {
  std::string s;
  for (const auto& a : axes) s += (s.empty() ? "" : ", ") + a;
  return s;
}

// A dimension scale named `axis` of length `len` anywhere in the file, or an empty handle.
Handle find_scale(hid_t any_obj, const std::string& axis, hsize_t len) {
  struct Search {
    std::string axis;
    hsize_t len;
    std::string found;
  } search{axis, len, {}};
  Handle file(H5Iget_file_id(any_obj), H5Fclose);
  Handle root(H5Gopen2(file.id(), "/", H5P_DEFAULT), H5Gclose);
  auto visit = [](hid_t obj, const char* name, const H5O_info_t* info, void* data) -> herr_t {
    auto* s = static_cast<Search*>(data);
    if (info->type != H5O_TYPE_DATASET) return 0;
    Handle d(H5Dopen2(obj, name, H5P_DEFAULT), H5Dclose);
    if (d.id() < 0 || H5DSis_scale(d.id()) <= 0) return 0;
    char buf[256] = "";
    if (H5DSget_scale_name(d.id(), buf, sizeof buf) <= 0 || s->axis != buf) return 0;
    Dims dims = dataset_dims(d.id());
    if (dims.size() != 1 || dims[0] != s->len) return 0;
    s->found = name;
    return 1;  // stop
  };
  if (H5Ovisit2(root.id(), H5_INDEX_NAME, H5_ITER_INC, visit, &search, H5O_INFO_BASIC) < 0 || search.found.empty())
    return {};
  return Handle(H5Dopen2(root.id(), search.found.c_str(), H5P_DEFAULT), H5Dclose);
}

}  // namespace

void Group::describe(Dataset& d, const DataInfo& info, const Dims& dims) {
  if (!info.units.empty()) d.attr("units", info.units);
  if (info.axes.empty()) return;
  if (info.axes.size() != dims.size())
    throw Error("HDF5: " + d.path() + " has " + std::to_string(dims.size()) + " dimensions but " +
                std::to_string(info.axes.size()) + " axis names");
  d.attr("axes", join_axes(info.axes));
  for (size_t i = 0; i < dims.size(); ++i) {
    Handle scale = find_scale(id(), info.axes[i], dims[i]);
    if (scale.id() >= 0)
      check_err(H5DSattach_scale(d.id(), scale.id(), static_cast<unsigned>(i)), "cannot attach axis to " + d.path());
  }
}

Dataset Group::write_raw(const std::string& name, const std::vector<double>& data, Dims dims) {
  remove(name);
  Dataset d(write_numbers(id(), name, data, dims, path_), child_path(path_, name));
  d.attr("checksum", checksum_of(data));
  return d;
}

Dataset Group::write_raw(const std::string& name, const std::vector<int64_t>& data, Dims dims) {
  remove(name);
  Dataset d(write_numbers(id(), name, data, dims, path_), child_path(path_, name));
  d.attr("checksum", checksum_of(data));
  return d;
}

Dataset Group::write(const std::string& name, const std::vector<double>& data, const DataInfo& info) {
  Dataset d = write_raw(name, data, info.dims);
  describe(d, info, info.dims.empty() ? Dims{data.size()} : info.dims);
  return d;
}

Dataset Group::write(const std::string& name, const std::vector<int64_t>& data, const DataInfo& info) {
  Dataset d = write_raw(name, data, info.dims);
  describe(d, info, info.dims.empty() ? Dims{data.size()} : info.dims);
  return d;
}

Dataset Group::write(const std::string& name, const std::vector<std::string>& data, const DataInfo& info) {
  if (!info.dims.empty() && info.dims != Dims{data.size()}) throw Error("HDF5: strings are 1-D, for '" + name + "'");
  Dataset d = write_strings(name, data);
  describe(d, info, {data.size()});
  return d;
}

namespace {
template <class T>
Dataset make_axis(Group& g, const std::string& name, const std::vector<T>& data, const std::string& axis,
                  const std::string& units) {
  Dataset d = g.write(name, data, Dims{data.size()});
  d.attr("units", units).attr("axes", axis);
  check_err(H5DSset_scale(d.id(), axis.c_str()), "cannot make " + d.path() + " an axis");
  return d;
}
}  // namespace

Dataset Group::write_axis(const std::string& name, const std::vector<double>& data, const std::string& axis,
                          const std::string& units) {
  return make_axis(*this, name, data, axis, units);
}

Dataset Group::write_axis(const std::string& name, const std::vector<int64_t>& data, const std::string& axis,
                          const std::string& units) {
  return make_axis(*this, name, data, axis, units);
}

Dataset Group::write_strings(const std::string& name, const std::vector<std::string>& data) {
  remove(name);
  size_t width = 1;
  for (const auto& s : data) width = std::max(width, s.size());
  Handle t = fixed_string_type(width);
  Handle sp = make_space({data.size()});
  Handle d(check(H5Dcreate2(id(), name.c_str(), t.id(), sp.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 "cannot create dataset '" + name + "'"),
           H5Dclose);
  std::string buf(width * data.size(), '\0');
  for (size_t i = 0; i < data.size(); ++i) std::copy(data[i].begin(), data[i].end(), buf.begin() + i * width);
  if (!data.empty())
    check_err(H5Dwrite(d.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "cannot write dataset '" + name + "'");
  Dataset ds(std::move(d), child_path(path_, name));
  ds.attr("checksum", checksum_of(data));
  return ds;
}

Dataset Group::dataset(const std::string& name) const {
  if (!has(name)) throw InputError("HDF5: " + path_ + " has no dataset '" + name + "'");
  hid_t d = check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "cannot open dataset '" + name + "' in " + path_);
  return Dataset(Handle(d, H5Dclose), child_path(path_, name));
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  Dataset d = dataset(name);
  Dims dims = d.dims();
  if (dims.size() != 1) throw InputError("HDF5: " + d.path() + " is not a list of strings");
  return read_strings(name, dims);
}

std::vector<std::string> Group::read_strings(const std::string& name, const Dims& expected) const {
  Dataset d = dataset(name);
  d.require_dims(expected);
  hsize_t n = count(expected);
  if (n > kMaxAttrElements) throw InputError("HDF5: " + d.path() + " declares " + std::to_string(n) + " strings");
  Handle ft(H5Dget_type(d.id()), H5Tclose);
  if (H5Tget_class(ft.id()) != H5T_STRING) throw InputError("HDF5: " + d.path() + " does not hold strings");
  std::vector<std::string> out;
  if (H5Tis_variable_str(ft.id()) > 0) {
    Handle t = string_type();
    std::vector<char*> ptrs(n, nullptr);
    check_err(H5Dread(d.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
              "cannot read " + d.path() + " as strings");
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
      H5free_memory(p);
    }
  } else {
    size_t width = H5Tget_size(ft.id());
    if (width == 0 || width * n > kMaxAttrStringBytes)
      throw InputError("HDF5: " + d.path() + " declares " + std::to_string(width * n) + " bytes of strings");
    std::string buf(width * n, '\0');
    if (n) check_err(H5Dread(d.id(), ft.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "cannot read " + d.path());
    for (hsize_t i = 0; i < n; ++i) {
      std::string one = buf.substr(i * width, width);
      one.erase(std::find(one.begin(), one.end(), '\0'), one.end());
      out.push_back(one);
    }
  }
  verify_checksum(d, checksum_of(out));
  return out;
}

// ---- files --------------------------------------------------------------------------

File::File(Handle h, std::filesystem::path p)
    : Group(std::move(h), p.string() + ":/"), file_(std::move(p)) {}

File File::create(const std::filesystem::path& path) {
  silence_hdf5();
  // The 1.8+ file format: superblock, object headers and B-trees carry checksums, so HDF5
  // itself refuses corrupt metadata (readable by any HDF5 >= 1.8, h5py and h5dump).
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id());
  if (f < 0) throw InputError("HDF5: cannot create file " + path.string());
  return File(Handle(f, H5Fclose), path);
}

File File::open(const std::filesystem::path& path, bool writable) {
  silence_hdf5();
  check_input_file(path, "HDF5 file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path.string() + " is not an HDF5 file (or it is truncated or corrupt)");
  hid_t f = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw InputError("HDF5: cannot open " + path.string() + " (truncated or corrupt?)");
  return File(Handle(f, H5Fclose), path);
}

void File::flush() { H5Fflush(id(), H5F_SCOPE_GLOBAL); }

namespace {

// Visits every group and dataset below g in name order.
void walk(const Group& g, const std::function<void(const Group&)>& on_group,
          const std::function<void(const Group&, const std::string&)>& on_dataset) {
  on_group(g);
  for (const auto& name : g.children()) {
    if (g.has_group(name))
      walk(g.group(name), on_group, on_dataset);
    else
      on_dataset(g, name);
  }
}

std::string content_checksum(const File& f) {
  Fnv h;
  auto add_attrs = [&](const Object& o, const std::string& rel, const std::string& skip) {
    h.add(rel);
    for (const auto& [name, bytes] : o.attr_digest_items(skip)) {
      h.add(name);
      h.add(bytes);
    }
  };
  // Paths within the file: the seal must not depend on the file's name (it is renamed).
  const size_t prefix = f.file_path().string().size() + 1;
  auto rel = [prefix](const Object& o) { return o.path().substr(prefix); };
  walk(
      f, [&](const Group& g) { add_attrs(g, rel(g), &g == &f ? "content_checksum" : ""); },
      [&](const Group& g, const std::string& name) {
        Dataset d = g.dataset(name);
        Dims dims = d.dims();
        h.add(dims.data(), dims.size() * sizeof(hsize_t));
        add_attrs(d, rel(d), "");
      });
  return h.text();
}

}  // namespace

void File::seal() { attr("content_checksum", content_checksum(*this)); }

bool File::verify_seal() const {
  if (!has_attr("content_checksum")) return false;
  if (attr_string("content_checksum") != content_checksum(*this))
    throw InputError(file_.string() +
                     " is corrupt or incomplete: its attributes or structure do not match its content checksum");
  return true;
}

void File::verify_all() const {
  verify_seal();
  walk(
      *this, [](const Group&) {},
      [](const Group& g, const std::string& name) {
        Dataset d = g.dataset(name);
        Handle ft(H5Dget_type(d.id()), H5Tclose);
        if (H5Tget_class(ft.id()) == H5T_STRING)
          (void)g.read_strings(name);
        else
          (void)d.read_doubles();
      });
}

}  // namespace rramsim::h5
