// einsum (PyTorch's equation grammar, size-1 broadcasting of subscripts, '...') and tensordot. Contractions
// are reshaped into batched GEMMs on the BLAS primitive; everything else is MLX ops, so MLX differentiates it.
#include <algorithm>
#include <numeric>
#include <optional>

#include "fl/ops/linalg.h"
#include "kernels/gemm.h"
#include "ops/op_utils.h"

namespace fl {

namespace {

constexpr int kEllipsis = -1;
constexpr int kLetters = 52;
int label_index(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26; }
bool is_label(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// The parsed equation, with every dim renamed to an id. Output dims get ids 0..n_out-1 in output order and the
// summed ones follow, so an operand aligned to id order has the output's layout in front.
struct Plan {
  std::vector<std::vector<int>> op_ids;  // per operand, per dim (repeats mark diagonals)
  int n_out = 0, n_ids = 0;
};

mx::array gemm(const mx::array& a, const mx::array& b) { return kernels::matmul(a, b); }

mx::array mul(const mx::array& x, const mx::array& y) {
  return x.dtype() == mx::bool_ ? mx::logical_and(x, y) : mx::multiply(x, y);
}

std::vector<int> argsort(const std::vector<int>& v) {
  std::vector<int> p(v.size());
  std::iota(p.begin(), p.end(), 0);
  std::stable_sort(p.begin(), p.end(), [&](int i, int j) { return v[i] < v[j]; });
  return p;
}

// One operand: take diagonals of repeated ids, then lay its dims out in id order with size 1 for absent ids.
mx::array align(mx::array x, std::vector<int> ids, int n_ids) {
  for (bool again = true; again;) {
    again = false;
    for (size_t p = 0; p < ids.size() && !again; ++p) {
      for (size_t q = p + 1; q < ids.size() && !again; ++q) {
        if (ids[p] != ids[q]) continue;
        x = mx::diagonal(x, 0, static_cast<int>(p), static_cast<int>(q));  // the diagonal becomes the last dim
        int id = ids[p];
        ids.erase(ids.begin() + q);
        ids.erase(ids.begin() + p);
        ids.push_back(id);
        again = true;
      }
    }
  }
  auto perm = argsort(ids);
  x = mx::transpose(x, perm);
  mx::Shape shape(n_ids, 1);
  for (size_t k = 0; k < perm.size(); ++k) shape[ids[perm[k]]] = x.shape(static_cast<int>(k));
  return mx::reshape(x, shape);
}

// Contracts two aligned operands over `summed` ids: pre-sums ids only one side has, multiplies when nothing is
// contracted, else one batched GEMM [batch, x-only, contracted] @ [batch, contracted, y-only].
mx::array contract(mx::array x, mx::array y, const std::vector<bool>& summed) {
  const int n = x.ndim();
  std::vector<int> sx, sy;
  for (int l = 0; l < n; ++l) {
    if (!summed[l]) continue;
    if (x.shape(l) != 1 && y.shape(l) == 1) sx.push_back(l);
    if (y.shape(l) != 1 && x.shape(l) == 1) sy.push_back(l);
  }
  if (!sx.empty()) x = mx::sum(x, sx, true);
  if (!sy.empty()) y = mx::sum(y, sy, true);
  std::vector<int> batch, xf, yf, con, rest_x, rest_y;
  for (int l = 0; l < n; ++l) {
    bool bx = x.shape(l) != 1, by = y.shape(l) != 1;  // size 0 counts as present
    if (bx && by) (summed[l] ? con : batch).push_back(l);
    else if (bx) xf.push_back(l);
    else if (by) yf.push_back(l);
  }
  if (con.empty()) return mul(x, y);
  auto size = [](const mx::array& a, const std::vector<int>& ls) {
    int p = 1;
    for (int l : ls) p *= a.shape(l);
    return p;
  };
  auto order = [n](std::vector<int> first, const std::vector<int>& b, const std::vector<int>& c) {
    first.insert(first.end(), b.begin(), b.end());
    first.insert(first.end(), c.begin(), c.end());
    for (int l = 0; l < n; ++l)
      if (std::find(first.begin(), first.end(), l) == first.end()) first.push_back(l);
    return first;
  };
  int B = size(x, batch), M = size(x, xf), K = size(x, con), N = size(y, yf);
  auto x3 = mx::reshape(mx::transpose(x, order(batch, xf, con)), {B, M, K});
  auto y3 = mx::reshape(mx::transpose(y, order(batch, con, yf)), {B, K, N});
  std::vector<int> ids = batch;
  ids.insert(ids.end(), xf.begin(), xf.end());
  ids.insert(ids.end(), yf.begin(), yf.end());
  mx::Shape rs;
  for (int l : batch) rs.push_back(x.shape(l));
  for (int l : xf) rs.push_back(x.shape(l));
  for (int l : yf) rs.push_back(y.shape(l));
  auto r = mx::reshape(gemm(x3, y3), rs);
  auto perm = argsort(ids);
  r = mx::transpose(r, perm);
  mx::Shape aligned(n, 1);
  for (size_t k = 0; k < ids.size(); ++k) aligned[ids[k]] = rs[k];
  return mx::reshape(r, aligned);
}

mx::array run_einsum(const Plan& plan, const Arrays& in) {
  Arrays ops;
  for (size_t i = 0; i < in.size(); ++i) ops.push_back(align(in[i], plan.op_ids[i], plan.n_ids));
  auto needed_after = [&](int l, size_t i) {
    if (l < plan.n_out) return true;
    for (size_t j = i + 1; j < ops.size(); ++j)
      if (ops[j].shape(l) != 1) return true;
    return false;
  };
  mx::array r = ops[0];
  // PyTorch sums bool as int64 ('ii' on a bool matrix counts).
  if (ops.size() == 1 && r.dtype() == mx::bool_ && plan.n_ids > plan.n_out) r = mx::astype(r, mx::int64);
  for (size_t i = 1; i < ops.size(); ++i) {
    std::vector<bool> summed(plan.n_ids);
    for (int l = 0; l < plan.n_ids; ++l) summed[l] = !needed_after(l, i);
    r = contract(r, ops[i], summed);
  }
  std::vector<int> rest;
  for (int l = plan.n_out; l < plan.n_ids; ++l)
    if (r.shape(l) != 1) rest.push_back(l);
  if (!rest.empty()) r = mx::sum(r, rest, true);
  return mx::reshape(r, mx::Shape(r.shape().begin(), r.shape().begin() + plan.n_out));
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  FL_CHECK(!operands.empty(), "einsum(): must provide at least one operand");
  const size_t num_ops = operands.size();
  auto arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  // Parse the inputs: letters as 0..51, kEllipsis for '...'.
  std::vector<std::vector<int>> labels(num_ops);
  size_t cur = 0;
  bool found_ell = false;
  for (size_t i = 0; i < lhs.size(); ++i) {
    char c = lhs[i];
    if (c == ' ') continue;
    if (c == '.') {
      FL_CHECK(!found_ell, "einsum(): found '.' for operand ", cur, " for which an ellipsis was already found");
      FL_CHECK(i + 2 < lhs.size() && lhs[i + 1] == '.' && lhs[i + 2] == '.', "einsum(): found '.' for operand ", cur,
               " that is not part of any ellipsis");
      labels[cur].push_back(kEllipsis);
      found_ell = true;
      i += 2;
    } else if (c == ',') {
      ++cur;
      FL_CHECK(cur < num_ops, "einsum(): fewer operands were provided than specified in the equation");
      found_ell = false;
    } else {
      FL_CHECK(is_label(c), "einsum(): invalid subscript given at index ", i,
               " in the equation string, subscripts must be in [a-zA-Z]");
      labels[cur].push_back(label_index(c));
    }
  }
  FL_CHECK(cur == num_ops - 1, "einsum(): more operands were provided than specified in the equation");

  // Dims per operand, the ellipsis width, each label's size (1 broadcasts) and count.
  int ell_ndim = 0;
  std::vector<int> ell_count(num_ops, 0);
  std::vector<int64_t> label_size(kLetters, -1);
  std::vector<int> label_count(kLetters, 0);
  for (size_t i = 0; i < num_ops; ++i) {
    const auto& ls = labels[i];
    bool has_ell = std::find(ls.begin(), ls.end(), kEllipsis) != ls.end();
    int64_t nlabels = static_cast<int64_t>(ls.size()) - (has_ell ? 1 : 0), ndims = operands[i].dim();
    if (has_ell) {
      FL_CHECK(nlabels <= ndims, "einsum(): the number of subscripts in the equation (", nlabels,
               ") is more than the number of dimensions (", ndims, ") for operand ", i);
      ell_count[i] = static_cast<int>(ndims - nlabels);
      ell_ndim = std::max(ell_ndim, ell_count[i]);
    } else {
      FL_CHECK(nlabels == ndims, "einsum(): the number of subscripts in the equation (", nlabels,
               ") does not match the number of dimensions (", ndims, ") for operand ", i, " and no ellipsis was given");
    }
    std::vector<int64_t> seen(kLetters, -1);
    int64_t dim = 0;
    for (int l : ls) {
      if (l == kEllipsis) {
        dim += ell_count[i];
        continue;
      }
      int64_t s = operands[i].size(dim++);
      ++label_count[l];  // repeats count too: implicit 'ii' sums
      if (seen[l] >= 0) {
        FL_CHECK(s == seen[l], "einsum(): subscript ", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[l],
                 " is repeated for operand ", i, " but the sizes don't match, ", s, " != ", seen[l]);
        continue;
      }
      seen[l] = s;
      if (label_size[l] == -1 || label_size[l] == 1) {
        if (s != 1) label_size[l] = s;
        else if (label_size[l] == -1) label_size[l] = 1;
      } else {
        FL_CHECK(s == 1 || s == label_size[l], "einsum(): subscript ",
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[l], " has size ", s, " for operand ", i,
                 " which does not broadcast with previously seen size ", label_size[l]);
      }
    }
  }
  // The ellipsis dims broadcast together, right-aligned.
  Shape ell_shape(ell_ndim, 1);
  for (size_t i = 0; i < num_ops; ++i) {
    auto it = std::find(labels[i].begin(), labels[i].end(), kEllipsis);
    if (it == labels[i].end()) continue;
    int64_t start = it - labels[i].begin();
    Shape part(operands[i].sizes().begin() + start, operands[i].sizes().begin() + start + ell_count[i]);
    ell_shape = broadcast_shapes(ell_shape, part);
  }

  // Output: explicit after "->", or the ellipsis then the labels used once, in label order.
  std::vector<int> out;  // letters 0..51; ellipsis dims as kLetters + k
  bool out_ell = false;
  if (arrow != std::string::npos) {
    std::string rhs = equation.substr(arrow + 2);
    std::vector<bool> in_out(kLetters, false);
    for (size_t i = 0; i < rhs.size(); ++i) {
      char c = rhs[i];
      if (c == ' ') continue;
      if (c == '.') {
        FL_CHECK(!out_ell, "einsum(): found '.' for output but an ellipsis (...) was already found");
        FL_CHECK(i + 2 < rhs.size() && rhs[i + 1] == '.' && rhs[i + 2] == '.',
                 "einsum(): found '.' for output that is not part of any ellipsis (...)");
        for (int k = 0; k < ell_ndim; ++k) out.push_back(kLetters + k);
        out_ell = true;
        i += 2;
        continue;
      }
      FL_CHECK(is_label(c), "einsum(): invalid subscript given at index ", lhs.size() + 2 + i,
               " in the equation string, subscripts must be in [a-zA-Z]");
      int l = label_index(c);
      FL_CHECK(label_count[l] > 0 && !in_out[l], "einsum(): output subscript ", c,
               in_out[l] ? " appears more than once in the output" : " does not appear in the equation for any input operand");
      in_out[l] = true;
      out.push_back(l);
    }
  } else {
    for (int k = 0; k < ell_ndim; ++k) out.push_back(kLetters + k);
    for (int l = 0; l < kLetters; ++l)
      if (label_count[l] == 1) out.push_back(l);
  }

  Dtype d = operands[0].dtype();
  for (auto& t : operands) FL_CHECK(t.dtype() == d, "expected scalar type ", scalar_type_name(d), " but found ", scalar_type_name(t.dtype()));

  // Ids: output dims first, then the summed labels and ellipsis dims.
  std::vector<int> id(kLetters + ell_ndim, -1);
  Plan plan;
  for (int o : out) id[o] = plan.n_out++;
  plan.n_ids = plan.n_out;
  for (int l = 0; l < kLetters + ell_ndim; ++l) {
    bool used = l >= kLetters || label_count[l] > 0;
    if (used && id[l] < 0) id[l] = plan.n_ids++;
  }
  for (size_t i = 0; i < num_ops; ++i) {
    std::vector<int> ids;
    for (int l : labels[i]) {
      if (l != kEllipsis) {
        ids.push_back(id[l]);
        continue;
      }
      for (int k = 0; k < ell_count[i]; ++k) ids.push_back(id[kLetters + ell_ndim - ell_count[i] + k]);
    }
    plan.op_ids.push_back(ids);
  }
  bool sums = plan.n_ids > plan.n_out;
  if (num_ops > 1 && sums) {
    FL_CHECK_AS(NotImplementedError, d != kBool, "\"bmm\" not implemented for 'Bool'");
  }
  const char* name = num_ops == 1 ? (sums ? "SumBackward1" : "PermuteBackward0") : (sums ? "ViewBackward0" : "MulBackward0");
  return apply1(name, fn1([plan](const Arrays& in) { return run_einsum(plan, in); }), operands,
                num_ops > 1 ? kSaveAll : kSaveNone);
}

Tensor tensordot(const Tensor& a, const Tensor& b, const Shape& dims_a, const Shape& dims_b) {
  FL_CHECK(dims_a.size() == dims_b.size(), "both dimension lists should have same length");
  FL_CHECK(a.dtype() == b.dtype(), "both inputs should have same dtype");
  std::vector<int> ca, cb;
  std::vector<bool> used_a(a.dim(), false), used_b(b.dim(), false);
  for (size_t i = 0; i < dims_a.size(); ++i) {
    int64_t x = wrap_dim(dims_a[i], a.dim()), y = wrap_dim(dims_b[i], b.dim());
    FL_CHECK(!used_a[x], "dim ", x, " appears multiple times in the list of dims");
    FL_CHECK(!used_b[y], "dim ", y, " appears multiple times in the list of dims");
    used_a[x] = used_b[y] = true;
    int64_t s1 = a.size(x), s2 = b.size(y);
    FL_CHECK(s1 == s2 || s1 == 1 || s2 == 1, "contracted dimensions need to match, but first has size ", s1, " in dim ",
             dims_a[i], " and second has size ", s2, " in dim ", dims_b[i]);
    ca.push_back(static_cast<int>(x));
    cb.push_back(static_cast<int>(y));
  }
  FL_CHECK_AS(NotImplementedError, a.dtype() != kBool, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  return apply1("ViewBackward0", fn1([ca, cb](const Arrays& in) {
    mx::array x = in[0], y = in[1];
    // Size-1 contracted dims broadcast: sum the other side's dim right away (as PyTorch does).
    std::vector<int> sx, sy;
    for (size_t i = 0; i < ca.size(); ++i) {
      if (y.shape(cb[i]) == 1 && x.shape(ca[i]) != 1) sx.push_back(ca[i]);
      else if (x.shape(ca[i]) == 1 && y.shape(cb[i]) != 1) sy.push_back(cb[i]);
    }
    if (!sx.empty()) x = mx::sum(x, sx, true);
    if (!sy.empty()) y = mx::sum(y, sy, true);
    std::vector<int> px, py = cb;
    mx::Shape out;
    int rows = 1, cols = 1, k = 1;
    for (int d = 0; d < static_cast<int>(x.ndim()); ++d)
      if (std::find(ca.begin(), ca.end(), d) == ca.end()) px.push_back(d), out.push_back(x.shape(d)), rows *= x.shape(d);
    for (int d : ca) px.push_back(d), k *= x.shape(d);
    for (int d = 0; d < static_cast<int>(y.ndim()); ++d)
      if (std::find(cb.begin(), cb.end(), d) == cb.end()) py.push_back(d), out.push_back(y.shape(d)), cols *= y.shape(d);
    auto x2 = mx::reshape(mx::transpose(x, px), {rows, k});
    auto y2 = mx::reshape(mx::transpose(y, py), {k, cols});
    return mx::reshape(gemm(x2, y2), out);
  }), {a, b}, save_inputs({0, 1}));
}

Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims) {
  FL_CHECK(dims >= 0, "tensordot expects dims >= 0, but got dims=", dims);
  FL_CHECK(dims <= a.dim() && dims <= b.dim(), "tensordot expects dims < ndim_a or ndim_b, but got dims=", dims);
  Shape da, db;
  for (int64_t i = 0; i < dims; ++i) {
    da.push_back(i - dims);
    db.push_back(i);
  }
  return tensordot(a, b, da, db);
}

}  // namespace fl
