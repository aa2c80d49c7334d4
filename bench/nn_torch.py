#!/usr/bin/python3
"""nn_torch.py BUNDLE: PyTorch 1.13 microseconds per inference of a .emvx
network (1 thread, no_grad, eval), built by tests/nn/torch_ref.py from the
bundle's own weights. Prints "us_per_inference X"; exit 3 without torch."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn"))
import torch_ref  # noqa: E402

torch_ref.bench(sys.argv[1])
