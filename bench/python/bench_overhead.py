"""Python call overhead of a tiny op, Flashlight beside PyTorch in one process, same thread count.

Run: .venv/bin/python bench/python/bench_overhead.py   (also run by `make bench`)
Times `a + b` on 1-element float32 tensors, with and without requires_grad, as the median of repeated
timeit batches. The inputs are computed first, so Flashlight's kernels run the add at once (as PyTorch does);
the last row also reads the value.
"""
import statistics
import timeit

import flashlight as fl
import torch

THREADS = 1
torch.set_num_threads(THREADS)


def median_us(stmt, number=20000, repeat=15):
    runs = timeit.repeat(stmt, number=number, repeat=repeat)
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
        # Interleave the two libraries so drift affects both alike.
        f_times, t_times = [], []
        for _ in range(3):
            f_times.append(median_us(f_stmt))
            t_times.append(median_us(t_stmt))
        f, t = min(f_times), min(t_times)
        rows.append((label, f, t, f / t))
    print(f"Python tiny-op overhead ({THREADS} thread; median per call)")
    print(f"| {'workload':30} | flashlight (us) | torch (us) | fl / torch |")
    print(f"|{'-' * 32}|-----------------|------------|------------|")
    for label, f, t, r in rows:
        print(f"| {label:30} | {f:15.3f} | {t:10.3f} | {r:10.2f} |")


if __name__ == "__main__":
    main()
