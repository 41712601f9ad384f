"""Linear (cached) top-1 of the pretrained encoder against pretraining CPU time, configurations side by side.

Every configuration pretrains at the same time, each in its own process with `--threads` threads, so that they
share the machine alike (ratios from one run). Each run keeps a checkpoint every `--every` epochs; after the
runs, every kept checkpoint is probed (linear, cached features: the EMA teacher for the teacher target, the
student otherwise) next to the same architecture with random weights. The time of a checkpoint is the CPU time
of the run's process up to that epoch, over all attempts (`cpu_s` in metrics.jsonl): with one thread per run it
is the wall time the run would take alone on one core, and other work on the machine (or `--nice`) does not
change it; the wall time is in the csv beside it. Prints a table with the CPU minutes to reach random + 5 and
random + 10 points (first reached, and held by every later probe: single probes move by a few points) and the
ratio to the first configuration, and writes <figures>/time_to_accuracy.{csv,md,png,pdf}.

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \\
        python benchmarks/time_to_accuracy.py --data_dir ../shared/data/nw_ucla [--configs teacher,views2,joints,motion] [--epochs 195] [--every 13] [--tau0 0.9967]

Configurations: `teacher` (the defaults, M = 1), `viewsM` (M masked views per sample), `joints`, `motion`.
Runs resume and finished probes are skipped: rerunning the command completes or extends a measurement.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def settings(a):
    "The comparison's settings (s2v.experiment): every configuration is a pretraining run made from them."
    from s2v.params import ExperimentParams
    return ExperimentParams(dataset=a.dataset, data_dir=a.data_dir, synthetic_n=a.synthetic_n, epochs=a.epochs,
                            preset=a.preset, frames=a.frames, tau0=a.tau0, seed=a.seed, keep_every=a.every,
                            out_dir=a.out_dir, device='cpu', linear_epochs=a.linear_epochs, linear_clips=a.linear_clips)


def config_params(name: str, a):
    "The pretraining run (PretrainParams) of one configuration."
    from s2v.experiment import arm_pretraining
    if name == 'teacher': kw = {}
    elif name.startswith('views') and name[5:].isdigit(): kw = dict(num_masked_views=int(name[5:]))
    elif name in ('joints', 'motion'): kw = dict(target=name)
    else: raise SystemExit(f"time_to_accuracy: unknown configuration {name!r} (teacher, viewsM, joints, motion)")
    return arm_pretraining(settings(a), f"tta-{name}-s{a.seed}", a.seed, **kw)


def run_all(names, a):
    "Pretrain every configuration at once, one process each; wait for all."
    env = {**os.environ, 'OMP_NUM_THREADS': str(a.threads), 'MKL_NUM_THREADS': str(a.threads), 'PYTHONPATH': str(ROOT)}
    procs = {}
    for n in names:
        params = Path(a.out_dir)/f"tta-{n}-params.json"
        params.write_text(json.dumps(dict(params=asdict(config_params(n, a)))))
        log = open(Path(a.out_dir)/f"tta-{n}.log", 'a')
        cmd = (['nice', '-n', str(a.nice)] if a.nice else []) + [sys.executable, '-m', 's2v.train', '--params', str(params)]
        procs[n] = (subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), log)
    for n, (p, log) in procs.items():
        if p.wait(): raise SystemExit(f"time_to_accuracy: the {n} run failed (exit {p.returncode}); see {log.name}")
        log.close()


def run_seconds(run: Path) -> dict:
    "{epoch: (CPU seconds, wall seconds) of the run at the end of that epoch, over all attempts} from metrics.jsonl."
    cpu, wall, out = 0.0, 0.0, {}
    for line in (run/'metrics.jsonl').read_text().splitlines():
        r = json.loads(line)
        if r['kind'] == 'start': cpu += r.get('previous_attempt_cpu_s', 0.0); wall += r.get('previous_attempt_s', 0.0)
        elif r['kind'] == 'epoch': out[r['epoch']] = (cpu + r['cpu_s'], wall + r['elapsed_s'])
    return out


def probe(a, checkpoint, which: str, name: str) -> float:
    from s2v.experiment import probe
    return 100 * probe(settings(a), checkpoint, a.out_dir, name, which, a.seed)['top1_last']


def first_time(points, level: float):
    "The first (minutes) at which top-1 reaches `level`, or None."
    return next((m for m, t in points if t >= level), None)


def held_time(points, level: float):
    "The first (minutes) from which every later probe is at `level` or above, or None (single probes are noisy)."
    held = None
    for m, t in points:
        if t < level: held = None
        elif held is None: held = m
    return held


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--configs', default='teacher,views2,joints,motion', help='comma-separated; the first is the reference of the ratios')
    ap.add_argument('--dataset', default='ucla'); ap.add_argument('--data_dir', default='')
    ap.add_argument('--synthetic_n', type=int, default=2400); ap.add_argument('--preset', default='cpu')
    ap.add_argument('--frames', type=int, default=0); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--tau0', type=float, default=0.0,
                    help="initial EMA decay (0: the preset's); 1 - 20 / steps moves the teacher by sum(1 - tau) = 10")
    ap.add_argument('--epochs', type=int, default=195, help='pretraining epochs per configuration (N-UCLA: 31 steps each)')
    ap.add_argument('--every', type=int, default=13, help='probe a checkpoint every this many epochs')
    ap.add_argument('--threads', type=int, default=1, help='threads per run (all runs go at once)')
    ap.add_argument('--nice', type=int, default=0, help='run the pretraining processes at this niceness (0: as is)')
    ap.add_argument('--linear_epochs', type=int, default=100); ap.add_argument('--linear_clips', type=int, default=10)
    ap.add_argument('--out_dir', default=str(ROOT/'runs'/'time_to_accuracy'))
    ap.add_argument('--figures_dir', default=str(ROOT/'figures'))
    ap.add_argument('--probe_only', action='store_true', help='only probe the checkpoints there')
    a = ap.parse_args(argv)
    from s2v.experiment import random_reference
    from s2v.train import check_pretrain_params, environment
    from s2v.runs import write_csv
    from s2v.viz import new_figure, save_figure
    names = [n.strip() for n in a.configs.split(',') if n.strip()]
    for n in names: check_pretrain_params(config_params(n, a))
    Path(a.out_dir).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not a.probe_only: run_all(names, a)
    rnd = random_reference(settings(a), config_params(names[0], a), a.out_dir, f"random-s{a.seed}")
    random = 100 * rnd['top1_last']
    rows, curves = [], {}
    for n in names:
        run = Path(a.out_dir)/f"tta-{n}-s{a.seed}"; secs = run_seconds(run)
        which = 'teacher' if n not in ('joints', 'motion') else 'student'
        for e in sorted(int(p.stem.split('_')[1]) for p in (run/'checkpoints').glob('epoch_*.pt')):
            if e % a.every and e != a.epochs: continue
            top1 = probe(a, run/'checkpoints'/f'epoch_{e:04d}.pt', which, f"lin-{n}-e{e:04d}-{which}")
            rows.append(dict(config=n, which=which, epoch=e, cpu_minutes=round(secs[e][0] / 60, 2),
                             wall_minutes=round(secs[e][1] / 60, 2), top1=round(top1, 2), random=round(random, 2)))
        curves[n] = [(r['cpu_minutes'], r['top1']) for r in rows if r['config'] == n]
    fig_dir = Path(a.figures_dir); fig_dir.mkdir(parents=True, exist_ok=True)
    write_csv(rows, fig_dir/'time_to_accuracy.csv')
    ref = {lvl: held_time(curves[names[0]], random + lvl) for lvl in (5, 10)}
    lines = [f"# Time to accuracy: {a.dataset}, {a.preset} preset, seed {a.seed}, {a.threads} thread(s) per run, all runs at once",
             f"Linear (cached) top-1 at the last epoch; random weights {random:.1f}. Time: CPU minutes of the pretraining "
             f"process ({a.threads} thread(s); alone on {a.threads} core(s), the wall time). {environment()['device']}.", '',
             "CPU minutes to random + 5 and + 10 points: first reached, and held (every later probe at least there; "
             "the ratio to the first configuration is of the held time).", '',
             '| configuration | probed | best top-1 | last top-1 | + 5 first | + 5 held | ratio | + 10 first | + 10 held | ratio |',
             '|---|---|---|---|---|---|---|---|---|---|']
    fmt = lambda m: 'not reached' if m is None else f"{m:.1f}"
    for n in names:
        pts = curves[n]; cells = []
        for lvl in (5, 10):
            m = held_time(pts, random + lvl)
            cells += [fmt(first_time(pts, random + lvl)), fmt(m), f"{m / ref[lvl]:.2f}" if m is not None and ref[lvl] else '-']
        best, last = (f"{max(t for _, t in pts):.1f}", f"{pts[-1][1]:.1f}") if pts else ('-', '-')
        lines.append(f"| {n} | {len(pts)} | {best} | {last} | " + ' | '.join(cells) + ' |')
    table = '\n'.join(lines)
    (fig_dir/'time_to_accuracy.md').write_text(table + f"\n\nMade by `python benchmarks/time_to_accuracy.py {' '.join(argv if argv is not None else sys.argv[1:])}`.\n")
    fig = new_figure((6.4, 4)); ax = fig.subplots()
    ax.axhline(random, color='0.4', lw=1, label='random weights')
    for lvl in (5, 10): ax.axhline(random + lvl, color='0.6', lw=.8, ls=':')
    for i, (n, pts) in enumerate(curves.items()):
        if pts: ax.plot(*zip(*pts), 'o-', ms=3, color=f'C{i}', label=n)
    ax.set_xlabel(f'pretraining CPU time (min, {a.threads} thread(s) per run)'); ax.set_ylabel('linear top-1 (%); dotted: random + 5, + 10'); ax.grid(alpha=.3); ax.legend(fontsize=7)
    save_figure(fig, fig_dir/'time_to_accuracy')
    print(table); print(f"time_to_accuracy: {time.time() - t0:.0f} s; written {fig_dir}/time_to_accuracy.{{csv,md,png,pdf}}")


if __name__ == '__main__':
    main()
