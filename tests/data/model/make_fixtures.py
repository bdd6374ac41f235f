#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of tests/test_model.c.

Run from the repository root with Debian's python3-torch:
    /usr/bin/python3 tests/data/model/make_fixtures.py

Each fixture is plain text, one value per line, in rexsweep's parameter
layout (rx_model.h): n_params, the parameters, the input batch (NCHW),
the labels, the mean loss, then the gradients of the mean loss, all
computed in float64 by PyTorch on float32-representable values.
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(2024)


def f32(shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)


def write(path, params_rx, x, labels, loss, grads_rx):
    with open(path, "w") as f:
        f.write(f"{len(params_rx)}\n")
        for v in list(params_rx) + list(x.ravel()):
            f.write(f"{v:.9g}\n")
        for v in labels:
            f.write(f"{int(v)}\n")
        f.write(f"{loss:.17g}\n")
        for v in grads_rx:
            f.write(f"{v:.17g}\n")


def mlp():
    # mlp 4-7-5-3 gelu (exact erf), cross-entropy, batch 6
    shapes = [(7, 4), (7,), (5, 7), (5,), (3, 5), (3,)]
    ps = [torch.tensor(f32(s, 0.5), requires_grad=True) for s in shapes]
    x = f32((6, 4))
    labels = rng.integers(0, 3, 6)
    h = F.gelu(F.linear(torch.tensor(x), ps[0], ps[1]))
    h = F.gelu(F.linear(h, ps[2], ps[3]))
    loss = F.cross_entropy(F.linear(h, ps[4], ps[5]), torch.tensor(labels))
    loss.backward()
    flat = lambda ts: np.concatenate([t.detach().numpy().ravel() for t in ts])
    write("tests/data/model/mlp_gelu_xent.txt", flat(ps), x, labels,
          loss.item(), flat([p.grad for p in ps]))


def cnn():
    # cnn 2x6x7: conv 3 k3 s1 p1 tanh, maxpool 2; conv 4 k2 s2 p1 tanh;
    # dense 5 tanh; dense 3; cross-entropy, batch 3.  rexsweep stores conv
    # weights (OC,K,K,C) and flattens NHWC, PyTorch (OC,C,K,K) and NCHW.
    w1 = torch.tensor(f32((3, 2, 3, 3), 0.4), requires_grad=True)
    b1 = torch.tensor(f32((3,), 0.1), requires_grad=True)
    w2 = torch.tensor(f32((4, 3, 2, 2), 0.4), requires_grad=True)
    b2 = torch.tensor(f32((4,), 0.1), requires_grad=True)
    wd = torch.tensor(f32((5, 16), 0.4), requires_grad=True)
    bd = torch.tensor(f32((5,), 0.1), requires_grad=True)
    wo = torch.tensor(f32((3, 5), 0.4), requires_grad=True)
    bo = torch.tensor(f32((3,), 0.1), requires_grad=True)
    x = f32((3, 2, 6, 7))
    labels = rng.integers(0, 3, 3)
    h = F.max_pool2d(torch.tanh(F.conv2d(torch.tensor(x), w1, b1, padding=1)), 2)
    h = torch.tanh(F.conv2d(h, w2, b2, stride=2, padding=1))  # (3,4,2,2)
    h = torch.tanh(F.linear(h.flatten(1), wd, bd))
    loss = F.cross_entropy(F.linear(h, wo, bo), torch.tensor(labels))
    loss.backward()
    conv = lambda t: t.detach().numpy().transpose(0, 2, 3, 1).ravel()
    dense = lambda t: t.detach().numpy().reshape(5, 4, 2, 2).transpose(0, 2, 3, 1).ravel()
    vec = lambda t: t.detach().numpy().ravel()
    rx = lambda a: np.concatenate([conv(a[0]), vec(a[1]), conv(a[2]), vec(a[3]),
                                   dense(a[4]), vec(a[5]), vec(a[6]), vec(a[7])])
    ps = [w1, b1, w2, b2, wd, bd, wo, bo]
    write("tests/data/model/cnn_tanh_xent.txt", rx(ps), x, labels,
          loss.item(), rx([p.grad for p in ps]))


mlp()
cnn()
