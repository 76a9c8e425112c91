// torch.optim.LBFGS. The flat vectors (gradient, directions, history) are 1-D arrays of the parameters' dtype
// computed by CPU loops; scalars follow torch's types: a Python float (double) or a 0-d tensor of the parameters'
// dtype, rounded to it (Num below), so float32 runs take the same branches as torch's.
#include "fl/optim/lbfgs.h"

#include <mlx/allocator.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <optional>
#include <type_traits>

#include "fl/autograd.h"
#include "fl/error.h"
#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;
namespace mx = mlx::core;

Dict LBFGSOptions::to_dict() const {
  return {{"lr", lr},
          {"max_iter", max_iter},
          {"max_eval", max_eval ? Value(*max_eval) : Value()},
          {"tolerance_grad", tolerance_grad},
          {"tolerance_change", tolerance_change},
          {"history_size", history_size},
          {"line_search_fn", line_search_fn.empty() ? Value() : Value(line_search_fn)}};
}

namespace {

Dict checked(const Dict& given) {
  Dict d = merged(LBFGSOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  if (d.at("max_eval").is_none()) d.set("max_eval", d.integer("max_iter") * 5 / 4);
  return d;
}

// A scalar of torch's LBFGS: a Python int or float, or (tensor) a 0-d tensor of precision T. An operation with a
// tensor operand is a tensor, computed with both operands in T (a Python number is cast first, as torch's wrapped
// scalars are); comparisons likewise. Python ints stay ints except through division.
template <typename T>
struct Num {
  double v = 0;
  bool tensor = false;
  bool integer = false;
  Num() = default;
  Num(double x) : v(x) {}
  Num(double x, bool t) : v(t ? static_cast<double>(static_cast<T>(x)) : x), tensor(t) {}
  static Num py_int(double x) {
    Num n(x);
    n.integer = true;
    return n;
  }
  static double in_t(double x) { return static_cast<double>(static_cast<T>(x)); }
  template <typename F>
  static Num apply(Num a, Num b, F f, bool true_division = false) {
    if (!a.tensor && !b.tensor) {
      Num r(f(a.v, b.v));
      r.integer = a.integer && b.integer && !true_division;
      return r;
    }
    return Num(static_cast<double>(static_cast<T>(f(in_t(a.v), in_t(b.v)))), true);
  }
  template <typename F>
  static bool compare(Num a, Num b, F f) {
    return (a.tensor || b.tensor) ? f(in_t(a.v), in_t(b.v)) : f(a.v, b.v);
  }
  friend Num operator+(Num a, Num b) {
    return apply(a, b, [](double x, double y) { return x + y; });
  }
  friend Num operator-(Num a, Num b) {
    return apply(a, b, [](double x, double y) { return x - y; });
  }
  friend Num operator*(Num a, Num b) {
    return apply(a, b, [](double x, double y) { return x * y; });
  }
  friend Num operator/(Num a, Num b) {
    return apply(
        a, b, [](double x, double y) { return x / y; }, true);
  }
  Num operator-() const {
    Num r(-v, tensor);
    r.integer = integer;
    return r;
  }
  friend bool operator<(Num a, Num b) {
    return compare(a, b, [](double x, double y) { return x < y; });
  }
  friend bool operator>(Num a, Num b) {
    return compare(a, b, [](double x, double y) { return x > y; });
  }
  friend bool operator<=(Num a, Num b) {
    return compare(a, b, [](double x, double y) { return x <= y; });
  }
  friend bool operator>=(Num a, Num b) {
    return compare(a, b, [](double x, double y) { return x >= y; });
  }
};
template <typename T>
Num<T> abs(Num<T> a) {
  return Num<T>(std::fabs(a.v), a.tensor);
}
// Python's min/max of two values: the first unless the second is strictly smaller/larger.
template <typename T>
Num<T> py_min(Num<T> a, Num<T> b) {
  return b < a ? b : a;
}
template <typename T>
Num<T> py_max(Num<T> a, Num<T> b) {
  return b > a ? b : a;
}

// p += alpha * d over one parameter and its slice of the flat direction.
struct AxpyKernel {
  double alpha;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T a = T(alpha);
    for (int64_t i = 0; i < n; ++i) out[0][i] = in[0][i] + a * in[1][i];
  }
};

template <typename T>
class Run {
 public:
  using N = Num<T>;
  using Vec = mx::array;  // evaluated, contiguous, 1-D, dtype T

  Run(std::vector<Tensor> params, const Optimizer::Closure& closure)
      : params_(std::move(params)), closure_(closure), dt_(std::is_same_v<T, float> ? mx::float32 : mx::float64) {
    for (auto& p : params_) numel_ += p.numel();
  }

