// The LTC CPU kernel (ltc_cpu.cpp): prepared parameters, scratch buffers and the entry points of the fused
// sequence op (forward, backward through time) and of the single-step engine. Internal to Flashlight.
//
// Layout: inside the kernel every per-sample quantity is feature-major, [feature][batch], so that the loops over
// synapses run over contiguous batch rows (vectorised for training batches). Only the synapses whose mask entry
// is nonzero are stored (AutoNCP(32, 4) keeps 116 of 1024 recurrent and 64 of 256 sensory synapses).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace fl::kernels::ltc {

/// The fused op's inputs, in this order. Absent mappings are passed as neutral values (ones, zeros), absent
/// timespans as ones, an absent initial state as zeros, and without mixed memory c0 and the LSTM as empty arrays.
// clang-format off
enum Slot : int {
  kX, kH0, kC0, kTs,
  kGleak, kVleak, kCm, kSigma, kMu, kW, kErev,
  kSensorySigma, kSensoryMu, kSensoryW, kSensoryErev,
  kMask, kSensoryMask,
  kInputW, kInputB, kOutputW, kOutputB,
  kLstmWi, kLstmBi, kLstmWr,
  kNumSlots
};
// clang-format on

/// Batch, steps, inputs, units, motor neurons, ODE unfolds, and whether the LSTM memory runs.
struct Dims {
  int64_t B = 0, L = 0, D = 0, N = 0, M = 0, K = 0;
  bool mixed = false;
};

template <typename T>
using Ptrs = std::array<const T*, kNumSlots>;
template <typename T>
using MutPtrs = std::array<T*, kNumSlots>;

/// The active synapses of one layer (recurrent N -> N or sensory D -> N), grouped by postsynaptic neuron.
template <typename T>
struct Synapses {
  int64_t n_pre = 0, n_post = 0;
  std::vector<int32_t> pre, post;
  std::vector<int64_t> begin;    // CSR offsets by postsynaptic neuron (n_post + 1)
  std::vector<int64_t> dense;    // pre * n_post + post: where a synapse's gradient goes
  std::vector<T> sig, mu, W, E;  // W = pos(w) * mask
  std::vector<T> dW_dw;          // mask * pos'(w)
  int64_t size() const { return static_cast<int64_t>(pre.size()); }
};

/// Parameters prepared for the kernel: positivity applied, masks folded into the synapse lists.
template <typename T>
struct Model {
  int64_t D = 0, N = 0, M = 0, K = 0;
  bool mixed = false;
  T eps = 0;
  Synapses<T> rec, sens;
  std::vector<T> gl, dgl, vleak, glvl, cm, dcm;  // pos(gleak), pos'(gleak), vleak, pos(gleak) * vleak, ...
  std::vector<T> in_w, in_b, out_w, out_b;
  std::vector<T> wi, bi, wr;  // LSTM: (4N, D), (4N), (4N, N)
  /// Elements of one step's tape: the K + 1 states and K reciprocal denominators, plus the LSTM gates and cell.
  int64_t step_tape(int64_t B) const { return ((2 * K + 1) * N + (mixed ? 5 * N : 0)) * B; }
};

/// Builds the model from dense row-major parameters (the parameter slots of p; LSTM ones only if mixed).
template <typename T>
void build_model(Model<T>& m, const Dims& d, double epsilon, bool implicit, const Ptrs<T>& p);

/// Scratch reused across calls; resize() allocates only when a larger batch or model arrives.
template <typename T>
struct Workspace {
  std::vector<T> xT, xm, tsK, cmt, S, num, den, Ns, Ds, tmp, step, h0T, c0T;
  // backward
  std::vector<T> G, G2, gC, Q, Sdnum, Sdden, dxm, dz, dxT;
  std::vector<T> acc_rec, acc_sens;  // 4 per-(synapse, sample) accumulators per layer
  std::vector<T> acc_gl, acc_vl, acc_cm, acc_ow, acc_ob, acc_iw, acc_ib;
  void resize(const Model<T>& m, int64_t B, bool backward);
};

/// x (B, L, D), h0 (B, N), c0 (B, N) if mixed, ts (B, L): dense row-major.
template <typename T>
struct SequenceInputs {
  const T *x, *h0, *c0, *ts;
};

/// Runs the sequence: y (B, L, M), hT (B, N), cT (B, N) if mixed. With a tape (L * step_tape(B) elements) it
/// records what the backward needs.
template <typename T>
void sequence_forward(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, T* y, T* hT,
                      T* cT, T* tape);

/// Backward through time from the tape: writes the gradient of every slot (zeros for the masks) into g, whose
/// buffers have the shapes of the inputs. gy, ghT, gcT: the cotangents of y, hT, cT.
template <typename T>
void sequence_backward(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, const T* tape,
                       const T* gy, const T* ghT, const T* gcT, const MutPtrs<T>& g);

/// One step on row-major buffers: x (B, D), h (B, N) and c (B, N, mixed only) advance in place, y (B, M) if not
/// null; dt is the elapsed time. Needs ws.resize(m, B, false).
template <typename T>
void step(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* x, T* h, T* c, T dt, T* y);

/// "avx2" or "generic": the code path this CPU runs.
const char* isa();

}  // namespace fl::kernels::ltc
