// Printing with PyTorch's formatter (torch/_tensor_str.py): precision 4, int mode, sci mode, summarisation.
#include <cmath>
#include <cstdio>
#include <sstream>

#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "core/tensor_impl.h"
#include "fl/autograd.h"
#include "fl/tensor.h"

namespace fl {
namespace mx = mlx::core;

namespace {
constexpr int kPrecision = 4, kLineWidth = 80, kEdgeItems = 3;
constexpr int64_t kThreshold = 1000;

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, kPrecision, v);
  return buf;
}

struct Formatter {
  bool floating = false, int_mode = true, sci_mode = false;
  size_t max_width = 1;

  Formatter(const std::vector<double>& vals, bool is_float, bool is_bool) : floating(is_float) {
    if (!floating) {
      for (double v : vals) max_width = std::max(max_width, str_of(v, is_bool).size());
      return;
    }
    std::vector<double> nz;
    for (double v : vals)
      if (std::isfinite(v) && v != 0) nz.push_back(v);
    if (nz.empty()) return;
    double lo = INFINITY, hi = 0;
    for (double v : nz) {
      lo = std::min(lo, std::fabs(v));
      hi = std::max(hi, std::fabs(v));
      if (v != std::ceil(v)) int_mode = false;
    }
    if (int_mode) {
      if (hi / lo > 1000. || hi > 1.0e8) {
        sci_mode = true;
        for (double v : nz) max_width = std::max(max_width, fmt("%.*e", v).size());
      } else {
        for (double v : nz) max_width = std::max(max_width, fmt("%.0f", v).size() - 0 + 1);
      }
    } else if (hi / lo > 1000. || hi > 1.0e8 || lo < 1.0e-4) {
      sci_mode = true;
      for (double v : nz) max_width = std::max(max_width, fmt("%.*e", v).size());
    } else {
      for (double v : nz) max_width = std::max(max_width, fmt("%.*f", v).size());
    }
  }
  static std::string str_of(double v, bool is_bool) {
    if (is_bool) return v != 0 ? "True" : "False";
    return std::to_string(static_cast<int64_t>(v));
  }
  std::string format(double v, bool is_bool) const {
    std::string r;
    if (floating) {
      if (sci_mode) r = fmt("%.*e", v);
      else if (int_mode) {
        char buf[64];
        if (std::isfinite(v)) {
          std::snprintf(buf, sizeof(buf), "%.0f.", v);
          r = buf;
        } else {
          r = fmt("%.0f", v);
        }
      } else r = fmt("%.*f", v);
    } else {
      r = str_of(v, is_bool);
    }
    return std::string(max_width > r.size() ? max_width - r.size() : 0, ' ') + r;
  }
};

struct Printer {
  const std::vector<double>& vals;
  const Shape& shape;
  const Formatter& f;
  bool is_bool;
  bool summarize;

  std::string vec(size_t offset, int64_t n, int64_t stride, int indent) const {
    size_t element_length = f.max_width + 2;
    size_t per_line = std::max<size_t>(1, static_cast<size_t>((kLineWidth - indent) / static_cast<int>(element_length)));
    std::vector<std::string> data;
    auto push = [&](int64_t i) { data.push_back(f.format(vals[offset + i * stride], is_bool)); };
    if (summarize && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i) push(i);
      data.push_back(" ...");
      for (int64_t i = n - kEdgeItems; i < n; ++i) push(i);
    } else {
      for (int64_t i = 0; i < n; ++i) push(i);
    }
    std::string out = "[";
    for (size_t i = 0; i < data.size(); ++i) {
      if (i > 0) out += (i % per_line == 0) ? ",\n" + std::string(indent + 1, ' ') : ", ";
      out += data[i];
    }
    return out + "]";
  }

  // offset into vals (row-major over the printed data), dim index d
  std::string rec(size_t offset, size_t d, int indent, const std::vector<int64_t>& strides) const {
    int64_t ndim = static_cast<int64_t>(shape.size());
    if (d + 1 == shape.size()) return vec(offset, shape[d], strides[d], indent);
    std::vector<std::string> slices;
    int64_t n = shape[d];
    auto push = [&](int64_t i) { slices.push_back(rec(offset + i * strides[d], d + 1, indent + 1, strides)); };
    if (summarize && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i) push(i);
      slices.push_back("...");
      for (int64_t i = n - kEdgeItems; i < n; ++i) push(i);
    } else {
      for (int64_t i = 0; i < n; ++i) push(i);
    }
    std::string sep = "," + std::string(ndim - d - 1, '\n') + std::string(indent + 1, ' ');
    std::string out = "[";
    for (size_t i = 0; i < slices.size(); ++i) out += (i ? sep : "") + slices[i];
    return out + "]";
  }
};
}  // namespace

