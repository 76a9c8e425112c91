// Matrix products: matmul with PyTorch's dispatch (dot / mv / mm / folded / batched), the strict named products
// and the add* family. Float products run on the BLAS primitive in kernels/gemm (its vjp reuses it, so backward
// is fast too); no dtype promotion, as in PyTorch.
#include "fl/ops/linalg.h"

#include "fl/ops/binary.h"
#include "kernels/gemm.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
constexpr SaveMask kBoth = save_inputs({0, 1});
constexpr SaveMask kMats = save_inputs({1, 2});

// The C++ type names PyTorch prints in "expected m1 and m2 to have the same dtype" (caffe2 TypeMeta names).
const char* cpp_name(Dtype d) {
  switch (d) {
    case kBool: return "bool";
    case kUInt8: return "unsigned char";
    case kInt8: return "signed char";
    case kInt16: return "short int";
    case kInt32: return "int";
    case kInt64: return "long int";
    case kFloat16: return "c10::Half";
    case kBFloat16: return "c10::BFloat16";
    case kFloat32: return "float";
    case kFloat64: return "double";
  }
  return "?";
}
const char* sname(const Tensor& t) { return scalar_type_name(t.dtype()); }

void no_bool(const char* kernel, const Tensor& t) {
  FL_CHECK_AS(NotImplementedError, t.dtype() != kBool, "\"", kernel, "\" not implemented for 'Bool'");
}
void check_m1_m2(const Tensor& m1, const Tensor& m2) {
  FL_CHECK(m1.dtype() == m2.dtype(), "expected m1 and m2 to have the same dtype, but got: ", cpp_name(m1.dtype()),
           " != ", cpp_name(m2.dtype()));
}
std::string mat_str(int64_t r, int64_t c) { return std::to_string(r) + "x" + std::to_string(c); }
void check_mm_shapes(int64_t r1, int64_t c1, int64_t r2, int64_t c2) {
  FL_CHECK(c1 == r2, "mat1 and mat2 shapes cannot be multiplied (", mat_str(r1, c1), " and ", mat_str(r2, c2), ")");
}
void check_bmm_shapes(int64_t batch, int64_t k, int64_t batch2, int64_t k2) {
  FL_CHECK(batch == batch2 && k == k2, "Expected size for first two dimensions of batch2 tensor to be: [", batch, ", ",
           k, "] but got: [", batch2, ", ", k2, "].");
}
void check_mv(int64_t input, int64_t rows, int64_t cols, int64_t vec) {
  FL_CHECK(cols == vec && (input == rows || input == 1), "size mismatch, got input (", input, "), mat (",
           mat_str(rows, cols), "), vec (", vec, ")");
}
void check_addmv_dtypes(Dtype input, Dtype mat, Dtype vec) {
  FL_CHECK(input == mat && mat == vec, "addmv input tensors must have the same dtype, but got ",
           scalar_type_name(input), ", ", scalar_type_name(mat), ", and ", scalar_type_name(vec));
}
int64_t prod(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}
// PyTorch's expand check for the `input` of the add* ops (Tensor::expand's messages).
void check_expand(const Tensor& input, const Shape& target) {
  int64_t n = input.dim(), m = static_cast<int64_t>(target.size());
  FL_CHECK(m >= n, "expand(", type_desc(input), "{", shape_to_string(input.sizes()), "}, size=",
           shape_to_string(target), "): the number of sizes provided (", m,
           ") must be greater or equal to the number of dimensions in the tensor (", n, ")");
  for (int64_t i = 0; i < n; ++i) {
    int64_t have = input.sizes()[i], want = target[i + m - n];
    FL_CHECK(have == want || have == 1, "The expanded size of the tensor (", want, ") must match the existing size (",
             have, ") at non-singleton dimension ", i + m - n, ".  Target sizes: ", shape_to_string(target),
             ".  Tensor sizes: ", shape_to_string(input.sizes()));
  }
}

