// The fused CfC sequence on the CPU: all time steps, forward and backward through time, in one call.
//
// Per step and layer the cell is dense products on B rows (backbone, stacked heads; the LSTM's input and recurrent
// maps) and elementwise passes. The rows of the batch are independent through time, so both directions split them
// into shares (Dims::shares, one per thread of one OpenMP team), each running the whole time loop on its rows
// with single-threaded products and nothing shared until the team ends. What does not depend on the recurrence
// runs outside the loop as one product over a share's L * R rows: before the forward loop the inputs' part of
// layer 0's first product and of the LSTM's input map; after each chunk of the backward loop the share's part of
// every weight gradient and its inputs' gradient (the shares' weight gradients are summed at the end). The forward
// saves what the backward reads (each layer's [u, h] input, backbone outputs and activation derivatives, head
// values, LSTM gates) in blocks whose rows are share-major (Split); the backward loop stores its per-step
// gradients (heads, backbone pre-activations, LSTM gates) for a chunk of steps (bounded memory) in the same order.
#include "kernels/cfc_kernel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "kernels/cfc_elementwise.h"
#include "kernels/gemm.h"
#include "kernels/line_buffer.h"

#ifdef _OPENMP
#include <omp.h>
#endif

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
    e.save_width = d.mode == Mode::Pure ? 2 * l.hidden : d.blocks() * l.hidden;
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

// Forward flops per batch row and step.
double row_step_flops(const Dims& d) {
  double f = 0;
  for (auto& l : d.layers) {
    for (int k = 0; k < l.backbone_layers; ++k) f += double(l.widths[k]) * l.width_in(k);
    f += double(d.blocks()) * l.hidden * l.feat();
  }
  if (d.mixed) f += 4.0 * d.state() * (d.I + d.state());
  return 2 * f;
}
// About 40 us of forward on one core: less does not pay for waking a second thread (10-100 us on this VM).
constexpr double kMinSplitFlops = 4e6;
// Rows (steps * B) of the backward's per-step gradient buffers: the weight-gradient products over this many rows
// still run near BLAS's peak, and the buffers (a few hundred KB) are still in L2 when they run (4096 rows, a few
// MB, made CfC(8, 64)'s backward at (32, 100) 5% slower).
constexpr int kChunkRows = 256;
}  // namespace
size_t forward_runs() { return g_forward_runs.load(); }
size_t saving_forward_runs() { return g_saving_forward_runs.load(); }

int threads_for(const Dims& d) {
#ifdef _OPENMP
  const int nt = std::min(get_num_threads(), d.B);
  if (nt < 2 || omp_in_parallel() || row_step_flops(d) * d.B * d.L < kMinSplitFlops) return 1;
  return nt;
#else
  return 1;
#endif
}

namespace {

// Scratch memory reused across calls on the same thread (fresh pages cost more than the small products here),
// on cache lines. Very large buffers are returned after use.
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
    if (buf.size() * sizeof(T) > (size_t(64) << 20)) LineBuffer<T>().swap(buf);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() const { return data_; }

