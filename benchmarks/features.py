"""Feature extraction speed on CPU: batch size, and one process with every thread against two processes side by
side with half the threads each (how the main job runs its two evaluations, `s2v.quickstart.run_side_by_side`).

Each row times `SkeletonEncoder.features` (random weights of a preset) on the same random clips; rows are
repeated over `--repeat` rounds, interleaved, and the best of each is kept, so a busy machine slows every row
alike. The side-by-side row is the two processes' samples per second added up. With `--out FILE` the table is
also written to FILE.

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \\
        python benchmarks/features.py [--preset cpu] [--samples 1024] [--batches 256,128,64] [--threads 2]
"""
from __future__ import annotations
import argparse, json, subprocess, sys, time
import torch


def rate(preset:str, samples:int, batch:int, threads:int) -> float:
    "Samples per second of `features` (pool 'mean') over `samples` one-person clips, `batch` at a time."
    from s2v.skeleton2vec import S2VConfig
    from s2v.checkpoint import random_encoder
    torch.set_num_threads(threads)
    cfg = getattr(S2VConfig, preset)()
    enc = random_encoder(cfg, seed=0).eval()
    x = torch.randn(samples, 1, cfg.frames, cfg.num_joints, cfg.in_channels, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        enc.features(x[:batch])                                   # warm-up
        t = time.perf_counter()
        for a in range(0, samples, batch): enc.features(x[a:a + batch])
    return samples / (time.perf_counter() - t)


def worker(a, batch:int, threads:int) -> subprocess.Popen:
    cmd = [sys.executable, __file__, '--worker', '--preset', a.preset, '--samples', str(a.samples),
           '--batches', str(batch), '--threads', str(threads)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='cpu', help='model preset (default cpu, the main job\'s)')
    ap.add_argument('--samples', type=int, default=1024, help='clips per timing (default 1024)')
    ap.add_argument('--batches', default='256,128,64', help='batch sizes (default 256,128,64)')
    ap.add_argument('--threads', type=int, default=0, help='threads of the one-process rows; 0 means torch\'s default')
    ap.add_argument('--repeat', type=int, default=2, help='interleaved rounds (default 2)')
    ap.add_argument('--out', default='', help='also write the table to this file')
    ap.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    batches = [int(b) for b in a.batches.split(',')]
    if a.worker: print(json.dumps(rate(a.preset, a.samples, batches[0], a.threads))); return
    threads = a.threads or torch.get_num_threads()
    half = max(1, threads // 2)
    best = {}
    for _ in range(a.repeat):
        for b in batches:
            one = worker(a, b, threads)
            best[(b, 'one')] = max(best.get((b, 'one'), 0), json.loads(one.communicate()[0]))
            two = [worker(a, b, half) for _ in range(2)]
            best[(b, 'two')] = max(best.get((b, 'two'), 0), sum(json.loads(p.communicate()[0]) for p in two))
    lines = [f"# {time.strftime('%Y-%m-%d %H:%M')}, {a.preset} preset, {a.samples} clips per timing, "
             f"torch {torch.__version__}, best of {a.repeat}; samples/s",
             f"{'batch':>6} {f'1 process x {threads} threads':>26} {f'2 processes x {half} threads':>26} {'ratio':>7}"]
    for b in batches:
        one, two = best[(b, 'one')], best[(b, 'two')]
        lines.append(f"{b:>6} {one:>26.1f} {two:>26.1f} {two / one:>7.2f}")
    print('\n'.join(lines))
    if a.out:
        with open(a.out, 'w') as f: f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
