# The trainer section of a spec (rexsweep.yaml(5)): errors name
# file:line:column and what was expected; the built-in trainer's run keys
# do not change; 'rexsweep train' refuses a command trainer.
. tests/cli/lib.sh
. tests/cli/trainer/lib_trainer.sh
cd "$TMPDIR"
base='name: s
train: {full_epochs: 1}'
spec() { printf '%s\n%s\n' "$base" "$1" >s.yaml; }

spec 'trainer: {command: [python3, logreg.py], code: [logreg.py, nope.py], train_size: 100}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:48: 'trainer.code': cannot read './nope.py': No such file or directory" err || fail "missing code file: $(cat err)"

spec 'trainer: {command: [python3, logreg.py], timeut: 5}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:42: unknown key 'timeut' in 'trainer' (did you mean 'timeout'?)" err || fail "unknown key: $(cat err)"

spec 'trainer: {command: [python3, logreg.py], train_size: 100, timeout: 2x}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:68: 'trainer.timeout' must be a duration (90, 90s, 15m, 2h, 1d), got '2x'" err || fail "bad timeout: $(cat err)"

spec 'trainer: {command: [python3, logreg.py]}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:1: a command trainer needs exactly one of 'steps_per_epoch' and 'train_size'" err || fail "no steps: $(cat err)"

spec 'trainer: {timeout: 1h}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:1: 'trainer' without 'command' is the built-in trainer" err || fail "builtin with keys: $(cat err)"

spec 'trainer: {command: [], train_size: 10}'
expect_exit 2 "$RX" plan s.yaml
grep -q "s.yaml:3:20: 'trainer.command' must name a program, got an empty list" err || fail "empty command: $(cat err)"

spec 'trainer: {command: [python3, logreg.py], train_size: 10, env: [CUDA_VISIBLE_DEVICES], gpus: [0, 1]}'
expect_exit 2 "$RX" plan s.yaml
grep -q "lists CUDA_VISIBLE_DEVICES, which 'trainer.gpus' sets per worker" err || fail "env and gpus: $(cat err)"

# the built-in trainer keeps its keys, with or without an empty trainer section
spec ''
expect_exit 0 "$RX" plan s.yaml --json
k0=$(python3 -c 'import json,sys; print(json.load(open("out"))["jobs"][0]["key"])')
spec 'trainer: {}'
expect_exit 0 "$RX" plan s.yaml --json
[ "$(python3 -c 'import json,sys; print(json.load(open("out"))["jobs"][0]["key"])')" = "$k0" ] || fail "an empty trainer section changed the key"
# a command trainer's keys differ from it, and follow the env values it lists
spec 'trainer: {command: [python3, logreg.py], train_size: 100, env: [RX_TEST_VAR]}'
RX_TEST_VAR=a expect_exit 0 "$RX" plan s.yaml --json
ka=$(python3 -c 'import json,sys; print(json.load(open("out"))["jobs"][0]["key"])')
RX_TEST_VAR=b expect_exit 0 "$RX" plan s.yaml --json
kb=$(python3 -c 'import json,sys; print(json.load(open("out"))["jobs"][0]["key"])')
[ "$ka" != "$k0" ] && [ "$ka" != "$kb" ] || fail "keys: builtin $k0, env a $ka, env b $kb"
RX_TEST_VAR=a expect_exit 0 "$RX" plan s.yaml --json
[ "$(python3 -c 'import json,sys; print(json.load(open("out"))["jobs"][0]["key"])')" = "$ka" ] || fail "keys are not stable"

expect_exit 2 "$RX" train s.yaml
grep -q "has a command trainer; 'rexsweep train' runs the built-in one" err || fail "train: $(cat err)"
echo ok