 private:
  static LineBuffer<T>& buffer() {
    thread_local LineBuffer<T> buf;
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

// The heads of a layer as one (blocks * H, F) matrix and bias, so each step is one product. With fused time the
// third block is time_a + time_b.
template <typename T>
struct Heads {
  const T* W;
  const T* b;
};
// The block of the stacked heads that head q (ff1, ff2, time_a, time_b) lives in.
inline int block_of(const Dims& d, int q) { return d.fused_time() && q == 3 ? 2 : q; }
template <typename T>
Heads<T> pack_heads(const Dims& d, const InputIndex::Layer& ix, const LayerDims& ld, const std::vector<const T*>& in,
                    T* W, T* b) {
  if (d.mode == Mode::Pure) return {in[ix.heads], in[ix.heads + 1]};
  const int H = ld.hidden;
  const size_t HF = static_cast<size_t>(H) * ld.feat();
  for (int q = 0; q < 4; ++q) {
    const T *w = in[ix.heads + 2 * q], *bq = in[ix.heads + 2 * q + 1];
    T *Wd = W + block_of(d, q) * HF, *bd = b + block_of(d, q) * H;
    if (block_of(d, q) == q) {
      std::memcpy(Wd, w, sizeof(T) * HF);
      std::memcpy(bd, bq, sizeof(T) * H);
    } else {
      for (size_t i = 0; i < HF; ++i) Wd[i] += w[i];
      for (int j = 0; j < H; ++j) bd[j] += bq[j];
    }
  }
  return {W, b};
}

// f(k, n) on each thread k of a team of n <= nt (one OpenMP parallel region).
template <class F>
void team(int nt, F&& f) {
#ifdef _OPENMP
  if (nt > 1) {
#pragma omp parallel num_threads(nt)
    f(omp_get_thread_num(), omp_get_num_threads());
    return;
  }
#endif
  f(0, 1);
}

}  // namespace

template <typename T>
void forward(const Dims& d, const std::vector<const T*>& in, T* y, T* hT, T* cT, T* ws) {
  ++g_forward_runs;
  if (ws) ++g_saving_forward_runs;
  const int B = d.B, L = d.L, I = d.I, N = d.state(), nl = static_cast<int>(d.layers.size());
  const InputIndex ix(d);
  const WsLayout lay(d, ws ? L : 1);
  const Split sp(d);
  const int steps = ws ? L : 1;  // steps the blocks hold (without a workspace, one step's slots are reused)
  // With a workspace every step has its own slots, so the inputs' share of layer 0's first product (its first
  // backbone layer, else its heads) and of the LSTM's input map are computed for all steps before the loop.
  const bool pre = ws != nullptr;
  const LayerDims& l0 = d.layers[0];
  const bool bb0 = l0.backbone_layers > 0;
  const int out0 = bb0 ? l0.widths[0] : d.blocks() * l0.hidden, ld0 = bb0 ? out0 : lay.layers[0].save_width;

  Carve c;
  const size_t o_local = ws ? 0 : c.add(lay.total);
  const size_t o_h = c.add(size_t(B) * N), o_hn = c.add(size_t(B) * N), o_c = c.add(size_t(B) * N);
  const size_t o_xt = pre ? c.add(size_t(L) * B * I) : 0;
  // Transposed copies of every weight (heads stacked first), for products without transposed operands.
  std::vector<size_t> o_W(nl), o_b(nl), o_WT(nl);
  std::vector<std::vector<size_t>> o_bbT(nl);
  const size_t o_WiT = d.mixed ? c.add(size_t(4) * N * I) : 0, o_WrT = d.mixed ? c.add(size_t(4) * N * N) : 0;
  for (int l = 0; l < nl; ++l) {
    auto& ld = d.layers[l];
    o_W[l] = c.add(size_t(d.blocks()) * ld.hidden * ld.feat());
    o_WT[l] = c.add(size_t(d.blocks()) * ld.hidden * ld.feat());
    o_b[l] = c.add(size_t(d.blocks()) * ld.hidden);
    for (int k = 0; k < ld.backbone_layers; ++k) o_bbT[l].push_back(c.add(size_t(ld.widths[k]) * ld.width_in(k)));
  }
  Scratch<T> scratch(c.n);
  T* S = scratch.data();
  T* base = ws ? ws : S + o_local;
  std::vector<const T*> headsT(nl), headsb(nl);
  std::vector<std::vector<const T*>> bbT(nl);
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    Heads<T> hd = pack_heads(d, ix.layers[l], ld, in, S + o_W[l], S + o_b[l]);
    transpose(d.blocks() * ld.hidden, ld.feat(), hd.W, S + o_WT[l]);
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
  const T* x = in[ix.x];
  const T* ts = d.has_ts ? in[ix.ts] : nullptr;
  // W^T's first I rows multiply x_t.
  const T* W0 = bb0 ? bbT[0][0] : headsT[0];
  std::memcpy(S + o_h, in[ix.h0], sizeof(T) * B * N);
  if (d.mixed) std::memcpy(S + o_c, in[ix.c0], sizeof(T) * B * N);
  const int ldx = L * I, Ho = d.out();

  // One share: rows [b0, b0 + R) through every step.
  auto run = [&](int s) {
    const int b0 = sp.lo(s), R = sp.rows(s);
    if (R == 0) return;
    if (pre) {
      // The inputs' share for this share's rows of every step (one run of L * R rows in each block).
      T* xt = S + o_xt + size_t(L) * b0 * I;
      for (int t = 0; t < L; ++t)
        for (int r = 0; r < R; ++r)
          std::memcpy(xt + (size_t(t) * R + r) * I, x + (size_t(b0 + r) * L + t) * I, sizeof(T) * I);
      gemm(false, false, L * R, out0, I, T(1), xt, I, W0, out0, T(0),
           base + (bb0 ? lay.layers[0].z[0] : lay.layers[0].save) + sp.row(L, 0, s) * ld0, ld0);
      if (d.mixed)
        gemm(false, false, L * R, 4 * N, I, T(1), xt, I, S + o_WiT, 4 * N, T(0),
             base + lay.gates + sp.row(L, 0, s) * 4 * N, 4 * N);
    }
    // The per-step products on R rows.
    const FixedGemm<T> lstm_x(false, false, R, 4 * N, I, ldx, 4 * N, T(0), 4 * N);
    const FixedGemm<T> lstm_h(false, false, R, 4 * N, N, N, 4 * N, T(1), 4 * N);
    // Layer 0's first product given the inputs' share: h's rows of W^T added in.
    const FixedGemm<T> first_h(false, false, R, out0, l0.hidden, l0.cat(), out0, T(1), ld0);
    std::vector<std::vector<FixedGemm<T>>> bb_gemm(nl);
    std::vector<FixedGemm<T>> head_gemm;
    for (int l = 0; l < nl; ++l) {
      const LayerDims& ld = d.layers[l];
      int F = ld.cat();
      for (int k = 0; k < ld.backbone_layers; ++k) {
        bb_gemm[l].emplace_back(false, false, R, ld.widths[k], F, F, ld.widths[k], T(0), ld.widths[k]);
        F = ld.widths[k];
      }
      const int nh = d.blocks() * ld.hidden;
      head_gemm.emplace_back(false, false, R, nh, F, F, nh, T(0), lay.layers[l].save_width);
    }
    T *h = S + o_h + size_t(b0) * N, *hn = S + o_hn + size_t(b0) * N, *cc = S + o_c + size_t(b0) * N;
    for (int t = 0; t < L; ++t) {
      const size_t row = sp.row(steps, ws ? t : 0, s);
      auto slot = [&](size_t off, int width) { return base + off + row * width; };
      const T* xt = x + (size_t(b0) * L + t) * I;
      const T* tst = ts ? ts + size_t(b0) * L + t : nullptr;
      if (d.mixed) {
        T* Z = slot(lay.gates, 4 * N);
        if (ws) {
          std::memcpy(slot(lay.hprev, N), h, sizeof(T) * R * N);
          std::memcpy(slot(lay.cprev, N), cc, sizeof(T) * R * N);
        }
        if (!pre) lstm_x(xt, S + o_WiT, Z);
        lstm_h(h, S + o_WrT, Z);
        lstm_forward(R, N, in[ix.lstm + 1], Z, cc, h, slot(lay.tanhc, N));
      }
      for (int l = 0; l < nl; ++l) {
        const LayerDims& ld = d.layers[l];
        const auto& li = ix.layers[l];
        const auto& wl = lay.layers[l];
        const int H = ld.hidden, C = ld.cat(), off = d.offset(l);
        T* cat = slot(wl.cat, C);
        if (l == 0)
          copy_rows(R, ld.in, xt, ldx, cat, C);
        else
          copy_rows(R, ld.in, hn + d.offset(l - 1), N, cat, C);
        copy_rows(R, H, h + off, N, cat + ld.in, C);
        const bool first = l == 0 && pre;  // this layer's first product already holds the inputs' share
        const T* feat = cat;
        for (int k = 0; k < ld.backbone_layers; ++k) {
          const int U = ld.widths[k];
          T* z = slot(wl.z[k], U);
          if (first && k == 0)
            first_h(cat + ld.in, W0 + size_t(ld.in) * U, z);
          else
            bb_gemm[l][k](feat, bbT[l][k], z);
          act_forward(d.act, R, U, in[li.backbone + 2 * k + 1], z, ws ? slot(wl.deriv[k], U) : nullptr);
          feat = z;
        }
        T* P = slot(wl.save, wl.save_width);
        if (first && ld.backbone_layers == 0)
          first_h(cat + ld.in, W0 + size_t(ld.in) * out0, P);
        else
          head_gemm[l](feat, headsT[l], P);
        if (d.mode == Mode::Pure)
          pure_forward(R, H, headsb[l], in[li.heads + 2], in[li.heads + 3], tst, L, P, hn + off, N);
        else
          gate_forward(d.mode == Mode::NoGate, d.fused_time(), R, H, headsb[l], tst, L, P, hn + off, N);
      }
      copy_rows(R, Ho, hn + (N - Ho), N, y + (size_t(b0) * L + t) * Ho, static_cast<size_t>(L) * Ho);
      std::swap(h, hn);
    }
  };
  team(sp.n, [&](int tid, int n) {
    SingleThreadBlas single;
    for (int s = tid; s < sp.n; s += n) run(s);
  });
  std::memcpy(hT, S + (L % 2 ? o_hn : o_h), sizeof(T) * B * N);
  if (d.mixed) std::memcpy(cT, S + o_c, sizeof(T) * B * N);
}

template <typename T>
void backward(const Dims& d, const std::vector<const T*>& in, const T* ws, const T* dy, const T* dhT, const T* dcT,
              const std::vector<T*>& grads) {
  const int B = d.B, L = d.L, I = d.I, N = d.state(), nl = static_cast<int>(d.layers.size());
  const InputIndex ix(d);
  const WsLayout lay(d, L);
  const Split sp(d);
  const bool pure = d.mode == Mode::Pure;
  const int rmax = sp.rows(sp.n - 1);  // the most rows a share has
  const int chunk = std::max(1, std::min(L, kChunkRows / std::max(B, 1)));
  const size_t CB = static_cast<size_t>(chunk) * B;
  T* dx = grads[ix.x];
  T* dts = d.has_ts ? grads[ix.ts] : nullptr;
  const int C0 = d.layers[0].cat();

  // Each share's own sums, one block of `acc.n` per share, added up after the loop: bias gradients, pure's dA and
  // dw_tau, and the weight gradients (heads stacked), which it forms from its own rows.
  Carve acc;
  std::vector<size_t> a_db(nl), a_dA(nl), a_dw(nl), a_dWh(nl);
  std::vector<std::vector<size_t>> a_dbb(nl), a_dWb(nl);
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    a_db[l] = acc.add(size_t(d.blocks()) * ld.hidden);
    a_dA[l] = acc.add(ld.hidden);
    a_dw[l] = acc.add(ld.hidden);
    a_dWh[l] = acc.add(size_t(d.blocks()) * ld.hidden * ld.feat());
    for (int k = 0; k < ld.backbone_layers; ++k) {
      a_dbb[l].push_back(acc.add(ld.widths[k]));
      a_dWb[l].push_back(acc.add(size_t(ld.widths[k]) * ld.width_in(k)));
    }
  }
  const size_t a_dbi = d.mixed ? acc.add(size_t(4) * N) : 0, a_dWi = d.mixed ? acc.add(size_t(4) * N * I) : 0,
               a_dWr = d.mixed ? acc.add(size_t(4) * N * N) : 0;

