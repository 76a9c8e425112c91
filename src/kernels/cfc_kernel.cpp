// The fused CfC sequence on the CPU: all time steps, forward and backward through time, in one call.
//
// Per step and layer the cell is three dense products on B rows (backbone, heads; the LSTM's input and recurrent
// maps) and elementwise passes. The forward saves what the backward reads (each layer's [u, h] input, backbone
// outputs and activation derivatives, head values, LSTM gates) in blocks whose rows are t * B + b, so the
// backward runs the sequential part (dh through the heads, backbone and recurrence) step by step and then forms
// every weight gradient with one product over all L * B rows.
#include "kernels/cfc_kernel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "kernels/cfc_elementwise.h"

namespace fl::kernels::cfc {

int Dims::state() const {
  int n = 0;
  for (auto& l : layers) n += l.hidden;
  return n;
}

int Dims::offset(int l) const {
  int n = 0;
  for (int i = 0; i < l; ++i) n += layers[i].hidden;
  return n;
}

int LayerDims::max_width() const { return widths.empty() ? 0 : *std::max_element(widths.begin(), widths.end()); }

InputIndex::InputIndex(const Dims& d) {
  int k = 2;
  if (d.mixed) c0 = k++;
  if (d.has_ts) ts = k++;
  for (auto& l : d.layers) {
    Layer e;
    e.backbone = k;
    k += 2 * l.backbone_layers;
    e.heads = k;
    k += d.mode == Mode::Pure ? 4 : 8;
    layers.push_back(e);
  }
  if (d.mixed) {
    lstm = k;
    k += 3;
  }
  count = k;
}

WsLayout::WsLayout(const Dims& d, int steps) {
  const size_t rows = static_cast<size_t>(steps) * d.B;
  size_t off = 0;
  auto take = [&](int width) {
    size_t o = off;
    off += rows * width;
    return o;
  };
  for (auto& l : d.layers) {
    Layer e;
    e.cat = take(l.cat());
    for (int k = 0; k < l.backbone_layers; ++k) {
      e.z.push_back(take(l.widths[k]));
      e.deriv.push_back(take(l.widths[k]));
    }
    e.save_width = d.mode == Mode::Pure ? 2 * l.hidden : 4 * l.hidden;
    e.save = take(e.save_width);
    layers.push_back(std::move(e));
  }
  if (d.mixed) {
    const int N = d.state();
    gates = take(4 * N);
    cprev = take(N);
    tanhc = take(N);
    hprev = take(N);
  }
  total = off;
}

size_t workspace_size(const Dims& d) { return WsLayout(d, d.L).total; }

namespace {
std::atomic<size_t> g_forward_runs{0}, g_saving_forward_runs{0};
}
size_t forward_runs() { return g_forward_runs.load(); }
size_t saving_forward_runs() { return g_saving_forward_runs.load(); }

namespace {

// Scratch memory reused across calls on the same thread (fresh pages cost more than the small products here).
// Very large buffers are returned after use.
template <typename T>
class Scratch {
 public:
  explicit Scratch(size_t n) {
    auto& buf = buffer();
    if (buf.size() < n) buf.assign(n, T(0));
    data_ = buf.data();
  }
  ~Scratch() {
    auto& buf = buffer();
    if (buf.size() * sizeof(T) > (size_t(64) << 20)) std::vector<T>().swap(buf);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() const { return data_; }

 private:
  static std::vector<T>& buffer() {
    thread_local std::vector<T> buf;
    return buf;
  }
  T* data_;
};

// Bump allocation inside one scratch region: sizes first, then pointers.
struct Carve {
  size_t n = 0;
  size_t add(size_t count) {
    size_t o = n;
    n += (count + 15) & ~size_t(15);  // 64-byte steps for float keep rows of blocks aligned
    return o;
  }
};

// Copies rows of `cols` values between buffers with different row strides.
template <typename T>
void copy_rows(int rows, int cols, const T* src, size_t lds, T* dst, size_t ldd) {
  for (int r = 0; r < rows; ++r) std::memcpy(dst + r * ldd, src + r * lds, sizeof(T) * cols);
}
template <typename T>
void add_rows(int rows, int cols, const T* src, size_t lds, T* dst, size_t ldd) {
  for (int r = 0; r < rows; ++r) {
    const T* s = src + r * lds;
    T* o = dst + r * ldd;
    for (int j = 0; j < cols; ++j) o[j] += s[j];
  }
}

// (rows x cols) -> (cols x rows): the forward multiplies by W^T, which BLAS runs ~30% faster on small row counts
// with W^T stored than with W read transposed.
template <typename T>
void transpose(int rows, int cols, const T* src, T* dst) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[static_cast<size_t>(c) * rows + r] = src[static_cast<size_t>(r) * cols + c];
}

// The heads of a layer as one (heads * H, F) matrix and bias, so each step is one product.
template <typename T>
struct Heads {
  const T* W;
  const T* b;
};
template <typename T>
Heads<T> pack_heads(const Dims& d, const InputIndex::Layer& ix, const LayerDims& ld, const std::vector<const T*>& in,
                    T* W, T* b) {
  if (d.mode == Mode::Pure) return {in[ix.heads], in[ix.heads + 1]};
  const size_t HF = static_cast<size_t>(ld.hidden) * ld.feat();
  for (int q = 0; q < 4; ++q) {
    std::memcpy(W + q * HF, in[ix.heads + 2 * q], sizeof(T) * HF);
    std::memcpy(b + q * ld.hidden, in[ix.heads + 2 * q + 1], sizeof(T) * ld.hidden);
  }
  return {W, b};
}

}  // namespace

template <typename T>
void forward(const Dims& d, const std::vector<const T*>& in, T* y, T* hT, T* cT, T* ws) {
  SingleThreadBlas single;
  ++g_forward_runs;
  if (ws) ++g_saving_forward_runs;
  const int B = d.B, L = d.L, I = d.I, N = d.state(), nl = static_cast<int>(d.layers.size());
  const InputIndex ix(d);
  const WsLayout lay(d, ws ? L : 1);

  Carve c;
  const size_t o_local = ws ? 0 : c.add(lay.total);
  const size_t o_h = c.add(size_t(B) * N), o_hn = c.add(size_t(B) * N), o_c = c.add(size_t(B) * N);
  // Transposed copies of every weight (heads stacked first), for products without transposed operands.
  std::vector<size_t> o_W(nl), o_b(nl), o_WT(nl);
  std::vector<std::vector<size_t>> o_bbT(nl);
  const size_t o_WiT = d.mixed ? c.add(size_t(4) * N * I) : 0, o_WrT = d.mixed ? c.add(size_t(4) * N * N) : 0;
  for (int l = 0; l < nl; ++l) {
    auto& ld = d.layers[l];
    o_W[l] = c.add(size_t(d.heads()) * ld.hidden * ld.feat());
    o_WT[l] = c.add(size_t(d.heads()) * ld.hidden * ld.feat());
    o_b[l] = c.add(size_t(d.heads()) * ld.hidden);
    for (int k = 0; k < ld.backbone_layers; ++k) o_bbT[l].push_back(c.add(size_t(ld.widths[k]) * ld.width_in(k)));
  }
  Scratch<T> scratch(c.n);
  T* S = scratch.data();
  T* base = ws ? ws : S + o_local;
  T *h = S + o_h, *hn = S + o_hn, *cc = S + o_c;
  std::vector<const T*> headsT(nl), headsb(nl);
  std::vector<std::vector<const T*>> bbT(nl);
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    Heads<T> hd = pack_heads(d, ix.layers[l], ld, in, S + o_W[l], S + o_b[l]);
    transpose(d.heads() * ld.hidden, ld.feat(), hd.W, S + o_WT[l]);
    headsT[l] = S + o_WT[l];
    headsb[l] = hd.b;
    for (int k = 0; k < ld.backbone_layers; ++k) {
      transpose(ld.widths[k], ld.width_in(k), in[ix.layers[l].backbone + 2 * k], S + o_bbT[l][k]);
      bbT[l].push_back(S + o_bbT[l][k]);
    }
  }
  if (d.mixed) {
    transpose(4 * N, I, in[ix.lstm], S + o_WiT);
    transpose(4 * N, N, in[ix.lstm + 2], S + o_WrT);
  }
  // The per-step products.
  const int ldx = L * I;
  const FixedGemm<T> lstm_x(false, false, B, 4 * N, I, ldx, 4 * N, T(0), 4 * N);
  const FixedGemm<T> lstm_h(false, false, B, 4 * N, N, N, 4 * N, T(1), 4 * N);
  std::vector<std::vector<FixedGemm<T>>> bb_gemm(nl);
  std::vector<FixedGemm<T>> head_gemm;
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    int F = ld.cat();
    for (int k = 0; k < ld.backbone_layers; ++k) {
      bb_gemm[l].emplace_back(false, false, B, ld.widths[k], F, F, ld.widths[k], T(0), ld.widths[k]);
      F = ld.widths[k];
    }
    const int nh = d.heads() * ld.hidden;
    head_gemm.emplace_back(false, false, B, nh, F, F, nh, T(0), lay.layers[l].save_width);
  }

  std::memcpy(h, in[ix.h0], sizeof(T) * B * N);
  if (d.mixed) std::memcpy(cc, in[ix.c0], sizeof(T) * B * N);
  const T* x = in[ix.x];
  const T* ts = d.has_ts ? in[ix.ts] : nullptr;

  for (int t = 0; t < L; ++t) {
    auto slot = [&](size_t off, int width) { return base + off + static_cast<size_t>(ws ? t : 0) * B * width; };
    const T* xt = x + static_cast<size_t>(t) * I;
    const T* tst = ts ? ts + t : nullptr;
    if (d.mixed) {
      T* Z = slot(lay.gates, 4 * N);
      if (ws) {
        std::memcpy(slot(lay.hprev, N), h, sizeof(T) * B * N);
        std::memcpy(slot(lay.cprev, N), cc, sizeof(T) * B * N);
      }
      lstm_x(xt, S + o_WiT, Z);
      lstm_h(h, S + o_WrT, Z);
      const T* bi = in[ix.lstm + 1];
      lstm_forward(B, N, bi, Z, cc, h, slot(lay.tanhc, N));
    }
    for (int l = 0; l < nl; ++l) {
      const LayerDims& ld = d.layers[l];
      const auto& li = ix.layers[l];
      const auto& wl = lay.layers[l];
      const int H = ld.hidden, C = ld.cat(), off = d.offset(l);
      T* cat = slot(wl.cat, C);
      if (l == 0)
        copy_rows(B, ld.in, xt, ldx, cat, C);
      else
        copy_rows(B, ld.in, hn + d.offset(l - 1), N, cat, C);
      copy_rows(B, H, h + off, N, cat + ld.in, C);
      const T* feat = cat;
      for (int k = 0; k < ld.backbone_layers; ++k) {
        const int U = ld.widths[k];
        T* z = slot(wl.z[k], U);
        bb_gemm[l][k](feat, bbT[l][k], z);
        act_forward(d.act, B, U, in[li.backbone + 2 * k + 1], z, ws ? slot(wl.deriv[k], U) : nullptr);
        feat = z;
      }
      T* P = slot(wl.save, wl.save_width);
      head_gemm[l](feat, headsT[l], P);
      if (d.mode == Mode::Pure)
        pure_forward(B, H, headsb[l], in[li.heads + 2], in[li.heads + 3], tst, L, P, hn + off, N);
      else
        gate_forward(d.mode == Mode::NoGate, B, H, headsb[l], tst, L, P, hn + off, N);
    }
    const int Ho = d.out();
    copy_rows(B, Ho, hn + (N - Ho), N, y + static_cast<size_t>(t) * Ho, static_cast<size_t>(L) * Ho);
    std::swap(h, hn);
  }
  std::memcpy(hT, h, sizeof(T) * B * N);
  if (d.mixed) std::memcpy(cT, cc, sizeof(T) * B * N);
}

