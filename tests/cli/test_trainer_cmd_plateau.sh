# Plateau with a command trainer (rexsweep-trainer(7), PLATEAU): after
# each epoch record rexsweep answers on fd 4 with the factor of the lr;
# the lrs the program used are those of 'rexsweep schedule plateau' fed
# the same validation losses.
. tests/cli/lib.sh
. tests/cli/trainer/lib_trainer.sh
mkspec plateau
cat >>"$TMPDIR/plateau.yaml" <<'YAML'
schedule: {name: plateau, patience: 0, factor: 0.5, threshold: 0.05, sampling: epoch}
YAML
sed -i -e 's/full_epochs: 3/full_epochs: 6/' -e 's/validation: 0/validation: 32/' "$TMPDIR/plateau.yaml"
db=$TMPDIR/p.db
expect_exit 0 "$RX" run "$TMPDIR/plateau.yaml" --db "$db"
key=$(q "$db" "SELECT key FROM runs")
[ "$(q "$db" "SELECT status FROM runs")" = done ] || fail "plateau run: $(q "$db" "SELECT status, error, output FROM runs")"
grep -qx "REXSWEEP_PLATEAU_FD=4" "$TMPDIR/echo/$key.env" || fail "no REXSWEEP_PLATEAU_FD"
losses=$(q "$db" "SELECT group_concat(val_loss, ',') FROM (SELECT val_loss FROM metrics WHERE key='$key' ORDER BY epoch)")
"$RX" schedule plateau:patience=0,factor=0.5,threshold=0.05 --steps 48 --epoch-steps 8 \
  --lr 0.5 --momentum 0.9 --val-losses "$losses" | tail -n +2 | cut -d, -f1,3,4 >"$TMPDIR/want"
diff "$TMPDIR/echo/$key.used" "$TMPDIR/want" >"$TMPDIR/diff" || fail "the lrs used differ from 'rexsweep schedule': $(head "$TMPDIR/diff")"
# the lr did drop (the test would pass vacuously otherwise)
[ "$(cut -d, -f2 "$TMPDIR/want" | sort -u | wc -l)" -ge 2 ] || fail "plateau never reduced the lr: $losses"
echo ok
