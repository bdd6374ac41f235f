#!/usr/bin/env python3
"""Writes example-data.sql: the small example store of rexsweep-results(5).

The numbers are made up (a plausible Fashion-MNIST MLP budget sweep) so that
the man page's example queries have short, exact answers; they are not
results.  Run from this directory: python3 make_example.py > example-data.sql
"""
import hashlib
import json
import math

SPEC = """name: fmnist-demo
data: {dataset: fashion-mnist, validation: 5000}
model: {type: mlp, hidden: [256, 256]}
train: {batch_size: 128, full_epochs: 10}
budgets: [10%, 100%]
optimizers:
  - {name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 5e-4}
  - {name: adam, lr: 1e-3}
schedules: [rex, linear, cosine, constant]
seeds: 3
"""
OPTS = [("sgd", 0.1, 0.9, 5e-4), ("adam", 0.001, 0.0, 0.0)]
SCHEDS = ["rex", "linear", "cosine", "constant"]
BUDGETS = [0.1, 1.0]
SEED_OFF = [-0.002, 0.001, 0.001]  # mean zero: cell means are the bases
BASE = {  # mean test accuracy per (optimizer, budget, schedule)
    ("sgd", 0.1): [0.861, 0.857, 0.852, 0.838],
    ("sgd", 1.0): [0.893, 0.892, 0.894, 0.878],
    ("adam", 0.1): [0.868, 0.865, 0.860, 0.846],
    ("adam", 1.0): [0.889, 0.890, 0.888, 0.871],
}
SPE = 430            # ceil(55000 / 128)
N_PARAMS = 269322    # 784-256-256-10
FAILED = ("adam", "cosine", 0.1, 2)
DIVERGED = ("sgd", "constant", 1.0, 2)


SCHED_PARAMS = {"rex": {"d": 0.5}, "linear": {"end_factor": 0}, "cosine": {"eta_min": 0},
                "constant": {}}


def sched_json(name):
    return json.dumps(dict(name=name, **SCHED_PARAMS[name], sampling="iteration", warmup=0,
                           warmup_start=0, warmup_counts=True), separators=(",", ":"))


def h16(s):
    return hashlib.sha1(s.encode()).hexdigest()[:16]


def profile(name, p):
    if name == "rex":
        return (1 - p) / (0.5 + 0.5 * (1 - p))
    if name == "linear":
        return 1 - p
    if name == "cosine":
        return 0.5 * (1 + math.cos(math.pi * p))
    return 1.0


def q(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, float):
        if math.isnan(v):
            return "'NaN'"
        return repr(round(v, 6))
    return str(v)


def insert(table, row):
    cols = ", ".join(row)
    vals = ", ".join(q(v) for v in row.values())
    print(f"INSERT INTO {table} ({cols}) VALUES ({vals});")


print("-- the example store of rexsweep-results(5); written by make_example.py")
insert("sweeps", dict(id=1, name="fmnist-demo", spec=SPEC, spec_hash=h16(SPEC),
                      created=1735732800.0, rexsweep_version="0.1.0", trainer_version=1,
                      host="lab1", git_commit="3f2c1e9"))
index = 0
t0 = 1735732900.0
for budget in BUDGETS:
    for opt, lr, mom, wd in OPTS:
        for si, sched in enumerate(SCHEDS):
            cell_cfg = dict(optimizer=dict(name=opt, lr=lr, momentum=mom, weight_decay=wd),
                            schedule=dict(name=sched, sampling="iteration"),
                            train=dict(batch_size=128, budget=budget, full_epochs=10))
            cell = h16(json.dumps(cell_cfg, sort_keys=True))
            for seed in range(3):
                cfg = dict(cell_cfg)
                cfg["train"] = dict(cell_cfg["train"], seed=seed)
                config = json.dumps(dict(data=dict(dataset="fashion-mnist", validation=5000),
                                         model=dict(hidden=[256, 256], type="mlp"), **cfg),
                                    sort_keys=True, separators=(",", ":"))
                key = h16(config)
                epochs = budget * 10
                steps = math.ceil(budget * 10 * SPE)
                acc = BASE[(opt, budget)][si] + SEED_OFF[seed]
                status, err, div = "done", None, None
                n_ep = int(epochs)
                if (opt, sched, budget, seed) == FAILED:
                    status, err, n_ep = "failed", "out of memory allocating the batch buffers", 0
                if (opt, sched, budget, seed) == DIVERGED:
                    status, div, n_ep = "diverged", 1337, 3
                run = dict(key=key, cell=cell, dataset="fashion-mnist", model="mlp",
                           optimizer=opt, lr=lr, momentum=mom, weight_decay=wd,
                           batch_size=128, schedule=sched,
                           schedule_json=sched_json(sched),
                           sampling="iteration", budget=budget, full_epochs=10.0, seed=seed,
                           config=config, status=status, attempts=1, worker_host="lab1",
                           worker_pid=4242, heartbeat=t0 + 30, started=t0, ended=t0 + 30)
                t0 += 31
                final = {}
                if status != "failed":
                    done = status == "done"
                    final = dict(train_loss=0.25 + (0.9 - acc) if done else math.nan,
                                 train_acc=acc + 0.02 if done else 0.1,
                                 val_loss=0.30 + (0.9 - acc) if done else math.nan,
                                 val_acc=acc + 0.004 if done else 0.1,
                                 test_loss=0.31 + (0.9 - acc) if done else math.nan,
                                 test_acc=acc if done else 0.1)
                    run.update(wall=2.1 * n_ep, epochs=epochs, steps=steps,
                               steps_done=div or steps, steps_per_epoch=SPE,
                               samples=55000 * n_ep if done else 1337 * 128,
                               flops=6.0 * N_PARAMS * 55000 * n_ep, n_params=N_PARAMS,
                               model_desc="mlp 784-256-256-10")
                    run.update(final)
                    run.update(best_val_acc=final["val_acc"] + (0.001 if done else 0),
                               best_val_loss=final["val_loss"] - 0.001 if done else 0.5,
                               best_test_acc=acc + 0.001 if done else 0.71)
                run.update(diverged_step=div, error=err)
                insert("runs", run)
                insert("sweep_runs", dict(sweep=1, key=key, grid_index=index))
                index += 1
                for e in range(1, n_ep + 1):
                    step = e * SPE if e * SPE < steps else steps
                    frac = e / n_ep if status == "done" else e / 10
                    a = acc - 0.08 * (1 - frac) ** 2 if status == "done" else 0.7
                    lr_now = lr * profile(sched, (step - 1) / steps)
                    insert("metrics", dict(key=key, epoch=e, step=step, samples=55000 * e,
                                           train_loss=0.25 + (0.9 - a), train_acc=a + 0.02,
                                           val_loss=0.30 + (0.9 - a), val_acc=a + 0.004,
                                           test_loss=0.31 + (0.9 - a), test_acc=a,
                                           lr=lr_now, momentum=mom if opt == "sgd" else 0.9,
                                           grad_norm=1.5 / e, wall=2.1 * e))