mx::array gemm(const mx::array& a, const mx::array& b) { return kernels::matmul(a, b); }
// s * x, with s cast to x's dtype as PyTorch casts alpha and beta (integers truncate).
mx::array scaled(const mx::array& x, const Scalar& s) {
  if (mx::issubdtype(x.dtype(), mx::integer)) {
    int64_t v = s.to_int();
    return v == 1 ? x : mx::multiply(x, mx::array(v, x.dtype()));
  }
  double v = s.to_double();
  return v == 1 ? x : mx::multiply(x, mx::astype(mx::array(v, mx::float64), x.dtype()));
}
// beta * input + alpha * product; beta == 0 ignores input (NaN and inf there do not propagate), as PyTorch.
mx::array add_scaled(const mx::array& input, const mx::array& product, const Scalar& beta, const Scalar& alpha) {
  mx::array p = scaled(product, alpha);
  bool skip = mx::issubdtype(product.dtype(), mx::integer) ? beta.to_int() == 0 : beta.to_double() == 0;
  if (skip) return p;
  return mx::add(scaled(mx::broadcast_to(input, p.shape()), beta), p);
}
}  // namespace

// --- the strict products ---------------------------------------------------------------------------------------

namespace {
// dot and vdot take the same inputs, with the same messages.
void check_dot(const Tensor& a, const Tensor& b) {
  FL_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(), "D tensors");
  FL_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ", sname(a), " and ",
           sname(b));
  FL_CHECK(a.numel() == b.numel(), "inconsistent tensor size, expected tensor [", a.numel(), "] and src [", b.numel(),
           "] to have the same number of elements, but got ", a.numel(), " and ", b.numel(), " elements respectively");
  no_bool("dot", a);
}
}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  check_dot(a, b);
  return apply1("DotBackward0", fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, b}, kBoth);
}

Tensor vdot(const Tensor& a, const Tensor& b) {
  check_dot(a, b);
  // Real dtypes only: conj(a) == a.
  return apply1("VdotBackward0", fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, b}, kBoth);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  FL_CHECK(a.dim() == 2, "self must be a matrix");
  FL_CHECK(b.dim() == 2, "mat2 must be a matrix");
  check_mm_shapes(a.size(0), a.size(1), b.size(0), b.size(1));
  check_m1_m2(a, b);
  no_bool("addmm_impl_cpu_", a);
  return apply1("MmBackward0", fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, b}, kBoth);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  FL_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  FL_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  check_bmm_shapes(a.size(0), a.size(2), b.size(0), b.size(1));
  FL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", sname(a), " but found ", sname(b));
  no_bool("bmm", a);
  return apply1("BmmBackward0", fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, b}, kBoth);
}

Tensor mv(const Tensor& a, const Tensor& v) {
  FL_CHECK(a.dim() == 2 && v.dim() == 1, "vector + matrix @ vector expected, got 1, ", a.dim(), ", ", v.dim());
  check_mv(a.size(0), a.size(0), a.size(1), v.size(0));
  // The result (addmv's input) takes the vector's dtype.
  check_addmv_dtypes(v.dtype(), a.dtype(), v.dtype());
  no_bool("addmv_impl_cpu", a);
  return apply1("MvBackward0", fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, v}, kBoth);
}

// --- matmul ----------------------------------------------------------------------------------------------------

