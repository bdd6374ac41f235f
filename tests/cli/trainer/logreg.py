#!/usr/bin/python3
"""A command trainer for the tests of rexsweep-trainer(7), standard library
only: logistic regression on a small synthetic set, with rexsweep's lr table.

  logreg.py [--mode MODE] [--echo DIR]

--echo DIR copies what the program received (config, lr table, REXSWEEP_*
variables) into DIR/<run key>.*, so a test can compare it with what
rexsweep says.  MODE picks a failure to act out: crash (exit 3 after a
message on stderr), timeout (sleep), malformed (a broken metrics line),
diverge (a NaN loss), hang (sleep until signalled, recording the signal),
slow (a checkpoint and a pause after every epoch, for kill -9 and resume).
"""
import json, math, os, random, shutil, signal, sys, time

args = sys.argv[1:]
mode = args[args.index("--mode") + 1] if "--mode" in args else "train"
echo = args[args.index("--echo") + 1] if "--echo" in args else None

env = os.environ
key = env["REXSWEEP_RUN_KEY"]
out = os.fdopen(int(env["REXSWEEP_METRICS_FD"]), "w", buffering=1)
cfg = json.load(open(env["REXSWEEP_CONFIG"]))
steps = int(env["REXSWEEP_STEPS"])
spe = int(env["REXSWEEP_STEPS_PER_EPOCH"])
bs = int(env["REXSWEEP_BATCH_SIZE"])
seed = int(env["REXSWEEP_SEED"])

lr_table = []
if env["REXSWEEP_LR_FORMAT"] == "csv":
    with open(env["REXSWEEP_LR_TABLE"]) as f:
        assert f.readline().strip() == "step,lr,momentum"
        for line in f:
            s, lr, mom = line.split(",")
            lr_table.append((float(lr), float(mom)))
else:
    import struct
    data = open(env["REXSWEEP_LR_TABLE"], "rb").read()
    for i in range(0, len(data), 16):
        lr_table.append(struct.unpack("=dd", data[i:i + 16]))
assert len(lr_table) == steps, (len(lr_table), steps)

if echo:
    os.makedirs(echo, exist_ok=True)
    shutil.copy(env["REXSWEEP_CONFIG"], os.path.join(echo, key + ".json"))
    with open(os.path.join(echo, key + ".lr"), "w") as f:
        for i, (lr, mom) in enumerate(lr_table):
            f.write("%d,%.10g,%.10g\n" % (i, lr, mom))
    with open(os.path.join(echo, key + ".env"), "w") as f:
        for k in sorted(env):
            if k.startswith("REXSWEEP_") and k not in ("REXSWEEP_RUN_DIR", "REXSWEEP_CONFIG",
                                                     "REXSWEEP_LR_TABLE", "REXSWEEP_CHECKPOINT_DIR"):
                f.write("%s=%s\n" % (k, env[k]))
        f.write("argv=%s\n" % " ".join(sys.argv[1:]))
        f.write("CUDA_VISIBLE_DEVICES=%s\n" % env.get("CUDA_VISIBLE_DEVICES", ""))
        f.write("cwd=%s\n" % os.path.basename(os.getcwd()))

if mode == "crash":
    print("loading the data", flush=True)
    print("Traceback (most recent call last):\nValueError: the rexsweep test crash", file=sys.stderr)
    sys.exit(3)
if mode == "noisy":
    for i in range(1000):
        print("noise line %d %s" % (i, "x" * 300), file=sys.stderr)
    sys.exit(2)
if mode == "timeout":
    time.sleep(60)
if mode == "repeat":
    out.write('{"epoch": 1, "train_loss": 0.5}\n{"epoch": 1, "train_loss": 0.4}\n')
    out.flush()
    time.sleep(60)
if mode == "malformed":
    out.write('{"step": 1, "loss": 0.5}\n{"step": 2, "loss": oops}\n')
    out.flush()
    time.sleep(60)
