"""conversation.py: how the shipped model does on a track where two voices
take turns, as a podcast or a dialogue scene gives it, with and without a
speaker change signalled (`emovox analyze --new-voice-at`, the plugins'
urn:emovox:newVoice).

For each pair of held-out RAVDESS actors it writes one 16 kHz WAV: the two
actors' 60 clips each, in a shuffled order (--seed), in turns of --turn clips,
--gap seconds of silence between clips. It then runs `emovox analyze --csv`
four ways and scores each clip by the row published nearest after its end
(the 3 s window that covers it):
  together   one instance hears the whole track, nothing signalled;
  forget     the same with --new-voice-at at every change of speaker (the
             plugins' newVoice): each turn starts from the population;
  slots      --voice-at with each actor's number at its turns (the plugins'
             voice parameter): each voice keeps its own statistics;
  apart      each actor's clips alone in their own file (two instances,
             one per voice).
Prints UA over the 8 classes per way. Needs ../shared/data, numpy and
soundfile (Debian: python3-numpy, python3-soundfile).

usage: python3 models/conversation.py [--data DIR] [--emovox EXE]
       [--model BUNDLE] [--out DIR] [--pairs 17:18,19:20] [--turn N]
       [--gap S] [--seed N]
"""
import argparse
import csv
import io
import os
import random
import subprocess
import sys

import numpy as np
import soundfile as sf

EMOTIONS = ["angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised"]
RATE = 16000


def clips_of(data, actor):
    with open(os.path.join(data, "manifest.csv"), newline="") as f:
        return [(os.path.join(data, r["path"]), r["emotion"]) for r in csv.DictReader(f)
                if r["speaker"] == "ravdess-%02d" % actor]


def read(path):
    x, rate = sf.read(path, dtype="float32")
    if x.ndim > 1:
        x = x.mean(axis=1)
    if rate != RATE:
        sys.exit("conversation.py: %s is %d Hz, expected %d" % (path, rate, RATE))
    return x


def build(parts, gap, path):
    """parts: [(clip path, label, speaker)]; writes the track, returns the
    clip spans [(start s, end s, label, speaker)]."""
    silence = np.zeros(int(gap * RATE), dtype=np.float32)
    audio, spans, t = [], [], 0.0
    for p, label, spk in parts:
        x = read(p)
        spans.append((t, t + len(x) / RATE, label, spk))
        audio += [x, silence]
        t += (len(x) + len(silence)) / RATE
    sf.write(path, np.concatenate(audio), RATE, subtype="FLOAT")
    return spans


def analyze(exe, model, path, extra):
    out = subprocess.run([exe, "analyze", path, "--csv", "--model", model] + extra,
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for r in csv.DictReader(io.StringIO(out)):
        rows.append((float(r["time_s"]), [float(r[e]) for e in EMOTIONS]))
    return rows


def decisions(rows, spans):
    """For each clip, the emotion of the first row at or after its end."""
    got, k = [], 0
    for start, end, label, spk in spans:
        while k < len(rows) - 1 and rows[k][0] < end:
            k += 1
        got.append((label, EMOTIONS[int(np.argmax(rows[k][1]))]))
    return got


def ua(pairs):
    recalls = []
    for e in EMOTIONS:
        n = sum(1 for y, _ in pairs if y == e)
        if n:
            recalls.append(sum(1 for y, p in pairs if y == e and p == e) / n)
    return 100.0 * sum(recalls) / len(recalls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--emovox", default="build/trainer/emovox")
    ap.add_argument("--model", default="models/default.emvx")
    ap.add_argument("--out", default="out/model/conversation")
    ap.add_argument("--pairs", default="17:18,19:20")
    ap.add_argument("--turn", type=int, default=5)
    ap.add_argument("--gap", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    results = {"together": [], "forget": [], "slots": [], "apart": []}
    for pair in a.pairs.split(","):
        sa, sb = (int(s) for s in pair.split(":"))
        ca, cb = clips_of(a.data, sa), clips_of(a.data, sb)
        rng.shuffle(ca)
        rng.shuffle(cb)
        parts, changes = [], []   # changes: (first clip of a turn, voice 1 or 2)
        for i in range(0, max(len(ca), len(cb)), a.turn):
            for clips, spk, voice in ((ca, sa, 1), (cb, sb, 2)):
                turn = clips[i:i + a.turn]
                if turn:
                    changes.append((len(parts), voice))
                    parts += [(p, label, spk) for p, label in turn]
        track = os.path.join(a.out, "actors-%02d-%02d.wav" % (sa, sb))
        spans = build(parts, a.gap, track)
        at = ",".join("%.3f" % spans[c][0] for c, _ in changes[1:])
        slots = ",".join("%.3f:%d" % (spans[c][0], v) for c, v in changes)
        results["together"] += decisions(analyze(a.emovox, a.model, track, []), spans)
        results["forget"] += decisions(
            analyze(a.emovox, a.model, track, ["--new-voice-at", at]), spans)
        results["slots"] += decisions(
            analyze(a.emovox, a.model, track, ["--voice-at", slots]), spans)
        for spk in (sa, sb):
            own = [q for q in parts if q[2] == spk]
            path = os.path.join(a.out, "actor-%02d.wav" % spk)
            sp = build(own, a.gap, path)
            results["apart"] += decisions(analyze(a.emovox, a.model, path, []), sp)
        print("actors %02d and %02d: %d clips in %d turns of %d, gap %.1f s, %.0f s"
              % (sa, sb, len(parts), len(changes), a.turn, a.gap, spans[-1][1]))
    for way, what in (("together", "one instance, no signal"),
                      ("forget", "one instance, --new-voice-at every change of speaker"),
                      ("slots", "one instance, --voice-at 1 or 2 at every change"),
                      ("apart", "one instance per voice")):
        print("%-10s UA %.1f%% per clip (%d clips): %s"
              % (way, ua(results[way]), len(results[way]), what))


if __name__ == "__main__":
    main()