  Vec alloc(int64_t n) const { return mx::array(mx::allocator::malloc(n * sizeof(T)), {static_cast<int>(n)}, dt_); }
  static T* ptr(Vec& v) { return v.data<T>(); }
  static const T* ptr(const Vec& v) { return v.data<T>(); }
  int64_t numel() const { return numel_; }

  // A tensor's values as a dense 1-D array of T.
  Vec as_vec(const mx::array& a) const {
    mx::array r = mx::contiguous(mx::reshape(mx::astype(a, dt_), {static_cast<int>(a.size())}));
    mx::eval(r);
    return r;
  }
  Vec as_vec(const Tensor& t) const { return as_vec(t.mlx()); }

  double loss() const {
    EnableGradGuard enable;
    Tensor l = closure_();
    FL_CHECK_TYPE(l.defined(), "LBFGS: the closure must return the loss");
    return l.item<double>();
  }

  Vec flat_grad() const {
    Vec out = alloc(numel_);
    T* o = ptr(out);
    for (auto& p : params_) {
      const int64_t n = p.numel();
      if (p.grad().defined())
        std::memcpy(o, ptr(as_vec(p.grad())), n * sizeof(T));
      else
        std::fill(o, o + n, T(0));
      o += n;
    }
    return out;
  }

  template <typename F>
  Vec map(const Vec& a, F f) const {
    Vec r = alloc(a.size());
    const T* x = ptr(a);
    T* y = ptr(r);
    for (size_t i = 0; i < a.size(); ++i) y[i] = f(x[i], i);
    return r;
  }
  Vec neg(const Vec& a) const {
    return map(a, [](T x, size_t) { return -x; });
  }
  Vec scale(const Vec& a, N t) const {
    const T s = T(t.v);
    return map(a, [s](T x, size_t) { return x * s; });
  }
  Vec sub(const Vec& a, const Vec& b) const {
    const T* y = ptr(b);
    return map(a, [y](T x, size_t i) { return x - y[i]; });
  }
  // q += alpha * y in place (q is a fresh buffer no one else holds).
  void axpy(Vec& q, N alpha, const Vec& y) const {
    const T a = T(alpha.v);
    T* x = ptr(q);
    const T* z = ptr(y);
    for (size_t i = 0; i < q.size(); ++i) x[i] = x[i] + a * z[i];
  }
  N dot(const Vec& a, const Vec& b) const {
    const T *x = ptr(a), *y = ptr(b);
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(x[i]) * y[i];
    return N(s, true);
  }
  N abs_max(const Vec& a) const {
    const T* x = ptr(a);
    T m = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      T v = std::abs(x[i]);
      if (v != v) return N(v, true);
      m = v > m ? v : m;
    }
    return N(m, true);
  }
  N abs_sum(const Vec& a) const {
    const T* x = ptr(a);
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += std::abs(x[i]);
    return N(s, true);
  }

  // Parameters += t * d, one fused pass per parameter.
  void add_grad(N t, const Vec& d) {
    int64_t off = 0;
    for (auto& p : params_) {
      const int64_t n = p.numel();
      mx::array slice =
          mx::reshape(mx::slice(d, {static_cast<int>(off)}, {static_cast<int>(off + n)}), p.mlx().shape());
      run_update(kernels::make_kernel("LBFGSAddGrad", AxpyKernel{t.v}), p, Tensor::from_mlx(slice), {});
      off += n;
    }
  }
  std::vector<mx::array> clone_params() const {
    std::vector<mx::array> x;
    for (auto& p : params_) x.push_back(p.mlx());
    return x;
  }
  void set_params(const std::vector<mx::array>& x) {
    for (size_t i = 0; i < params_.size(); ++i) write(params_[i], x[i]);
  }
  std::pair<double, Vec> directional_evaluate(const std::vector<mx::array>& x, N t, const Vec& d) {
    add_grad(t, d);
    double f = loss();
    Vec g = flat_grad();
    set_params(x);
    return {f, g};
  }

