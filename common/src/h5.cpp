#include "rramsim/common/h5.hpp"

#include <algorithm>
#include <numeric>

#include "rramsim/common/error.hpp"

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

Handle string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
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
  Handle t = string_type();
  const char* p = value.c_str();
  write_attr(id(), name, t.id(), {}, &p, path_);
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

std::string Object::attr_string(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  Handle ft(H5Aget_type(a.id()), H5Tclose);
  if (H5Tget_class(ft.id()) != H5T_STRING)
    throw InputError("HDF5: attribute '" + name + "' on " + path_ + " is not a string");
  if (H5Tis_variable_str(ft.id()) > 0) {
    Handle t = string_type();
    char* p = nullptr;
    check_err(H5Aread(a.id(), t.id(), &p), "cannot read attribute '" + name + "'");
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  size_t n = H5Tget_size(ft.id());
  std::string s(n, '\0');
  check_err(H5Aread(a.id(), ft.id(), s.data()), "cannot read attribute '" + name + "'");
  s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
  return s;
}

double Object::attr_double(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  double v = 0;
  check_err(H5Aread(a.id(), H5T_NATIVE_DOUBLE, &v), "cannot read attribute '" + name + "' on " + path_);
  return v;
}

int64_t Object::attr_int(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  int64_t v = 0;
  check_err(H5Aread(a.id(), H5T_NATIVE_INT64, &v), "cannot read attribute '" + name + "' on " + path_);
  return v;
}

std::vector<double> Object::attr_doubles(const std::string& name) const {
  Handle a = open_attr(id(), name, path_);
  Handle sp(H5Aget_space(a.id()), H5Sclose);
  std::vector<double> v(static_cast<size_t>(std::max<hssize_t>(H5Sget_simple_extent_npoints(sp.id()), 0)));
  check_err(H5Aread(a.id(), H5T_NATIVE_DOUBLE, v.data()), "cannot read attribute '" + name + "' on " + path_);
  return v;
}

std::vector<std::string> Object::attr_names() const {
  std::vector<std::string> out;
  H5O_info_t info;
  if (H5Oget_info2(id(), &info, H5O_INFO_NUM_ATTRS) < 0) return out;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    char buf[256];
    ssize_t n = H5Aget_name_by_idx(id(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    if (n < 0) n = H5Aget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    if (n >= 0) out.emplace_back(buf);
  }
  return out;
}

// ---- datasets -----------------------------------------------------------------------

Dims Dataset::dims() const { return dataset_dims(id()); }

std::vector<double> Dataset::read_doubles() const {
  std::vector<double> v(count(dims()));
  check_err(H5Dread(id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
            "cannot read " + path_ + " as numbers");
  return v;
}

std::vector<int64_t> Dataset::read_ints() const {
  std::vector<int64_t> v(count(dims()));
  check_err(H5Dread(id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
            "cannot read " + path_ + " as integers");
  return v;
}

// ---- groups -------------------------------------------------------------------------

Group Group::create_group(const std::string& name) {
  remove(name);
  hid_t g = check(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "cannot create group '" + name + "' in " + path_);
  return Group(Handle(g, H5Gclose), path_ + (path_.back() == '/' ? "" : "/") + name);
}

Group Group::group(const std::string& name) const {
  if (!has_group(name)) throw InputError("HDF5: " + path_ + " has no group '" + name + "'");
  hid_t g = check(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "cannot open group '" + name + "'");
  return Group(Handle(g, H5Gclose), path_ + (path_.back() == '/' ? "" : "/") + name);
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
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t n = H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) continue;
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
  }
  return Handle(check(H5Dcreate2(parent, name.c_str(), type, sp.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                      "cannot create dataset '" + name + "' in " + where),
                H5Dclose);
}
}  // namespace

Dataset Group::write(const std::string& name, const std::vector<double>& data, Dims dims) {
  if (dims.empty()) dims = {data.size()};
  if (count(dims) != data.size()) throw Error("HDF5: dims do not match data size for '" + name + "'");
  remove(name);
  Handle d = create_dataset(id(), name, H5T_NATIVE_DOUBLE, dims, path_);
  check_err(H5Dwrite(d.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
            "cannot write dataset '" + name + "'");
  return Dataset(std::move(d), path_ + "/" + name);
}

Dataset Group::write(const std::string& name, const std::vector<int64_t>& data, Dims dims) {
  if (dims.empty()) dims = {data.size()};
  if (count(dims) != data.size()) throw Error("HDF5: dims do not match data size for '" + name + "'");
  remove(name);
  Handle d = create_dataset(id(), name, H5T_NATIVE_INT64, dims, path_);
  check_err(H5Dwrite(d.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
            "cannot write dataset '" + name + "'");
  return Dataset(std::move(d), path_ + "/" + name);
}

Dataset Group::write_strings(const std::string& name, const std::vector<std::string>& data) {
  remove(name);
  Handle t = string_type();
  Handle sp = make_space({data.size()});
  Handle d(check(H5Dcreate2(id(), name.c_str(), t.id(), sp.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 "cannot create dataset '" + name + "'"),
           H5Dclose);
  std::vector<const char*> ptrs;
  for (const auto& s : data) ptrs.push_back(s.c_str());
  check_err(H5Dwrite(d.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
            "cannot write dataset '" + name + "'");
  return Dataset(std::move(d), path_ + "/" + name);
}

Dataset Group::dataset(const std::string& name) const {
  if (!has(name)) throw InputError("HDF5: " + path_ + " has no dataset '" + name + "'");
  hid_t d = check(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "cannot open dataset '" + name + "' in " + path_);
  return Dataset(Handle(d, H5Dclose), path_ + "/" + name);
}

std::vector<std::string> Group::read_strings(const std::string& name) const {
  Dataset d = dataset(name);
  Handle t = string_type();
  std::vector<char*> ptrs(count(d.dims()), nullptr);
  check_err(H5Dread(d.id(), t.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
            "cannot read " + d.path() + " as strings");
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

// ---- files --------------------------------------------------------------------------

File::File(Handle h, std::filesystem::path p)
    : Group(std::move(h), p.string() + ":/"), file_(std::move(p)) {}

File File::create(const std::filesystem::path& path) {
  silence_hdf5();
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw InputError("HDF5: cannot create file " + path.string());
  return File(Handle(f, H5Fclose), path);
}

File File::open(const std::filesystem::path& path, bool writable) {
  silence_hdf5();
  if (!std::filesystem::exists(path)) throw InputError("file not found: " + path.string());
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path.string() + " is not an HDF5 file (or it is truncated or corrupt)");
  hid_t f = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw InputError("HDF5: cannot open " + path.string() + " (truncated or corrupt?)");
  return File(Handle(f, H5Fclose), path);
}

void File::flush() { H5Fflush(id(), H5F_SCOPE_GLOBAL); }

}  // namespace rramsim::h5