if mode == "hang":
    def on_term(sig, frame):
        if echo:
            open(os.path.join(echo, key + ".signal"), "w").write("%d\n" % sig)
        sys.exit(143)
    signal.signal(signal.SIGTERM, on_term)
    open(os.path.join(echo, key + ".started"), "w").write("%d\n" % os.getpid())
    time.sleep(60)

# the data: two gaussian blobs in 2-D, fixed by the data seed
rng = random.Random(7)
X, Y = [], []
for i in range(256):
    y = i % 2
    X.append((rng.gauss(1.5 if y else -1.5, 1.0), rng.gauss(0.5 if y else -0.5, 1.0)))
    Y.append(y)
n = len(X)

w = [0.0, 0.0, 0.0]
v = [0.0, 0.0, 0.0]
start_epoch = 0
history = []          # the epoch records so far, kept in the checkpoint
ckdir = env.get("REXSWEEP_CHECKPOINT_DIR")
if echo:
    open(os.path.join(echo, key + ".pid"), "w").write("%d\n" % os.getpid())
if ckdir and env.get("REXSWEEP_RESUME") == "1":
    st = json.load(open(os.path.join(ckdir, "state.json")))
    w, v, start_epoch, history = st["w"], st["v"], st["epoch"], st["history"]
    for rec in history:
        out.write(json.dumps(rec) + "\n")

plateau = (os.fdopen(int(env["REXSWEEP_PLATEAU_FD"])) if "REXSWEEP_PLATEAU_FD" in env
           else None)
factor = 1.0
if plateau:
    for rec in history:   # one answer per epoch record, re-sent ones too
        factor = float(plateau.readline())
used = open(os.path.join(echo, key + ".used"), "w") if echo else None
order_rng = random.Random(seed)
epochs = (steps + spe - 1) // spe
t = start_epoch * spe
for epoch in range(start_epoch + 1, epochs + 1):
    order = list(range(n))
    order_rng.seed(seed * 1000 + epoch)
    order_rng.shuffle(order)
    tot, cnt = 0.0, 0
    for b in range(spe):
        if t >= steps:
            break
        lr, mom = lr_table[t]
        lr *= factor
        if used:
            used.write("%d,%.10g,%.10g\n" % (t, lr, mom))
        idx = [order[(b * bs + k) % n] for k in range(bs)]
        g = [0.0, 0.0, 0.0]
        loss = 0.0
        for i in idx:
            z = w[0] * X[i][0] + w[1] * X[i][1] + w[2]
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            loss -= math.log(max(p if Y[i] else 1 - p, 1e-12))
            d = p - Y[i]
            g[0] += d * X[i][0]; g[1] += d * X[i][1]; g[2] += d
        loss /= bs
        if mode == "diverge" and t == 4:
            loss = float("nan")
        for k in range(3):
            v[k] = mom * v[k] + g[k] / bs
            w[k] -= lr * v[k]
        t += 1
        tot += loss; cnt += 1
        out.write(json.dumps({"step": t, "loss": loss, "lr": lr, "grad_norm":
                              math.sqrt(sum((x / bs) ** 2 for x in g))}) + "\n")
    acc = sum(1 for i in range(n) if (w[0] * X[i][0] + w[1] * X[i][1] + w[2] > 0) == bool(Y[i])) / n
    rec = {"epoch": epoch, "step": t, "train_loss": tot / cnt, "val_acc": acc,
           "val_loss": tot / cnt, "weight_norm": math.hypot(w[0], w[1])}
    history.append(rec)
    out.write(json.dumps(rec) + "\n")
    if plateau:
        factor = float(plateau.readline())
    if ckdir:
        tmp = os.path.join(ckdir, "state.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"w": w, "v": v, "epoch": epoch, "history": history}, f)
        os.replace(tmp, os.path.join(ckdir, "state.json"))
    if mode == "slow":
        open(os.path.join(echo, key + ".epoch"), "w").write("%d\n" % epoch)
        time.sleep(0.5)
final = {"final": True, "test_acc": acc, "test_loss": tot / cnt,
         "margin": abs(w[2]) / max(math.hypot(w[0], w[1]), 1e-12)}
if start_epoch:
    final["resumed_from_epoch"] = start_epoch
out.write(json.dumps(final) + "\n")
