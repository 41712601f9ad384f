"""Time `scaled_dot_product_attention` alone: forward and forward+backward, fp32 and bf16, at the paper's shape.

The measurement behind `s2v.transformer.Attention.cpu_bf16_grad_in_fp32`: on CPU, torch's bf16 flash-attention
backward can be slower than its fp32 one. Rows are interleaved over `--repeat` rounds and the best time of each
is printed, so a busy machine slows every row alike.

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \\
        python benchmarks/attention.py [--batch 4] [--heads 8] [--tokens 750] [--head-dim 32] [--threads 1]
"""
from __future__ import annotations
import argparse, time
import torch
import torch.nn.functional as F


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batch', type=int, default=4, help='person sequences (default 4)')
    ap.add_argument('--heads', type=int, default=8)
    ap.add_argument('--tokens', type=int, default=750, help='tokens per sequence (paper: 30 segments x 25 joints)')
    ap.add_argument('--head-dim', type=int, default=32, help='256 / 8 heads in the paper model')
    ap.add_argument('--threads', type=int, default=1, help='torch threads (default 1)')
    ap.add_argument('--repeat', type=int, default=3, help='interleaved rounds (default 3)')
    ap.add_argument('--calls', type=int, default=3, help='calls per timing (default 3)')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    shape = (a.batch, a.heads, a.tokens, a.head_dim)
    best = {}
    for _ in range(a.repeat):
        for dtype in (torch.float32, torch.bfloat16):
            q, k, v = (torch.randn(shape, dtype=dtype, requires_grad=True) for _ in range(3))
            for mode in ('forward', 'forward+backward'):
                t = time.perf_counter()
                for _ in range(a.calls):
                    with torch.set_grad_enabled(mode != 'forward'):
                        o = F.scaled_dot_product_attention(q, k, v)
                        if mode != 'forward': o.sum().backward()
                ms = (time.perf_counter() - t) / a.calls * 1e3
                key = (str(dtype).replace('torch.', ''), mode)
                best[key] = min(best.get(key, ms), ms)
    print(f"# scaled_dot_product_attention {shape}, {a.threads} thread(s), torch {torch.__version__}, best of {a.repeat}")
    print(f"{'dtype':>10} {'mode':>18} {'ms':>9}")
    for (dtype, mode), ms in best.items(): print(f"{dtype:>10} {mode:>18} {ms:9.1f}")


if __name__ == '__main__':
    main()
