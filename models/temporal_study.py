"""temporal_study.py: does a network that sees the frames in time order beat
the shipped model's window statistics? A side study for issue 7 (the 65%
target), in PyTorch, outside the plugin's code path.

Both candidates get the same speaker-normalised frames: the 98 features of
`emovox features` (rms and mel in dB), z-scored per speaker by that
speaker's statistics over voiced frames, as `--adapt speaker` does in
training. Voiced here: rms within 40 dB of the clip's (or the window's)
loudest frame. The core's gate is 35 dB with a -70 dBFS floor
(EVX_VOICED_RANGE_DB), so `mlp` is close to the shipped input, not equal
to it. The candidates differ in what they see of a 3 s window (300 frames,
hop 0.5 s):
  mlp  mean, std and mean absolute frame-to-frame change of the voiced
       frames (294 values, the shipped input's shape), z-scored over the training
       rows; Dense 256, ReLU, Dropout 0.3, Dense 8;
  tcn  the 98 x 300 frame matrix; Conv1d 5 (C channels), BatchNorm, ReLU,
       MaxPool 3/2, Conv1d 5, BatchNorm, ReLU, MaxPool 3/2, Conv1d 3,
       BatchNorm, ReLU, then the mean, max and std over time of the valid
       frames (--pool meanmaxstd) or the mean over all 75 steps, padding
       included (--pool gap: what the engine's layers can run today),
       Dropout 0.3, Dense 8. Trained on one random 3 s crop per clip
       per epoch.
Both: Adam, one-cycle schedule to lr 3e-3, batch 32, balanced class weights
times equal weight per speaker, --epochs epochs, clean audio, no
augmentation. 4-fold speaker CV over RAVDESS actors 01-16 (fold k holds
actors 4k+1..4k+4 out), TESS and SAVEE always in training, actors 17-20
never read. Prints the validation UA per window after each epoch, the mean
over folds, and the UA of the average of both candidates' probabilities
when both have run with the same seed.

Needs numpy and torch (Debian: python3-numpy, python3-torch) and the
trainer binary. Frames are extracted once into OUT/frames.npz.

usage: /usr/bin/python3 models/temporal_study.py mlp|tcn [--seed N]
       [--channels C] [--epochs N] [--pool meanmaxstd|gap] [--batchnorm on|off]
       [--data DIR] [--emovox EXE] [--out DIR]
"""
import argparse
import concurrent.futures
import csv
import io
import os
import subprocess
import sys

import numpy as np

