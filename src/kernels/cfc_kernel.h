// The fused CfC sequence kernel (CPU): the shapes of one run, where each input sits in the op's array list, the
// saved-activation layout, and forward / backward through time over raw row-major buffers.
#pragma once
#include <cstddef>
#include <vector>

namespace fl::kernels::cfc {

enum class Mode { Default, Pure, NoGate };
enum class Act { LeCunTanh, SiLU, ReLU, Tanh, GELU };

/// One CfC cell: ncps's CfCCell, or one layer of a WiredCfCCell (no backbone there).
struct LayerDims {
  int in = 0;  // input features: D for layer 0, the previous layer's units after it
  int hidden = 0;
  int backbone_layers = 0;
  std::vector<int> widths;  // the backbone layers' widths
  int cat() const { return in + hidden; }
  int feat() const { return backbone_layers > 0 ? widths.back() : cat(); }
  /// Inputs of backbone layer k: [u, h] for the first, the previous layer's width after it.
  int width_in(int k) const { return k == 0 ? cat() : widths[k - 1]; }
  int max_width() const;
};

struct Dims {
  int B = 0, L = 0, I = 0;
  Mode mode = Mode::Default;
  Act act = Act::LeCunTanh;
  bool mixed = false;   // ncps's LSTM cell runs before the CfC cell each step
  bool has_ts = false;  // per-sample, per-step elapsed times (B, L); 1.0 otherwise
  /// Shares the batch rows are split into, one per thread, each through the whole sequence (Split); it sets the
  /// workspace's row order, so a forward and its backward take the same (threads_for when the op is built).
  /// 0 counts as 1.
  int shares = 0;
  std::vector<LayerDims> layers;

  int heads() const { return mode == Mode::Pure ? 1 : 4; }  // ff1 [, ff2, time_a, time_b]
  /// Without elapsed times the gate's time_a * 1 + time_b is one head of weight W_a + W_b.
  bool fused_time() const { return mode != Mode::Pure && !has_ts; }
  /// Head blocks the kernel stacks in its products and saved values: 1 (pure), 3 (fused time) or 4.
  int blocks() const { return mode == Mode::Pure ? 1 : fused_time() ? 3 : 4; }
  int state() const;                                // N: all layers' units
  int offset(int l) const;                          // layer l's first state column
  int out() const { return layers.back().hidden; }  // the last layer's units (the output)
};

/// Positions in the op's array list: x (B,L,I), h0 (B,N), [c0], [ts (B,L)], then per layer its backbone (W, b)
/// pairs and heads (pure: ff1.W, ff1.b, w_tau, A; else ff1, ff2, time_a, time_b as W, b pairs), then [lstm
/// input_map.W, input_map.b, recurrent_map.W].
struct InputIndex {
  int x = 0, h0 = 1, c0 = -1, ts = -1, lstm = -1, count = 0;
  struct Layer {
    int backbone = -1;  // W_k at backbone + 2k, b_k at backbone + 2k + 1
    int heads = -1;
  };
  std::vector<Layer> layers;
  explicit InputIndex(const Dims& d);
};

/// Batch rows [lo(s), lo(s + 1)) form share s. Blocks of per-step rows are share-major: share s's rows of step t
/// start at row(steps, t, s), so each share's rows of every step are one run (its own products span them).
struct Split {
  int B, n;
  explicit Split(const Dims& d) : B(d.B), n(d.shares > 0 ? d.shares : 1) {}
  int lo(int s) const { return static_cast<int>(static_cast<long long>(B) * s / n); }
  int rows(int s) const { return lo(s + 1) - lo(s); }
  size_t row(int steps, int t, int s) const {
    return static_cast<size_t>(steps) * lo(s) + static_cast<size_t>(t) * rows(s);
  }
};

/// Offsets (in elements) of the saved activations, each a (steps*B, width) block with rows in Split's order.
struct WsLayout {
  struct Layer {
    size_t cat = 0;                // [u, h] fed to the cell
    std::vector<size_t> z, deriv;  // backbone outputs and activation derivatives
    size_t save = 0;               // pure: [a1, e]; else [tanh ff1, tanh ff2, time_a, gate]
    int save_width = 0;
  };
  std::vector<Layer> layers;
  size_t gates = 0, cprev = 0, tanhc = 0,
         hprev = 0;  // LSTM: [tanh i, s(ig), s(fg+1), s(og)], c_{t-1}, tanh c_t, h_{t-1}
  size_t total = 0;
  WsLayout(const Dims& d, int steps);
};

/// How many times forward() has run in this process (tests check that a backward reuses the forward's results).
size_t forward_runs();
/// How many of those saved their activations for a backward (only when autograd records the op).
size_t saving_forward_runs();

/// Elements of the workspace the backward reads (0 for an empty sequence).
size_t workspace_size(const Dims& d);

/// The shares (threads) for a sequence: fl::set_num_threads's count, at most B, and 1 for sequences too small to
/// pay for waking a second thread.
int threads_for(const Dims& d);

/// in: one pointer per InputIndex entry (row-major). y (B,L,out), hT and cT (B,N). ws: workspace_size elements, or
/// null when no backward will follow.
template <typename T>
void forward(const Dims& d, const std::vector<const T*>& in, T* y, T* hT, T* cT, T* ws);

/// Backward through time. grads: one pointer per input (null: not wanted), each fully written. dcT is null
/// without mixed memory.
template <typename T>
void backward(const Dims& d, const std::vector<const T*>& in, const T* ws, const T* dy, const T* dhT, const T* dcT,
              const std::vector<T*>& grads);

}  // namespace fl::kernels::cfc
