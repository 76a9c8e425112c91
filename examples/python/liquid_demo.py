"""`make demo`: liquid networks learning an irregularly sampled time series, then running from C++.

1. Generates a noisy sum of sines sampled at irregular times (the gaps are passed to the networks as timespans).
2. Trains a CfC and an LTC, each wired by an AutoNCP policy, with Adam, showing a progress bar.
3. Writes demo_out/: forecast.png (prediction against target on held-out data), loss.png, wiring.png, the
   trained checkpoints (*.safetensors, with a JSON description of each model) and the held-out data.
4. Runs the exported CfC from a C++ program (no Python) in a simulated control loop, and prints its per-step
   latency beside what the same step costs through the Python API.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import time

import numpy as np

import flashlight as fl
from flashlight import nn
from flashlight.ncps import CfC, LTC
from flashlight.ncps.wirings import AutoNCP
from flashlight.utils.progress import progress

SEED = 7


def make_series(rng: np.random.Generator, batch: int, length: int):
    """Irregularly sampled sum of sines: inputs (value, next gap), targets the next value, timespans the gaps."""
    gaps = rng.uniform(0.05, 0.35, (batch, length + 1))
    t = np.cumsum(gaps, axis=1) + rng.uniform(0, 20, (batch, 1))
    phase = rng.uniform(0, 2 * np.pi, (batch, 3, 1))
    clean = (np.sin(1.0 * t + phase[:, 0]) + 0.5 * np.sin(2.3 * t + phase[:, 1]) +
             0.25 * np.sin(4.1 * t + phase[:, 2]))
    noisy = clean + rng.normal(0, 0.05, clean.shape)
    x = np.stack([noisy[:, :-1], gaps[:, 1:]], axis=-1)  # the current value and the gap to the next sample
    y = clean[:, 1:, None]
    return (x.astype(np.float32), y.astype(np.float32), gaps[:, :-1].astype(np.float32))


class Forecaster(nn.Module):
    """A liquid RNN (CfC or LTC) whose wiring ends in one motor neuron: the forecast."""

    def __init__(self, kind: str, units: int, seed: int):
        super().__init__()
        self.kind, self.units, self.seed = kind, units, seed
        self.wiring = AutoNCP(units, 1, seed=seed)
        # The CfC's motor neuron is bounded by tanh: a Linear projection (ncps's proj_size) scales it to the series.
        # The LTC's affine output mapping already does.
        self.rnn = CfC(2, self.wiring, proj_size=1) if kind == "cfc" else LTC(2, self.wiring)

    def forward(self, x, timespans):
        return self.rnn(x, timespans=timespans)[0]

    def describe(self) -> dict:
        return {"kind": self.kind, "input_size": 2, "units": self.units, "output_size": 1, "seed": self.seed,
                "wiring": "AutoNCP"}


def train(model: Forecaster, data, steps: int, lr: float, batch: int, rng) -> list[float]:
    x, y, ts = data
    opt = fl.optim.Adam(model.parameters(), lr=lr)
    losses = []
    bar = progress(range(steps), desc=f"{model.kind.upper():>3} AutoNCP({model.units},1)", log_every=steps // 4)
    for _ in bar:
        idx = rng.integers(0, x.shape[0], batch)
        pred = model(fl.tensor(x[idx]), fl.tensor(ts[idx]))
        loss = nn.functional.mse_loss(pred, fl.tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.set_postfix(loss=float(np.mean(losses[-20:])))
    return losses


def python_step_latency(model: Forecaster, x: np.ndarray, ts: np.ndarray, ticks: int) -> float:
    """Median µs per control tick through the Python API's single-step call."""
    state = None
    times = []
    for i in range(ticks):
        xt = fl.tensor(x[0, i % x.shape[1]][None])
        t0 = time.perf_counter()
        _, state = model.rnn.step(xt, state, float(ts[0, i % x.shape[1]]))
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e6)


def plot(out: pathlib.Path, held, preds: dict, losses: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y, ts = held
    t = np.cumsum(ts[0])
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(t, y[0, :, 0], "k-", lw=2, label="target (next value)")
    ax.plot(t, x[0, :, 0], ".", color="0.6", ms=3, label="noisy input samples")
    for name, p in preds.items():
        ax.plot(t, p[0, :, 0], lw=1.5, label=f"{name} forecast")
    ax.set_xlabel("time (irregular sampling)")
    ax.legend(loc="upper right")
    ax.set_title("Held-out forecast")
    fig.tight_layout()
    fig.savefig(out / "forecast.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, l in losses.items():
        ax.semilogy(l, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training MSE")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "loss.png", dpi=120)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="demo_out")
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--control-binary", default="build/ncps_control",
                    help="the C++ control-loop program (built by `make demo`); skipped if missing")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fl.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    data = make_series(rng, 512, 48)
    held = make_series(np.random.default_rng(SEED + 1), 1, 160)

    models = {"CfC": Forecaster("cfc", 24, SEED), "LTC": Forecaster("ltc", 20, SEED)}
    losses, preds = {}, {}
    for name, model in models.items():
        t0 = time.perf_counter()
        losses[name] = train(model, data, args.steps, 0.01 if name == "CfC" else 0.02, 32, rng)
        dt = time.perf_counter() - t0
        with fl.no_grad():
            preds[name] = model(fl.tensor(held[0]), fl.tensor(held[2])).numpy()
        mse = float(np.mean((preds[name] - held[1]) ** 2))
        print(f"{name}: {args.steps} steps in {dt:.1f} s ({args.steps / dt:.0f} steps/s), "
              f"final training loss {np.mean(losses[name][-20:]):.4f}, held-out MSE {mse:.4f} "
              f"(predicting the last value: {float(np.mean((held[0][..., :1] - held[1]) ** 2)):.4f})")
        fl.save(model.state_dict(), out / f"{name.lower()}.safetensors")
        (out / f"{name.lower()}.json").write_text(json.dumps(model.describe(), indent=2))
    fl.save({"x": fl.tensor(held[0]), "y": fl.tensor(held[1]), "timespans": fl.tensor(held[2]),
             "cfc_prediction": fl.tensor(preds["CfC"])}, out / "heldout.safetensors")
    plot(out, held, preds, losses)
    models["CfC"].wiring.draw_graph(save=str(out / "wiring.png"))

    py_us = python_step_latency(models["CfC"], held[0], held[2], 2000)
    print(f"Python API single step (CfC, batch 1): {py_us:.1f} µs median")
    binary = pathlib.Path(args.control_binary)
    if binary.exists():
        print(f"Running the exported CfC from C++ ({binary}):")
        sys.stdout.flush()
        cfc = models["CfC"]
        subprocess.run([str(binary), str(out), str(cfc.units), str(cfc.seed)], check=True)
    else:
        print(f"(C++ control loop skipped: {binary} not built)")
    print(f"\nOutputs in {out.resolve()}/: forecast.png, loss.png, wiring.png, cfc.safetensors, ltc.safetensors, "
          "heldout.safetensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