  // Scratch: packed heads; the chunk's per-step gradients (dP per layer, dpre per backbone layer, dZ of the LSTM)
  // and inputs' gradient, each share's rows one run; the running dh_t, dc_t; per-share temporaries; the sums.
  Carve c;
  int maxC = 0, maxF = 0;
  std::vector<size_t> o_W(nl), o_b(nl), o_dP(nl);
  std::vector<std::vector<size_t>> o_dpre(nl);
  for (int l = 0; l < nl; ++l) {
    auto& ld = d.layers[l];
    const size_t nh = size_t(d.blocks()) * ld.hidden;
    maxC = std::max(maxC, ld.cat());
    maxF = std::max({maxF, ld.feat(), ld.max_width()});
    o_W[l] = c.add(nh * ld.feat());
    o_b[l] = c.add(nh);
    o_dP[l] = c.add(CB * nh);
    for (int k = 0; k < ld.backbone_layers; ++k) o_dpre[l].push_back(c.add(CB * ld.widths[k]));
  }
  const size_t o_dZ = d.mixed ? c.add(CB * 4 * N) : 0, o_dxc = dx ? c.add(CB * I) : 0;
  const size_t o_acc = c.add(acc.n * sp.n);
  const size_t o_g = c.add(size_t(B) * N), o_old = c.add(size_t(B) * N), o_dc = c.add(size_t(B) * N);
  const size_t o_feat = c.add(size_t(sp.n) * rmax * std::max(maxF, maxC)), o_cat = c.add(size_t(sp.n) * rmax * maxC);
  Scratch<T> scratch(c.n);
  T* S = scratch.data();
  std::vector<Heads<T>> heads;
  for (int l = 0; l < nl; ++l) heads.push_back(pack_heads(d, ix.layers[l], d.layers[l], in, S + o_W[l], S + o_b[l]));
  std::vector<bool> want_heads(nl);
  for (int l = 0; l < nl; ++l)
    for (int q = 0; q < d.heads(); ++q) want_heads[l] = want_heads[l] || grads[ix.layers[l].heads + (pure ? 0 : 2 * q)];
  if (dts) std::fill(dts, dts + size_t(B) * L, T(0));  // accumulated in place
  std::fill(S + o_acc, S + o_acc + acc.n * sp.n, T(0));
  std::memcpy(S + o_g, dhT, sizeof(T) * B * N);
  if (d.mixed) std::memcpy(S + o_dc, dcT, sizeof(T) * B * N);
  const T* ts = d.has_ts ? in[ix.ts] : nullptr;
  const int Ho = d.out();

