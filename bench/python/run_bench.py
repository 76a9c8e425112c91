#!/usr/bin/env python3
"""Python-level benchmark: every workload of workloads.py on Flashlight and on PyTorch (+ ncps), interleaved.

    python bench/python/run_bench.py [--quick] [--threads 1,2] [--workloads mlp_b32,...] [--fl-path DIR]

For each thread count, one worker process per library (worker.py; so each library has its own MKL/OpenMP copy and
thread pools, and Flashlight's worker never imports torch) is started with OMP_NUM_THREADS / MKL_NUM_THREADS set;
then, for several rounds, every workload runs on one library and then the other, alternating which goes first,
so drift (other jobs on a shared machine) hits both alike. Warm-up is excluded; the table gives the median of all
samples of all rounds. Writes bench/results/python_bench.json (every sample, the machine, the conditions) and
prints the table; bench/compare.py joins it with the C++ rows into summary.{md,csv,json,png}.
"""
import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import report  # noqa: E402
import workloads  # noqa: E402

RESULTS = HERE.parent / "results"

# (rounds, samples per run, max seconds per run, min seconds per sample)
MODES = {"full": (5, 5, 1.0, 0.05), "quick": (1, 3, 0.1, 0.005)}


class Worker:
    """A worker.py process for one library and thread count, spoken to in JSON lines."""

    def __init__(self, lib, threads, weights_dir, fl_path):
        self.lib, self.threads, self.weights_dir, self.fl_path = lib, threads, weights_dir, fl_path
        self.info = None
        self.start()

    def start(self):
        env = dict(os.environ, OMP_NUM_THREADS=str(self.threads), MKL_NUM_THREADS=str(self.threads),
                   OPENBLAS_NUM_THREADS=str(self.threads), PYTHONUNBUFFERED="1")
        cmd = [sys.executable, str(HERE / "worker.py"), "--lib", self.lib, "--threads", str(self.threads),
               "--weights", self.weights_dir, "--fl-path", self.fl_path]
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True, env=env)
        ready = self._read()
        if "ready" not in ready:
            raise RuntimeError(f"{self.lib} worker failed to start:\n{ready.get('error', '')}")
        self.info = ready["ready"]

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            self.stderr.seek(0)
            tail = "".join(self.stderr.read().splitlines(True)[-15:])
            return {"error": f"worker exited with status {self.proc.returncode}\n{tail}", "died": True}
        return json.loads(line)

    def run(self, name, samples, max_time, min_sample_time):
        req = {"op": "run", "workload": name, "samples": samples, "max_time": max_time,
               "min_sample_time": min_sample_time}
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        reply = self._read()
        if reply.get("died"):  # a crash in one workload: report it, go on with a fresh worker
            self.start()
        return reply

    def close(self):
        try:
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        self.proc.wait(timeout=60)
        self.stderr.close()


def machine_info():
    info = {"cores": os.cpu_count(), "kernel": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
            "load_start": list(os.getloadavg())}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        info["cpu_model"] = fields.get("Model name", "?").strip()
        info["lscpu_cpus"] = fields.get("CPU(s)", "?").strip()
    except (OSError, subprocess.CalledProcessError):
        info["cpu_model"] = platform.processor() or "?"
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                            cwd=HERE, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        info["git_commit"] = "?"
    try:
        from importlib.metadata import version
        info["ncps_version"] = version("ncps")
    except Exception:
        info["ncps_version"] = "?"
    return info


def run(selected, threads_list, mode, fl_path, out_dir, log=print):
    rounds, samples, max_time, min_sample = MODES[mode]
    t_start = time.perf_counter()
    machine = machine_info()
    entries = [{"name": w.name, "label": w.label, "group": w.group,
                "target": asdict(w.target) if w.target else None, "by_threads": {}} for w in selected]
    libraries = {}
    with tempfile.TemporaryDirectory(prefix="fl_bench_ncps_") as weights_dir:
        if any(w.ncps_model for w in selected):  # ncps.torch builds the shared initial weights, in its own process
            subprocess.run([sys.executable, str(HERE / "prep_ncps.py"), weights_dir], check=True)
        for threads in threads_list:
            workers = {lib: Worker(lib, threads, weights_dir, fl_path) for lib in ("flashlight", "torch")}
            for lib, wk in workers.items():  # versions; the thread settings each worker reported, per count
                info = {k: v for k, v in wk.info.items() if k != "pid"}
                libraries.setdefault(lib, {}).update({k: v for k, v in info.items() if "threads" not in k})
                libraries[lib].setdefault("threads_reported", {})[str(threads)] = {
                    k: v for k, v in info.items() if "threads" in k}
            acc = {(w.name, lib): {"times": [], "round_medians": []} for w in selected for lib in workers}
            for r in range(rounds):
                for i, w in enumerate(selected):
                    order = ("flashlight", "torch") if (r + i) % 2 == 0 else ("torch", "flashlight")
                    for lib in order:
                        a = acc[(w.name, lib)]
                        if a.get("error"):
                            continue
                        reply = workers[lib].run(w.name, samples, max_time, min_sample)
                        if "error" in reply:
                            a["error"] = reply["error"]
                            log(f"  {w.name} [{lib}, {threads} threads] failed:\n{reply['error']}")
                            continue
                        a["times"] += reply["times"]
                        a["round_medians"].append(report.summarize(reply["times"])["median"])
                        a["number"], a["note"] = reply["number"], reply["note"]
                log(f"  {threads} thread(s): round {r + 1}/{rounds} done ({time.perf_counter() - t_start:.0f} s)")
            for wk in workers.values():
                wk.close()
            for e in entries:
                e["by_threads"][str(threads)] = {
                    lib: {"stats": report.summarize(acc[(e["name"], lib)]["times"]), **acc[(e["name"], lib)]}
                    for lib in workers}
    machine["load_end"] = list(os.getloadavg())
    results = {"mode": mode, "rounds": rounds, "threads": threads_list, "machine": machine, "libraries": libraries,
               "workloads": entries, "wall_s": time.perf_counter() - t_start,
               "command": " ".join(shlex.quote(a) for a in sys.argv)}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "python_bench.json").write_text(json.dumps(results, indent=1) + "\n")
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 round, short samples: a smoke run, not a measurement")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--workloads", default="", help="comma-separated names (default: all): " +
                    ", ".join(workloads.BY_NAME))
    ap.add_argument("--fl-path", default=os.environ.get("FL_BENCH_PYTHONPATH", ""),
                    help="directory holding the flashlight package to import (default: the installed one)")
    ap.add_argument("--out", default=str(RESULTS), help="output directory (default bench/results)")
    args = ap.parse_args(argv)
    names = [n for n in args.workloads.split(",") if n]
    unknown = [n for n in names if n not in workloads.BY_NAME]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(workloads.BY_NAME)}")
    selected = [workloads.BY_NAME[n] for n in names] if names else workloads.WORKLOADS
    threads = [int(t) for t in args.threads.split(",") if t]
    mode = "quick" if args.quick else "full"
    print(f"bench/python: {len(selected)} workloads x threads {threads}, {mode} mode", flush=True)
    results = run(selected, threads, mode, os.path.abspath(args.fl_path) if args.fl_path else "", Path(args.out),
                  log=lambda s: print(s, flush=True))
    print()
    print(report.conditions_text(results))
    print()
    print(report.markdown_table(report.rows_from_results(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