  static N cubic_interpolate(N x1, N f1, N g1, N x2, N f2, N g2, std::optional<std::pair<N, N>> bounds = {}) {
    auto [xmin, xmax] = bounds ? *bounds : (x1 <= x2 ? std::pair{x1, x2} : std::pair{x2, x1});
    N d1 = g1 + g2 - N(3) * (f1 - f2) / (x1 - x2);
    N d2_square = d1 * d1 - g1 * g2;
    if (d2_square >= N(0)) {
      N d2(std::sqrt(d2_square.v), d2_square.tensor);
      N min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + N(2) * d2))
                           : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + N(2) * d2));
      return py_min(py_max(min_pos, xmin), xmax);
    }
    return (xmin + xmax) / N(2.0);
  }

  struct Search {
    double f;
    Vec g;
    N t;
    int64_t evals;
  };
  Search strong_wolfe(const std::vector<mx::array>& x, N t, const Vec& d, double f, const Vec& g, N gtd,
                      int64_t max_ls) {
    const N c1(1e-4), c2(0.9), tolerance_change(1e-9);
    N d_norm = abs_max(d);
    auto [f_new, g_new] = directional_evaluate(x, t, d);
    int64_t evals = 1;
    N gtd_new = dot(g_new, d);
    N t_prev = N::py_int(0);
    double f_prev = f;
    Vec g_prev = g;
    N gtd_prev = gtd;
    bool done = false;
    int64_t ls_iter = 0;
    std::vector<N> bracket, bracket_gtd;
    std::vector<double> bracket_f;
    std::vector<Vec> bracket_g;
    auto sufficient_decrease_fails = [&](double fn, N tt) { return N(fn) > N(f) + c1 * tt * gtd; };
    // The minimum lies between the previous trial and this one.
    auto bracket_last_two = [&] {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new};
      bracket_gtd = {gtd_prev, gtd_new};
    };
    while (ls_iter < max_ls) {
      if (sufficient_decrease_fails(f_new, t) || (ls_iter > 1 && f_new >= f_prev)) {
        bracket_last_two();
        break;
      }
      if (abs(gtd_new) <= -c2 * gtd) {
        bracket = {t}, bracket_f = {f_new}, bracket_g = {g_new};
        done = true;
        break;
      }
      if (gtd_new >= N(0)) {
        bracket_last_two();
        break;
      }
      N min_step = t + N(0.01) * (t - t_prev), max_step = t * N(10);
      N tmp = t;
      t = cubic_interpolate(t_prev, N(f_prev), gtd_prev, t, N(f_new), gtd_new, std::pair{min_step, max_step});
      t_prev = tmp;
      f_prev = f_new;
      g_prev = g_new;
      gtd_prev = gtd_new;
      std::tie(f_new, g_new) = directional_evaluate(x, t, d);
      ++evals;
      gtd_new = dot(g_new, d);
      ++ls_iter;
    }
    if (ls_iter == max_ls || bracket.empty()) {
      bracket = {N::py_int(0), t}, bracket_f = {f, f_new}, bracket_g = {g, g_new};
    }

    // Zoom: shrink the bracket by cubic interpolation until the strong Wolfe conditions hold.
    bool insuf_progress = false;
    size_t low = bracket_f.front() <= bracket_f.back() ? 0 : 1, high = 1 - low;
    while (!done && ls_iter < max_ls) {
      if (abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
      t = cubic_interpolate(bracket[0], N(bracket_f[0]), bracket_gtd[0], bracket[1], N(bracket_f[1]), bracket_gtd[1]);
      N bmax = py_max(bracket[0], bracket[1]), bmin = py_min(bracket[0], bracket[1]);
      N eps = N(0.1) * (bmax - bmin);
      if (py_min(bmax - t, t - bmin) < eps) {
        if (insuf_progress || t >= bmax || t <= bmin) {
          t = abs(t - bmax) < abs(t - bmin) ? bmax - eps : bmin + eps;
          insuf_progress = false;
        } else {
          insuf_progress = true;
        }
      } else {
        insuf_progress = false;
      }
      std::tie(f_new, g_new) = directional_evaluate(x, t, d);
      ++evals;
      gtd_new = dot(g_new, d);
      ++ls_iter;
      if (sufficient_decrease_fails(f_new, t) || f_new >= bracket_f[low]) {
        bracket[high] = t, bracket_f[high] = f_new, bracket_g[high] = g_new, bracket_gtd[high] = gtd_new;
        low = bracket_f[0] <= bracket_f[1] ? 0 : 1;
        high = 1 - low;
      } else {
        if (abs(gtd_new) <= -c2 * gtd) {
          done = true;
        } else if (gtd_new * (bracket[high] - bracket[low]) >= N(0)) {
          bracket[high] = bracket[low], bracket_f[high] = bracket_f[low], bracket_g[high] = bracket_g[low],
          bracket_gtd[high] = bracket_gtd[low];
        }
        bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new, bracket_gtd[low] = gtd_new;
      }
    }
    return {bracket_f[low], bracket_g[low], bracket[low], evals};
  }

  // State values <-> working values.
  N num(const Value& v) const {
    if (v.is_tensor()) return N(v.tensor().template item<double>(), true);
    return v.is_int() ? N::py_int(static_cast<double>(v.to_int())) : N(v.to_double());
  }
  Value value(N n) const {
    if (n.tensor) return Value(Tensor::from_mlx(mx::array(n.v, dt_)));
    return n.integer ? Value(static_cast<int64_t>(n.v)) : Value(n.v);
  }
  Value value(const Vec& v) const { return Value(Tensor::from_mlx(v)); }

  std::vector<Tensor> params_;
  const Optimizer::Closure& closure_;
  mx::Dtype dt_;
  int64_t numel_ = 0;
};

