# Keys tuned like the lr (rexsweep-report(1) --tune, rexsweep.yaml(5)
# tune:): plateau at two patiences is one schedule whose cells choose over
# (lr, patience) on validation; the spec's tune: is honoured by default
# and changes no run key; --no-tune, --no-merge, --schedules, --vs, check
# and run's warnings keep working; bad keys are usage errors.
. tests/cli/lib.sh
db=$TMPDIR/t.db
spec() {   # spec FILE [TUNE-LINE]
  cat > "$1" <<YAML
name: tune
data: {dataset: spirals, n_samples: 1200, validation: 300, noise: 0.05}
model: {type: mlp, hidden: [16]}
train: {batch_size: 64, full_epochs: 12}
budgets: [50%, 100%]
optimizers:
  - {name: sgd, momentum: 0.9, lr: [0.3, 0.1]}
schedules:
  - step
  - {name: plateau, patience: 0, sampling: epoch}
  - {name: plateau, patience: 3, sampling: epoch}
  - constant
seeds: 2
$2
YAML
}
spec "$TMPDIR/a.yaml" ""
spec "$TMPDIR/b.yaml" "tune: [schedule.patience]"
expect_exit 0 "$RX" run "$TMPDIR/a.yaml" --db "$db" -j 2 --quiet
n_runs=$(q "$db" "SELECT count(*) FROM runs")
[ "$n_runs" -eq 32 ] || fail "want 32 runs, got $n_runs"
# the same grid with tune: has the same run keys: nothing new trains
expect_exit 0 "$RX" plan "$TMPDIR/b.yaml" --db "$db"
grep -q '32 done' "$TMPDIR/out" || fail "plan with tune: sees new runs: $(cat "$TMPDIR/out")"
grep -q '^the report tunes schedule.patience with the lr (tune:)$' "$TMPDIR/out" || fail "plan: no tune line"
expect_exit 0 "$RX" plan "$TMPDIR/b.yaml" --db "$db" --json
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["tune"]==["schedule.patience"], p["tune"]' "$TMPDIR/out"

# untuned: each patience is a schedule of its own
expect_exit 0 "$RX" report --db "$db" --format json -o "$TMPDIR/plain.json"
python3 - "$TMPDIR/plain.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schedules"] == ["step", "plateau(patience=0)", "plateau(patience=3)", "constant"], r["schedules"]
assert r["tuned_keys"] == [], r["tuned_keys"]
PY
# tuned: one plateau; its cell chose the candidate with the best
# validation mean among (lr, patience), and shows it
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --format json -o "$TMPDIR/t.json"
python3 - "$TMPDIR/t.json" "$TMPDIR/plain.json" <<'PY'
import json, sys
r, plain = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r["schedules"] == ["step", "plateau", "constant"], r["schedules"]
assert r["tuned_keys"] == ["schedule.patience"], r["tuned_keys"]
cells = {(c["schedule"], c["budget"]): c for c in r["tables"][0]["cells"]}
old = {(c["schedule"], c["budget"]): c for c in plain["tables"][0]["cells"]}
for b in (0.5, 1):
    c = cells[("plateau", b)]
    cand = [(e["lr"], e["tuned"]["schedule.patience"]) for e in c["lrs"]]
    assert sorted(cand) == [(0.1, 0), (0.1, 3), (0.3, 0), (0.3, 3)], cand
    # the choice, worked out from the candidates: lowest validation error,
    # ties to the smaller lr, then the smaller patience
    best = min((e for e in c["lrs"] if e["eligible"]),
               key=lambda e: (round(e["val_mean"], 9), e["lr"], e["tuned"]["schedule.patience"]))
    chosen = [e for e in c["lrs"] if e["chosen"]]
    assert chosen == [best], (b, chosen, best)
    p = best["tuned"]["schedule.patience"]
    assert c["lr"] == best["lr"] and c["tuned"] == {"schedule.patience": p}, c
    # the tuned cell is the untuned schedule of that patience at that lr
    same = old[("plateau(patience=%d)" % p, b)]
    e = [x for x in same["lrs"] if x["lr"] == best["lr"]][0]
    assert abs(c["mean"] - e["test_mean"]) < 1e-9, (c["mean"], e)
    assert cells[("step", b)]["tuned"] == {"schedule.patience": None}
