# The CI job files in docs/ci parse as YAML, have the shape their service
# expects, and every rexsweep option they use is one the command takes;
# the README's check example works as written.
. tests/cli/lib.sh
python3 -c 'import yaml' 2>/dev/null || { echo "skip: no python3-yaml"; exit 0; }
python3 - docs/ci/github-nightly.yml docs/ci/gitlab-nightly.yml > "$TMPDIR/cmds" <<'PY' || fail "CI files"
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))
steps = gh["jobs"]["nightly"]["steps"]
assert gh[True]["schedule"][0]["cron"], "no schedule"   # YAML 1.1 reads 'on' as true
runs = [s["run"] for s in steps if "run" in s]
gl = yaml.safe_load(open(sys.argv[2]))["nightly"]
assert gl["artifacts"]["reports"]["junit"] == "results/nightly-junit.xml"
# one command per line once continuation lines are joined
lines = [r.replace("\\\n", " ") for r in runs] + gl["before_script"] + gl["script"]
for l in (x.strip() for r in lines for x in r.splitlines()):
    if l.startswith("build/rexsweep "):
        print(l[len("build/rexsweep "):].split(">")[0].split("||")[0].strip())
PY
[ "$(grep -c . "$TMPDIR/cmds")" -ge 6 ] || fail "too few rexsweep commands: $(cat "$TMPDIR/cmds")"
while read -r cmd rest; do
  for opt in $(printf '%s\n' $rest | grep -E '^--[a-z]'); do
    "$RX" "$cmd" --help | grep -q -- "$opt" || fail "'rexsweep $cmd' has no option '$opt'"
  done
done < "$TMPDIR/cmds"
# the README's check example, as written, on a tiny store and its copy
sed -n '/^\$B run sweeps\/nightly.yaml/,/^\$B check /p' README.md > "$TMPDIR/readme.sh"
grep -q 'check --baseline results/nightly-baseline.db --db results/nightly.db' "$TMPDIR/readme.sh" ||
  fail "README check example: $(cat "$TMPDIR/readme.sh")"
mkdir -p "$TMPDIR/r/results" "$TMPDIR/r/sweeps"
{ echo "store: results/nightly.db"; sed 's/^name: small/name: nightly/' tests/data/run/small.yaml; } \
  > "$TMPDIR/r/sweeps/nightly.yaml"
(cd "$TMPDIR/r" && B=$RX && eval "$(cat "$TMPDIR/readme.sh")") >"$TMPDIR/readme.out" 2>&1 ||
  fail "the README's check example fails: $(cat "$TMPDIR/readme.out")"
echo ok
