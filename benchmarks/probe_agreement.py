"""How far apart are two (or more) evaluations on the same test split: the correct count, top-1, top-5 and the
correct count of each class, read from each evaluation folder's `summary.json` (its confusion matrix).

Equal top-1 values of two encoders say little by themselves; per-class counts that differ show two different
models whose totals happen to meet. Written for the masking rows of the N-UCLA study
(`figures/masking_anomaly.csv`, docs/study.md):

    s2v study --parts masking --seeds 0 --out_dir runs/ucla_study --data_dir ../shared/data/nw_ucla
    python benchmarks/probe_agreement.py runs/ucla_study/lin-teacher-random-s0 \\
        runs/ucla_study/lin-teacher-multi_tube-s0 --out figures/masking_anomaly.csv
"""
import argparse, csv, json, sys
from pathlib import Path


def row(folder:Path) -> dict:
    s = json.loads((folder/'summary.json').read_text())
    c = s['confusion']
    correct = [c[i][i] for i in range(len(c))]
    return dict(run=folder.name, commit=s.get('environment', {}).get('commit', ''), correct=sum(correct),
                test_size=s['test_size'], top1=round(100 * s['top1_last'], 2), top5=round(100 * s['top5_last'], 2),
                correct_per_class=' '.join(map(str, correct)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('folders', nargs='+', type=Path, help='evaluation folders (each with a summary.json)')
    ap.add_argument('--out', default='', help='also write the table to this CSV file')
    a = ap.parse_args(argv)
    rows = [row(f) for f in a.folders]
    w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
    if a.out:
        with open(a.out, 'w', newline='') as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)


if __name__ == '__main__':
    main()
