"""Speed and memory of one full Skeleton2vec pretraining step.

A step is the training loop's own (`s2v.train.train_step`): mask noise, MAMT masking, EMA-teacher forward
(targets), student encoder over the visible tokens, decoder, masked loss, backward, gradient norm (clipped only
when asked), AdamW, EMA update. Rows: configuration (`paper`: 8 layers, 256 wide, T=90, 750 tokens per person; `cpu`: the CPU
preset), dtype (`fp32`, `bf16` autocast), batch size (samples of 2 person slots) and persons (`two`: every
sample has two persons; `ntu-mix`: NTU-60's mix, 80% of the samples with one person and a zero second slot)
and masked views per sample (`views` M, data2vec 2.0's multi-mask: the teacher runs once per sample, the
student and decoder on M masked views; masked views/s = samples/s x M).
Each row runs in a fresh subprocess, so the peak RSS (ru_maxrss) is that row's own; the process CPU time
per step is printed too (on a shared machine it varies less than the wall time). On a GPU it also prints
the model FLOPs utilisation (FLOPs of a step counted by torch's FlopCounterMode).

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \\
        python benchmarks/pretrain_step.py [--config paper] [--dtype fp32] [--batch 32] [--persons ntu-mix] [--views 1 2 4 8] [--json]
"""
from __future__ import annotations
import argparse, json, os, resource, subprocess, sys, time

MALLOC_ENV = dict(MALLOC_MMAP_MAX_='0', MALLOC_TRIM_THRESHOLD_='68719476736', MALLOC_TOP_PAD_='1073741824')
# dense peak TFLOP/s of common GPUs (bf16 tensor cores, fp32 without TF32) for the utilisation column
GPU_PEAK = {'H100': {'bf16': 989.0, 'fp32': 67.0}, 'H200': {'bf16': 989.0, 'fp32': 67.0},
            'A100': {'bf16': 312.0, 'fp32': 19.5}}


def make_batch(batch: int, persons: str, frames: int, joints: int, device, seed: int = 0):
    "(batch, 2, frames, joints, 3) skeletons; with 'ntu-mix' the first 80% of the samples have no second person."
    import torch
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 6.28, frames)[None, None, :, None, None]
    x = torch.randn(batch, 2, 1, joints, 3, generator=g) * .3 + .1 * torch.sin(t + torch.randn(batch, 2, 1, joints, 3, generator=g))
    x = x + .01 * torch.randn(batch, 2, frames, joints, 3, generator=g)
    if persons == 'ntu-mix': x[:int(round(.8 * batch)), 1] = 0
    elif persons != 'two': raise ValueError(f"persons must be 'two' or 'ntu-mix', not {persons!r}")
    return x.to(device)