Tensor matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  FL_CHECK(da >= 1 && db >= 1, "both arguments to matmul need to be at least 1D, but they are ", da, "D and ", db,
           "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 2 && db == 2) return mm(a, b);
  const Shape &sa = a.sizes(), &sb = b.sizes();
  const char* name = "UnsafeViewBackward0";
  if (da == 1 && db == 2) {
    check_mm_shapes(1, sa[0], sb[0], sb[1]);
    check_m1_m2(a, b);
    no_bool("addmm_impl_cpu_", a);
    name = "SqueezeBackward4";
  } else if (db <= 2) {
    // PyTorch folds the batch of `a` into its rows and calls mm / mv.
    int64_t rows = prod(sa, 0, da - 1);
    if (db == 2) {
      check_mm_shapes(rows, sa[da - 1], sb[0], sb[1]);
      check_m1_m2(a, b);
      no_bool("addmm_impl_cpu_", a);
    } else {
      check_mv(rows, rows, sa[da - 1], sb[0]);
      check_addmv_dtypes(b.dtype(), a.dtype(), b.dtype());
      no_bool("addmv_impl_cpu", a);
    }
  } else if (da <= 2) {
    // ... and b's batch into the columns of b^T (computing (b^T a^T)^T).
    int64_t rows = prod(sb, 0, db - 2) * sb[db - 1];
    if (da == 2) {
      check_mm_shapes(rows, sb[db - 2], sa[1], sa[0]);
      check_m1_m2(b, a);
      no_bool("addmm_impl_cpu_", a);
      if (a.requires_grad()) name = "CloneBackward0";
    } else {
      check_mv(rows, rows, sb[db - 2], sa[0]);
      check_addmv_dtypes(a.dtype(), b.dtype(), a.dtype());
      no_bool("addmv_impl_cpu", a);
    }
  } else {
    Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
    Shape batch = broadcast_shapes(ba, bb);
    int64_t n = prod(batch, 0, batch.size());
    check_bmm_shapes(n, sa[da - 1], n, sb[db - 2]);
    FL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", sname(a), " but found ", sname(b));
    no_bool("bmm", a);
  }
  // gemm takes 1-D operands with numpy's rule (a unit dim added, then removed).
  return apply1(name, fn1([](const Arrays& in) { return gemm(in[0], in[1]); }), {a, b}, kBoth);
}

Tensor inner(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) return mul(a, b);
  FL_CHECK(a.size(-1) == b.size(-1), "inner() the last dimension must match on both input tensors but got shapes ",
           shape_to_string(a.sizes()), " and ", shape_to_string(b.sizes()));
  FL_CHECK(a.dtype() == b.dtype(), "both inputs should have same dtype");
  no_bool("addmm_impl_cpu_", a);
  Shape out(a.sizes().begin(), a.sizes().end() - 1);
  out.insert(out.end(), b.sizes().begin(), b.sizes().end() - 1);
  return apply1("ViewBackward0", fn1([out](const Arrays& in) {
    int k = in[0].shape(-1);
    auto x = mx::reshape(in[0], {-1, k});
    auto y = mx::reshape(in[1], {-1, k});
    return mx::reshape(gemm(x, mx::transpose(y)), to_mx_shape(out));
  }), {a, b}, kBoth);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  FL_CHECK(a.dim() == 1, "outer: Expected 1-D argument self, but got ", a.dim(), "-D");
  FL_CHECK(b.dim() == 1, "outer: Expected 1-D argument vec2, but got ", b.dim(), "-D");
  return mul(a.reshape({a.numel(), 1}), b);
}

// --- beta * input + alpha * product ----------------------------------------------------------------------------

Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha) {
  FL_CHECK(a.dim() == 2, "mat1 must be a matrix, got ", a.dim(), "-D tensor");
  FL_CHECK(b.dim() == 2, "mat2 must be a matrix, got ", b.dim(), "-D tensor");
  check_mm_shapes(a.size(0), a.size(1), b.size(0), b.size(1));
  check_expand(input, {a.size(0), b.size(1)});
  FL_CHECK(input.dtype() == b.dtype(), "self and mat2 must have the same dtype, but got ", sname(input), " and ",
           sname(b));
  FL_CHECK(a.dtype() == b.dtype(), "mat1 and mat2 must have the same dtype, but got ", sname(a), " and ", sname(b));
  no_bool("addmm_impl_cpu_", a);
  return apply1("AddmmBackward0", fn1([beta, alpha](const Arrays& in) {
    return add_scaled(in[0], gemm(in[1], in[2]), beta, alpha);
  }), {input, a, b}, kMats);
}

Tensor addmv(const Tensor& input, const Tensor& a, const Tensor& v, const Scalar& beta, const Scalar& alpha) {
  FL_CHECK(a.dim() == 2 && v.dim() == 1 && input.dim() <= 1, "vector + matrix @ vector expected, got ", input.dim(),
           ", ", a.dim(), ", ", v.dim());
  check_mv(input.dim() == 0 ? a.size(0) : input.size(0), a.size(0), a.size(1), v.size(0));
  check_addmv_dtypes(input.dtype(), a.dtype(), v.dtype());
  no_bool("addmv_impl_cpu", a);
  return apply1("AddmvBackward0", fn1([beta, alpha](const Arrays& in) {
    return add_scaled(in[0], gemm(in[1], in[2]), beta, alpha);
  }), {input, a, v}, kMats);
}

