"""One library's benchmark worker: imports flashlight OR torch (never both), then times workloads on request.

Started by run_bench.py with the thread count already in OMP_NUM_THREADS / MKL_NUM_THREADS (they must be set
before the library loads its thread pools). Reads one JSON request per line on stdin and answers one JSON line
on the stdout it started with; anything the libraries print goes to stderr.

Requests: {"op": "run", "workload": name, "samples": k, "max_time": s, "min_sample_time": s} and {"op": "quit"}.
A run builds the workload the first time (then warms it up and picks `number`, the calls per sample, so that a
sample lasts at least min_sample_time), warms it up again briefly (the other library ran in between), then takes
up to k samples, stopping early once max_time has passed (always at least one). A sample is the mean time of
`number` consecutive calls, with the garbage collector off as in timeit.
"""
import argparse
import gc
import json
import math
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402

SLOW_CALL_S = 0.25  # calls slower than this are not warmed up again before each run


def import_library(lib, threads, fl_path):
    if lib == "torch":
        import torch
        torch.set_num_threads(threads)
        return torch, {"version": torch.__version__, "torch_threads": torch.get_num_threads()}
    if fl_path:  # a build tree's package (make bench) wins over an installed one, editable installs included
        sys.path.insert(0, fl_path)
        sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__name__.startswith("ScikitBuild")]
    import flashlight as fl
    import mlx.core as mx
    fl.set_num_threads(threads)
    return fl, {"mlx_version": mx.__version__,
                "path": str(Path(fl.__file__).parent), "blas_threads": fl.get_num_threads()}


class Context:
    """What builders see: the library, the shared NCP weights, and a note they may set (what Flashlight calls)."""

    def __init__(self, lib, weights_dir):
        self.lib, self.weights_dir, self.note = lib, weights_dir, ""

    def ncps_weights(self, key):
        with np.load(Path(self.weights_dir) / f"{key}.npz") as f:
            return {k: f[k] for k in f.files}

    def ncps_torch_model(self, key):
        import prep_ncps
        import torch
        model = prep_ncps.build(key)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in self.ncps_weights(key).items()})
        return model


class Runner:
    def __init__(self, lib_name, lib, weights_dir):
        self.lib_name, self.lib, self.weights_dir = lib_name, lib, weights_dir
        self.prepared = {}  # name -> (step, number, call_s, note, build_s)

    def prepare(self, name, min_sample_time):
        ctx = Context(self.lib, self.weights_dir)
        t0 = time.perf_counter()
        step = getattr(workloads.BY_NAME[name], "fl" if self.lib_name == "flashlight" else "torch")(ctx)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        step()  # first call: lazy initialisation, allocations
        first = time.perf_counter() - t0
        calls, t0 = 0, time.perf_counter()
        if first < 1.0:  # warm-up (excluded): at least 2 more calls and 0.1 s
            while calls < 2 or (time.perf_counter() - t0 < 0.1 and calls < 10000):
                step()
                calls += 1
        call_s = (time.perf_counter() - t0) / calls if calls else first
        number = max(1, math.ceil(min_sample_time / max(call_s, 1e-9)))
        self.prepared[name] = (step, number, call_s, ctx.note, build_s)

    def run(self, name, samples, max_time, min_sample_time):
        if name not in self.prepared:
            self.prepare(name, min_sample_time)
        step, number, call_s, note, build_s = self.prepared[name]
        if call_s < SLOW_CALL_S:  # re-warm caches and thread pools after the other library's run
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < min(0.02, 4 * call_s * number):
                step()
        times, start = [], time.perf_counter()
        while len(times) < samples and (not times or time.perf_counter() - start < max_time):
            gc.disable()
            try:
                t0 = time.perf_counter()
                for _ in range(number):
                    step()
                times.append((time.perf_counter() - t0) / number)
            finally:
                gc.enable()
        return {"times": times, "number": number, "note": note, "build_s": build_s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=["flashlight", "torch"], required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--weights", default="")
    ap.add_argument("--fl-path", default="")
    args = ap.parse_args()
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # library output (C or Python) goes to stderr, the protocol keeps the original stdout
    sys.stdout = sys.stderr
    try:
        lib, info = import_library(args.lib, args.threads, args.fl_path)
        info.update(lib=args.lib, threads=args.threads, pid=os.getpid())
    except Exception:
        out.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        out.flush()
        return 1
    out.write(json.dumps({"ready": info}) + "\n")
    out.flush()
    runner = Runner(args.lib, lib, args.weights)
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "quit":
            break
        try:
            reply = runner.run(req["workload"], req["samples"], req["max_time"], req["min_sample_time"])
        except Exception:
            reply = {"error": traceback.format_exc(limit=8)}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
