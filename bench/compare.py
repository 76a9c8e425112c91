#!/usr/bin/env python3
"""Pairs the Flashlight and PyTorch rows of `make bench` (medians of the repetitions) into one table.

Reads bench/results/fl_bench.json, fl_bench_torch.json and fl_bench_torch_1thread.json (Google Benchmark's
--benchmark_out), writes bench/results/summary.md and summary.csv, and prints the tables. Standard library only.
"""
import csv
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
ELT = [(op, n) for n in (100000, 1000000, 10000000) for op in ("add", "exp")]
SQ = "1000x1000"

# (label, Flashlight row, torch row, rate counter)
ROWS = [
    ("add, 1 element: lazy op only", "add_1elem/lazy", "add_1elem", None),
    ("add, 1 element: op + eval", "add_1elem/eval", "add_1elem", None),
    ("add, 1 element, requires_grad: lazy op only", "add_1elem_grad/lazy", "add_1elem_grad", None),
    ("add, 1 element, requires_grad: op + eval", "add_1elem_grad/eval", "add_1elem_grad", None),
    ("add a Python scalar, 1 element: lazy op only", "add_scalar_1elem/lazy", "add_scalar_1elem", None),
] + [(f"matmul {n}x{n} @ {n}x{n}", f"matmul/{n}", f"matmul/{n}", "GFLOP") for n in (256, 512, 1024, 2048)] + [
    (f"{op}, {n:.0e} elements".replace("e+0", "e"), f"{op}/{n}", f"{op}/{n}", "GB") for op, n in ELT
] + [("sum, 1e7 elements", "sum/10000000", "sum/10000000", "GB"),
     (f"add, [{SQ}] + [1000] (row broadcast)", f"add/{SQ}_row", f"add/{SQ}_row", "GB"),
     (f"sum over dim 1 (rows) of [{SQ}]", f"sum/{SQ}_dim1", f"sum/{SQ}_dim1", "GB"),
     (f"sum over dim 0 (columns) of [{SQ}]", f"sum/{SQ}_dim0", f"sum/{SQ}_dim0", "GB"),
     ("tanh, 1e6 elements", "tanh/1000000", "tanh/1000000", "GB"),
     ("gelu, 1e6 elements", "gelu/1000000", "gelu/1000000", "GB")]


def load(name):
    """run name -> {"us": median wall time in us, "rate": median counter, "cv": coefficient of variation}."""
    path = RESULTS / name
    if not path.exists():
        return {}, {}
    data = json.loads(path.read_text())
    out = {}
    for b in data["benchmarks"]:
        key = b["run_name"].replace("/real_time", "")
        row = out.setdefault(key, {})
        kind = b.get("aggregate_name", "single") if b.get("run_type") == "aggregate" else "single"
        if kind in ("median", "single") and not (kind == "single" and "us" in row):
            row["us"] = b["real_time"] * TO_US[b["time_unit"]]
            row["rate"] = b.get("GFLOP", b.get("GB"))
        elif kind == "cv":
            row["cv"] = b["real_time"]
    ctx = dict(data.get("context", {}))
    ctx["repetitions"] = max((b.get("repetitions", 1) for b in data["benchmarks"]), default=1)
    return out, ctx


def load_avg(ctx):
    la = ctx.get("load_avg")
    return "/".join(f"{x:.2f}" for x in la) if la else "?"


def t(us):
    if us is None:
        return "-"
    if us < 1:
        return f"{us * 1e3:.0f} ns"
    if us < 1000:
        return f"{us:.1f} us" if us < 100 else f"{us:.0f} us"
    return f"{us / 1e3:.2f} ms" if us < 1e5 else f"{us / 1e3:.0f} ms"


def main():
    fl, ctx = load("fl_bench.json")
    th, tctx = load("fl_bench_torch.json")
    th1, _ = load("fl_bench_torch_1thread.json")
    if not fl:
        sys.exit("no Flashlight results in bench/results/fl_bench.json")
    g = lambda d, k, f: d.get(k, {}).get(f)
    cv = lambda d, k: f"{g(d, k, 'cv') * 100:.0f}%" if g(d, k, "cv") is not None else "-"
    rate = lambda d, k: f"{g(d, k, 'rate'):.1f}" if g(d, k, "rate") is not None else "-"
    threads = ctx.get("bench_threads", "?")
    md = [f"Medians of {ctx['repetitions']} repetitions, wall-clock time. {threads} threads for both: "
          f"torch {tctx.get('torch_version', '(absent)')} with set_num_threads({tctx.get('torch_threads', '-')}), "
          f"Flashlight's BLAS ({ctx.get('flashlight_blas', '?')}) and elementwise/reduction kernels with "
          f"{ctx.get('flashlight_blas_threads', '?')} threads (MLX {ctx.get('mlx_version', '?')}'s own kernels, "
          "used for other ops, run on one thread). "
          "Ratio = Flashlight / torch (> 1: Flashlight slower). cv: spread of the repetitions. "
          f"Load average at start: {load_avg(ctx)} (Flashlight), {load_avg(tctx)} (torch).", "",
          "| workload | Flashlight | cv | torch | cv | ratio | rate fl / torch | torch, 1 thread |",
          "|---|---:|---:|---:|---:|---:|---:|---:|"]
    rows = [["workload", "flashlight_us", "flashlight_cv", "torch_us", "torch_cv", "ratio", "rate_unit",
             "flashlight_rate", "torch_rate", "torch_1thread_us"]]
    for label, fname, tname, unit in ROWS:
        fk, tk = "fl/" + fname, "torch/" + tname
        if fk not in fl and tk not in th:
            continue
        f_us, t_us, t1_us = g(fl, fk, "us"), g(th, tk, "us"), g(th1, tk, "us")
        ratio = f_us / t_us if f_us and t_us else None
        rate_s = f"{rate(fl, fk)} / {rate(th, tk)} {unit}/s" if unit else ""
        md.append(f"| {label} | {t(f_us)} | {cv(fl, fk)} | {t(t_us)} | {cv(th, tk)} | "
                  f"{f'{ratio:.2f}x' if ratio else '-'} | {rate_s} | {t(t1_us)} |")
        rows.append([label, f_us, g(fl, fk, "cv"), t_us, g(th, tk, "cv"), ratio, unit and f"{unit}/s",
                     g(fl, fk, "rate"), g(th, tk, "rate"), t1_us])
    # Flashlight over the same ops written directly against MLX: the wrapper's own cost.
    md += ["", "Flashlight vs the same op written directly in MLX (same process):", "",
           "| workload | Flashlight | raw MLX | ratio |", "|---|---:|---:|---:|"]
    for label, key in [("add, 1 element: op + eval", "add_1elem/eval")] + [
            (f"{op}, {n:.0e} elements".replace("e+0", "e"), f"{op}/{n}") for op, n in ELT] + [
            ("sum, 1e7 elements", "sum/10000000")]:
        f_us, m_us = g(fl, "fl/" + key, "us"), g(fl, "mlx/" + key, "us")
        if f_us and m_us:
            md.append(f"| {label} | {t(f_us)} | {t(m_us)} | {f_us / m_us:.2f}x |")
            rows.append([label + " (raw MLX)", m_us, g(fl, "mlx/" + key, "cv"), None, None, None, None, None, None,
                         None])
    text = "\n".join(md) + "\n"
    (RESULTS / "summary.md").write_text(text)
    with open(RESULTS / "summary.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    print(text)


if __name__ == "__main__":
    main()
