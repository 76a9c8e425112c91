"""Quick side-by-side GEMM timing (not a test): PyTorch vs Flashlight's BLAS primitive at the same thread count.

Build the C++ side first (see the comment at the top of gemm_timing.cpp), then:
  .venv/bin/python bench/gemm/compare_torch.py path/to/gemm_timing [--threads 1 2] [--sizes 256 512 1024 2048]
Prints GFLOP/s (best of --rounds alternating runs) for forward and forward+backward (3 GEMMs).
"""
import argparse
import subprocess
import time

import torch


def best(f, flops, rounds=3):
    f(); f()
    reps = max(3, int(1.5e9 / flops))
    t_best = 1e30
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(reps):
            f()
        t_best = min(t_best, (time.perf_counter() - t) / reps)
    return t_best


def torch_numbers(n, dtype, threads):
    torch.set_num_threads(threads)
    a = torch.randn(n, n, dtype=dtype)
    b = torch.randn(n, n, dtype=dtype)
    flops = 2.0 * n ** 3
    fwd = best(lambda: a @ b, flops)
    ag, bg = a.clone().requires_grad_(), b.clone().requires_grad_()
    g = torch.ones(n, n, dtype=dtype)

    def fb():
        ag.grad = bg.grad = None
        (ag @ bg).backward(g)
    return flops / fwd / 1e9, 3 * flops / best(fb, 3 * flops) / 1e9


def fl_numbers(binary, threads, sizes):
    out = subprocess.run([binary, str(threads), *map(str, sizes)], capture_output=True, text=True, check=True).stdout
    r = {}
    for line in out.splitlines():
        p = line.split()  # fl DTYPE THREADS N fwd X fwdbwd Y mx_matmul Z
        r[(p[1], int(p[3]))] = (float(p[5]), float(p[7]))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    print(f"{'thr':>3} {'dtype':>7} {'n':>5} | {'torch fwd':>9} {'fl fwd':>7} {'ratio':>5} | "
          f"{'torch f+b':>9} {'fl f+b':>7} {'ratio':>5}")
    for t in args.threads:
        best_fl, best_t = {}, {}
        for _ in range(args.rounds):  # alternate, keep each side's best: the machine is shared
            for k, v in fl_numbers(args.binary, t, args.sizes).items():
                best_fl[k] = tuple(max(x, y) for x, y in zip(v, best_fl.get(k, (0, 0))))
            for dt in (torch.float32, torch.float64):
                for n in args.sizes:
                    k = (str(dt).split(".")[1], n)
                    best_t[k] = tuple(max(x, y) for x, y in zip(torch_numbers(n, dt, t), best_t.get(k, (0, 0))))
        for k in sorted(best_t):
            (tf, tb), (ff, fb) = best_t[k], best_fl[k]
            print(f"{t:>3} {k[0]:>7} {k[1]:>5} | {tf:9.1f} {ff:7.1f} {ff / tf:5.2f} | {tb:9.1f} {fb:7.1f} {fb / tb:5.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
