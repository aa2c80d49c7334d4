#!/usr/bin/env python3
"""models/cv_fuse.py [--side val|valw10|valb10] NAME [NAME ...]

The cross-validation UA of several models/cv.sh runs averaged: per fold, the
probabilities of every validation window (out/cv/NAME.fK.SIDE/windows.csv)
are averaged over the runs, and the UA per window of the average is taken,
then the mean over the four folds. With one NAME it reproduces cv.sh's own
figure. The runs must score the same windows (same window and hop), which
is checked. SIDE: val (clean, cv.sh), valw10 / valb10 (white / babble-like
noise at 10 dB SNR, cv.sh with EVX_CV_NOISY=1).
"""
import argparse
import csv
import os
import sys
from collections import Counter


def load(path):
    """labels, {(clip, window): (label, probs)} of one windows.csv."""
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        labels = [h[2:] for h in head[4:]]
        rows = {(row[0], int(row[2])): (row[3], [float(x) for x in row[4:]]) for row in r}
    return labels, rows


def ua(pairs, labels):
    n, hit = Counter(), Counter()
    for y, p in pairs:
        n[y] += 1
        hit[y] += labels[max(range(len(p)), key=p.__getitem__)] == y
    return sum(hit[c] / n[c] for c in n) / len(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("--side", default="val")
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "..", "out", "cv"))
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    folds = []
    for f in range(4):
        runs = [load(os.path.join(a.dir, f"{n}.f{f}.{a.side}", "windows.csv")) for n in a.names]
        labels, first = runs[0]
        for n, (lab, rows) in zip(a.names, runs):
            if lab != labels or rows.keys() != first.keys():
                sys.exit(f"cv_fuse: {n} fold {f} scores other labels or windows than {a.names[0]}")
        pairs = [(first[k][0], [sum(r[k][1][j] for _, r in runs) / len(runs)
                                for j in range(len(labels))]) for k in first]
        folds.append(100 * ua(pairs, labels))
    print(f"{' + '.join(a.names)} ({a.side}): CV UA {sum(folds) / len(folds):.1f}% per window; "
          "folds " + " ".join(f"{x:.1f}" for x in folds))


if __name__ == "__main__":
    main()
