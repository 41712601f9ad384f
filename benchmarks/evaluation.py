"""Time of the test-clip features of the evaluation protocols: every clip through the encoder, against each
distinct clip once (`s2v.evaluate.clip_mean`), side by side in one process on the same encoder and data.

A sequence with fewer than clips x T frames repeats test clips frame for frame; `clip_mean` computes each
distinct clip once and weights it by its repeats, which gives the same mean. The table gives forward passes,
seconds and the largest difference between the two results.

    python benchmarks/evaluation.py [--dataset ucla --data_dir ../shared/data/nw_ucla] [--preset cpu] [--clips 10]
"""
import argparse, time
import torch

def every_clip(fn, sampler, idx, T, clips, batch_size=256):
    "The mean over all clips, each computed (the plain way)."
    out = []
    for a in range(0, len(idx), batch_size):
        b = idx[a:a + batch_size]
        out.append(sum(fn(sampler.sample(b, T, train=False, clip=c, num_clips=clips)) for c in range(clips)) / clips)
    return torch.cat(out)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dataset', default='synthetic'); ap.add_argument('--data_dir', default=None)
    ap.add_argument('--preset', default='cpu'); ap.add_argument('--frames', type=int, default=0)
    ap.add_argument('--clips', type=int, default=10); ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    from s2v.datasets import load_dataset
    from s2v.skeleton2vec import S2VConfig
    from s2v.checkpoint import random_encoder
    from s2v.transforms import FrameSampler
    from s2v.evaluate import clip_mean, distinct_clips
    s = load_dataset(a.dataset, a.data_dir)
    cfg = getattr(S2VConfig, a.preset)(num_joints=s.data.num_joints, num_persons=s.data.num_persons, **({'frames': a.frames} if a.frames else {}))
    enc, fs = random_encoder(cfg, seed=0).eval(), FrameSampler(s.data)
    idx = torch.as_tensor(s.test)
    _, new = distinct_clips(fs.lengths[idx], cfg.frames, a.clips)
    with torch.no_grad():
        t0 = time.perf_counter(); ref = every_clip(enc.features, fs, idx, cfg.frames, a.clips); t1 = time.perf_counter()
        got = clip_mean(enc.features, enc, fs, idx, cfg.frames, a.clips); t2 = time.perf_counter()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {s.name} test split ({len(idx)} sequences), {a.preset} preset, T = {cfg.frames}, "
          f"{a.clips} clips, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'method':<22}{'forward passes':>16}{'seconds':>10}{'speed-up':>10}")
    print(f"{'every clip':<22}{a.clips * len(idx):>16}{t1 - t0:>10.1f}{1:>10.2f}")
    print(f"{'each distinct clip':<22}{int(new.sum()):>16}{t2 - t1:>10.1f}{(t1 - t0) / (t2 - t1):>10.2f}")
    print(f"largest difference between the two means: {(ref - got).abs().max().item():.2e} (features of scale {ref.abs().mean().item():.2f})")

if __name__ == '__main__': main()
