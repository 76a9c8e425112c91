// Deployment without Python: loads the CfC that examples/python/liquid_demo.py trained (a checkpoint written by
// Python's fl.save), checks it reproduces Python's held-out forecast, then runs it in a simulated control loop,
// one sensor reading per tick, and reports the per-tick latency.
//
//   ncps_control DEMO_OUT_DIR [UNITS SEED]     (the demo passes the AutoNCP size and seed it trained with)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fl/fl.h"
#include "fl/ncps/cfc.h"
#include "fl/ncps/modules.h"
#include "fl/ncps/wirings.h"
#include "fl/serialize.h"

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DEMO_OUT_DIR [UNITS SEED]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t units = argc > 2 ? std::atoll(argv[2]) : 24, seed = argc > 3 ? std::atoll(argv[3]) : 7;

  // The Python Forecaster holds the CfC as `rnn`: its entries are "rnn.<ncps name>".
  std::map<std::string, fl::Tensor> state;
  for (auto& [name, t] : fl::load(dir + "/cfc.safetensors"))
    if (name.rfind("rnn.", 0) == 0) state[name.substr(4)] = t;
  auto wiring = std::make_shared<fl::ncps::AutoNCP>(units, 1, 0.5, seed);
  fl::ncps::CfCOptions options;
  options.proj_size = 1;  // the demo's CfC ends in a Linear(1, 1) projection (fc)
  fl::ncps::CfC model(2, wiring, options);
  model.load_state_dict(state);
  model.eval();

  // The same forecast as Python's on the held-out series.
  auto held = fl::load(dir + "/heldout.safetensors");
  fl::Tensor x = held.at("x"), ts = held.at("timespans");
  fl::Tensor y;
  {
    fl::NoGradGuard no_grad;
    y = model.forward(x, {}, ts).output;
  }
  double diff = (y - held.at("cfc_prediction")).abs().max().item<double>();
  std::printf("  loaded %s/cfc.safetensors: CfC(2, AutoNCP(%lld, 1)), %zu tensors; forecast matches Python's "
              "to %.1e\n",
              dir.c_str(), static_cast<long long>(units), state.size(), diff);
  if (diff > 1e-4) {
    std::fprintf(stderr, "forecast differs from Python's by %g\n", diff);
    return 1;
  }

  // The control loop: one reading per tick, the state carried between ticks. The raw stepper works on plain
  // buffers (no tensors, no graph, no allocation per tick); the module's step() is the Tensor-level call.
  const int64_t steps = x.size(1);
  std::vector<float> xs = x.contiguous().tolist<float>(), gaps = ts.contiguous().tolist<float>();
  fl::ncps::CfCStepper stepper(fl::ncps::CfCWeights::from_state_dict(state));
  std::vector<float> h(static_cast<size_t>(stepper.state_buffer_size()), 0.0f);
  const float fc_w = state.at("fc.weight").item<float>(), fc_b = state.at("fc.bias").item<float>();
  const int ticks = 20000;
  std::vector<double> raw_us, module_us;
  raw_us.reserve(ticks);
  float forecast = 0;
  for (int i = 0; i < ticks; ++i) {
    int64_t t = i % steps;
    if (t == 0) std::fill(h.begin(), h.end(), 0.0f);  // a new episode
    auto t0 = Clock::now();
    stepper.step(&xs[static_cast<size_t>(2 * t)], h.data(), gaps[static_cast<size_t>(t)]);
    forecast = fc_w * h[static_cast<size_t>(stepper.output_offset())] + fc_b;  // motor neuron -> next value
    raw_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::vector<fl::ncps::CellState> st;
  for (int i = 0; i < 2000; ++i) {
    int64_t t = i % steps;
    fl::Tensor xt = x.select(0, 0).select(0, t);
    auto t0 = Clock::now();
    auto out = model.step(xt, t == 0 ? std::vector<fl::ncps::CellState>{} : st, gaps[static_cast<size_t>(t)]);
    st = out.state;
    out.output.eval();
    module_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::printf("  control loop, batch 1, %d ticks: raw stepper %.2f us median (p99 %.2f us); module step() %.1f us "
              "median (last forecast %.3f)\n",
              ticks, percentile(raw_us, 0.5), percentile(raw_us, 0.99), percentile(module_us, 0.5), forecast);
  return 0;
}