def run_row(config: str, dtype: str, batch: int, persons: str, warmup: int, steps: int, device: str, flops: bool,
            threads: int = 0, keep_empty: bool = False, bf16_grad_attention: bool = False, compile: bool = False,
            profile: bool = False, views: int = 1, clip_grad: float = 0.0) -> dict:
    "Time one row in this process."
    import torch
    if threads: torch.set_num_threads(threads)
    from s2v.transformer import Attention
    Attention.cpu_bf16_grad_in_fp32 = not bf16_grad_attention
    from s2v.core import cpu_supports_bf16
    from s2v.skeleton2vec import S2VConfig, Skeleton2vec
    from s2v.train import make_optimizer, train_step
    dev = torch.device(device)
    if dtype == 'bf16' and dev.type == 'cpu' and not cpu_supports_bf16():
        return dict(skipped='this CPU has no native bf16 (avx512_bf16/amx): bf16 rows skipped')
    torch.manual_seed(0)
    cfg = getattr(S2VConfig, config)(drop_empty_persons=not keep_empty, num_masked_views=views)
    model = Skeleton2vec(cfg).to(dev).train()
    opt = make_optimizer(model, 0.05, 1e-4, dev)
    x = make_batch(batch, persons, cfg.frames, cfg.num_joints, dev)
    amp = torch.bfloat16 if dtype == 'bf16' else None
    fwd = torch.compile(model) if compile else model

    def step():                                                # the training loop's own step (s2v.train.train_step)
        out, _ = train_step(model, opt, x, model.mask_noise(batch, dev), 1e-4, 0.9999, clip_grad, amp, fwd)
        return out

    step_flops = None
    if flops:
        from torch.utils.flop_counter import FlopCounterMode
        with FlopCounterMode(display=False) as fc: step()
        step_flops = fc.get_total_flops()
    for _ in range(warmup): out = step()
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    sync(); t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps): out = step()
    loss = float(out['loss']); sync(); dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    row = dict(config=config, dtype=dtype, batch=batch, persons=persons, views=views, device=str(dev),
               persons_encoded=int(out['persons']), steps=steps, step_s=round(dt / steps, 4),
               samples_per_s=round(batch * steps / dt, 3), views_per_s=round(batch * views * steps / dt, 3), cpu_s_per_step=round(cpu / steps, 3),
               peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               loss=round(loss, 4), threads=torch.get_num_threads(), drop_empty_persons=not keep_empty,
               cpu_bf16_grad_attention_fp32=not bf16_grad_attention, compiled=compile)
    if dev.type == 'cuda': row['peak_gpu_mb'] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    if profile:   # one more step under torch.profiler: the operators with the largest share of self time
        from torch.profiler import profile as torch_profile
        with torch_profile() as prof: step(); sync()
        ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
        total = sum(e.self_cpu_time_total for e in ops) or 1
        row['top_ops'] = [[e.key, round(100 * e.self_cpu_time_total / total, 1)] for e in ops[:8]]
    if step_flops is not None:
        row['gflop_per_step'] = round(step_flops / 1e9, 2)
        row['tflops'] = round(step_flops * steps / dt / 1e12, 3)
        if dev.type == 'cuda':
            name = torch.cuda.get_device_name(0)
            peak = next((v[dtype] for k, v in GPU_PEAK.items() if k in name), None)
            if peak: row['mfu'] = round(row['tflops'] / peak, 4)
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', nargs='+', default=['paper', 'cpu'], choices=['paper', 'cpu', 'tiny'])
    ap.add_argument('--dtype', nargs='+', default=['fp32', 'bf16'], choices=['fp32', 'bf16'])
    ap.add_argument('--batch', nargs='+', type=int, default=[8, 32])
    ap.add_argument('--persons', nargs='+', default=['two', 'ntu-mix'], choices=['two', 'ntu-mix'])
    ap.add_argument('--views', nargs='+', type=int, default=[1], help='masked views per sample M (default 1), e.g. --views 1 2 4 8')
    ap.add_argument('--clip-grad', type=float, default=0.0, help='clip the gradient norm (default 0: off, as training by default)')
    ap.add_argument('--warmup', type=int, default=2, help='untimed steps first (default 2)')
    ap.add_argument('--steps', type=int, default=5, help='timed steps (default 5)')
    ap.add_argument('--device', default=None, help="'cpu' or 'cuda' (default: cuda when available)")
    ap.add_argument('--flops', action='store_true', help='count FLOPs per step (always on a GPU; on a CPU the flash-attention kernel is not counted)')
    ap.add_argument('--threads', type=int, default=0, help='torch threads per row (default: torch\'s choice)')
    ap.add_argument('--keep-empty', action='store_true', help='encode absent persons too (drop_empty_persons=False), for comparison')
    ap.add_argument('--bf16-grad-attention', action='store_true',
                    help='on CPU, keep bf16 attention that needs gradients in bf16 (default: fp32, faster there), for comparison')
    ap.add_argument('--compile', action='store_true', help='torch.compile the model (the warm-up steps include compiling)')
    ap.add_argument('--profile', action='store_true', help='after timing, profile one step and print the operators taking most time')
    ap.add_argument('--same-process', action='store_true', help='run every row in this process (peak RSS accumulates)')
    ap.add_argument('--json', action='store_true', help='print a JSON list of rows')
    ap.add_argument('--_row', help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a._row:
        print('ROW ' + json.dumps(run_row(**json.loads(a._row))), flush=True)
        return
    missing = [k for k, v in MALLOC_ENV.items() if os.environ.get(k) != v]
    if missing:
        print(f"warning: {', '.join(missing)} not set as {' '.join(f'{k}={v}' for k, v in MALLOC_ENV.items())}: "
              "glibc's default allocator makes CPU steps up to 2.5x slower; numbers are not comparable", file=sys.stderr)
    import torch
    device = a.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    flops = a.flops or device.startswith('cuda')
    load = os.getloadavg()
    if not a.json:
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}, device {device}, {os.cpu_count()} cpus, torch {torch.__version__}, "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, warm-up {a.warmup}, timed {a.steps} steps", flush=True)
        cols = ['config', 'dtype', 'batch', 'persons', 'views', 'persons_encoded', 'threads', 'step_s', 'samples_per_s', 'views_per_s',
                'cpu_s_per_step', 'peak_rss_mb'] + \
               (['gflop_per_step', 'tflops'] if flops else []) + (['mfu', 'peak_gpu_mb'] if device.startswith('cuda') else [])
        print(' '.join(f'{c:>15}' for c in cols), flush=True)
    rows = []
    for config in a.config:
        for dtype in a.dtype:
            for batch in a.batch:
                for persons, views in [(pe, v) for pe in a.persons for v in a.views]:
                    spec = dict(config=config, dtype=dtype, batch=batch, persons=persons, warmup=a.warmup,
                                steps=a.steps, device=device, flops=flops, threads=a.threads, keep_empty=a.keep_empty,
                                bf16_grad_attention=a.bf16_grad_attention, compile=a.compile,
                                profile=a.profile, views=views, clip_grad=a.clip_grad)
                    if a.same_process: row = run_row(**spec)
                    else:
                        r = subprocess.run([sys.executable, __file__, '--_row', json.dumps(spec)], capture_output=True, text=True)
                        line = next((l for l in r.stdout.splitlines() if l.startswith('ROW ')), None)
                        if r.returncode or line is None:
                            row = dict(error=(r.stderr or r.stdout).strip().splitlines()[-1:] or ['failed'])
                        else: row = json.loads(line[4:])
                    row = {**dict(config=config, dtype=dtype, batch=batch, persons=persons, views=views), **row,
                           'load_avg_1m': round(os.getloadavg()[0], 2)}
                    rows.append(row)
                    if not a.json:
                        if 'skipped' in row or 'error' in row:
                            print(' '.join(f'{row[c]!s:>15}' for c in cols[:5]), '  ', row.get('skipped') or row.get('error'), flush=True)
                        else: print(' '.join(f'{row.get(c, "")!s:>15}' for c in cols), flush=True)
                        if 'top_ops' in row: print('    self time: ' + ', '.join(f'{n} {p}%' for n, p in row['top_ops']), flush=True)
    if a.json: print(json.dumps(rows, indent=1))


if __name__ == '__main__':
    main()
