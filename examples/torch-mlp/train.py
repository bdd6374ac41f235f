#!/usr/bin/python3
"""The REX paper's Fashion-MNIST MLP in PyTorch, as a rexsweep command
trainer (man 7 rexsweep-trainer).

rexsweep hands over the run's configuration (REXSWEEP_CONFIG), its seed,
its budget in steps and the lr and momentum of every step of its schedule
(REXSWEEP_LR_TABLE); this program trains and writes its metrics as JSON
lines on file descriptor 3.  It follows the built-in trainer's choices
where they matter for comparing the two: global input normalisation from
the training split, He-normal weights and zero biases, a validation split
carved from the training set with data.seed, the epoch's running mean of
the training loss, PyTorch's SGD and Adam conventions (which the built-in
trainer follows too).

Runs on the CPU with one thread unless TORCH_THREADS says otherwise, or on
a GPU when CUDA_VISIBLE_DEVICES names one (trainer.gpus in the spec).
Honours REXSWEEP_CHECKPOINT_DIR and REXSWEEP_RESUME (trainer.checkpoints).
"""
import gzip
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

env = os.environ
t_start = time.time()
cfg = json.load(open(env["REXSWEEP_CONFIG"]))
out = os.fdopen(int(env["REXSWEEP_METRICS_FD"]), "w", buffering=1)
plateau = (os.fdopen(int(env["REXSWEEP_PLATEAU_FD"])) if "REXSWEEP_PLATEAU_FD" in env
           else None)
steps = int(env["REXSWEEP_STEPS"])
spe = int(env["REXSWEEP_STEPS_PER_EPOCH"])
seed = int(env["REXSWEEP_SEED"])
if env["REXSWEEP_LR_FORMAT"] == "f64":
    with open(env["REXSWEEP_LR_TABLE"], "rb") as f:
        table = torch.frombuffer(bytearray(f.read()), dtype=torch.float64).reshape(-1, 2)
    table = table.tolist()
else:
    with open(env["REXSWEEP_LR_TABLE"]) as f:
        next(f)
        table = [tuple(map(float, line.split(",")[1:3])) for line in f]
assert len(table) == steps

data_cfg, model_cfg, opt_cfg, train_cfg = (cfg["data"], cfg["model"], cfg["optimizer"],
                                           cfg["train"])
torch.set_num_threads(int(env.get("TORCH_THREADS", "1")))
device = torch.device("cuda" if env.get("CUDA_VISIBLE_DEVICES") and
                      torch.cuda.is_available() else "cpu")
torch.manual_seed(seed)


def emit(rec):
    out.write(json.dumps(rec) + "\n")


# ---- data: IDX files, split and normalised as the built-in trainer does
def idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).reshape(shape)


