"""Speed of `s2v prepare` on NTU RGB+D raw files: parse, checks and cache written, end to end.

Writes N synthetic sequences as NTU raw `.skeleton` files into a temporary folder (s2v.synthetic's
writer when present, otherwise a small generator of realistic files here), then times
`prepare('ntu60', ...)` and prints files/s, frames/s and MB/s (`--json`: one JSON object).

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
        python benchmarks/prepare.py [-n 2000] [--workers 2] [--json]
"""
from __future__ import annotations
import argparse, contextlib, importlib.util, io, json, os, shutil, tempfile, time
from pathlib import Path
import numpy as np


def write_files(folder: Path, n: int, seed: int = 0, generator: str = 'synthetic') -> None:
    "Write `n` NTU-format files (80-300 frames, 1-2 bodies) into `folder`."
    if generator == 'synthetic' and importlib.util.find_spec('s2v.synthetic') is not None:
        from s2v.synthetic import make_synthetic, write_ntu_skeletons
        d = make_synthetic(n, seed=seed, min_frames=80, max_frames=300)
        write_ntu_skeletons(d, folder)
        return
    rng = np.random.default_rng(seed)
    row = '%.7g ' * 11 + '%d\r\n'
    for i in range(n):
        T, M = int(rng.integers(80, 301)), int(rng.integers(1, 3))
        x = rng.normal(0, .3, (T, M, 25, 3)) + np.array([0, 0, 3.2])
        parts = [f'{T}\r\n']
        for t in range(T):
            parts.append(f'{M}\r\n')
            for m in range(M):
                parts.append(f'{72057594037931101 + m} 0 1 1 1 1 0 0.01119184 -0.256052 2\r\n25\r\n')
                cols = np.concatenate([x[t, m], rng.normal(300, 50, (25, 4)), rng.normal(0, .5, (25, 4)),
                                       np.full((25, 1), 2)], 1)
                parts.append((row * 25) % tuple(cols.ravel()))
        name = f'S{1 + i % 17:03d}C{1 + i % 3:03d}P{1 + i // 60 % 999:03d}R{1 + i // 59940:03d}A{1 + i % 60:03d}'
        (folder / f'{name}.skeleton').write_text(''.join(parts))


def plain_read(path):
    "Baseline: the usual line-by-line reading, every value of every line through float(), bodies by id."
    with open(path) as f: lines = f.read().splitlines()
    T = int(lines[0]); i = 1; bodies = {}
    for t in range(T):
        nb = int(lines[i]); i += 1
        for _ in range(nb):
            _ = [float(v) for v in lines[i].split()[1:]]; bid = lines[i].split()[0]; i += 1
            nj = int(lines[i]); i += 1
            joints = [[float(v) for v in lines[i + j].split()] for j in range(nj)]; i += nj
            bodies.setdefault(bid, {})[t] = [j[:3] for j in joints]
    out = np.zeros((2, T, 25, 3), np.float32)
    for m, frames in enumerate(list(bodies.values())[:2]):
        for t, j in frames.items(): out[m, t] = j
    return out


def single_process(files, rounds: int = 3) -> dict:
    "MB/s of the baseline reader and of s2v.ntu.read_skeleton, one process, interleaved (same load for both)."
    from s2v.ntu import read_skeleton
    nbytes = sum(f.stat().st_size for f in files)
    best = {'baseline': 0.0, 's2v': 0.0}
    for _ in range(rounds):
        for name, fn in (('baseline', plain_read), ('s2v', read_skeleton)):
            t = time.perf_counter()
            for f in files: fn(f)
            best[name] = max(best[name], nbytes / 1e6 / (time.perf_counter() - t))
    return {'baseline_mb_per_s': best['baseline'], 'single_process_mb_per_s': best['s2v'],
            'speedup_single_process': best['s2v'] / best['baseline']}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-n', type=int, default=2000, help='number of files (default 2000)')
    ap.add_argument('--workers', type=int, default=None, help='processes (default: all available cores)')
    ap.add_argument('--prenormalize', action='store_true', help='also pre-normalise before writing the cache')
    ap.add_argument('--repeat', type=int, default=1, help='time this many runs, report the fastest')
    ap.add_argument('--dir', default=None, help='folder for the temporary files (default: system temp)')
    ap.add_argument('--files', default=None, help='keep the generated files in this folder and reuse them when present')
    ap.add_argument('--generator', choices=('synthetic', 'own'), default='synthetic',
                    help="files from s2v.synthetic (default, when present) or from this script's own generator")
    ap.add_argument('--baseline', type=int, default=100,
                    help='also time a plain line-by-line reader against read_skeleton in one process on this many files (0: no)')
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    a = ap.parse_args(argv)
    from s2v.prepare import prepare
    from s2v.ntu import available_workers
    tmp = Path(tempfile.mkdtemp(prefix='s2v-bench-', dir=a.dir))
    try:
        src = Path(a.files) if a.files else tmp / 'raw'
        src.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        if len(list(src.glob('*.skeleton'))) != a.n:
            for f in src.glob('*.skeleton'): f.unlink()
            write_files(src, a.n, generator=a.generator)
        t_write = time.perf_counter() - t
        nbytes = sum(f.stat().st_size for f in src.glob('*.skeleton'))
        best = None
        for _ in range(a.repeat):
            t, c = time.perf_counter(), os.times()
            with contextlib.redirect_stdout(io.StringIO()):
                r = prepare('ntu60', src, tmp / 'cache', workers=a.workers, prenormalize=a.prenormalize, progress=False)
            dt, c2 = time.perf_counter() - t, os.times()
            cpu = sum(c2[:4]) - sum(c[:4])          # user + system, this process and its worker processes
            if best is None or dt < best[0]: best = (dt, cpu)
        dt, cpu = best
        workers = a.workers or available_workers()
        out = dict(files=r['found'], read=r['read'], rejected=len(r['rejected']), frames=r['frames'], mb=nbytes / 1e6,
                   seconds=dt, files_per_s=r['found'] / dt, frames_per_s=r['frames'] / dt, mb_per_s=nbytes / 1e6 / dt,
                   cpu_seconds=cpu, mb_per_cpu_s=nbytes / 1e6 / cpu, workers=workers, prenormalize=a.prenormalize,
                   seconds_parts=r['seconds'], generator=a.generator,
                   write_files_s=t_write, load_avg=os.getloadavg())
        if a.baseline: out.update(single_process(sorted(src.glob('*.skeleton'))[:a.baseline]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if a.json: print(json.dumps(out))
    else:
        print(f"prepare ntu60: {out['files']} files ({out['mb']:.0f} MB, {out['frames']} frames) in {dt:.2f} s "
              f"on {out['workers']} workers: {out['files_per_s']:.0f} files/s, {out['frames_per_s']:.0f} frames/s, "
              f"{out['mb_per_s']:.0f} MB/s; {out['cpu_seconds']:.1f} CPU s = {out['mb_per_cpu_s']:.0f} MB per CPU second "
              f"(load average {out['load_avg'][0]:.2f})")
        if a.baseline:
            print(f"one process: plain line-by-line reader {out['baseline_mb_per_s']:.0f} MB/s, read_skeleton "
                  f"{out['single_process_mb_per_s']:.0f} MB/s ({out['speedup_single_process']:.1f}x)")
    return out


if __name__ == '__main__':
    main()