# the ranks merge step and the tuned plateau
assert r["step_plateau_merged"] and r["ranked_schedules"] == ["step", "constant"], r["ranked_schedules"]
# a chosen patience at the largest of those tried (3) is warned about, cell
# by cell; the smallest (0) is patience's own bound: nothing to add below
edge = [(c["schedule"], c["budget"]) for c in r["tables"][0]["cells"]
        if c["tuned"].get("schedule.patience") == 3]
w = [x for x in r["warnings"] if x["kind"] == "tuned_value_at_edge"]
if edge:
    assert len(w) == 1, w
    assert [(c["schedule"], c["budget"]) for c in w[0]["cells"]] == edge, (w, edge)
    t = w[0]["text"]
    assert "the chosen schedule.patience is the largest (3) of the values tried in %d of 2 cells" % len(edge) in t, t
    assert "add a larger value of schedule.patience to the spec" in t, t
else:
    assert not w, w
assert edge or any(c["tuned"].get("schedule.patience") == 0 for c in r["tables"][0]["cells"])
PY
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience
grep -q '^chosen schedule.patience (with the lr, on validation error (%); of N tried)$' "$TMPDIR/out" || fail "text: no patience table"
grep -Eq '^plateau +[03] \(of 2\) +[03] \(of 2\)$' "$TMPDIR/out" || fail "text: patience row: $(cat "$TMPDIR/out")"
grep -q '^lr and schedule.patience: tuned together per cell' "$TMPDIR/out" || fail "text: note"
# the bootstrap keeps every tuned value as chosen, not the lr alone
tr -s ' \n' ' ' < "$TMPDIR/out" > "$TMPDIR/flat"   # the text wraps its notes
grep -q '; the lr and schedule.patience of each cell stay as chosen;' "$TMPDIR/flat" || fail "text: bootstrap note"
grep -q 'the lr of each cell stays' "$TMPDIR/flat" && fail "text: bootstrap note names the lr alone"
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --format markdown
grep -q '^### chosen schedule.patience' "$TMPDIR/out" || fail "markdown: no patience table"
grep -q 'the lr and schedule.patience of each cell stay as chosen' "$TMPDIR/out" || fail "markdown: bootstrap note"
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --format html -o "$TMPDIR/t.html"
grep -q '<h3>chosen schedule.patience (with the lr' "$TMPDIR/t.html" || fail "html: no patience table"
grep -q '<p>Seeds are drawn .*the lr and schedule.patience of each cell stay as chosen;' "$TMPDIR/t.html" || fail "html: bootstrap note"
# plateau's lr curve is drawn from a run of a chosen candidate (the
# largest budget's) and says which
note=$(grep -o '<p>plateau: follows the validation loss: [^<]*</p>' "$TMPDIR/t.html")
key=$(echo "$note" | sed -n 's/.*of run \([0-9a-f]*\); the chosen lr .*/\1/p')
[ -n "$key" ] || fail "html: plateau note: $note"
python3 - "$TMPDIR/t.json" "$note" "$(q "$db" "SELECT lr || ' ' || json_extract(config, '$.schedule.patience') || ' ' || budget FROM runs WHERE key = '$key'")" <<'PY'
import json, sys
r, note, (lr, pat, budget) = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3].split()
c = [c for c in r["tables"][0]["cells"] if c["schedule"] == "plateau" and c["budget"] == 1][0]
assert float(budget) == 1 and float(lr) == c["lr"] and int(pat) == c["tuned"]["schedule.patience"], (sys.argv[3], c["lr"], c["tuned"])
assert note.endswith("the chosen lr %g, schedule.patience=%s</p>" % (c["lr"], pat)), note
PY
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --format csv
head -1 "$TMPDIR/out" | grep -q ',warnings,schedule.patience$' || fail "csv header"
grep -Eq '^spirals mlp,sgd,plateau,0.5,error,validation,0\.[13],.*,[03]$' "$TMPDIR/out" || fail "csv plateau row"
# apart, chosen set, reference: all on the tuned cell
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --no-merge --vs plateau --format json -o "$TMPDIR/nm.json"
python3 - "$TMPDIR/nm.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ranked_schedules"] == ["step", "plateau", "constant"], r["ranked_schedules"]
assert r["statistics"]["reference"] == "plateau"
assert all(len(v) == 2 for v in r["tables"][0]["ranks"].values())
PY
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --schedules plateau,constant --format json -o "$TMPDIR/only.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ranked_schedules"]==["plateau","constant"], r["ranked_schedules"]' "$TMPDIR/only.json"