std::string Tensor::str() const {
  if (!defined()) return "[ Tensor (undefined) ]";
  mx::array v = mx::astype(mx::contiguous(mx::flatten(mlx())), mx::float64);
  if (is_integral(dtype(), true)) v = mx::astype(mx::contiguous(mx::flatten(mlx())), mx::int64);
  mx::eval(v);
  std::vector<double> vals(v.size());
  for (size_t i = 0; i < vals.size(); ++i)
    vals[i] = v.dtype() == mx::int64 ? static_cast<double>(v.data<int64_t>()[i]) : v.data<double>()[i];
  bool is_bool = dtype() == kBool;
  bool summarize = numel() > kThreshold;
  const int indent = 7;  // len("tensor(")
  std::vector<std::string> suffixes;
  std::string body;
  Shape shp = sizes();
  if (numel() == 0) {
    body = "[]";
    if (dim() != 1) {
      std::string s = "size=(";
      for (size_t i = 0; i < shp.size(); ++i) s += (i ? ", " : "") + std::to_string(shp[i]);
      suffixes.push_back(s + (shp.size() == 1 ? ",)" : ")"));
    }
  } else {
    std::vector<double> shown = vals;
    if (summarize) {
      // PyTorch builds the formatter from the summarised data only.
      shown.clear();
      std::vector<int64_t> st(shp.size());
      int64_t acc = 1;
      for (size_t i = shp.size(); i-- > 0;) {
        st[i] = acc;
        acc *= shp[i];
      }
      std::function<void(size_t, size_t)> walk = [&](size_t off, size_t d) {
        if (d == shp.size()) {
          shown.push_back(vals[off]);
          return;
        }
        for (int64_t i = 0; i < shp[d]; ++i) {
          if (shp[d] > 2 * kEdgeItems && i == kEdgeItems) i = shp[d] - kEdgeItems;
          walk(off + i * st[d], d + 1);
        }
      };
      walk(0, 0);
    }
    Formatter f(shown, is_floating_point(), is_bool);
    if (dim() == 0) {
      body = f.format(vals[0], is_bool);
    } else {
      std::vector<int64_t> st(shp.size());
      int64_t acc = 1;
      for (size_t i = shp.size(); i-- > 0;) {
        st[i] = acc;
        acc *= shp[i];
      }
      Printer p{vals, shp, f, is_bool, summarize};
      body = p.rec(0, 0, indent, st);
    }
  }
  if (!device().is_cpu()) suffixes.insert(suffixes.begin(), "device='" + device().str() + "'");
  // As torch: int64 and bool are inferable from the values, but an empty tensor shows every non-default dtype.
  if (dtype() != get_default_dtype() && (numel() == 0 || (dtype() != kInt64 && dtype() != kBool)))
    suffixes.push_back(std::string("dtype=torch.") + dtype_name(dtype()));
  if (auto fn = grad_fn()) suffixes.push_back("grad_fn=<" + fn->name() + ">");
  else if (requires_grad()) suffixes.push_back("requires_grad=True");
  std::string out = "tensor(" + body;
  for (auto& s : suffixes) out += ", " + s;
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace fl