template <typename T>
Tensor lbfgs_step(Optimizer& opt, const Dict& group_options, const std::vector<Tensor>& params,
                  const Optimizer::Closure& closure) {
  using N = Num<T>;
  using Vec = mx::array;
  Run<T> run(params, closure);
  const N lr = run.num(group_options.at("lr"));
  const int64_t max_iter = group_options.integer("max_iter"), history_size = group_options.integer("history_size");
  const double max_eval = group_options.number("max_eval");
  const N tolerance_grad(group_options.number("tolerance_grad")),
      tolerance_change(group_options.number("tolerance_change"));
  const Value& ls = group_options.at("line_search_fn");

  Dict& st = opt.state(params[0]);
  st.setdefault("func_evals", 0);
  st.setdefault("n_iter", 0);

  Tensor orig_loss;
  {
    EnableGradGuard enable;
    orig_loss = closure();
    FL_CHECK_TYPE(orig_loss.defined(), "LBFGS: the closure must return the loss");
  }
  double loss = orig_loss.item<double>();
  int64_t current_evals = 1;
  st.set("func_evals", st.integer("func_evals") + 1);
  Vec flat_grad = run.flat_grad();
  bool opt_cond = run.abs_max(flat_grad) <= tolerance_grad;
  if (opt_cond) return orig_loss;

  // The previous step's state.
  auto vec_of = [&](const char* k) -> std::optional<Vec> {
    if (!st.contains(k) || st.at(k).is_none()) return std::nullopt;
    return run.as_vec(st.at(k).tensor());
  };
  auto vecs_of = [&](const char* k) {
    std::deque<Vec> out;
    if (st.contains(k) && st.at(k).is_list())
      for (auto& v : st.at(k).list()) out.push_back(run.as_vec(v.tensor()));
    return out;
  };
  std::optional<Vec> d = vec_of("d"), prev_flat_grad = vec_of("prev_flat_grad");
  N t = st.contains("t") && !st.at("t").is_none() ? run.num(st.at("t")) : N(0);
  std::deque<Vec> old_dirs = vecs_of("old_dirs"), old_stps = vecs_of("old_stps");
  std::deque<N> ro;
  if (st.contains("ro") && st.at("ro").is_list())
    for (auto& v : st.at("ro").list()) ro.push_back(run.num(v));
  N h_diag = st.contains("H_diag") && !st.at("H_diag").is_none() ? run.num(st.at("H_diag")) : N::py_int(1);
  std::optional<double> prev_loss;
  if (st.contains("prev_loss") && !st.at("prev_loss").is_none()) prev_loss = st.number("prev_loss");
  std::vector<std::optional<N>> al;
  if (st.contains("al"))
    for (auto& v : st.at("al").list()) al.push_back(v.is_none() ? std::nullopt : std::optional<N>(run.num(v)));

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    ++n_iter;
    const int64_t global_iter = st.integer("n_iter") + 1;
    st.set("n_iter", global_iter);
    if (global_iter == 1) {
      d = run.neg(flat_grad);
      old_dirs.clear(), old_stps.clear(), ro.clear();
      h_diag = N::py_int(1);
    } else {
      // Update the curvature pairs, then the two-loop recursion for d = -H g.
      Vec y = run.sub(flat_grad, *prev_flat_grad);
      Vec s = run.scale(*d, t);
      N ys = run.dot(y, s);
      if (ys > N(1e-10)) {
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          old_dirs.pop_front(), old_stps.pop_front(), ro.pop_front();
        }
        old_dirs.push_back(y), old_stps.push_back(s), ro.push_back(N(1.0) / ys);
        h_diag = ys / run.dot(y, y);
      }
      const size_t num_old = old_dirs.size();
      if (!st.contains("al")) {
        st.set("al", Value());
        al.assign(history_size, std::nullopt);
      }
      if (al.size() < num_old) al.resize(num_old);
      Vec q = run.neg(flat_grad);
      for (size_t k = num_old; k-- > 0;) {
        al[k] = run.dot(old_stps[k], q) * ro[k];
        run.axpy(q, -*al[k], old_dirs[k]);
      }
      Vec r = h_diag.tensor || h_diag.v != 1 ? run.scale(q, h_diag) : q;  // torch.mul(q, 1) while H_diag is 1
      for (size_t k = 0; k < num_old; ++k) {
        N be_i = run.dot(old_dirs[k], r) * ro[k];
        run.axpy(r, *al[k] - be_i, old_stps[k]);
      }
      d = r;
    }
    prev_flat_grad = flat_grad;
    prev_loss = loss;
    t = global_iter == 1 ? py_min(N(1.0), N(1.0) / run.abs_sum(flat_grad)) * lr : lr;
    N gtd = run.dot(flat_grad, *d);
    if (gtd > -tolerance_change) break;

    int64_t ls_func_evals = 0;
    if (!ls.is_none()) {
      FL_CHECK(ls.str() == "strong_wolfe", "only 'strong_wolfe' is supported");
      auto x_init = run.clone_params();
      auto res = run.strong_wolfe(x_init, t, *d, loss, flat_grad, gtd, static_cast<int64_t>(max_eval) - current_evals);
      loss = res.f, flat_grad = res.g, t = res.t, ls_func_evals = res.evals;
      run.add_grad(t, *d);
      opt_cond = run.abs_max(flat_grad) <= tolerance_grad;
    } else {
      run.add_grad(t, *d);
      if (n_iter != max_iter) {
        loss = run.loss();
        flat_grad = run.flat_grad();
        opt_cond = run.abs_max(flat_grad) <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    st.set("func_evals", st.integer("func_evals") + ls_func_evals);

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (run.abs_max(run.scale(*d, t)) <= tolerance_change) break;
    if (std::fabs(loss - *prev_loss) < tolerance_change.v) break;
  }

  auto list_of = [&](const std::deque<Vec>& v) {
    Value::List l;
    for (auto& x : v) l.push_back(run.value(x));
    return l;
  };
  if (st.contains("al")) {
    Value::List l;
    for (auto& a : al) l.push_back(a ? run.value(*a) : Value());
    st.set("al", std::move(l));
  }
  st.set("d", d ? run.value(*d) : Value());
  st.set("t", run.value(t));
  st.set("old_dirs", list_of(old_dirs));
  st.set("old_stps", list_of(old_stps));
  Value::List ro_list;
  for (auto& x : ro) ro_list.push_back(run.value(x));
  st.set("ro", std::move(ro_list));
  st.set("H_diag", run.value(h_diag));
  st.set("prev_flat_grad", prev_flat_grad ? run.value(*prev_flat_grad) : Value());
  st.set("prev_loss", prev_loss ? Value(*prev_loss) : Value());
  return orig_loss;
}

}  // namespace

