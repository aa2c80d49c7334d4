#!/usr/bin/python3
"""torch_ref.py: PyTorch reference for the inference engine.
  torch_ref.py run BUNDLE INPUTS OUT   reads BUNDLE with emvx.py (the format
      doc's reader), builds the same network in PyTorch (eval mode), runs it on
      INPUTS (float32 N x input shape) and writes the outputs (float32 N x labels)
  torch_ref.py make-logmel BUNDLE      writes the log-mel CNN with a batchnorm
      layer (unfolded, non-trivial running stats) and random weights
  torch_ref.py bench BUNDLE            prints "us_per_inference X" (1 thread; an
      ensemble's members one after the other and the mean of their outputs)
Exit 3 when torch cannot be imported."""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emvx  # noqa: E402

try:
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001
    print(f"python3-torch not installed ({e})", file=sys.stderr)
    sys.exit(3)


class Norm(nn.Module):
    """x' = (x - window mean over the other axes - mean[i]) * scale[i]."""

    def __init__(self, axis, mean, scale, window_mean):
        super().__init__()
        self.dim = axis + 1
        shape = [1, 1, 1, 1]
        shape[self.dim] = -1
        self.mean = torch.tensor(mean).reshape(shape)
        self.scale = torch.tensor(scale).reshape(shape)
        self.others = [d for d in (1, 2, 3) if d != self.dim]
        self.window_mean = window_mean

    def forward(self, x):
        if self.window_mean:
            x = x - x.mean(dim=self.others, keepdim=True)
        return (x - self.mean) * self.scale


class To1d(nn.Module):
    def forward(self, x):  # (N, C, 1, L) -> (N, C, L)
        return x.squeeze(2)


class Gap(nn.Module):
    def forward(self, x):
        return x.mean(dim=tuple(range(2, x.dim())))


def build(b):
    t = b["tensors"]
    mods = []
    if b["norm"][1]:
        mods.append(Norm(b["norm"][0], t["norm.mean"], t["norm.scale"], b["norm"][2]))
    c, h, w = b["input"]
    rank = 2  # spatial dims of the current torch tensor
    for i, l in enumerate(b["layers"]):
        name, p = l["name"], f"layer{i}."
        if name in ("conv1d", "maxpool1d") and rank == 2:
            mods.append(To1d())
            rank = 1
        if name == "conv1d":
            m = nn.Conv1d(c, l["out_ch"], l["kw"], stride=l["sw"], padding=l["pw"])
        elif name == "conv2d":
            m = nn.Conv2d(c, l["out_ch"], (l["kh"], l["kw"]), stride=(l["sh"], l["sw"]),
                          padding=(l["ph"], l["pw"]))
        elif name == "dense":
            m = nn.Linear(t[p + "weight"].shape[1], l["out_ch"])
        elif name == "maxpool1d":
            m = nn.MaxPool1d(l["kw"], stride=l["sw"], padding=l["pw"])
        elif name == "maxpool2d":
            m = nn.MaxPool2d((l["kh"], l["kw"]), stride=(l["sh"], l["sw"]),
                             padding=(l["ph"], l["pw"]))
        elif name == "batchnorm":
            m = [nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d][rank](c, eps=l["eps"])
            m.running_mean.copy_(torch.tensor(t[p + "mean"]))
            m.running_var.copy_(torch.tensor(t[p + "var"]))
        elif name == "relu":
            m = nn.ReLU()
        elif name == "dropout":
            m = nn.Dropout(l["rate"])
        elif name == "flatten":
            m, rank = nn.Flatten(), 0
        elif name == "gap":
            m, rank = Gap(), 0
        elif name == "softmax":
            m = nn.Softmax(dim=1)
        else:
            raise ValueError(name)
        if name in ("conv1d", "conv2d", "dense", "batchnorm"):
            with torch.no_grad():
                m.weight.copy_(torch.tensor(t[p + "weight"]))
                m.bias.copy_(torch.tensor(t[p + "bias"]))
        if name in ("conv1d", "conv2d", "dense"):
            c = l["out_ch"]
        mods.append(m)
    return nn.Sequential(*mods).eval()


def load(path):
    with open(path, "rb") as f:
        b = emvx.read(f.read())
    return b, build(b)


def run(bundle, inputs, out):
    b, net = load(bundle)
    x = np.fromfile(inputs, dtype="<f4").reshape([-1] + b["input"])
    with torch.no_grad():
        y = net(torch.tensor(x)).numpy().astype("<f4")
    y.tofile(out)


def make_logmel(path):
    rng = np.random.default_rng(7)

    def r(*s, lo=-1.0, hi=1.0):
        return rng.uniform(lo, hi, size=s).astype(np.float32)
    L = emvx.layer
    b = dict(cfg=[16000, 400, 160, 1, 2, 100, 25], input=[1, 64, 100], norm=[1, 64, 1],
             labels=["angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised"],
             layers=[L("conv2d", 8, 3, 3, 1, 1, 1, 1), L("batchnorm", eps=1e-5), L("relu"),
                     L("maxpool2d", 0, 3, 3, 2, 2), L("conv2d", 16, 3, 3, 1, 1, 1, 1), L("relu"),
                     L("maxpool2d", 0, 3, 3, 2, 2), L("gap"), L("dense", 8), L("softmax")],
             tensors=[("norm.mean", r(64)), ("norm.scale", r(64, lo=0.05, hi=0.2)),
                      ("layer0.weight", r(8, 1, 3, 3)), ("layer0.bias", r(8, lo=-.1, hi=.1)),
                      ("layer1.weight", r(8, lo=0.5, hi=1.5)), ("layer1.bias", r(8, lo=-.3, hi=.3)),
                      ("layer1.mean", r(8, lo=-.5, hi=.5)), ("layer1.var", r(8, lo=0.3, hi=2)),
                      ("layer4.weight", r(16, 8, 3, 3, lo=-.4, hi=.4)), ("layer4.bias", r(16)),
                      ("layer8.weight", r(8, 16)), ("layer8.bias", r(8))])
    with open(path, "wb") as f:
        f.write(emvx.write(b))


class Fused(nn.Module):
    """A version-3/4 bundle: every member on its own input, probabilities
    averaged (the sum in member order over the count, as the engine)."""

    def __init__(self, nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, xs):
        p = self.nets[0](xs[0])
        for net, x in zip(self.nets[1:], xs[1:]):
            p = p + net(x)
        return p / len(self.nets)


def bench(bundle):
    """One inference of the bundle (an ensemble's members and their mean)."""
    torch.set_num_threads(1)
    with open(bundle, "rb") as f:
        b = emvx.read(f.read())
    members = b.get("members", [b])
    net = Fused([build(m) for m in members]).eval()
    x = [torch.randn([1] + m["input"]) for m in members]
    with torch.no_grad():
        for _ in range(50):
            net(x)
        best = float("inf")
        for _ in range(5):  # CPU time of this thread, as bench/nn.c times the engine
            n, t0 = 200, time.thread_time()
            for _ in range(n):
                net(x)
            best = min(best, (time.thread_time() - t0) / n)
    print(f"us_per_inference {best * 1e6:.3f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        run(*sys.argv[2:5])
    elif cmd == "make-logmel":
        make_logmel(sys.argv[2])
    elif cmd == "bench":
        bench(sys.argv[2])
