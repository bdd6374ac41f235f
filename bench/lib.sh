# bench/lib.sh: what the benchmark scripts share (sourced).

q() { sqlite3 -batch -noheader "$@"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# spec SIZE L S: the sweep of about SIZE runs.
spec() {
  local lrs_sgd lrs_adam
  lrs_sgd=$(awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.6g", i ? ", " : "", 0.3 * 0.93 ^ i }')
  lrs_adam=$(awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%.6g", i ? ", " : "", 0.01 * 0.93 ^ i }')
  cat <<EOS
name: scale-$1
data: {dataset: spirals, n_samples: 200, validation: 50, noise: 0.05}
model: {type: mlp}
train: {batch_size: 50, full_epochs: 2}
budgets: [5%, 10%, 25%, 50%, 75%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [$lrs_sgd]}
  - {name: adam, lr: [$lrs_adam]}
schedules:
  - rex
  - linear
  - cosine
  - {name: exp, gamma: -3}
  - {name: step, sampling: 50-75}
  - {name: plateau, patience: 1, sampling: epoch}
  - onecycle
  - constant
grid:
  model.hidden: [[8], [4, 4]]
seeds: $3
EOS
}

# grid SIZE: the L and S of a size
grid() {
  case $1 in
    2k) echo 4 3 ;;        # 192 cells per lr x seed: 2304 runs
    20k) echo 26 4 ;;      # 19968
    100k) echo 104 5 ;;    # 99840
    1m) echo 104 50 ;;     # 998400
    *) echo "unknown size '$1' (2k, 20k, 100k, 1m)" >&2; exit 2 ;;
  esac
}
