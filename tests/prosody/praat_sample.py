#!/usr/bin/env python3
"""praat_sample.py: the prosody tracker's F0 and voicing against Praat's
"To Pitch (ac)" on a random sample of ../shared/data clips (a wider check
than tests/prosody/test_praat.c's eight fixed clips). Runs the built
`emovox features --prosody` and `praat`; writes only to a temporary folder.

usage: python3 tests/prosody/praat_sample.py [--clips N] [--seed S]
       [--build DIR] [--shared DIR]
Prints one line per clip and the pooled figures: median |semitone error| on
frames both call voiced, share over 1 semitone, voicing agreement.
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf

SCRIPT = """form Pitch
  sentence In_file
  sentence Out_file
endform
Read from file: in_file$
To Pitch (ac): 0.01, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
n = Get number of frames
text$ = ""
for i to n
  t = Get time from frame number: i
  f = Get value in frame: i, "Hertz"
  if f = undefined
    f = 0
  endif
  text$ = text$ + fixed$(t, 6) + " " + fixed$(f, 3) + newline$
endfor
writeFile: out_file$, text$
"""


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--shared", default=os.environ.get("EVX_SHARED", os.path.join(root, "..", "shared")))
    a = ap.parse_args()
    emovox = os.path.join(a.build, "trainer", "emovox")
    data = os.path.join(a.shared, "data")
    rows = list(csv.DictReader(open(os.path.join(data, "manifest.csv"))))
    random.seed(a.seed)
    pick = random.sample(rows, a.clips)
    errs, agree, frames = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        script, wav, out, feat = (os.path.join(tmp, n) for n in ("p.praat", "c.wav", "p.txt", "m.csv"))
        open(script, "w").write(SCRIPT)
        for r in pick:
            path = os.path.join(data, r["path"])
            x, rate = sf.read(path, dtype="float32")
            sf.write(wav, x, rate, subtype="FLOAT")   # praat reads no Opus
            subprocess.run([emovox, "features", wav, "--prosody", "--out", feat], check=True)
            subprocess.run(["praat", "--run", script, wav, out], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ours = np.array([float(q["f0"]) for q in csv.DictReader(open(feat))])
            p = np.loadtxt(out, ndmin=2)
            t, pf = p[:, 0], p[:, 1]
            tc = (160 * np.arange(len(ours)) + 80) / 16000.0   # row centres (evx_prosody.h)
            k = np.clip(np.round((tc - t[0]) / 0.01).astype(int), 0, len(t) - 1)
            ok = np.abs(t[k] - tc) < 0.006
            o, q = ours[ok], pf[k[ok]]
            both = (o > 0) & (q > 0)
            e = np.abs(12 * np.log2(o[both] / q[both]))
            errs.extend(e)
            agree += int(np.sum((o > 0) == (q > 0)))
            frames += len(o)
            print("%-50s %4d frames %4d both voiced  median %.3f st  voicing agrees %.1f%%"
                  % (r["path"], len(o), both.sum(), np.median(e) if len(e) else float("nan"),
                     100 * np.mean((o > 0) == (q > 0))))
    errs = np.array(errs)
    print("pooled over %d clips (seed %d): %d frames, %d both voiced: median error %.3f st, "
          "%.1f%% over 1 st, voicing agrees %.1f%%"
          % (a.clips, a.seed, frames, len(errs), np.median(errs), 100 * np.mean(errs > 1),
             100 * agree / frames))


if __name__ == "__main__":
    sys.exit(main())
