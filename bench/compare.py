#!/usr/bin/env python3
"""Pairs the Flashlight and PyTorch rows of `make bench` (medians) into one summary.

Reads bench/results/python_bench.json (bench/python/run_bench.py: the Python-level workloads) and fl_bench.json,
fl_bench_torch.json, fl_bench_torch_1thread.json (Google Benchmark's --benchmark_out of the C++ rows); writes
bench/results/summary.md, summary.csv, summary.json and summary.png (bar chart; needs matplotlib, skipped without
it), and prints the tables. Either half may be missing.
"""
import csv
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
import report  # noqa: E402  (bench/python/report.py: the Python table, targets, the chart)

# C++ raw-buffer stepper rows of fl_bench, paired with the ncps.torch cell call of the Python harness
CPP_STEPPERS = [("cfc64_step", "CfC(8, 64) single step, batch 1: C++ CfCStepper raw step", 20.0, 2.5,
                 ">= 20x faster, < 2.5 us"),
                ("ltc_ncp_step", "LTC(8, AutoNCP(32, 4)) single step, batch 1: C++ LTCStepper raw step", 20.0,
                 10.0, ">= 20x faster, < 10 us")]
CSV_COLUMNS = ["source", "workload", "label", "threads", "flashlight_us", "torch_us", "ratio", "speedup", "target",
               "target_met", "flashlight_spread", "torch_spread", "flashlight_n", "torch_n", "flashlight_cv",
               "torch_cv", "rate_unit", "flashlight_rate", "torch_rate", "torch_1thread_us", "flashlight_note",
               "error"]
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


def load(name, results=RESULTS):
    """run name -> {"us": median wall time in us, "rate": median counter, "cv": coefficient of variation}."""
    path = results / name
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


t = report.fmt_time


def python_section(py):
    """Markdown lines and rows of the Python-level harness."""
    rows = report.rows_from_results(py)
    md = ["## Python API: Flashlight vs PyTorch (+ ncps)", "", report.conditions_text(py), "",
          "Median per call over all samples of all rounds; spread = interquartile range / median of those samples. "
          "fl / torch > 1: Flashlight slower; speed-up = torch / Flashlight.", "", report.markdown_table(rows), ""]
    return md, rows


def cpp_stepper_section(fl, ctx, py_rows):
    """The C++ steppers (fl_bench) beside the ncps.torch cell call timed by the Python harness."""
    threads = int(ctx.get("bench_threads", 0) or 0)
    torch_by = {(r["workload"], r["threads"]): r["torch_us"] for r in py_rows}
    md, rows = [], []
    for name, label, goal, max_us, text in CPP_STEPPERS:
        f_us = fl.get("fl/ncps/" + name, {}).get("us")
        if f_us is None:
            continue
        t_threads = threads if (name, threads) in torch_by else min((t for w, t in torch_by if w == name), default=0)
        t_us = torch_by.get((name, t_threads))
        speedup = t_us / f_us if t_us else None
        target = {"speedup": goal, "max_us": max_us, "text": text}
        rows.append({"source": "cpp+python", "workload": name + "_cpp", "label": label, "group": "latency",
                     "threads": t_threads or threads, "flashlight_us": f_us, "torch_us": t_us,
                     "ratio": f_us / t_us if t_us else None, "speedup": speedup, "target": text,
                     "target_speedup": goal, "target_met": report.target_met(target, f_us, speedup),
                     "flashlight_cv": fl["fl/ncps/" + name].get("cv"), "flashlight_note": "fl_bench (C++)"})
    if rows:
        md = ["## Single-step NCP inference from C++ (fl_bench) vs one ncps.torch cell call (Python, no_grad)", "",
              "Flashlight: median of the fl_bench repetitions (raw-buffer `step(x, state)`, batch 1, no Tensor, "
              f"no graph); torch: the Python harness's median at {rows[0]['threads']} thread(s).", "",
              "| workload | Flashlight (C++) | cv | torch + ncps (Python) | fl / torch | speed-up | target | met |",
              "|---|---:|---:|---:|---:|---:|---|---|"]
        for r in rows:
            cv = f"{r['flashlight_cv'] * 100:.0f}%" if r.get("flashlight_cv") is not None else "-"
            ratio = f"{r['ratio']:.3f}" if r["ratio"] else "-"
            speedup = f"{r['speedup']:.1f}x" if r["speedup"] else "-"
            md.append(f"| {r['label']} | {t(r['flashlight_us'])} | {cv} | {t(r['torch_us'])} | {ratio} | {speedup} | "
                      f"{r['target']} | {r['target_met'] or '-'} |")
        md.append("")
    return md, rows


