# A data path that is not a regular file is refused at once (a FIFO's
# open would wait for a writer, /dev/zero would be read forever), and a
# LIBSVM index of 200,000,000 is refused by a size check before any dense
# array is allocated: exit 6 naming the file and the problem.
. tests/cli/lib.sh
export OPENBLAS_NUM_THREADS=1
mkfifo "$TMPDIR/fifo"
for fmt in csv libsvm; do
  expect_exit 6 timeout 20 "$RX" train data.dataset=$fmt "data.path=$TMPDIR/fifo"
  grep -q "'$TMPDIR/fifo' is a FIFO, not a regular file" "$TMPDIR/err" || fail "$fmt fifo: $(cat "$TMPDIR/err")"
  expect_exit 6 timeout 20 "$RX" train data.dataset=$fmt data.path=/dev/zero
  grep -q "'/dev/zero' is a character device, not a regular file" "$TMPDIR/err" ||
    fail "$fmt /dev/zero: $(cat "$TMPDIR/err")"
  expect_exit 6 "$RX" train data.dataset=$fmt "data.path=$TMPDIR"
  grep -q "'$TMPDIR' is a directory, not a regular file" "$TMPDIR/err" || fail "$fmt dir: $(cat "$TMPDIR/err")"
done
# an IDX directory whose training images are a FIFO
mkdir "$TMPDIR/idx"
cp tests/data/data/idx-dir/* "$TMPDIR/idx/"
rm "$TMPDIR/idx/train-images-idx3-ubyte"
mkfifo "$TMPDIR/idx/train-images-idx3-ubyte"
expect_exit 6 timeout 20 "$RX" train data.dataset=idx "data.path=$TMPDIR/idx"
grep -q "train-images-idx3-ubyte' is a FIFO, not a regular file" "$TMPDIR/err" || fail "idx fifo: $(cat "$TMPDIR/err")"
# a huge index, in 300 MB of address space (not under ASan, whose shadow
# memory needs terabytes of it)
if ldd "$RX" 2>/dev/null | grep -q libasan; then cap=unlimited; else cap=300000; fi
printf '1 3:0.5 200000000:1\n0 2:1\n' > "$TMPDIR/huge.svm"
expect_exit 6 bash -c 'ulimit -v "$1"; shift; exec "$@"' - "$cap" "$RX" train data.dataset=libsvm "data.path=$TMPDIR/huge.svm"
grep -q "'$TMPDIR/huge.svm':1:9: index 200000000 exceeds the limit of 10000000 features" "$TMPDIR/err" ||
  fail "huge index: $(cat "$TMPDIR/err")"
echo ok