template <typename T>
void backward(const Dims& d, const std::vector<const T*>& in, const T* ws, const T* dy, const T* dhT, const T* dcT,
              const std::vector<T*>& grads) {
  SingleThreadBlas single;
  const int B = d.B, L = d.L, I = d.I, N = d.state(), nl = static_cast<int>(d.layers.size());
  const InputIndex ix(d);
  const WsLayout lay(d, L);
  const bool pure = d.mode == Mode::Pure;
  // Weight gradients are products over rows (t, b); they run every `chunk` steps on the rows just produced (about
  // 512 of them: as fast as one product over all rows, while those rows are still in cache, in bounded memory).
  const int chunk = std::max(1, std::min(L, 512 / std::max(B, 1)));
  const size_t CB = static_cast<size_t>(chunk) * B;

  // Scratch: packed heads; the chunk's per-step gradients (dP per layer, dpre per backbone layer, dZ of the LSTM);
  // bias sums; the running dh_t, dc_t and per-step temporaries.
  Carve c;
  int maxC = 0, maxF = 0;
  std::vector<size_t> o_W(nl), o_b(nl), o_dP(nl), o_dA(nl), o_dw(nl), o_db(nl);
  std::vector<std::vector<size_t>> o_dpre(nl), o_dbb(nl);
  for (int l = 0; l < nl; ++l) {
    auto& ld = d.layers[l];
    maxC = std::max(maxC, ld.cat());
    maxF = std::max({maxF, ld.feat(), ld.max_width()});
    o_W[l] = c.add(size_t(d.heads()) * ld.hidden * ld.feat());
    o_b[l] = c.add(size_t(d.heads()) * ld.hidden);
    o_dP[l] = c.add(CB * d.heads() * ld.hidden);
    for (int k = 0; k < ld.backbone_layers; ++k) {
      o_dpre[l].push_back(c.add(CB * ld.widths[k]));
      o_dbb[l].push_back(c.add(ld.widths[k]));
    }
    o_db[l] = c.add(size_t(d.heads()) * ld.hidden);
    o_dA[l] = c.add(ld.hidden);
    o_dw[l] = c.add(ld.hidden);
  }
  const size_t o_dZ = d.mixed ? c.add(CB * 4 * N) : 0, o_dbi = d.mixed ? c.add(size_t(4) * N) : 0;
  const size_t o_g = c.add(size_t(B) * N), o_old = c.add(size_t(B) * N), o_dc = c.add(size_t(B) * N);
  const size_t o_feat = c.add(size_t(B) * std::max(maxF, maxC)), o_cat = c.add(size_t(B) * maxC);
  Scratch<T> scratch(c.n);
  T* S = scratch.data();
  std::vector<Heads<T>> heads;
  for (int l = 0; l < nl; ++l) heads.push_back(pack_heads(d, ix.layers[l], d.layers[l], in, S + o_W[l], S + o_b[l]));
  T *g = S + o_g, *dold = S + o_old, *dc = S + o_dc, *dfeat = S + o_feat, *dcat = S + o_cat;

  // Everything accumulated starts at zero: x, timespans and weight gradients in place, sums in scratch.
  auto zero_grad = [&](int i, size_t n) {
    if (i >= 0 && grads[i]) std::fill(grads[i], grads[i] + n, T(0));
  };
  zero_grad(ix.x, size_t(B) * L * I);
  if (d.has_ts) zero_grad(ix.ts, size_t(B) * L);
  auto zero = [&](size_t off, size_t n) { std::fill(S + off, S + off + n, T(0)); };
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    const auto& li = ix.layers[l];
    for (int q = 0; q < d.heads(); ++q) zero_grad(li.heads + 2 * q, size_t(ld.hidden) * ld.feat());
    for (int k = 0; k < ld.backbone_layers; ++k) zero_grad(li.backbone + 2 * k, size_t(ld.widths[k]) * ld.width_in(k));
    zero(o_db[l], size_t(d.heads()) * ld.hidden);
    zero(o_dA[l], ld.hidden);
    zero(o_dw[l], ld.hidden);
    for (int k = 0; k < ld.backbone_layers; ++k) zero(o_dbb[l][k], ld.widths[k]);
  }
  if (d.mixed) {
    zero_grad(ix.lstm, size_t(4) * N * I);
    zero_grad(ix.lstm + 2, size_t(4) * N * N);
    zero(o_dbi, size_t(4) * N);
  }

  // dW += (chunk's gradient rows)^T (the same rows of the layer's saved inputs), for steps [t0, t0 + n). MKL's JIT
  // takes most of these shapes too (per head: 64 x 128 x 512 runs ~10% faster than the plain call).
  auto flush = [&](int t0, int n) {
    const int K = n * B;
    const size_t r0 = static_cast<size_t>(t0) * B;
    for (int l = 0; l < nl; ++l) {
      const LayerDims& ld = d.layers[l];
      const auto& li = ix.layers[l];
      const auto& wl = lay.layers[l];
      const int H = ld.hidden, C = ld.cat(), F = ld.feat(), nh = d.heads() * H;
      const T* feat = ws + (ld.backbone_layers > 0 ? wl.z.back() : wl.cat) + r0 * F;
      for (int q = 0; q < d.heads(); ++q)
        if (T* dW = grads[li.heads + 2 * q])
          FixedGemm<T>(true, false, H, F, K, nh, F, T(1), F)(S + o_dP[l] + q * H, feat, dW);
      for (int k = 0; k < ld.backbone_layers; ++k) {
        const int U = ld.widths[k], Kin = ld.width_in(k);
        const T* inp = ws + (k == 0 ? wl.cat : wl.z[k - 1]) + r0 * Kin;
        if (T* dW = grads[li.backbone + 2 * k])
          FixedGemm<T>(true, false, U, Kin, K, U, Kin, T(1), Kin)(S + o_dpre[l][k], inp, dW);
      }
    }
    if (d.mixed) {
      // The inputs x_t are the first I columns of layer 0's saved [x_t, h] rows.
      const int C0 = d.layers[0].cat();
      if (T* dWi = grads[ix.lstm])
        FixedGemm<T>(true, false, 4 * N, I, K, 4 * N, C0, T(1), I)(S + o_dZ, ws + lay.layers[0].cat + r0 * C0, dWi);
      if (T* dWr = grads[ix.lstm + 2])
        FixedGemm<T>(true, false, 4 * N, N, K, 4 * N, N, T(1), N)(S + o_dZ, ws + lay.hprev + r0 * N, dWr);
    }
  };

  T* dx = grads[ix.x];
  T* dts = d.has_ts ? grads[ix.ts] : nullptr;
  // The per-step products. The one that yields d[u, h] skips the u columns where nothing reads them (layer 0
  // without dx).
  std::vector<FixedGemm<T>> head_back;
  std::vector<std::vector<FixedGemm<T>>> bb_back(nl);
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    const int F = ld.feat(), nh = d.heads() * ld.hidden, skip = l == 0 && !dx ? ld.in : 0;
    head_back.emplace_back(false, false, B, F - (ld.backbone_layers > 0 ? 0 : skip), nh, nh, F, T(0), F);
    for (int k = 0; k < ld.backbone_layers; ++k) {
      const int U = ld.widths[k], Kin = ld.width_in(k);
      bb_back[l].emplace_back(false, false, B, Kin - (k == 0 ? skip : 0), U, U, Kin, T(0), Kin);
    }
  }
  const FixedGemm<T> lstm_back_h(false, false, B, N, 4 * N, 4 * N, N, T(0), N);
  const FixedGemm<T> lstm_back_x(false, false, B, I, 4 * N, 4 * N, I, T(1), L * I);
  std::memcpy(g, dhT, sizeof(T) * B * N);
  if (d.mixed) std::memcpy(dc, dcT, sizeof(T) * B * N);
  const T* ts = d.has_ts ? in[ix.ts] : nullptr;
  const int Ho = d.out();

  for (int t = L - 1; t >= 0; --t) {
    const int t0 = t / chunk * chunk;                    // first step of t's chunk
    const size_t row = static_cast<size_t>(t - t0) * B;  // t's rows in the chunk buffers
    auto saved = [&](size_t off, int width) { return ws + off + static_cast<size_t>(t) * B * width; };
    const T* tst = ts ? ts + t : nullptr;
    T* dtst = dts ? dts + t : nullptr;
    add_rows(B, Ho, dy + static_cast<size_t>(t) * Ho, static_cast<size_t>(L) * Ho, g + (N - Ho), N);
    for (int l = nl - 1; l >= 0; --l) {
      const LayerDims& ld = d.layers[l];
      const auto& li = ix.layers[l];
      const auto& wl = lay.layers[l];
      const int H = ld.hidden, C = ld.cat(), off = d.offset(l), nh = d.heads() * H;
      T* dP = S + o_dP[l] + row * nh;
      const T* save = saved(wl.save, wl.save_width);
      if (pure)
        pure_backward(B, H, save, in[li.heads + 2], in[li.heads + 3], tst, L, g + off, N, dP, dtst, S + o_dA[l],
                      S + o_dw[l]);
      else
        gate_backward(d.mode == Mode::NoGate, B, H, save, tst, L, g + off, N, dP, dtst);
      colsum(B, nh, dP, nh, S + o_db[l]);
      const int skip = l == 0 && !dx ? ld.in : 0;
      if (ld.backbone_layers > 0)
        head_back[l](dP, heads[l].W, dfeat);
      else
        head_back[l](dP, heads[l].W + skip, dcat + skip);
      for (int k = ld.backbone_layers - 1; k >= 0; --k) {
        const int U = ld.widths[k], sk = k == 0 ? skip : 0;
        T* dpre = S + o_dpre[l][k] + row * U;
        mul(static_cast<size_t>(B) * U, dfeat, saved(wl.deriv[k], U), dpre);
        colsum(B, U, dpre, U, S + o_dbb[l][k]);
        bb_back[l][k](dpre, in[li.backbone + 2 * k] + sk, (k == 0 ? dcat : dfeat) + sk);
      }
      copy_rows(B, H, dcat + ld.in, C, dold + off, N);
      if (l > 0)
        add_rows(B, ld.in, dcat, C, g + d.offset(l - 1), N);
      else if (dx)
        add_rows(B, I, dcat, C, dx + static_cast<size_t>(t) * I, static_cast<size_t>(L) * I);
    }
    if (d.mixed) {
      T* dZ = S + o_dZ + row * 4 * N;
      lstm_backward(B, N, saved(lay.gates, 4 * N), saved(lay.cprev, N), saved(lay.tanhc, N), dold, dc, dZ);
      colsum(B, 4 * N, dZ, 4 * N, S + o_dbi);
      lstm_back_h(dZ, in[ix.lstm + 2], g);
      if (dx) lstm_back_x(dZ, in[ix.lstm], dx + static_cast<size_t>(t) * I);
    } else {
      std::swap(g, dold);
    }
    if (t == t0) flush(t0, std::min(chunk, L - t0));
  }
  if (grads[ix.h0]) std::memcpy(grads[ix.h0], g, sizeof(T) * B * N);
  if (d.mixed && grads[ix.c0]) std::memcpy(grads[ix.c0], dc, sizeof(T) * B * N);

  // The summed gradients.
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    const auto& li = ix.layers[l];
    const int H = ld.hidden;
    for (int q = 0; q < d.heads(); ++q)
      if (T* db = grads[li.heads + 2 * q + 1]) std::memcpy(db, S + o_db[l] + q * H, sizeof(T) * H);
    if (pure) {
      if (T* dw = grads[li.heads + 2]) std::memcpy(dw, S + o_dw[l], sizeof(T) * H);
      if (T* dA = grads[li.heads + 3]) std::memcpy(dA, S + o_dA[l], sizeof(T) * H);
    }
    for (int k = 0; k < ld.backbone_layers; ++k)
      if (T* db = grads[li.backbone + 2 * k + 1]) std::memcpy(db, S + o_dbb[l][k], sizeof(T) * ld.widths[k]);
  }
  if (d.mixed)
    if (T* dbi = grads[ix.lstm + 1]) std::memcpy(dbi, S + o_dbi, sizeof(T) * 4 * N);
}

template void forward<float>(const Dims&, const std::vector<const float*>&, float*, float*, float*, float*);
template void forward<double>(const Dims&, const std::vector<const double*>&, double*, double*, double*, double*);
template void backward<float>(const Dims&, const std::vector<const float*>&, const float*, const float*, const float*,
                              const float*, const std::vector<float*>&);
template void backward<double>(const Dims&, const std::vector<const double*>&, const double*, const double*,
                               const double*, const double*, const std::vector<double*>&);

}  // namespace fl::kernels::cfc
