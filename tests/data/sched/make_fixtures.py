#!/usr/bin/python3
"""Writes tests/data/sched/fixtures.h: the lr (and momentum) of every step
of torch.optim.lr_scheduler schedulers, next to the rexsweep schedule that
must reproduce them.  tests/test_sched.c runs rx_sched_start/step/epoch_end
on each case and compares to 1e-6 relative.

Run with Debian's python3-torch:  /usr/bin/python3 tests/data/sched/make_fixtures.py

Convention (rexsweep's and torch's): the lr of step t is the scheduler's
value after t calls of scheduler.step().  Per-epoch schedulers step once
per epoch, after the epoch's steps.
"""
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")


def step_of(f, T):
    """The first step u with u/T >= f (rexsweep's placement of fractions)."""
    if f <= 0:
        return 0
    u = math.ceil(f * T)
    while u > 0 and (u - 1) / T >= f:
        u -= 1
    while u / T < f:
        u += 1
    return u


def optimizer(lr, momentum=0.9, adam=False):
    p = [torch.nn.Parameter(torch.zeros(1))]
    if adam:
        return torch.optim.Adam(p, lr=lr, betas=(momentum, 0.999))
    return torch.optim.SGD(p, lr=lr, momentum=momentum)


def per_step(opt, sched, T, adam=False):
    lrs, moms = [], []
    for _ in range(T):
        g = opt.param_groups[0]
        lrs.append(g["lr"])
        moms.append(g["betas"][0] if adam else g["momentum"])
        opt.step()
        sched.step()
    return lrs, moms


def per_epoch(opt, sched, epochs, spe, losses=None):
    lrs, moms = [], []
    for e in range(epochs):
        for _ in range(spe):
            lrs.append(opt.param_groups[0]["lr"])
            moms.append(opt.param_groups[0]["momentum"])
            opt.step()
        if losses is None:
            sched.step()
        elif e < len(losses):
            sched.step(losses[e])
    return lrs, moms


CASES = []


def case(name, spec, T, spe, lr0, mom0, lrs, moms, losses=()):
    assert len(lrs) == T
    CASES.append((name, spec, T, spe, lr0, mom0, lrs, moms, list(losses)))


def onecycle(name, spec, T, lr0, adam=False, **kw):
    o = optimizer(lr0, adam=adam)
    lrs, moms = per_step(o, S.OneCycleLR(o, max_lr=lr0, total_steps=T, **kw), T, adam)
    case(name, spec, T, 0, lr0, 0.9, lrs, moms)


