"""train_torch.py: PyTorch 1.13 peer of bench/train.c. Trains the same
architecture (seed 1-D CNN, log-mel 2-D CNN, one member of the shipped
window-statistics MLP or the shipped temporal network over frames, with
BatchNorm) with the same batch size,
optimiser and thread count on synthetic rows of the same shape, and prints
'seconds_per_epoch S' (the fastest timed epoch, after one warm-up: the
same rule as bench/train.c applies to emovox)."""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn


def seed_net(length, c1, c2):
    l1 = (length - 3) // 2 + 1
    l2 = (l1 - 3) // 2 + 1
    return nn.Sequential(
        nn.Conv1d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool1d(3, 2), nn.Dropout(0.25),
        nn.Conv1d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool1d(3, 2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(c2 * l2, 8))


def logmel_net(channels):
    layers, cin = [], 1
    for c in channels:
        layers += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2)]
        cin = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.25), nn.Linear(cin, 8)]
    return nn.Sequential(*layers)


def mlp_net(inputs, hidden):
    """One member of the shipped MLP: `--arch mlp --channels 256 --dropout 0.3`."""
    return nn.Sequential(nn.Flatten(), nn.Linear(inputs, hidden), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(hidden, 8))


def tcn_net(features, channels):
    """Conv1D k5, k5, k3 over time (the features are the channels), BatchNorm,
    ReLU, MaxPool1D(3, 2) after the first two, mean over time, Dropout, Dense:
    `emovox train --arch tcn --batchnorm on`, as shipped."""
    layers, cin = [], features
    for i, c in enumerate(channels):
        k = 5 if i < 2 else 3
        layers += [nn.Conv1d(cin, c, k, padding=k // 2), nn.BatchNorm1d(c), nn.ReLU()]
        if i < 2 and i + 1 < len(channels):
            layers.append(nn.MaxPool1d(3, 2))
        cin = c
    layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(cin, 8)]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["seed", "logmel", "mlp", "tcn"], required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    if a.arch == "seed":
        x = torch.from_numpy(rng.standard_normal((a.rows, 1, 98), dtype=np.float32))
        net = seed_net(98, 32, 64)
    elif a.arch == "mlp":
        x = torch.from_numpy(rng.standard_normal((a.rows, 294), dtype=np.float32))
        net = mlp_net(294, 256)
    elif a.arch == "tcn":
        x = torch.from_numpy(rng.standard_normal((a.rows, 98, a.frames), dtype=np.float32))
        net = tcn_net(98, [64, 64, 64])
    else:
        x = torch.from_numpy(rng.standard_normal((a.rows, 1, 64, a.frames), dtype=np.float32))
        net = logmel_net([8, 16, 32])
    y = torch.from_numpy(rng.integers(0, 8, a.rows))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for epoch in range(a.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        perm = torch.randperm(a.rows)
        for i in range(0, a.rows, a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if epoch:  # the first epoch warms up allocators and kernels
            times.append(time.perf_counter() - t0)
    print("seconds_per_epoch %.4f" % min(times))


if __name__ == "__main__":
    main()
