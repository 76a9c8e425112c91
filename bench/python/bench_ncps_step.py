"""Single-step inference latency of liquid networks from Python, batch 1: Flashlight's layer step() and its Policy,
beside PyTorch.

Run: .venv/bin/python bench/python/bench_ncps_step.py   (C++ rows: build-bench/fl_bench --benchmark_filter=fl/ncps)
Models: the issue's CfC(8, 64) (ncps's default 128-unit backbone) and LTC(8, AutoNCP(32, 4)). Rows:
  - model.step: a fresh input tensor from numpy, the layer's step(), the output read back with .numpy();
  - policy.step: model.policy() over numpy buffers updated in place (no tensors, no allocation);
  - torch: the same CfC cell step written with torch ops (ncps.torch's CfCCell.forward without its sequence
    wrapper, so a lower bound of `ncps` itself), and ncps.torch's CfC / LTC step when the `ncps` package is
    installed (not a Flashlight dependency).
Each figure is the median of per-call wall-clock times (robust to a shared machine's preemptions), best of 3 rounds.
"""
import importlib.util
import time

import numpy as np

import flashlight as fl
from flashlight.ncps import CfC, LTC
from flashlight.ncps.wirings import AutoNCP

CALLS, ROUNDS = 5000, 3


def median_us(fn):
    best = float("inf")
    for _ in range(ROUNDS):
        times = np.empty(CALLS)
        for i in range(CALLS):
            t0 = time.perf_counter()
            fn()
            times[i] = time.perf_counter() - t0
        best = min(best, float(np.median(times)))
    return best * 1e6


def flashlight_rows(model):
    model.eval()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8).astype(np.float32)
    state = [None]

    def module_step():
        out, state[0] = model.step(fl.tensor(x), state[0], 0.1)
        out.numpy()

    policy = model.policy()
    h, out = np.zeros(policy.state_size, np.float32), np.zeros(policy.output_size, np.float32)
    return {"model.step": median_us(module_step), "policy.step": median_us(lambda: policy.step(x, h, 0.1, out))}


def torch_cfc_cell_row():
    """ncps.torch's CfCCell.forward (default mode, LeCun tanh backbone of 128) on one sample, with torch ops."""
    import torch

    torch.set_num_threads(1)
    lin = torch.nn.Linear
    backbone, ff1, ff2, ta, tb = lin(8 + 64, 128), lin(128, 64), lin(128, 64), lin(128, 64), lin(128, 64)
    x, h, ts = torch.randn(1, 8), torch.zeros(1, 64), torch.full((1, 1), 0.1)

    def step():
        with torch.no_grad():
            z = 1.7159 * torch.tanh(0.666 * backbone(torch.cat([x, h], 1)))
            gate = torch.sigmoid(ta(z) * ts + tb(z))
            return torch.tanh(ff1(z)) * (1.0 - gate) + gate * torch.tanh(ff2(z))

    return median_us(step)


def ncps_rows():
    """ncps.torch's own layers, one step (a length-1 sequence with its state), when ncps is installed."""
    if importlib.util.find_spec("ncps") is None:
        return {}
    import torch
    from ncps.torch import CfC as TorchCfC, LTC as TorchLTC
    from ncps.wirings import AutoNCP as TorchAutoNCP

    torch.set_num_threads(1)
    rows = {}
    for name, model in (("CfC(8, 64)", TorchCfC(8, 64)), ("LTC(8, AutoNCP(32, 4))", TorchLTC(8, TorchAutoNCP(32, 4)))):
        x, state = torch.randn(1, 1, 8), [None]

        def step():
            with torch.no_grad():
                _, state[0] = model(x, state[0], torch.full((1, 1), 0.1))

        rows[name] = median_us(step)
    return rows


def main():
    fl.manual_seed(0)
    ours = {"CfC(8, 64)": flashlight_rows(CfC(8, 64)), "LTC(8, AutoNCP(32, 4))": flashlight_rows(LTC(8, AutoNCP(32, 4)))}
    torch_cell = {"CfC(8, 64)": torch_cfc_cell_row() if importlib.util.find_spec("torch") else None}
    ncps = ncps_rows()
    print("Liquid networks, one inference step at batch 1 from Python (median per call, us)")
    print("| model | fl model.step | fl policy.step | torch cell ops | ncps.torch |")
    print("|---|---:|---:|---:|---:|")
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    for name, r in ours.items():
        print(f"| {name} | {fmt(r['model.step'])} | {fmt(r['policy.step'])} | {fmt(torch_cell.get(name))} | "
              f"{fmt(ncps.get(name))} |")


if __name__ == "__main__":
    main()
