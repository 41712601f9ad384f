"""One check of a machine with a GPU, in under 8 minutes; prints one table and writes it to runs/gpu_check/.

Parts (each with its own time limit; a part whose packages are missing is reported as skipped):
1. the CUDA-marked tests (`nbdev_test --flags cuda` on the model and training notebooks);
2. the pretraining step at the paper preset (`pretrain_step.py`): bf16, batch 128, all-two-person and NTU-60's
   person mix, without and with torch.compile; samples/s, peak GPU memory, model FLOPs utilisation;
3. a 2-epoch pretraining of the paper preset on the built-in synthetic data through the papermill runner
   (`nbs/pretrain.ipynb`; `python -m s2v.train` when papermill is not installed);
4. a linear evaluation (cached features) of that run's EMA teacher.
The table ends with the time the paper's run (NTU-60 cross-subject, 600 epochs of 40,091 / 128 steps, about
188k steps) would take at the measured speed of the NTU-mix rows. It uses the Python it runs under and
installs nothing. `bash benchmarks/gpu_check.sh` runs it; without CUDA it prints one line and exits 0.
"""
from __future__ import annotations
import argparse, importlib.util, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAPER_STEPS = 600 * (40091 // 128)          # NTU-60 xsub: 40,091 training sequences, global batch 128
LIMITS = dict(tests=150, step=170, pretrain=100, linear=45)   # seconds per part: 7.75 min in all


def missing(*mods) -> list:
    "The modules of `mods` that are not installed."
    return [m for m in mods if importlib.util.find_spec(m) is None]


def run(cmd, limit: int) -> tuple:
    "(returncode or 'timeout', stdout, stderr, seconds) of a command run from the repository root."
    env = {**os.environ, 'PYTHONPATH': f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    t = time.time()
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=limit, env=env)
        return r.returncode, r.stdout, r.stderr, time.time() - t
    except subprocess.TimeoutExpired as e:
        return 'timeout', e.stdout or '', e.stderr or '', time.time() - t


def last_line(text) -> str:
    if isinstance(text, bytes): text = text.decode(errors='replace')
    lines = [l for l in (text or '').strip().splitlines() if l.strip()]
    return lines[-1][:200] if lines else ''


def part_tests(rows):
    miss = missing('nbdev', 'execnb')
    if miss: return rows.append(dict(part='CUDA tests', result=f"skipped: {', '.join(miss)} not installed"))
    exe = Path(sys.executable).parent/'nbdev_test'                  # the console script of this Python's nbdev
    if not exe.exists(): return rows.append(dict(part='CUDA tests', result=f"skipped: no {exe}"))
    test = [str(exe), '--flags', 'cuda', '--n_workers', '1', '--path']
    rc, out, err, s = run(test + ['nbs/32_skeleton2vec.ipynb'], LIMITS['tests'] // 2)
    rc2, out2, err2, s2 = run(test + ['nbs/40_train.ipynb'], LIMITS['tests'] // 2)
    ok = rc == 0 and rc2 == 0
    rows.append(dict(part='CUDA tests (32_skeleton2vec, 40_train)', result='passed' if ok else
                     f"FAILED: {last_line(err or out) if rc else last_line(err2 or out2)}", seconds=round(s + s2)))


def part_step(rows):
    rc, out, err, s = run([sys.executable, 'benchmarks/pretrain_step.py', '--config', 'paper', '--dtype', 'bf16', '--batch', '128',
                           '--persons', 'two', 'ntu-mix', '--device', 'cuda', '--steps', '10', '--json'], LIMITS['step'] // 2)
    rc2, out2, err2, s2 = run([sys.executable, 'benchmarks/pretrain_step.py', '--config', 'paper', '--dtype', 'bf16', '--batch', '128',
                               '--persons', 'two', 'ntu-mix', '--device', 'cuda', '--steps', '10', '--compile', '--warmup', '3', '--json'],
                              LIMITS['step'] // 2)
    found = []
    for r, o, e, compiled in ((rc, out, err, False), (rc2, out2, err2, True)):
        try: got = json.loads(o[o.index('['):]) if r == 0 else []
        except ValueError: got = []
        if not got: rows.append(dict(part=f"pretraining step{' (compiled)' if compiled else ''}", result=f"FAILED: {last_line(e or o)}"))
        for g in got:
            if 'error' in g or 'skipped' in g:
                rows.append(dict(part=f"step paper bf16 b128 {g['persons']}{' compiled' if compiled else ''}", result=str(g.get('error') or g.get('skipped'))))
                continue
            found.append(g)
            rows.append(dict(part=f"step paper bf16 b128 {g['persons']}{' compiled' if compiled else ''}",
                             result=f"{g['samples_per_s']:.0f} samples/s, {g['step_s'] * 1000:.0f} ms/step, MFU {g.get('mfu', float('nan')):.1%}, "
                                    f"peak {g.get('peak_gpu_mb', 0) / 1024:.1f} GiB"))
    return found


def part_pretrain(rows, out: Path) -> Path | None:
    run_dir = out/'pretrain-paper-2ep'
    params = dict(preset='paper', epochs=2, dataset='synthetic', device='cuda', run_name=run_dir.name, out_dir=str(out), overwrite=True)
    if not missing('papermill', 'ipykernel'):        # both installed: the runner notebook
        cmd = [sys.executable, '-m', 'papermill', 'nbs/pretrain.ipynb', str(out/'pretrain.ipynb'), '-k', 'python3', '--cwd', str(ROOT)]
        for k, v in params.items(): cmd += ['-p', k, str(v)]
        how = 'papermill runner'
    else:
        cmd = [sys.executable, '-m', 's2v.train', *[a for k, v in params.items() for a in (f'--{k}', str(v))]]
        how = 'python -m s2v.train (papermill or ipykernel missing)'
    rc, o, e, s = run(cmd, LIMITS['pretrain'])
    summ = run_dir/'summary.json'
    if rc != 0 or not summ.exists():
        rows.append(dict(part=f"2-epoch pretraining, paper preset ({how})", result=f"FAILED ({rc}): {last_line(e or o)}", seconds=round(s)))
        return None
    d = json.loads(summ.read_text())
    rows.append(dict(part=f"2-epoch pretraining, paper preset ({how})", seconds=round(s),
                     result=f"{d['steps']} steps, loss {d['final_loss']:.4f}, {d['wall_s']:.0f} s of training, {d['precision']}"))
    return run_dir


def part_linear(rows, out: Path, run_dir: Path | None):
    if run_dir is None: return rows.append(dict(part='linear evaluation', result='skipped: no pretrained run'))
    code = ("from s2v.params import LinearParams; from s2v.protocols import run_linear; import json; "
            f"s = run_linear(LinearParams(checkpoint={str(run_dir)!r}, dataset='synthetic', protocol='cached', device='cuda', "
            f"run_name='linear', out_dir={str(out)!r}), progress=False); print('TOP1', s['top1_last'], s['wall_s'])")
    rc, o, e, s = run([sys.executable, '-c', code], LIMITS['linear'])
    line = next((l for l in o.splitlines() if l.startswith('TOP1')), None)
    rows.append(dict(part='linear evaluation (cached) of the 2-epoch teacher', seconds=round(s),
                     result=f"top-1 {100 * float(line.split()[1]):.1f}% (synthetic xsub; 2 epochs: a check that it runs, not a result)"
                     if rc == 0 and line else f"FAILED: {last_line(e or o)}"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=str(ROOT/'runs'/'gpu_check'), help='folder for the runs and the table')
    a = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed in this Python; nothing to do"); return 0
    if not torch.cuda.is_available():
        print("gpu_check: no GPU found (torch.cuda.is_available() is False); nothing to do"); return 0
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    t0, rows = time.time(), []
    head = (f"# GPU check {time.strftime('%Y-%m-%d %H:%M')}: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, "
            f"CUDA {torch.version.cuda}, Python {sys.version.split()[0]}")
    print(head, flush=True)
    for name, f in (('tests', part_tests), ('step', part_step)):
        n = len(rows); res = f(rows)
        if name == 'step': steps = res
        for r in rows[n:]: print(f"  {r['part']}: {r['result']}", flush=True)
    n = len(rows); run_dir = part_pretrain(rows, out); part_linear(rows, out, run_dir)
    for r in rows[n:]: print(f"  {r['part']}: {r['result']}", flush=True)
    mix = [g for g in steps if g.get('persons') == 'ntu-mix' and 'step_s' in g]
    if mix:
        best = min(mix, key=lambda g: g['step_s'])
        rows.append(dict(part="the paper's run (NTU-60 xsub, 600 epochs, ~188k steps), extrapolated",
                         result=f"{PAPER_STEPS * best['step_s'] / 3600:.1f} h on one GPU at {best['step_s'] * 1000:.0f} ms/step "
                                f"({'compiled' if best.get('compiled') else 'eager'}, NTU-mix batch 128), training steps only"))
    table = '\n'.join([head, '', f"total {time.time() - t0:.0f} s", '', '| part | result | s |', '|---|---|---|',
                       *[f"| {r['part']} | {r['result']} | {r.get('seconds', '')} |" for r in rows]])
    (out/'gpu_check.md').write_text(table + '\n')
    print('\n' + table)
    return 1 if any(str(r['result']).startswith('FAILED') for r in rows) else 0


if __name__ == '__main__':
    sys.exit(main())
