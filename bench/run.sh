#!/usr/bin/env bash
# make bench: the trainer, the GEMM-only bound and PyTorch, interleaved,
# REPEATS times each (default 9); prints medians and the two ratios, both
# as the ratio of the medians and as the median of the ratios of each
# round (a round runs the three back to back, so its ratios cancel the
# slow drift of a shared machine's speed).
# Throughput is samples per CPU-second of the training thread (one BLAS
# thread, which runs in that thread), less disturbed than wall time on a
# shared machine; each line also shows the wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-build/bench/bench_mlp}
REPEATS=${REPEATS:-9}
EPOCHS=${EPOCHS:-2}
PY=/usr/bin/python3
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
  echo "installing python3-torch python3-numpy (benchmark peer only)"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-numpy
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
field() { sed -n 's/.*samples_per_sec=\([0-9.]*\).*/\1/p'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: > /tmp/rx_bench_train; : > /tmp/rx_bench_gemm; : > /tmp/rx_bench_torch
echo "bench: MLP 784-256-256-10, batch 128, SGD momentum 0.9, $EPOCHS epochs of Fashion-MNIST, 1 thread, $REPEATS runs each"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
for i in $(seq "$REPEATS"); do
  $BIN train "$EPOCHS" | tee -a /dev/stderr | field >> /tmp/rx_bench_train
  $BIN gemm "$EPOCHS" | tee -a /dev/stderr | field >> /tmp/rx_bench_gemm
  $PY bench/torch_mlp.py "$EPOCHS" | tee -a /dev/stderr | field >> /tmp/rx_bench_torch
done 2>&1 | sed 's/^/  /'
tr=$(median < /tmp/rx_bench_train); ge=$(median < /tmp/rx_bench_gemm); to=$(median < /tmp/rx_bench_torch)
pg=$(paste /tmp/rx_bench_train /tmp/rx_bench_gemm | awk '{print $1 / $2}' | median)
pt=$(paste /tmp/rx_bench_train /tmp/rx_bench_torch | awk '{print $1 / $2}' | median)
awk -v tr="$tr" -v ge="$ge" -v to="$to" -v pg="$pg" -v pt="$pt" 'BEGIN {
  printf "rexsweep trainer:   %10.0f samples/s (median)\n", tr
  printf "GEMM-only bound:    %10.0f samples/s (median)\n", ge
  printf "PyTorch (1 thread): %10.0f samples/s (median)\n", to
  printf "trainer / GEMM bound = %.3f, median of rounds %.3f (target >= 0.92)\n", tr / ge, pg
  printf "trainer / PyTorch    = %.3f, median of rounds %.3f (target >= 1.20)\n", tr / to, pt
}'