EMOTIONS = ['angry', 'calm', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprised']
RMS, MEL0, NFEAT = 33, 34, 98
WINDOW, HOP = 300, 50
HELD_OUT = {f'ravdess-{a}' for a in (17, 18, 19, 20)}


def extract(emovox, path):
    out = subprocess.run([emovox, 'features', path], check=True,
                         capture_output=True, text=True).stdout
    f = np.loadtxt(io.StringIO(out), delimiter=',', skiprows=1, dtype=np.float64)
    f = np.atleast_2d(f)[:, 1:]
    f[:, RMS] = 20 * np.log10(np.maximum(f[:, RMS], 1e-5))
    f[:, MEL0:] = 10 * np.log10(np.maximum(f[:, MEL0:], 1e-10))
    return f.astype(np.float32)


def load(args):
    rows = [r for r in csv.DictReader(open(os.path.join(args.data, 'manifest.csv')))
            if r['speaker'] not in HELD_OUT]
    cache = os.path.join(args.out, 'frames.npz')
    if os.path.exists(cache):
        z = np.load(cache)
        frames = [z[f'arr_{i}'] for i in range(len(rows))]
    else:
        os.makedirs(args.out, exist_ok=True)
        paths = [os.path.join(args.data, r['path']) for r in rows]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
            frames = list(pool.map(lambda p: extract(args.emovox, p), paths))
        np.savez(cache, *frames)
    return rows, frames


def voiced(f):
    return f[:, RMS] >= f[:, RMS].max() - 40


def speaker_normalise(rows, frames):
    speakers = np.array([r['speaker'] for r in rows])
    out = [None] * len(frames)
    for s in set(speakers):
        idx = np.where(speakers == s)[0]
        v = np.concatenate([frames[i][voiced(frames[i])] for i in idx])
        mu, sd = v.mean(0), v.std(0) + 1e-3
        for i in idx:
            out[i] = ((frames[i] - mu) / sd).astype(np.float32)
    return speakers, out


def windows(n):
    if n <= WINDOW:
        return [(0, n)]
    starts = list(range(0, n - WINDOW + 1, HOP))
    if starts[-1] != n - WINDOW:
        starts.append(n - WINDOW)
    return [(a, a + WINDOW) for a in starts]


def window_stats(f, v):
    x = f[v] if v.sum() >= 2 else f
    d = np.abs(np.diff(x, axis=0)).mean(0) if len(x) > 1 else np.zeros(NFEAT)
    return np.concatenate([x.mean(0), x.std(0), d])


def unweighted_recall(pred, truth):
    return float(np.mean([(pred[truth == c] == c).mean()
                          for c in range(len(EMOTIONS)) if (truth == c).any()]))


def build_tcn(nn, fn, torch, channels, pool, batchnorm):
    class TCN(nn.Module):
        def __init__(self):
            super().__init__()
            c = channels
            self.convs = nn.ModuleList([nn.Conv1d(NFEAT, c, 5, padding=2),
                                        nn.Conv1d(c, c, 5, padding=2),
                                        nn.Conv1d(c, c, 3, padding=1)])
            self.norms = nn.ModuleList([nn.BatchNorm1d(c) if batchnorm else nn.Identity()
                                        for _ in range(3)])
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear((3 if pool == 'meanmaxstd' else 1) * c, len(EMOTIONS))

        def forward(self, x, mask):
            for k, (conv, norm) in enumerate(zip(self.convs, self.norms)):
                x = fn.relu(norm(conv(x)))
                if k < 2:   # the mask shrinks with the time axis
                    x = fn.max_pool1d(x, 3, 2, padding=1)
                    mask = fn.max_pool1d(mask[:, None], 3, 2, padding=1)[:, 0]
            if pool == 'gap':   # the engine's EVX_LAYER_GAP: padding counts
                return self.out(self.drop(x.mean(2)))
            m = mask[:, None]
            n = m.sum(2).clamp(min=1)
            mean = (x * m).sum(2) / n
            peak = (x - 1e4 * (1 - m)).max(2).values
            std = (((x - mean[:, :, None]) ** 2 * m).sum(2) / n + 1e-5).sqrt()
            return self.out(self.drop(torch.cat([mean, peak, std], 1)))
    return TCN()


def run_fold(args, torch, rows, frames, normed, speakers, labels, held):
    nn, fn = torch.nn, torch.nn.functional
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    train = [i for i in range(len(rows)) if speakers[i] not in held]
    val = [i for i in range(len(rows)) if speakers[i] in held]
    counts = np.bincount(labels[train], minlength=len(EMOTIONS))
    class_w = len(train) / (len(EMOTIONS) * counts)
    per_speaker = {s: int((speakers[train] == s).sum()) for s in set(speakers[train])}
    row_w = np.array([len(train) / (len(per_speaker) * per_speaker[speakers[i]]) for i in train])
    row_w = row_w * class_w[labels[train]]
    val_win = [(i, a, b) for i in val for a, b in windows(len(frames[i]))]
    truth = labels[[i for i, _, _ in val_win]]

    if args.model == 'mlp':
        tw = [(k, a, b) for k, i in enumerate(train) for a, b in windows(len(frames[i]))]
        xt = np.array([window_stats(normed[train[k]][a:b], voiced(frames[train[k]][a:b]))
                       for k, a, b in tw], np.float32)
        xv = np.array([window_stats(normed[i][a:b], voiced(frames[i][a:b]))
                       for i, a, b in val_win], np.float32)
        mu, sd = xt.mean(0), xt.std(0) + 1e-6
        xt, xv = torch.tensor((xt - mu) / sd), torch.tensor((xv - mu) / sd)
        yt = torch.tensor(labels[[train[k] for k, _, _ in tw]])
        wt = torch.tensor(row_w[[k for k, _, _ in tw]], dtype=torch.float32)
        net = nn.Sequential(nn.Linear(3 * NFEAT, 256), nn.ReLU(), nn.Dropout(0.3),
                            nn.Linear(256, len(EMOTIONS)))
        n_rows = len(xt)

        def batches():
            perm = torch.randperm(n_rows)
            for j in range(0, n_rows, 32):
                b = perm[j:j + 32]
                yield (xt[b],), yt[b], wt[b]

        def predict():
            return net(xv)
    else:
        net = build_tcn(nn, fn, torch, args.channels, args.pool, args.batchnorm == 'on')

        def stack(items):
            x = np.zeros((len(items), NFEAT, WINDOW), np.float32)
            m = np.zeros((len(items), WINDOW), np.float32)
            for k, (i, a, b) in enumerate(items):
                x[k, :, :b - a] = normed[i][a:b].T
                m[k, :b - a] = 1
            return torch.tensor(x), torch.tensor(m)

        xv, mv = stack(val_win)
        n_rows = len(train)

        def batches():
            perm = rng.permutation(n_rows)
            for j in range(0, n_rows, 32):
                ks = perm[j:j + 32]
                items = []
                for k in ks:
                    n = len(frames[train[k]])
                    a = int(rng.integers(0, n - WINDOW + 1)) if n > WINDOW else 0
                    items.append((train[k], a, min(n, a + WINDOW)))
                yield stack(items), torch.tensor(labels[[train[k] for k in ks]]), \
                    torch.tensor(row_w[ks], dtype=torch.float32)

        def predict():
            return torch.cat([net(xv[j:j + 256], mv[j:j + 256]) for j in range(0, len(xv), 256)])

    opt = torch.optim.Adam(net.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, 3e-3, total_steps=args.epochs * ((n_rows + 31) // 32))
    scores = []
    for _ in range(args.epochs):
        net.train()
        for x, y, w in batches():
            loss = (fn.cross_entropy(net(*x), y, reduction='none') * w).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            prob = torch.softmax(predict(), 1).numpy()
        scores.append(unweighted_recall(prob.argmax(1), truth))
    return scores, prob, truth


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('model', choices=['mlp', 'tcn'])
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--channels', type=int, default=64)
    p.add_argument('--epochs', type=int, default=40)
    p.add_argument('--pool', choices=['meanmaxstd', 'gap'], default='meanmaxstd')
    p.add_argument('--batchnorm', choices=['on', 'off'], default='on')
    p.add_argument('--data', default=os.path.join(here, '..', '..', 'shared', 'data'))
    p.add_argument('--emovox', default=os.path.join(here, '..', 'build', 'trainer', 'emovox'))
    p.add_argument('--out', default=os.path.join(here, '..', 'out', 'temporal'))
    args = p.parse_args()
    import torch
    torch.set_num_threads(2)
    rows, frames = load(args)
    speakers, normed = speaker_normalise(rows, frames)
    labels = np.array([EMOTIONS.index(r['emotion']) for r in rows])
    folds = [{f'ravdess-{a:02d}' for a in range(4 * k + 1, 4 * k + 5)} for k in range(4)]
    per_fold, fused = [], []
    for k, held in enumerate(folds):
        scores, prob, truth = run_fold(args, torch, rows, frames, normed, speakers, labels, held)
        per_fold.append(scores)
        print(f'fold {k}', ' '.join(f'{s:.3f}' for s in scores), flush=True)
        tag = args.model if args.model == 'mlp' or args.pool == 'meanmaxstd' else 'tcngap'
        tag += '' if args.batchnorm == 'on' else '-nobn'
        np.save(os.path.join(args.out, f'prob_{tag}_{args.seed}_{k}.npy'), prob)
        other = os.path.join(args.out, f'prob_{"tcn" if args.model == "mlp" else "mlp"}_{args.seed}_{k}.npy')
        if tag in ('mlp', 'tcn') and os.path.exists(other):
            fused.append(unweighted_recall((prob + np.load(other)).argmax(1), truth))
    mean = np.mean(per_fold, 0)
    print(f'{args.model} seed {args.seed}: mean UA per epoch', ' '.join(f'{s:.3f}' for s in mean))
    print(f'{args.model} seed {args.seed}: last epoch {mean[-1]:.3f}, mean of last 5 {mean[-5:].mean():.3f}')
    if len(fused) == len(folds):
        print(f'mlp+tcn seed {args.seed}: UA of the averaged probabilities {np.mean(fused):.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