def idx_file(d, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    sys.exit("no %s in %s" % (stem, d))


ddir = data_cfg["path"] or "/usr/share/datasets/" + data_cfg["dataset"]
if data_cfg["dataset"] not in ("fashion-mnist", "mnist", "idx"):
    sys.exit("this example reads IDX datasets, not %r" % data_cfg["dataset"])
xtr = idx(idx_file(ddir, "train-images-idx3-ubyte")).reshape(-1, 784).float() / 255
ytr = idx(idx_file(ddir, "train-labels-idx1-ubyte")).long()
xte = idx(idx_file(ddir, "t10k-images-idx3-ubyte")).reshape(-1, 784).float() / 255
yte = idx(idx_file(ddir, "t10k-labels-idx1-ubyte")).long()
perm = torch.randperm(len(xtr), generator=torch.Generator().manual_seed(data_cfg["seed"]))
nval = data_cfg["validation"]
val_i = perm[:nval]
rest = perm[nval:]
if data_cfg["train_subset"]:
    rest = rest[:data_cfg["train_subset"]]
if data_cfg["test_subset"]:
    te_i = torch.randperm(len(xte), generator=torch.Generator().manual_seed(
        data_cfg["seed"] + 1))[:data_cfg["test_subset"]]
    xte, yte = xte[te_i], yte[te_i]
xva, yva, xtr, ytr = xtr[val_i], ytr[val_i], xtr[rest], ytr[rest]
if data_cfg["normalize"] != "none":
    if data_cfg["normalize"] == "global":
        mu, sd = xtr.double().mean(), xtr.double().std(unbiased=False)
    else:
        mu, sd = xtr.double().mean(0), xtr.double().std(0, unbiased=False)
        sd = torch.where(sd > 0, sd, torch.ones_like(sd))
    xtr, xva, xte = (((a.double() - mu) / sd).float() for a in (xtr, xva, xte))
xtr, ytr, xva, yva, xte, yte = (a.contiguous().to(device)
                                for a in (xtr, ytr, xva, yva, xte, yte))
B = train_cfg["batch_size"]
if (len(xtr) + B - 1) // B != spe:
    sys.exit("the spec's trainer.train_size gives %d steps per epoch, the data %d"
             % (spe, (len(xtr) + B - 1) // B))

# ---- the model: an MLP with He-normal weights and zero biases
acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid}
if model_cfg["type"] not in ("mlp", "linear"):
    sys.exit("this example trains an mlp, not %r" % model_cfg["type"])
layers, width = [], 784
for h in (model_cfg["hidden"] if model_cfg["type"] == "mlp" else []):
    layers += [nn.Linear(width, h), acts[model_cfg["activation"]]()]
    if model_cfg["dropout"] > 0:
        layers.append(nn.Dropout(model_cfg["dropout"]))
    width = h
layers.append(nn.Linear(width, 10))
model = nn.Sequential(*layers).to(device)
he = model_cfg["init"] == "he" or (model_cfg["init"] == "auto" and
                                   model_cfg["activation"] in ("relu", "gelu"))
with torch.no_grad():
    for m in model:
        if isinstance(m, nn.Linear):
            fan_out, fan_in = m.weight.shape
            m.weight.normal_(0, math.sqrt(2 / fan_in) if he else math.sqrt(2 / (fan_in + fan_out)))
            m.bias.zero_()

name = opt_cfg["name"]
lr0 = opt_cfg["lr"]
if name not in ("sgd", "adam", "adamw"):
    sys.exit("this example trains with sgd, adam or adamw, not %r" % name)
if name == "sgd":
    opt = torch.optim.SGD(model.parameters(), lr=lr0, momentum=opt_cfg["momentum"],
                          dampening=opt_cfg["dampening"], nesterov=opt_cfg["nesterov"],
                          weight_decay=opt_cfg["weight_decay"])
else:
    cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
    opt = cls(model.parameters(), lr=lr0, betas=(opt_cfg["beta1"], opt_cfg["beta2"]),
              eps=opt_cfg["eps"], weight_decay=opt_cfg["weight_decay"])


def set_lr(lr, mom):
    for g in opt.param_groups:
        g["lr"] = lr
        if name == "sgd":
            if opt_cfg["momentum"] > 0:
                g["momentum"] = mom
        else:
            g["betas"] = (mom, g["betas"][1])


@torch.no_grad()
def evaluate(x, y):
    model.eval()
    loss = correct = 0.0
    for i in range(0, len(x), 1024):
        o = model(x[i:i + 1024])
        loss += F.cross_entropy(o, y[i:i + 1024], reduction="sum").item()
        correct += (o.argmax(1) == y[i:i + 1024]).sum().item()
    model.train()
    return loss / len(x), correct / len(x)


# ---- checkpoints: the whole state after every epoch
ckdir = env.get("REXSWEEP_CHECKPOINT_DIR")
ckpt = os.path.join(ckdir, "state.pt") if ckdir else None
history, start_epoch, factor = [], 0, 1.0
gen = torch.Generator().manual_seed(seed)
if ckpt and env.get("REXSWEEP_RESUME") == "1" and os.path.exists(ckpt):
    st = torch.load(ckpt)
    model.load_state_dict(st["model"])
    opt.load_state_dict(st["opt"])
    gen.set_state(st["gen"])
    torch.set_rng_state(st["rng"])
    history, start_epoch = st["history"], st["epoch"]
    for rec in history:
        emit(rec)
        if plateau:       # one answer per epoch record, re-sent ones too
            factor = float(plateau.readline())

log_every = train_cfg["log_every"]
epochs = (steps + spe - 1) // spe
t = start_epoch * spe
samples = t * B
for epoch in range(start_epoch + 1, epochs + 1):
    order = torch.randperm(len(xtr), generator=gen).to(device)
    tot, correct, seen, gsum = 0.0, 0, 0, 0.0
    for b in range(spe):
        if t >= steps:
            break
        lr, mom = table[t]
        set_lr(float(lr) * factor, float(mom))
        idx_b = order[b * B:(b + 1) * B]
        x, y = xtr[idx_b], ytr[idx_b]
        o = model(x)
        loss = F.cross_entropy(o, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        clip = opt_cfg["clip_norm"] if opt_cfg["clip_norm"] > 0 else float("inf")
        gnorm = float(nn.utils.clip_grad_norm_(model.parameters(), clip))
        opt.step()
        t += 1
        lv = loss.item()
        if not math.isfinite(lv):
            emit({"step": t, "loss": lv})     # rexsweep records the divergence
            sys.exit(0)
        n = len(y)
        tot += lv * n
        correct += (o.argmax(1) == y).sum().item()
        seen += n
        samples += n
        gsum += gnorm
        if log_every and t % log_every == 0:
            emit({"step": t, "loss": lv, "lr": float(lr) * factor, "momentum": float(mom),
                  "grad_norm": gnorm})
    val_loss, val_acc = evaluate(xva, yva) if nval else (None, None)
    test_loss, test_acc = evaluate(xte, yte) if train_cfg["eval_test"] else (None, None)
    rec = {"epoch": epoch, "step": t, "samples": samples, "train_loss": tot / seen,
           "train_acc": correct / seen, "val_loss": val_loss, "val_acc": val_acc,
           "test_loss": test_loss, "test_acc": test_acc, "grad_norm": gsum / (b + 1),
           "wall": time.time() - t_start}
    history.append(rec)
    emit(rec)
    if plateau:
        factor = float(plateau.readline())
    if ckpt:
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                    "gen": gen.get_state(), "rng": torch.get_rng_state(),
                    "history": history, "epoch": epoch}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)

test_loss, test_acc = evaluate(xte, yte)
emit({"final": True, "test_loss": test_loss, "test_acc": test_acc,
      "n_params": sum(p.numel() for p in model.parameters()), "samples": samples,
      "device": 1 if device.type == "cuda" else 0})