LBFGS::LBFGS(Params params, const LBFGSOptions& options) : LBFGS(std::move(params), options.to_dict()) {}
LBFGS::LBFGS(Params params, const Dict& defaults) : Optimizer("LBFGS", std::move(params), checked(defaults)) {
  FL_CHECK_VALUE(param_groups().size() <= 1, "LBFGS doesn't support per-parameter options (parameter groups)");
}

Tensor LBFGS::step(const Closure& closure) {
  FL_CHECK_TYPE(closure != nullptr, "LBFGS.step() missing 1 required positional argument: 'closure'");
  FL_CHECK(param_groups().size() == 1, "Expected exactly one param_group, but got ", param_groups().size());
  // Copies: the closure may touch the optimizer (zero_grad) while this runs.
  const Dict options = param_groups()[0].options;
  const std::vector<Tensor> params = param_groups()[0].params;
  FL_CHECK_VALUE(!params.empty(), "optimizer got an empty parameter list");
  const Dtype dt = params[0].dtype();
  for (auto& p : params)
    FL_CHECK_TYPE(p.dtype() == dt && (dt == kFloat32 || dt == kFloat64),
                  "LBFGS: parameters must all be float32 or all be float64");
  Tensor loss;
  {
    NoGradGuard no_grad;
    loss = dt == kFloat32 ? lbfgs_step<float>(*this, options, params, closure)
                          : lbfgs_step<double>(*this, options, params, closure);
  }
  evaluate();
  return loss;
}

void LBFGS::update_group(ParamGroup&, const std::vector<Tensor>&) {
  throw Error("LBFGS needs the loss at trial points: call step(closure) instead of an update with gradients");
}

}  // namespace fl::optim