  // One share: rows [b0, b0 + R) back through every step, a chunk of steps at a time.
  auto run = [&](int s) {
    const int b0 = sp.lo(s), R = sp.rows(s);
    if (R == 0) return;
    T* sums = S + o_acc + acc.n * s;
    T* dfeat = S + o_feat + size_t(s) * rmax * std::max(maxF, maxC);
    T* dcat = S + o_cat + size_t(s) * rmax * maxC;
    // The per-step products. The one that yields layer 0's d[u, h] skips the u columns: the inputs' gradient is
    // one product per chunk.
    std::vector<FixedGemm<T>> head_back;
    std::vector<std::vector<FixedGemm<T>>> bb_back(nl);
    for (int l = 0; l < nl; ++l) {
      const LayerDims& ld = d.layers[l];
      const int F = ld.feat(), nh = d.blocks() * ld.hidden, skip = l == 0 ? ld.in : 0;
      head_back.emplace_back(false, false, R, F - (ld.backbone_layers > 0 ? 0 : skip), nh, nh, F, T(0), F);
      for (int k = 0; k < ld.backbone_layers; ++k) {
        const int U = ld.widths[k], Kin = ld.width_in(k);
        bb_back[l].emplace_back(false, false, R, Kin - (k == 0 ? skip : 0), U, U, Kin, T(0), Kin);
      }
    }
    const FixedGemm<T> lstm_back_h(false, false, R, N, 4 * N, 4 * N, N, T(0), N);
    for (int t0 = (L - 1) / chunk * chunk; t0 >= 0; t0 -= chunk) {
      const int n = std::min(chunk, L - t0);
      const size_t c0 = size_t(chunk) * b0;  // this share's first row in the chunk buffers
      // Without the LSTM, dh_t and the layers' dh_{t-1} swap buffers every step (L - t0 - n done so far).
      const bool swapped = !d.mixed && (L - t0 - n) % 2;
      T* g = S + (swapped ? o_old : o_g) + size_t(b0) * N;
      T* dold = S + (swapped ? o_g : o_old) + size_t(b0) * N;
      T* dc = S + o_dc + size_t(b0) * N;
      for (int t = t0 + n - 1; t >= t0; --t) {
        const size_t row = c0 + size_t(t - t0) * R;  // the step's rows in the chunk buffers
        auto saved = [&](size_t off, int width) { return ws + off + sp.row(L, t, s) * width; };
        const T* tst = ts ? ts + size_t(b0) * L + t : nullptr;
        T* dtst = dts ? dts + size_t(b0) * L + t : nullptr;
        add_rows(R, Ho, dy + (size_t(b0) * L + t) * Ho, static_cast<size_t>(L) * Ho, g + (N - Ho), N);
        for (int l = nl - 1; l >= 0; --l) {
          const LayerDims& ld = d.layers[l];
          const auto& li = ix.layers[l];
          const auto& wl = lay.layers[l];
          const int H = ld.hidden, C = ld.cat(), off = d.offset(l), nh = d.blocks() * H;
          T* dP = S + o_dP[l] + row * nh;
          const T* save = saved(wl.save, wl.save_width);
          if (pure)
            pure_backward(R, H, save, in[li.heads + 2], in[li.heads + 3], tst, L, g + off, N, dP, dtst, sums + a_dA[l],
                          sums + a_dw[l]);
          else
            gate_backward(d.mode == Mode::NoGate, d.fused_time(), R, H, save, tst, L, g + off, N, dP, dtst);
          colsum(R, nh, dP, nh, sums + a_db[l]);
          const int skip = l == 0 ? ld.in : 0;
          if (ld.backbone_layers > 0)
            head_back[l](dP, heads[l].W, dfeat);
          else
            head_back[l](dP, heads[l].W + skip, dcat + skip);
          for (int k = ld.backbone_layers - 1; k >= 0; --k) {
            const int U = ld.widths[k], sk = k == 0 ? skip : 0;
            T* dpre = S + o_dpre[l][k] + row * U;
            mul(static_cast<size_t>(R) * U, dfeat, saved(wl.deriv[k], U), dpre);
            colsum(R, U, dpre, U, sums + a_dbb[l][k]);
            bb_back[l][k](dpre, in[li.backbone + 2 * k] + sk, (k == 0 ? dcat : dfeat) + sk);
          }
          copy_rows(R, H, dcat + ld.in, C, dold + off, N);
          if (l > 0) add_rows(R, ld.in, dcat, C, g + d.offset(l - 1), N);
        }
        if (d.mixed) {
          T* dZ = S + o_dZ + row * 4 * N;
          lstm_backward(R, N, saved(lay.gates, 4 * N), saved(lay.cprev, N), saved(lay.tanhc, N), dold, dc, dZ);
          colsum(R, 4 * N, dZ, 4 * N, sums + a_dbi);
          lstm_back_h(dZ, in[ix.lstm + 2], g);
        } else {
          std::swap(g, dold);
        }
      }
      // The sums over this share's rows of the chunk: dW += (gradient rows)^T (the same rows of the layer's saved
      // inputs), and the inputs' gradient from layer 0's first product and the LSTM's input map.
      const int K = n * R;
      const size_t r0 = sp.row(L, t0, s);  // the chunk's first row of this share in the workspace
      for (int l = 0; l < nl; ++l) {
        const LayerDims& ld = d.layers[l];
        const auto& li = ix.layers[l];
        const auto& wl = lay.layers[l];
        const int F = ld.feat(), nh = d.blocks() * ld.hidden;
        const T* feat = ws + (ld.backbone_layers > 0 ? wl.z.back() : wl.cat) + r0 * F;
        if (want_heads[l])
          gemm(true, false, nh, F, K, T(1), S + o_dP[l] + c0 * nh, nh, feat, F, T(1), sums + a_dWh[l], F);
        for (int k = 0; k < ld.backbone_layers; ++k) {
          const int U = ld.widths[k], Kin = ld.width_in(k);
          const T* inp = ws + (k == 0 ? wl.cat : wl.z[k - 1]) + r0 * Kin;
          if (grads[li.backbone + 2 * k])
            gemm(true, false, U, Kin, K, T(1), S + o_dpre[l][k] + c0 * U, U, inp, Kin, T(1), sums + a_dWb[l][k], Kin);
        }
      }
      if (d.mixed) {
        // The inputs x_t are the first I columns of layer 0's saved [x_t, h] rows.
        if (grads[ix.lstm])
          gemm(true, false, 4 * N, I, K, T(1), S + o_dZ + c0 * 4 * N, 4 * N, ws + lay.layers[0].cat + r0 * C0, C0, T(1),
               sums + a_dWi, I);
        if (grads[ix.lstm + 2])
          gemm(true, false, 4 * N, N, K, T(1), S + o_dZ + c0 * 4 * N, 4 * N, ws + lay.hprev + r0 * N, N, T(1),
               sums + a_dWr, N);
      }
      if (dx) {
        const LayerDims& l0 = d.layers[0];
        T* dxc = S + o_dxc + c0 * I;
        if (l0.backbone_layers > 0)
          gemm(false, false, K, I, l0.widths[0], T(1), S + o_dpre[0][0] + c0 * l0.widths[0], l0.widths[0],
               in[ix.layers[0].backbone], C0, T(0), dxc, I);
        else
          gemm(false, false, K, I, d.blocks() * l0.hidden, T(1), S + o_dP[0] + c0 * d.blocks() * l0.hidden,
               d.blocks() * l0.hidden, heads[0].W, C0, T(0), dxc, I);
        if (d.mixed) gemm(false, false, K, I, 4 * N, T(1), S + o_dZ + c0 * 4 * N, 4 * N, in[ix.lstm], I, T(1), dxc, I);
        for (int q = 0; q < K; ++q)  // row q = (t - t0) * R + r is x's row (b0 + r, t)
          std::memcpy(dx + (size_t(b0 + q % R) * L + t0 + q / R) * I, dxc + size_t(q) * I, sizeof(T) * I);
      }
    }
  };
  team(sp.n, [&](int tid, int n) {
    SingleThreadBlas single;
    for (int s = tid; s < sp.n; s += n) run(s);
  });
  const bool swapped = !d.mixed && L % 2;
  if (grads[ix.h0]) std::memcpy(grads[ix.h0], S + (swapped ? o_old : o_g), sizeof(T) * B * N);
  if (d.mixed && grads[ix.c0]) std::memcpy(grads[ix.c0], S + o_dc, sizeof(T) * B * N);