def build():
    # OneCycleLR: torch's defaults, the paper's variant, three phases
    onecycle("onecycle torch defaults", "onecycle-torch", 100, 0.1)
    onecycle("onecycle torch defaults, odd T", "onecycle-torch", 37, 0.3)
    onecycle("onecycle paper variant", "onecycle", 100, 0.1, pct_start=0.5,
             anneal_strategy="linear", div_factor=10.0, final_div_factor=1.0)
    onecycle("onecycle paper variant, adam beta1, odd T", "onecycle", 41, 0.003, adam=True,
             pct_start=0.5, anneal_strategy="linear", div_factor=10.0, final_div_factor=1.0)
    onecycle("onecycle three_phase", "onecycle-torch:three_phase=true", 97, 0.5, three_phase=True)
    onecycle("onecycle three_phase linear", "onecycle:three_phase=true,pct_start=0.25,div_factor=20,"
             "final_div_factor=100,base_momentum=0.8,max_momentum=0.9", 64, 1.0, three_phase=True,
             pct_start=0.25, anneal_strategy="linear", div_factor=20.0, final_div_factor=100.0,
             base_momentum=0.8, max_momentum=0.9)
    onecycle("onecycle no momentum cycling", "onecycle:cycle_momentum=false,pct_start=0.4", 30, 0.2,
             pct_start=0.4, anneal_strategy="linear", div_factor=10.0, final_div_factor=1.0,
             cycle_momentum=False)

    # MultiStepLR at the fractions' steps
    for spec, fr, gamma, T in (("step", [0.5, 0.75], 0.1, 50),
                               ("step-30-60-90", [0.3, 0.6, 0.9], 0.1, 37),
                               ("step:gamma=0.5,milestones=[0.2,0.45,0.7]", [0.2, 0.45, 0.7], 0.5, 23)):
        o = optimizer(0.1)
        lrs, moms = per_step(o, S.MultiStepLR(o, [step_of(f, T) for f in fr], gamma), T)
        case("multistep " + spec, spec, T, 0, 0.1, 0.9, lrs, moms)

    # CosineAnnealingLR (eta_min is absolute in torch, a multiple of lr0 here)
    for spec, eta, T, lr0 in (("cosine", 0.0, 60, 0.1), ("cosine:eta_min=0.01", 0.01, 45, 0.4)):
        o = optimizer(lr0)
        lrs, moms = per_step(o, S.CosineAnnealingLR(o, T_max=T, eta_min=eta * lr0), T)
        case("cosine " + spec, spec, T, 0, lr0, 0.9, lrs, moms)

    # LinearLR
    for spec, end, T in (("linear", 0.0, 40), ("linear:end_factor=0.1", 0.1, 33)):
        o = optimizer(0.05)
        lrs, moms = per_step(o, S.LinearLR(o, start_factor=1.0, end_factor=end, total_iters=T), T)
        case("linear " + spec, spec, T, 0, 0.05, 0.9, lrs, moms)

    # ExponentialLR: gamma per step = exp(gamma/T)
    for spec, g, T in (("exp", -3.0, 50), ("exp:final=0.01", math.log(0.01), 29),
                       ("exp:gamma=-5", -5.0, 64)):
        o = optimizer(0.1)
        lrs, moms = per_step(o, S.ExponentialLR(o, gamma=math.exp(g / T)), T)
        case("exponential " + spec, spec, T, 0, 0.1, 0.9, lrs, moms)

    # PolynomialLR
    for spec, power, T in (("poly", 2.0, 50), ("poly:power=0.5", 0.5, 31), ("poly:power=1", 1.0, 20)):
        o = optimizer(0.1)
        lrs, moms = per_step(o, S.PolynomialLR(o, total_iters=T, power=power), T)
        case("polynomial " + spec, spec, T, 0, 0.1, 0.9, lrs, moms)

    # Per-epoch stepping equals epoch sampling
    E, spe = 12, 7
    o = optimizer(0.1)
    lrs, moms = per_epoch(o, S.CosineAnnealingLR(o, T_max=E), E, spe)
    case("cosine stepped per epoch", "cosine:sampling=epoch", E * spe, spe, 0.1, 0.9, lrs, moms)
    o = optimizer(0.1)
    lrs, moms = per_epoch(o, S.MultiStepLR(o, [step_of(0.5, E), step_of(0.75, E)], 0.1), E, spe)
    case("multistep stepped per epoch", "step:sampling=epoch", E * spe, spe, 0.1, 0.9, lrs, moms)

    # Warm-up inside the budget: LinearLR then cosine over the rest
    T, W, ws = 50, 10, 0.1
    o = optimizer(0.2)
    seq = S.SequentialLR(o, [S.LinearLR(o, start_factor=ws, end_factor=1.0, total_iters=W),
                             S.CosineAnnealingLR(o, T_max=T - W)], milestones=[W])
    lrs, moms = per_step(o, seq, T)
    case("warm-up then cosine", "cosine:warmup=0.2,warmup_start=0.1", T, 0, 0.2, 0.9, lrs, moms)

    # ReduceLROnPlateau with given validation losses, one step() per epoch
    losses = [1.0, 0.8, 0.7, 0.69995, 0.71, 0.7, 0.65, 0.66, 0.66, 0.66, 0.649, 0.6499,
              0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.3, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36,
              0.37, 0.38, 0.39, 0.4, 0.41]
    plateau = [
        ("plateau:patience=2", dict(patience=2), 0.1, losses),
        ("plateau:patience=1,cooldown=2,factor=0.5", dict(patience=1, cooldown=2, factor=0.5), 0.1, losses),
        ("plateau:patience=0,threshold=0.01,threshold_mode=abs,min_lr=0.02",
         dict(patience=0, threshold=0.01, threshold_mode="abs", min_lr=0.02 * 0.5), 0.5, losses),
        ("plateau:mode=max,patience=1,threshold=0.05", dict(mode="max", patience=1, threshold=0.05), 0.1,
         [0.1, 0.2, 0.3, 0.31, 0.3, 0.5, 0.52, 0.53, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7]),
        ("plateau:patience=0,factor=0.5,min_lr=0.2,eps=0.006",
         dict(patience=0, factor=0.5, min_lr=0.2 * 0.1, eps=0.006), 0.1, [1.0] * 12),
        ("plateau", dict(), 0.1, [1.0] * 25),
    ]
    spe = 3
    for spec, kw, lr0, ls in plateau:
        o = optimizer(lr0)
        lrs, moms = per_epoch(o, S.ReduceLROnPlateau(o, **kw), len(ls), spe, ls)
        case("plateau " + spec, spec, len(ls) * spe, spe, lr0, 0.9, lrs, moms, ls)


def arr(xs):
    return ", ".join(repr(float(x)) for x in xs)


def main():
    build()
    here = os.path.dirname(os.path.abspath(__file__))
    L = ["/* Generated by tests/data/sched/make_fixtures.py with torch %s; do not edit. */"
         % torch.__version__,
         "typedef struct sched_case {\n    const char *name, *spec;\n    long T, spe;\n"
         "    double lr0, mom0;\n    int n_losses;\n    const double *losses, *lr, *mom;\n} sched_case;"]
    for i, (name, spec, T, spe, lr0, mom0, lrs, moms, ls) in enumerate(CASES):
        L.append("static const double sc%d_lr[] = {%s};" % (i, arr(lrs)))
        L.append("static const double sc%d_mom[] = {%s};" % (i, arr(moms)))
        L.append("static const double sc%d_loss[] = {%s};" % (i, arr(ls) if ls else "0"))
    L.append("static const sched_case sched_cases[] = {")
    for i, (name, spec, T, spe, lr0, mom0, lrs, moms, ls) in enumerate(CASES):
        L.append('    {"%s", "%s", %d, %d, %r, %r, %d, sc%d_loss, sc%d_lr, sc%d_mom},'
                 % (name, spec, T, spe, lr0, mom0, len(ls), i, i, i))
    L.append("};")
    with open(os.path.join(here, "fixtures.h"), "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