def cpp_section(fl, ctx, th, tctx, th1):
    """The C++ Google Benchmark tables (Flashlight beside libtorch, and beside raw MLX)."""
    g = lambda d, k, f: d.get(k, {}).get(f)
    cv = lambda d, k: f"{g(d, k, 'cv') * 100:.0f}%" if g(d, k, "cv") is not None else "-"
    rate = lambda d, k: f"{g(d, k, 'rate'):.1f}" if g(d, k, "rate") is not None else "-"
    threads = ctx.get("bench_threads", "?")
    md = ["## C++ (fl_bench vs fl_bench_torch, Google Benchmark)", "",
          f"Medians of {ctx['repetitions']} repetitions, wall-clock time. {threads} threads for both: "
          f"torch {tctx.get('torch_version', '(absent)')} with set_num_threads({tctx.get('torch_threads', '-')}), "
          f"Flashlight's BLAS ({ctx.get('flashlight_blas', '?')}) and elementwise/reduction kernels with "
          f"{ctx.get('flashlight_blas_threads', '?')} threads (MLX {ctx.get('mlx_version', '?')}'s own kernels, "
          "used for other ops, run on one thread). "
          "Ratio = Flashlight / torch (> 1: Flashlight slower). cv: spread of the repetitions. "
          f"Load average at start: {load_avg(ctx)} (Flashlight), {load_avg(tctx)} (torch).", "",
          "| workload | Flashlight | cv | torch | cv | ratio | rate fl / torch | torch, 1 thread |",
          "|---|---:|---:|---:|---:|---:|---:|---:|"]
    rows = []
    for label, fname, tname, unit in ROWS:
        fk, tk = "fl/" + fname, "torch/" + tname
        if fk not in fl and tk not in th:
            continue
        f_us, t_us, t1_us = g(fl, fk, "us"), g(th, tk, "us"), g(th1, tk, "us")
        ratio = f_us / t_us if f_us and t_us else None
        rate_s = f"{rate(fl, fk)} / {rate(th, tk)} {unit}/s" if unit else ""
        md.append(f"| {label} | {t(f_us)} | {cv(fl, fk)} | {t(t_us)} | {cv(th, tk)} | "
                  f"{f'{ratio:.2f}x' if ratio else '-'} | {rate_s} | {t(t1_us)} |")
        rows.append({"source": "cpp", "workload": fname, "label": label, "threads": threads, "flashlight_us": f_us,
                     "torch_us": t_us, "ratio": ratio, "speedup": t_us / f_us if f_us and t_us else None,
                     "flashlight_cv": g(fl, fk, "cv"), "torch_cv": g(th, tk, "cv"), "rate_unit": unit and f"{unit}/s",
                     "flashlight_rate": g(fl, fk, "rate"), "torch_rate": g(th, tk, "rate"), "torch_1thread_us": t1_us})
    # Flashlight over the same ops written directly against MLX: the wrapper's own cost.
    md += ["", "Flashlight vs the same op written directly in MLX (same process):", "",
           "| workload | Flashlight | raw MLX | ratio |", "|---|---:|---:|---:|"]
    for label, key in [("add, 1 element: op + eval", "add_1elem/eval")] + [
            (f"{op}, {n:.0e} elements".replace("e+0", "e"), f"{op}/{n}") for op, n in ELT] + [
            ("sum, 1e7 elements", "sum/10000000")]:
        f_us, m_us = g(fl, "fl/" + key, "us"), g(fl, "mlx/" + key, "us")
        if f_us and m_us:
            md.append(f"| {label} | {t(f_us)} | {t(m_us)} | {f_us / m_us:.2f}x |")
            rows.append({"source": "cpp", "workload": "mlx/" + key, "label": label + " (raw MLX)",
                         "threads": threads, "flashlight_us": m_us, "flashlight_cv": g(fl, "mlx/" + key, "cv"),
                         "flashlight_note": "raw MLX, no Flashlight"})
    return md + [""], rows


def main(results=RESULTS):
    fl, ctx = load("fl_bench.json", results)
    th, tctx = load("fl_bench_torch.json", results)
    th1, _ = load("fl_bench_torch_1thread.json", results)
    py_path = results / "python_bench.json"
    py = json.loads(py_path.read_text()) if py_path.exists() else None
    if not fl and not py:
        sys.exit("no results: neither bench/results/fl_bench.json nor bench/results/python_bench.json")
    md, rows = ["# make bench: Flashlight beside PyTorch", ""], []
    py_rows = []
    if py:
        part, py_rows = python_section(py)
        md, rows = md + part, rows + py_rows
    if fl:
        part, step_rows = cpp_stepper_section(fl, ctx, py_rows)
        md, rows = md + part, rows + step_rows
        part, cpp_rows = cpp_section(fl, ctx, th, tctx, th1)
        md, rows = md + part, rows + cpp_rows
    text = "\n".join(md)
    (results / "summary.md").write_text(text)
    with open(results / "summary.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    context = {"python": {k: v for k, v in py.items() if k != "workloads"} if py else None,
               "cpp_flashlight": ctx or None, "cpp_torch": tctx or None}
    (results / "summary.json").write_text(json.dumps({"context": context, "rows": rows}, indent=1) + "\n")
    chart_rows = [r for r in rows if r["source"] != "cpp" and r.get("speedup")]
    if chart_rows and report.bar_chart(chart_rows, results / "summary.png"):
        text += "\nBar chart: bench/results/summary.png\n"
    print(text)


if __name__ == "__main__":
    main()