  // The shares' sums, in share order, then each parameter's share of the stacked heads.
  T* sums = S + o_acc;
  for (int s = 1; s < sp.n; ++s)
    for (size_t j = 0; j < acc.n; ++j) sums[j] += sums[acc.n * s + j];
  auto put = [&](int i, size_t off, size_t n) {
    if (i >= 0 && grads[i]) std::memcpy(grads[i], sums + off, sizeof(T) * n);
  };
  for (int l = 0; l < nl; ++l) {
    const LayerDims& ld = d.layers[l];
    const auto& li = ix.layers[l];
    const int H = ld.hidden;
    const size_t HF = size_t(H) * ld.feat();
    if (pure) {
      put(li.heads, a_dWh[l], HF);
      put(li.heads + 1, a_db[l], H);
      put(li.heads + 2, a_dw[l], H);
      put(li.heads + 3, a_dA[l], H);
    } else {
      for (int q = 0; q < 4; ++q) {
        put(li.heads + 2 * q, a_dWh[l] + block_of(d, q) * HF, HF);
        put(li.heads + 2 * q + 1, a_db[l] + block_of(d, q) * H, H);
      }
    }
    for (int k = 0; k < ld.backbone_layers; ++k) {
      put(li.backbone + 2 * k, a_dWb[l][k], size_t(ld.widths[k]) * ld.width_in(k));
      put(li.backbone + 2 * k + 1, a_dbb[l][k], ld.widths[k]);
    }
  }
  if (d.mixed) {
    put(ix.lstm, a_dWi, size_t(4) * N * I);
    put(ix.lstm + 1, a_dbi, size_t(4) * N);
    put(ix.lstm + 2, a_dWr, size_t(4) * N * N);
  }
}

template void forward<float>(const Dims&, const std::vector<const float*>&, float*, float*, float*, float*);
template void forward<double>(const Dims&, const std::vector<const double*>&, double*, double*, double*, double*);
template void backward<float>(const Dims&, const std::vector<const float*>&, const float*, const float*, const float*,
                              const float*, const std::vector<float*>&);
template void backward<double>(const Dims&, const std::vector<const double*>&, const double*, const double*,
                               const double*, const double*, const std::vector<double*>&);

}  // namespace fl::kernels::cfc
