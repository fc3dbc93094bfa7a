#!/usr/bin/env python3
"""Times in PyTorch the matrix products of one training iteration, as listed by the Go benchmark
trainer.BenchmarkIterationMatmuls (CLUSTERGAN_MATMULS_JSON=dir writes dir/<case>.json): the
same operand shapes and contracting/batch axes, on random float32 operands, run one after the
other, nothing else. With the Go benchmark's time for the same list it gives the ratio of the
two backends' matrix kernels alone (`make bench-matmuls` runs both).

Each product is computed as torch.matmul on permuted views ([batch, cross, contracting] times
[batch, contracting, cross]), which PyTorch hands to its BLAS without copies where the strides
allow.

Output: one line per file,

  RESULT case=<name> products=<n> gflop_per_iter=<x> ms_per_iter=<mean> median_ms=<m> gflops=<y> threads=<t> torch=<version>

Usage: matmuls.py [--threads T] [--iters N] [--warmup W] FILE.json ...
"""

import argparse
import json
import math
import os
import statistics
import sys
import time


def prepare(torch, m, gen):
    """Returns a closure computing product m on random operands."""
    lhs = torch.randn(m["lhs"], generator=gen)
    rhs = torch.randn(m["rhs"], generator=gen)
    lc, lb, rc, rb = m["lhs_contracting"], m["lhs_batch"], m["rhs_contracting"], m["rhs_batch"]
    lcross = [a for a in range(lhs.dim()) if a not in lc and a not in lb]
    rcross = [a for a in range(rhs.dim()) if a not in rc and a not in rb]
    size = lambda t, axes: math.prod(t.shape[a] for a in axes)
    batch, k = size(lhs, lb), size(lhs, lc)
    if k != size(rhs, rc) or batch != size(rhs, rb):
        raise ValueError(f"inconsistent product {m}")
    a = lhs.permute(lb + lcross + lc).reshape(batch, size(lhs, lcross), k)
    b = rhs.permute(rb + rc + rcross).reshape(batch, k, size(rhs, rcross))
    if batch == 1:
        a, b = a[0], b[0]
    return lambda: torch.matmul(a, b)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    args = p.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(1)
    for path in args.files:
        try:
            with open(path) as f:
                mms = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"matmuls.py: {path}: {e}")
        fns = [prepare(torch, m, gen) for m in mms]
        flops = sum(2.0 * m["output_elements"] * m["contracting_size"] for m in mms)
        times = []
        for i in range(args.warmup + args.iters):
            start = time.perf_counter()
            for fn in fns:
                fn()
            if i >= args.warmup:
                times.append(time.perf_counter() - start)
        mean = statistics.mean(times)
        name = os.path.splitext(os.path.basename(path))[0]
        print(f"RESULT case={name} products={len(mms)} gflop_per_iter={flops / 1e9:.4f} "
              f"ms_per_iter={mean * 1e3:.2f} median_ms={statistics.median(times) * 1e3:.2f} "
              f"gflops={flops / mean / 1e9:.1f} threads={args.threads} torch={torch.__version__}")


if __name__ == "__main__":
    main()
