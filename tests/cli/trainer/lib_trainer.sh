# Helpers of the command trainer tests (sourced after lib.sh).
# mkspec NAME EXTRA_ARGS: writes $TMPDIR/NAME.yaml, a small sweep run by
# logreg.py (copied beside it) with --echo $TMPDIR/echo and EXTRA_ARGS,
# and any further trainer keys from $TRAINER_KEYS.
cp tests/cli/trainer/logreg.py "$TMPDIR/logreg.py"
mkspec() {
  local name=$1; shift
  local extra=""
  for a in "$@"; do extra="$extra, \"$a\""; done
  cat >"$TMPDIR/$name.yaml" <<YAML
name: $name
data: {dataset: blobs, n_samples: 256, validation: 0}
optimizer: {name: sgd, momentum: 0.9, lr: 0.5}
train: {batch_size: 32, full_epochs: 3}
trainer:
  command: [python3, logreg.py, --echo, "$TMPDIR/echo"$extra]
  code: [logreg.py]
  train_size: 256
${TRAINER_KEYS:-}
YAML
}
