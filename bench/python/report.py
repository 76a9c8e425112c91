"""Statistics and tables of the Python-level benchmark (run_bench.py prints them, bench/compare.py writes them).

Every time is the median of all samples of a (workload, threads, library) over all rounds; `spread` is the
interquartile range of those samples over their median, a noise gauge. ratio = Flashlight / torch (> 1:
Flashlight slower), speed-up = torch / Flashlight (> 1: Flashlight faster), the form the targets take.
"""
import statistics


def summarize(times):
    """{median, q1, q3, spread, n} of a list of per-call seconds (None for an empty list)."""
    if not times:
        return None
    med = statistics.median(times)
    q1, _, q3 = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 else (med, med, med)
    return {"median": med, "q1": q1, "q3": q3, "spread": (q3 - q1) / med if med > 0 else 0.0, "n": len(times)}


def fmt_time(us):
    if us is None:
        return "-"
    if us < 1:
        return f"{us * 1e3:.0f} ns"
    if us < 1000:
        return f"{us:.2f} us" if us < 10 else f"{us:.1f} us" if us < 100 else f"{us:.0f} us"
    return f"{us / 1e3:.2f} ms" if us < 1e5 else f"{us / 1e3:.0f} ms" if us < 1e6 else f"{us / 1e6:.2f} s"


def target_met(target, fl_us, speedup):
    """'yes' / 'no' against a Target dict {speedup, max_us, text}; '' without a target or a measurement."""
    if not target or fl_us is None or speedup is None:
        return ""
    ok = (target.get("speedup") is None or speedup >= target["speedup"]) and (
        target.get("max_us") is None or fl_us < target["max_us"])
    return "yes" if ok else "no"


def rows_from_results(results):
    """The table rows of a run_bench.py result dict, in workload order then thread order."""
    rows = []
    for entry in results["workloads"]:
        for t, by_lib in sorted(entry["by_threads"].items(), key=lambda kv: int(kv[0])):
            fl, th = by_lib.get("flashlight", {}), by_lib.get("torch", {})
            fs, ts = fl.get("stats"), th.get("stats")
            fl_us = fs["median"] * 1e6 if fs else None
            t_us = ts["median"] * 1e6 if ts else None
            ratio = fl_us / t_us if fl_us and t_us else None
            speedup = t_us / fl_us if fl_us and t_us else None
            rows.append({
                "source": "python", "workload": entry["name"], "label": entry["label"], "group": entry["group"],
                "threads": int(t), "flashlight_us": fl_us, "torch_us": t_us, "ratio": ratio, "speedup": speedup,
                "flashlight_spread": fs and fs["spread"], "torch_spread": ts and ts["spread"],
                "flashlight_n": fs and fs["n"], "torch_n": ts and ts["n"],
                "target": (entry.get("target") or {}).get("text", ""),
                "target_speedup": (entry.get("target") or {}).get("speedup"),
                "target_met": target_met(entry.get("target"), fl_us, speedup),
                "flashlight_note": fl.get("note", ""),
                "error": "; ".join(f"{lib}: {v['error'].strip().splitlines()[-1]}" for lib, v in by_lib.items()
                                   if v.get("error")),
            })
    return rows


def pct(x):
    return "-" if x is None else f"{x * 100:.0f}%"


def markdown_table(rows):
    lines = ["| workload | threads | Flashlight | spread | torch | spread | fl / torch | speed-up | target | met |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        label = r["label"] + (f" [Flashlight: {r['flashlight_note']}]" if r.get("flashlight_note") else "")
        if r.get("error"):
            label += f" (error: {r['error']})"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        speedup = f"{r['speedup']:.2f}x" if r["speedup"] else "-"
        lines.append(f"| {label} | {r['threads']} | {fmt_time(r['flashlight_us'])} | {pct(r['flashlight_spread'])} "
                     f"| {fmt_time(r['torch_us'])} | {pct(r['torch_spread'])} | {ratio} | {speedup} | "
                     f"{r['target'] or '-'} | {r['target_met'] or '-'} |")
    return "\n".join(lines)


def conditions_text(results):
    m = results["machine"]
    la = lambda v: "/".join(f"{x:.2f}" for x in v) if v else "?"
    libs = results.get("libraries", {})
    fl, th = libs.get("flashlight", {}), libs.get("torch", {})
    return (f"Machine: {m.get('cpu_model', '?')}, {m.get('cores', '?')} cores; {m.get('kernel', '')}; "
            f"checkout {m.get('git_commit', '?')}. "
            f"Threads: {', '.join(str(t) for t in results['threads'])} (OMP/MKL_NUM_THREADS, torch.set_num_threads, "
            f"fl.set_num_threads); OPENBLAS_CORETYPE={m.get('openblas_coretype') or '(unset)'}. "
            f"torch {th.get('version', '?')} + ncps {m.get('ncps_version', '?')}; MLX {fl.get('mlx_version', '?')}. "
            f"Mode: {results['mode']}, {results['rounds']} interleaved rounds, each library in its own process. "
            f"Load average (1/5/15 min) at start {la(m.get('load_start'))}, at end {la(m.get('load_end'))}; "
            f"wall time {results.get('wall_s', 0):.0f} s. Command: `{results.get('command', '')}`.")


def bar_chart(rows, path, title="Flashlight speed-up over PyTorch (torch time / Flashlight time)"):
    """Horizontal bars of the speed-up per workload and thread count, log scale, targets marked. Needs matplotlib;
    returns False (and writes nothing) without it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    labels = list(dict.fromkeys(r["workload"] for r in rows))
    threads = sorted({r["threads"] for r in rows})
    by = {(r["workload"], r["threads"]): r for r in rows}
    height = 0.8 / max(len(threads), 1)
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(labels) * max(len(threads), 1) + 1.5))
    colors = ["#4878d0", "#ee854a", "#6acc64", "#d65f5f"]
    for i, t in enumerate(threads):
        ys = [k - 0.4 + height * (i + 0.5) for k in range(len(labels))]
        vals = [(by.get((w, t)) or {}).get("speedup") or 0 for w in labels]
        bars = ax.barh(ys, [v if v > 0 else float("nan") for v in vals], height=height,
                       color=colors[i % len(colors)], label=f"{t} thread{'s' if t > 1 else ''}")
        for b, v in zip(bars, vals):
            if v > 0:
                ax.annotate(f"{v:.2f}x", (v, b.get_y() + b.get_height() / 2), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7)
    for k, w in enumerate(labels):
        goal = next((r for r in rows if r["workload"] == w), {}).get("target_speedup")
        if goal:
            ax.plot([goal, goal], [k - 0.45, k + 0.45], color="black", linestyle=":", linewidth=1.2)
    ax.axvline(1.0, color="grey", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up (> 1: Flashlight faster); dotted: target")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
