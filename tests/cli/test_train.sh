# rexsweep train: exit codes, messages, determinism, JSON.
. tests/cli/lib.sh
small="data.n_samples=400 train.full_epochs=3"
expect_exit 0 "$RX" train $small
grep -q '^epoch 3/3 ' "$TMPDIR/out" || fail "no epoch lines: $(cat "$TMPDIR/out")"
grep -q '^done: ' "$TMPDIR/out" || fail "no final line"
# bit-identical metrics run after run (wall time aside)
"$RX" train $small --json > "$TMPDIR/a.json"
"$RX" train $small --json > "$TMPDIR/b.json"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMPDIR/a.json" || fail "bad JSON"
sed 's/"wall":[^,}]*//' "$TMPDIR/a.json" > "$TMPDIR/a"
sed 's/"wall":[^,}]*//' "$TMPDIR/b.json" > "$TMPDIR/b"
cmp -s "$TMPDIR/a" "$TMPDIR/b" || fail "two runs differ"
# divergence: exit 1, the step is named
expect_exit 1 "$RX" train $small optimizer.lr=1e6
grep -q '^diverged at step [0-9]' "$TMPDIR/out" || fail "divergence: $(cat "$TMPDIR/out")"
# a bad key or value: exit 2 with the key, the range, a suggestion
expect_exit 2 "$RX" train train.batchsize=3
grep -q "batch_size" "$TMPDIR/err" || fail "no suggestion: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" train train.batch_size=0
grep -q "'train.batch_size' must be an integer in \[1, 65536\], got '0'" "$TMPDIR/err" || fail "range: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" train schedule.name=rexx
grep -q "rex" "$TMPDIR/err" || fail "schedule suggestion: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" train sweeps/quickstart.yaml
grep -q "24" "$TMPDIR/err" || fail "several runs: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" train --no-such-flag
# a check across keys names what set the key: a setting (there is no
# file, so no file:line:column), or the file's line when the file set it
expect_exit 2 "$RX" train data.validation=2000000
grep -qx "rexsweep: data.validation=2000000: 'data.validation' (2000000) must be smaller than 'data.n_samples' (2000)" "$TMPDIR/err" \
  || fail "setting's check: $(cat "$TMPDIR/err")"
printf 'name: small\ndata: {n_samples: 100}\nmodel: {hidden: [8]}\n' > "$TMPDIR/small.yaml"
expect_exit 2 "$RX" train "$TMPDIR/small.yaml" data.validation=500 model.hidden=[4,4]
grep -q "^rexsweep: data.validation=500: 'data.validation' (500) must be smaller" "$TMPDIR/err" \
  || fail "override's check: $(cat "$TMPDIR/err")"
printf 'name: small\ndata: {n_samples: 100, validation: 200}\n' > "$TMPDIR/small.yaml"
expect_exit 2 "$RX" train "$TMPDIR/small.yaml"
grep -q "small.yaml:2:36: 'data.validation' (200) must be smaller" "$TMPDIR/err" \
  || fail "file's check: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" train model.hidden=[4,4] data.validation=2000000
grep -q ":1:1:" "$TMPDIR/err" && fail "a location in no file: $(cat "$TMPDIR/err")"
# a bad dataset file: exit 6, the file and the problem
expect_exit 6 "$RX" train data.dataset=csv data.path=tests/data/data/bad-number.csv
grep -q "bad-number.csv':[0-9]*:[0-9]*:" "$TMPDIR/err" || fail "csv message: $(cat "$TMPDIR/err")"
mkdir "$TMPDIR/idx"
cp tests/data/data/bad-magic.idx "$TMPDIR/idx/train-images-idx3-ubyte"
expect_exit 6 "$RX" train data.dataset=fashion-mnist data.path="$TMPDIR/idx"
grep -q "magic\|train-labels" "$TMPDIR/err" || fail "idx message: $(cat "$TMPDIR/err")"
expect_exit 6 "$RX" train data.dataset=idx data.path=/nonexistent
# --help and --keys
expect_exit 0 "$RX" train --help
grep -q '^usage: rexsweep train' "$TMPDIR/out" || fail "help"
# the help's example settings are keys that train takes
ex=$(sed -n 's/.*: e\.g\. \(.*\)\.$/\1/p' "$TMPDIR/out")
[ -n "$ex" ] || fail "help: no example: $(cat "$TMPDIR/out")"
expect_exit 0 "$RX" train $small $ex train.full_epochs=1 --quiet
expect_exit 0 "$RX" train --keys
grep -q 'optimizer.lr' "$TMPDIR/out" || fail "keys"
# the top level
expect_exit 0 "$RX" --version
expect_exit 2 "$RX"
expect_exit 2 "$RX" frobnicate
grep -q "'frobnicate' is not a rexsweep command" "$TMPDIR/err" || fail "unknown command"
# a regression set with model.loss auto (the default) trains with mse, bit
# for bit as loss mse does (only the run key differs: the configuration
# does), and plan sizes its work; it failed every run with "cross-entropy
# needs at least 2 classes", and plan could not size it
reg="data.dataset=teacher data.n_samples=200 data.n_dims=4 data.validation=40 model.hidden=[16] train.full_epochs=3 train.batch_size=32"
# shellcheck disable=SC2086
expect_exit 0 "$RX" train $reg --json
sed 's/"wall":[^}]*//; s/"key":"[0-9a-f]*"//' "$TMPDIR/out" > "$TMPDIR/auto"
# shellcheck disable=SC2086
expect_exit 0 "$RX" train $reg model.loss=mse --json
sed 's/"wall":[^}]*//; s/"key":"[0-9a-f]*"//' "$TMPDIR/out" > "$TMPDIR/mse"
[ "$(wc -l < "$TMPDIR/auto")" -ge 3 ] && cmp -s "$TMPDIR/auto" "$TMPDIR/mse" ||
  fail "loss auto on a regression set: $(head -c 300 "$TMPDIR/auto")"
cat > "$TMPDIR/reg.yaml" <<'EOF'
name: reg
data: {dataset: teacher, n_samples: 200, n_dims: 4, validation: 40}
model: {type: mlp, hidden: [16]}
train: {batch_size: 32, full_epochs: 3}
optimizers: [{name: adam, lr: [0.01]}]
schedules: [rex]
EOF
expect_exit 0 "$RX" plan "$TMPDIR/reg.yaml"
grep -q ' GFLOP ' "$TMPDIR/out" || fail "plan sizes no regression run: $(cat "$TMPDIR/out")"
expect_exit 0 "$RX" run "$TMPDIR/reg.yaml" --db "$TMPDIR/reg.db" --quiet
grep -q '1 runs: 1 done' "$TMPDIR/out" || fail "regression run: $(cat "$TMPDIR/out" "$TMPDIR/err")"
echo ok
