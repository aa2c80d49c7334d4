#!/usr/bin/env python3
"""models/score.py WINDOWS.csv [...]: per-corpus figures of an `emovox eval`
or `emovox train` report (its windows.csv), as MODEL_CARD.md gives them.

UA (unweighted average recall) over each corpus's own classes, per window
and per clip (a clip's windows' probabilities averaged), two ways:
  8-way   the argmax over all eight outputs, what the meter shows;
  own     the argmax over the corpus's own classes only (CREMA-D 6, SAVEE
          and TESS 7, RAVDESS 8), the usual way to score a corpus.
--by class|sex|age adds recall per class, UA per sex, or UA per CREMA-D age
band (20-35, 36-50, 51+; from cremad/VideoDemographics.csv).
Several windows.csv files: their probabilities are averaged window by window
(they must list the same windows), as `emovox fuse` averages networks.
--key prints one line KEY=VALUE per figure (for the regression test)."""
import argparse
import csv
import os
import sys
from collections import defaultdict

LABELS = ["angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised"]


def read_windows(paths):
    rows, probs = None, None
    for p in paths:
        with open(p, newline="") as f:
            r = list(csv.DictReader(f))
        keys = [(x["clip"], x["window"]) for x in r]
        pr = [[float(x["p_" + l]) for l in LABELS] for x in r]
        if rows is None:
            rows, probs = r, pr
        else:
            if keys != [(x["clip"], x["window"]) for x in rows]:
                sys.exit("score.py: %s lists other windows than %s" % (p, paths[0]))
            probs = [[a + b for a, b in zip(u, v)] for u, v in zip(probs, pr)]
    n = len(paths)
    return rows, [[v / n for v in u] for u in probs]


def corpus_of(speaker):
    return speaker.split("-", 1)[0]


def ua(pairs, classes):
    """pairs: (label, predicted). UA over the classes present in the labels."""
    hit, tot = defaultdict(int), defaultdict(int)
    for y, p in pairs:
        tot[y] += 1
        hit[y] += y == p
    present = [c for c in classes if tot[c]]
    if not present:
        return float("nan"), {}
    rec = {c: hit[c] / tot[c] for c in present}
    return 100 * sum(rec.values()) / len(present), rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("windows", nargs="+")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                   "shared", "data"))
    ap.add_argument("--by", action="append", default=[], choices=["class", "sex", "age"])
    ap.add_argument("--key", action="store_true")
    a = ap.parse_args()
    rows, probs = read_windows(a.windows)
    sex, age = {}, {}
    man = os.path.join(a.data, "manifest.csv")
    if os.path.exists(man):
        for r in csv.DictReader(open(man, newline="")):
            sex[r["speaker"]] = r["sex"]
    demo = os.path.join(a.data, "cremad", "VideoDemographics.csv")
    if os.path.exists(demo):
        for r in csv.DictReader(open(demo, newline="")):
            y = int(r["Age"])
            age["cremad-" + r["ActorID"]] = "20-35" if y <= 35 else "36-50" if y <= 50 else "51+"
    # the classes each corpus has, from its labels in this file
    own = defaultdict(set)
    for r in rows:
        own[corpus_of(r["speaker"])].add(r["label"])
    groups = defaultdict(list)   # (corpus, group key) -> row indices
    for i, r in enumerate(rows):
        c = corpus_of(r["speaker"])
        groups[(c, "all")].append(i)
        if "sex" in a.by:
            groups[(c, "sex=" + sex.get(r["speaker"], "?"))].append(i)
        if "age" in a.by and r["speaker"] in age:
            groups[(c, "age=" + age[r["speaker"]])].append(i)

    def decide(p, classes):
        idx = [LABELS.index(c) for c in classes]
        return LABELS[max(idx, key=lambda k: p[k])]

    out = []
    for (c, g), idx in sorted(groups.items()):
        classes = sorted(own[c], key=LABELS.index)
        res = {}
        for way, cls in (("8way", LABELS), ("own", classes)):
            pw = [(rows[i]["label"], decide(probs[i], cls)) for i in idx]
            clips = defaultdict(lambda: [0.0] * 8)
            clab = {}
            for i in idx:
                cl = rows[i]["clip"]
                clips[cl] = [u + v for u, v in zip(clips[cl], probs[i])]
                clab[cl] = rows[i]["label"]
            pc = [(clab[k], decide(v, cls)) for k, v in clips.items()]
            res[way] = (ua(pw, classes), ua(pc, classes), len(idx), len(clips))
        out.append((c, g, classes, res))
    for c, g, classes, res in out:
        (w8, r8), (c8, _), nw, nc = res["8way"]
        (wo, ro), (co, _), _, _ = res["own"]
        if a.key:
            tag = c + ("" if g == "all" else "_" + g.replace("=", "_"))
            print("%s_window_ua=%.1f %s_clip_ua=%.1f %s_window_ua_own=%.1f %s_clip_ua_own=%.1f"
                  % (tag, w8, tag, c8, tag, wo, tag, co))
            continue
        print("%-8s %-12s %d classes, %4d windows %4d clips: UA 8-way %.1f%% per window, "
              "%.1f%% per clip; own classes %.1f%% / %.1f%%"
              % (c, g, len(classes), nw, nc, w8, c8, wo, co))
        if "class" in a.by and g == "all":
            print("         recall (8-way, per window): " +
                  " ".join("%s %.0f" % (k, 100 * v) for k, v in r8.items()))


if __name__ == "__main__":
    main()