Tensor baddbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha) {
  FL_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  FL_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  check_bmm_shapes(a.size(0), a.size(2), b.size(0), b.size(1));
  check_expand(input, {a.size(0), a.size(1), b.size(2)});
  FL_CHECK(input.dtype() == a.dtype(), "Input dtypes must be the same, got: input ", cpp_name(input.dtype()),
           ", batch1: ", cpp_name(a.dtype()), ", batch2: ", cpp_name(b.dtype()));
  FL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", sname(a), " but found ", sname(b));
  no_bool("baddbmm", a);
  return apply1("BaddbmmBackward0", fn1([beta, alpha](const Arrays& in) {
    return add_scaled(in[0], gemm(in[1], in[2]), beta, alpha);
  }), {input, a, b}, kMats);
}

Tensor addbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha) {
  // PyTorch expands input to (batch1.size(1), batch2.size(2)) before checking the batches.
  int64_t rows = a.size(wrap_dim(1, a.dim())), cols = b.size(wrap_dim(2, b.dim()));
  check_expand(input, {rows, cols});
  FL_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  FL_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  FL_CHECK(a.size(0) == b.size(0), "batch1 and batch2 must have same number of batches, got ", a.size(0), " and ",
           b.size(0));
  FL_CHECK(a.size(2) == b.size(1), "Incompatible matrix sizes for bmm (", mat_str(a.size(1), a.size(2)), " and ",
           mat_str(b.size(1), b.size(2)), ")");
  FL_CHECK(input.dtype() == b.dtype(), "self and mat2 must have the same dtype, but got ", sname(input), " and ",
           sname(b));
  FL_CHECK(a.dtype() == b.dtype(), "mat1 and mat2 must have the same dtype, but got ", sname(a), " and ", sname(b));
  no_bool("addmm_impl_cpu_", a);
  return apply1("AddbmmBackward0", fn1([beta, alpha](const Arrays& in) {
    // sum_i a[i] @ b[i] is one GEMM over the concatenated inner dimension: [M, B*K] @ [B*K, N].
    int B = in[1].shape(0), M = in[1].shape(1), K = in[1].shape(2), N = in[2].shape(2);
    auto x = mx::reshape(mx::transpose(in[1], {1, 0, 2}), {M, B * K});
    auto y = mx::reshape(in[2], {B * K, N});
    return add_scaled(in[0], gemm(x, y), beta, alpha);
  }), {input, a, b}, kMats);
}

// --- BLAS threads ----------------------------------------------------------------------------------------------

int get_num_threads() { return kernels::get_num_threads(); }
void set_num_threads(int n) {
  FL_CHECK(n > 0, "set_num_threads expects a positive integer");
  kernels::set_num_threads(n);
}

// --- methods and registry --------------------------------------------------------------------------------------

Tensor Tensor::matmul(const Tensor& other) const { return fl::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return fl::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return fl::bmm(*this, other); }
Tensor Tensor::mv(const Tensor& v) const { return fl::mv(*this, v); }
Tensor Tensor::dot(const Tensor& other) const { return fl::dot(*this, other); }

static OpRegistrar kRegistrar({
    {"matmul", "linalg", true},   {"mm", "linalg", true},        {"bmm", "linalg", true},
    {"mv", "linalg", true},       {"dot", "linalg", true},       {"vdot", "linalg", true},
    {"inner", "linalg", true},    {"outer", "linalg", true},     {"addmm", "linalg", true},
    {"addmv", "linalg", true},    {"baddbmm", "linalg", true},   {"addbmm", "linalg", true},
    {"einsum", "linalg", true},   {"tensordot", "linalg", true}, {"kron", "linalg", true},
    {"trace", "linalg", true},    {"diag", "linalg", true},      {"diag_embed", "linalg", true},
    {"cross", "linalg", true},
});

}  // namespace fl
