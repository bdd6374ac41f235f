# Sampled and searched optimizer keys are a cell's candidates, chosen with
# the lr, not optimizers of their own: a sampled (lr, momentum) sweep and
# a halving over it report one optimizer "sgd" whose cells choose (lr,
# momentum).  A synthetic trainer (sh + awk) whose validation accuracy
# peaks at lr = 0.01 and momentum 0.9 makes the choice known.
set -eu
. "$(dirname "$0")/../lib/cli.sh"

cat >fake.sh <<'EOF'
# $1 lr, $2 momentum, $3 budget, $4 seed
awk -v lr="$1" -v m="$2" -v b="$3" -v s="$4" 'BEGIN {
  d = log(lr) / log(10) + 2; if (d < 0) d = -d
  e = m - 0.9; if (e < 0) e = -e
  v = 0.9 - 0.05 * d - 0.5 * e + 0.05 * b + 0.0001 * s
  printf("{\"epoch\": 1, \"val_acc\": %.6f}\n{\"final\": true, \"test_acc\": %.6f}\n", v, v - 0.01)
}' >&3
EOF
cat >sampled.yaml <<'EOF'
name: sampled
data: {dataset: spirals, n_samples: 64}
train: {batch_size: 64, full_epochs: 9}
sampler: {kind: sobol, seed: 1}
optimizers:
  - name: sgd
    lr: {log_uniform: [1e-3, 1e-1], samples: 6}
    momentum: {uniform: [0.8, 0.99]}
schedules: [constant, linear]
trainer:
  command: [sh, fake.sh, "{optimizer.lr}", "{optimizer.momentum}", "{train.budget}", "{train.seed}"]
  code: [fake.sh]
  train_size: 64
EOF

# the best candidate by the synthetic score, from the store itself
best() {
  sqlite3 "$1" "SELECT lr || ' ' || json_extract(config, '\$.optimizer.momentum') FROM runs
    WHERE budget = 1 AND json_extract(config, '\$.schedule.name') = 'constant'
    ORDER BY val_acc DESC, lr LIMIT 1"
}
check_one_sgd() {  # $1 json report, $2 store
  python3 - "$1" "$(best "$2")" <<'PY' || fail "report of $2: $(head -c 400 "$1")"
import json, sys
r = json.load(open(sys.argv[1]))
lr, mom = sys.argv[2].split()
assert r["tuned_keys"] == ["optimizer.momentum"], r["tuned_keys"]
opts = sorted({t["optimizer"] for t in r["tables"]})
assert opts == ["sgd"], opts
cells = [c for t in r["tables"] for c in t["cells"] if c["schedule"] == "constant" and c["budget"] == 1]
assert len(cells) == 1, cells
c = cells[0]
assert abs(c["lr"] - float(lr)) < 1e-12 * float(lr), (c["lr"], lr)
assert abs(float(c["tuned"]["optimizer.momentum"]) - float(mom)) < 1e-12, (c["tuned"], mom)
PY
}

# 1. a sampled grid: 6 points x 2 schedules, one optimizer in the report
expect_rc 0 "$REXSWEEP" run sampled.yaml --db s.db -q
[ "$(sqlite3 s.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 12 ] || fail "not 12 runs"
expect_rc 0 "$REXSWEEP" report --db s.db --format json
cp out s.json
check_one_sgd s.json s.db
expect_rc 0 "$REXSWEEP" report --db s.db
grep -q "sgd(momentum" out && fail "text report names a momentum as an optimizer: $(grep -m1 'sgd(' out)"
expect_rc 0 "$REXSWEEP" report --db s.db --format csv
head -1 out | grep -q ",optimizer.momentum$" || fail "csv: no momentum column: $(head -1 out)"
[ "$(cut -d, -f2 out | sort -u | tr '\n' ' ')" = "optimizer sgd " ] || fail "csv optimizers: $(cut -d, -f2 out | sort -u)"

# 2. the same points as halving's candidates: the ladder's labels name
#    (lr, momentum), the report one optimizer sgd
sed 's/^name: sampled/name: halved/' sampled.yaml >halved.yaml
printf 'budgets: [30%%, 100%%]\nsearch: {strategy: halving, eta: 3}\n' >>halved.yaml
expect_rc 0 "$REXSWEEP" run halved.yaml --db h.db -q
[ "$(sqlite3 h.db "SELECT count(*) FROM runs WHERE status = 'done'")" = 16 ] || fail "not 12 + 4 runs"
expect_rc 0 "$REXSWEEP" report --db h.db --format json
cp out h.json
check_one_sgd h.json h.db
python3 - h.json <<'PY' || fail "halving ladder: $(head -c 300 h.json)"
import json, sys
s = json.load(open(sys.argv[1]))["search"]
g = {x["schedule"]: x for x in s["groups"]}
assert sorted(g) == ["constant", "linear"] and g["constant"]["optimizer"] == "sgd", g.keys()
assert g["constant"]["winner"].startswith("lr=") and " momentum=" in g["constant"]["winner"], g["constant"]
PY
# --no-tune sets the spec's keys aside, these too: each momentum is an
# optimizer again
expect_rc 0 "$REXSWEEP" report --db s.db --format json --no-tune
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len({t["optimizer"] for t in r["tables"]}) == 6' out ||
  fail "--no-tune kept the sampled key tuned"
# 3. a sweep sampling 5 keys besides the lr: the report tunes 4 and names
#    the fifth, whose values stay optimizers of their own (it was left
#    out without a word)
cat >five.yaml <<'EOF'
name: five
data: {dataset: spirals, n_samples: 64}
train: {batch_size: 64, full_epochs: 9}
sampler: {kind: sobol, seed: 1}
optimizers:
  - name: adam
    lr: {log_uniform: [1e-3, 1e-1], samples: 4}
    beta1: {uniform: [0.8, 0.95]}
    beta2: {uniform: [0.99, 0.999]}
    eps: {log_uniform: [1e-9, 1e-7]}
    weight_decay: {uniform: [0, 0.01]}
    clip_norm: {uniform: [1, 10]}
schedules: [constant]
trainer:
  command: [sh, fake.sh, "{optimizer.lr}", "{optimizer.beta1}", "{train.budget}", "{train.seed}"]
  code: [fake.sh]
  train_size: 64
EOF
expect_rc 0 "$REXSWEEP" run five.yaml --db five.db -q
expect_rc 0 "$REXSWEEP" report --db five.db --format json
grep -q "warning: sweep 'five' samples or searches 1 more key than the 4 a report tunes besides the lr (optimizer.clip_norm)" err ||
  fail "no warning for the fifth key: $(cat err)"
python3 - out <<'PY' || fail "five keys: $(head -c 300 out)"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tuned_keys"] == ["optimizer.beta1", "optimizer.beta2", "optimizer.eps", "optimizer.weight_decay"], r["tuned_keys"]
PY
echo ok
