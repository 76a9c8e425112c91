"""Python call overhead of a tiny op, Flashlight beside PyTorch in one process, same thread count.

Run: .venv/bin/python bench/python/bench_overhead.py   (also run by `make bench`)
Times `a + b` on 1-element float32 tensors, with and without requires_grad, as the median of repeated
timeit batches. The inputs are computed first, so Flashlight's kernels run the add at once (as PyTorch does);
the last row also reads the value. The CPU columns time the same batches by this thread's CPU time, which other
processes on a busy machine disturb far less than the wall clock (they still slow it through shared caches).
"""
import statistics
import time
import timeit

import flashlight as fl
import torch

THREADS = 1
torch.set_num_threads(THREADS)


def median_us(stmt, number=20000, repeat=15, timer=time.perf_counter):
    runs = timeit.repeat(stmt, number=number, repeat=repeat, timer=timer)
    return statistics.median(runs) / number * 1e6


def main():
    fa, fb = fl.ones(1), fl.ones(1)
    fga, fgb = fl.ones(1, requires_grad=True), fl.ones(1, requires_grad=True)
    ta, tb = torch.ones(1), torch.ones(1)
    tga, tgb = torch.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    for t in (fa, fb, fga, fgb):  # computed before timing, as in the C++ rows (fl.ones is lazy until read)
        t.item()
    rows = []
    for label, f_stmt, t_stmt in [
        ("a + b", lambda: fa + fb, lambda: ta + tb),
        ("a + b, requires_grad", lambda: fga + fgb, lambda: tga + tgb),
        ("a + b, then read the value", lambda: (fa + fb).item(), lambda: (ta + tb).item()),
    ]:
        # Interleave the two libraries so drift affects both alike; best of 3 rounds, wall clock and CPU time.
        times = {key: [] for key in ("f", "t", "f_cpu", "t_cpu")}
        for _ in range(3):
            times["f"].append(median_us(f_stmt))
            times["t"].append(median_us(t_stmt))
            times["f_cpu"].append(median_us(f_stmt, timer=time.thread_time))
            times["t_cpu"].append(median_us(t_stmt, timer=time.thread_time))
        best = {key: min(v) for key, v in times.items()}
        rows.append((label, best["f"], best["t"], best["f"] / best["t"], best["f_cpu"], best["t_cpu"]))
    print(f"Python tiny-op overhead ({THREADS} thread; median per call)")
    print(f"| {'workload':30} | flashlight (us) | torch (us) | fl / torch | fl CPU (us) | torch CPU (us) | fl / torch CPU |")
    print(f"|{'-' * 32}|-----------------|------------|------------|-------------|----------------|----------------|")
    for label, f, t, r, fc, tc in rows:
        print(f"| {label:30} | {f:15.3f} | {t:10.3f} | {r:10.2f} | {fc:11.3f} | {tc:14.3f} | {fc / tc:14.2f} |")


if __name__ == "__main__":
    main()
