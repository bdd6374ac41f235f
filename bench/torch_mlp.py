#!/usr/bin/python3
"""The PyTorch peer of bench_mlp train: the same model, data, batch size,
optimizer and hyperparameters, one thread, training only.
Prints "torch samples_per_sec=<x> seconds=<s> wall=<w> steps=<n>", seconds
being the thread's CPU time, as bench_mlp measures."""
import gzip, sys, time
import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"
epochs = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
torch.set_num_threads(1)
torch.manual_seed(0)

def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

X = idx(f"{DIR}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
y = idx(f"{DIR}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
Xf = X.astype(np.float32) / 255.0
mean, std = Xf.mean(), Xf.std()          # global normalisation, as rexsweep
Xt = torch.from_numpy((Xf - mean) / std)
yt = torch.from_numpy(y)

model = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
B, n = 128, Xt.shape[0]
steps_per_epoch = (n + B - 1) // B
steps = int(epochs * steps_per_epoch)
t0, c0 = time.perf_counter(), time.thread_time()
done = samples = 0
while done < steps:
    perm = torch.randperm(n)
    for i in range(0, n, B):
        if done == steps:
            break
        idxs = perm[i:i + B]
        xb, yb = Xt[idxs], yt[idxs]   # the gather is part of the step, as in rexsweep
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        done += 1
        samples += xb.shape[0]
dt, dc = time.perf_counter() - t0, time.thread_time() - c0
print(f"torch samples_per_sec={samples / dc:.1f} seconds={dc:.3f} wall={dt:.3f} steps={done} train_loss={loss.item():.4f}")