# the spec's tune: is honoured by default; --no-tune sets it aside
expect_exit 0 "$RX" run "$TMPDIR/b.yaml" --db "$db" -j 2 --quiet
[ "$(q "$db" "SELECT count(*) FROM runs")" -eq 32 ] || fail "tune: added runs"
! grep -q 'plateau(patience' "$TMPDIR/out" || fail "run's warnings ignore the spec's tune: $(cat "$TMPDIR/out")"
expect_exit 0 "$RX" report --db "$db" --format json -o "$TMPDIR/spec.json"
python3 - "$TMPDIR/spec.json" "$TMPDIR/t.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["tuned_keys"] == ["schedule.patience"] and a["tables"] == b["tables"]
PY
expect_exit 0 "$RX" report --db "$db" --no-tune --format json -o "$TMPDIR/nt.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tuned_keys"]==[] and "plateau(patience=3)" in r["schedules"], r["schedules"]' "$TMPDIR/nt.json"
# the same key twice counts once
expect_exit 0 "$RX" report --db "$db" --tune schedule.patience --format json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tuned_keys"]==["schedule.patience"]' "$TMPDIR/out"
# check compares configurations: every patience keeps its own row
expect_exit 0 "$RX" check --baseline "$db" --db "$db" --format json
python3 - "$TMPDIR/out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["cells"]
s = {r["schedule"] for r in rows}
assert {"plateau(patience=0)", "plateau(patience=3)"} <= s, s
assert len(rows) == 16, len(rows)
PY

# keys that cannot be tuned, and spec errors with their place
expect_exit 2 "$RX" report --db "$db" --tune optimizer.lr
grep -q "'optimizer.lr' cannot be tuned like the lr: the lr is always tuned" "$TMPDIR/err" || fail "tune lr: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" report --db "$db" --tune schedule.patiense
grep -q "unknown key 'schedule.patiense' (did you mean 'schedule.patience'?)" "$TMPDIR/err" || fail "typo: $(cat "$TMPDIR/err")"
expect_exit 2 "$RX" report --db "$db" --tune train.blas_threads
grep -q "does not change what a run computes" "$TMPDIR/err" || fail "runtime key: $(cat "$TMPDIR/err")"
spec "$TMPDIR/c.yaml" "tune: [schedule.patience, train.seed]"
expect_exit 2 "$RX" plan "$TMPDIR/c.yaml"
grep -q "c.yaml:14:27: 'tune': 'train.seed' cannot be tuned like the lr" "$TMPDIR/err" || fail "spec: $(cat "$TMPDIR/err")"
spec "$TMPDIR/d.yaml" "tune: {schedule.patience: 1}"
expect_exit 2 "$RX" plan "$TMPDIR/d.yaml"
grep -q "d.yaml:14:7: 'tune' takes a key or a list of keys" "$TMPDIR/err" || fail "spec map: $(cat "$TMPDIR/err")"
